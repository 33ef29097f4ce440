"""A byte-level tokenizer: every UTF-8 byte is one token.

- The vocabulary is the 256 possible byte values, so any text can be encoded
  and nothing is ever "unknown".
- ``encode`` turns ``str`` into a ``list[int]`` of UTF-8 bytes; ``decode`` turns
  ids back into text, replacing broken UTF-8 with U+FFFD by default (as
  tiktoken and minbpe do), since a model can generate any byte sequence.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from embeddings_explained._checks import byte_values, check_text

__all__ = ["ByteTokenizer"]


class ByteTokenizer:
    """Text <-> UTF-8 byte ids, a vocabulary of 256.

    >>> tok = ByteTokenizer()
    >>> tok.encode("Hi")
    [72, 105]
    >>> tok.encode("é")
    [195, 169]
    >>> tok.decode([72, 105])
    'Hi'
    """

    vocab_size: int = 256

    def encode(self, text: str) -> list[int]:
        """Return the UTF-8 bytes of ``text`` as a list of ints in ``[0, 256)``, length ``T``."""
        check_text(text)  # a str
        return list(text.encode("utf-8"))

    def decode(self, ids: Sequence[int] | torch.Tensor, errors: str = "replace") -> str:
        """Return the text whose UTF-8 bytes are ``ids`` (a list of ints or a 1-D integer tensor).

        ``errors`` is passed to :meth:`bytes.decode`: ``"replace"`` (default) puts U+FFFD where
        the bytes are not valid UTF-8, ``"strict"`` raises :class:`UnicodeDecodeError`.
        """
        return byte_values(ids).decode("utf-8", errors=errors)  # each id checked in [0, 256)
