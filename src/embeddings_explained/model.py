"""Token and position embeddings, the first layer of a GPT.

- ``token_embedding``: a ``vocab_size x n_embd`` table, one row per token id.
- ``position_embedding``: a ``block_size x n_embd`` table, one row per position.
- Both are created once, in ``__init__``, filled with N(0, 1) random numbers.
- ``forward`` only looks rows up and adds them: ``tok[b, t] + pos[t]``.
- ``vocab_size``, ``block_size`` and ``n_embd`` are read from the tables, which are the
  truth; bad sizes and bad ids get a clear error first (the checks are in ``_checks.py``).

Shapes use the letters of minGPT: B (batch), T (time, i.e. sequence length),
C (channels, i.e. ``n_embd``).
"""

from __future__ import annotations

import torch
from torch import nn

from embeddings_explained._checks import check_ids, check_sizes, too_long_message

__all__ = ["Embeddings", "too_long_message"]


class Embeddings(nn.Module):
    """Token embedding plus position embedding.

    Args:
        vocab_size: number of token ids, the rows of ``token_embedding`` (256 for bytes).
        block_size: longest sequence, the rows of ``position_embedding``.
        n_embd: length of each vector, C.

    ``forward(token_ids)`` takes integer ids of shape ``[B, T]`` (``T <= block_size``)
    and returns float vectors of shape ``[B, T, n_embd]``.

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> emb = Embeddings(vocab_size=256, block_size=8, n_embd=4)
    >>> emb(torch.tensor([[72, 105]])).shape
    torch.Size([1, 2, 4])
    """

    # --8<-- [start:init]
    def __init__(self, vocab_size: int = 256, block_size: int = 8, n_embd: int = 4) -> None:
        super().__init__()
        vocab_size, block_size, n_embd = check_sizes(vocab_size, block_size, n_embd)
        # Created in this order, so that with a fixed seed the token table takes the
        # first random numbers and the position table the next ones.
        self.token_embedding = nn.Embedding(vocab_size, n_embd)  # (vocab_size, C)
        self.position_embedding = nn.Embedding(block_size, n_embd)  # (block_size, C)

    # --8<-- [end:init]

    # The sizes are read from the tables, so that they can never disagree with them.
    @property
    def vocab_size(self) -> int:
        return self.token_embedding.num_embeddings

    @property
    def block_size(self) -> int:
        return self.position_embedding.num_embeddings

    @property
    def n_embd(self) -> int:
        return self.token_embedding.embedding_dim

    # --8<-- [start:forward]
    def forward(self, token_ids: torch.Tensor) -> torch.Tensor:
        """Return ``token_embedding[token_ids] + position_embedding[0..T-1]``, ``[B, T, C]``."""
        check_ids(token_ids, self.vocab_size, self.block_size, self.token_embedding.weight.device)
        B, T = token_ids.shape
        positions = torch.arange(T, device=token_ids.device)  # (T,), on the input's device
        tok: torch.Tensor = self.token_embedding(token_ids)  # (B, T, C)
        pos: torch.Tensor = self.position_embedding(positions)  # (T, C)
        return tok + pos  # (B, T, C): pos is broadcast over the batch

    # --8<-- [end:forward]
