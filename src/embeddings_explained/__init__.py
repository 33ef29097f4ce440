"""Token and position embeddings, initialization vs forward pass.

>>> from embeddings_explained import ByteTokenizer, Embeddings
"""

from embeddings_explained.model import Embeddings
from embeddings_explained.tokenizer import ByteTokenizer

__all__ = ["ByteTokenizer", "Embeddings"]
