"""Token and position embeddings, the first layer of a GPT.

- ``token_embedding``: a ``vocab_size x n_embd`` table, one row per token id.
- ``position_embedding``: a ``block_size x n_embd`` table, one row per position.
- Both are created once, in ``__init__``, filled with N(0, 1) random numbers.
- ``forward`` only looks rows up and adds them: ``tok[b, t] + pos[t]``.

Shapes use the letters of minGPT: B (batch), T (time, i.e. sequence length),
C (channels, i.e. ``n_embd``).
"""

from __future__ import annotations

import numbers

import torch
from torch import nn

__all__ = ["Embeddings"]

_ID_DTYPES = (torch.int64, torch.int32)  # the index dtypes nn.Embedding accepts


def _check_size(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value}")
    return int(value)


def too_long_message(T: int | str, block_size: int) -> str:
    """The error for a sequence longer than ``block_size`` (the site's explorer shows it too)."""
    return (
        f"sequence length T={T} exceeds block_size={block_size}: there are only "
        f"{block_size} position rows; crop the input to its last "
        f"{block_size} tokens, token_ids[:, -{block_size}:]"
    )


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
        self.vocab_size = _check_size("vocab_size", vocab_size)
        self.block_size = _check_size("block_size", block_size)
        self.n_embd = _check_size("n_embd", n_embd)
        # Created in this order, so that with a fixed seed the token table takes the
        # first random numbers and the position table the next ones.
        self.token_embedding = nn.Embedding(vocab_size, n_embd)  # (vocab_size, C)
        self.position_embedding = nn.Embedding(block_size, n_embd)  # (block_size, C)

    # --8<-- [end:init]

    # --8<-- [start:forward]
    def forward(self, token_ids: torch.Tensor) -> torch.Tensor:
        """Return ``token_embedding[token_ids] + position_embedding[0..T-1]``, ``[B, T, C]``."""
        self._check_ids(token_ids)
        B, T = token_ids.shape
        positions = torch.arange(T, device=token_ids.device)  # (T,), on the input's device
        tok: torch.Tensor = self.token_embedding(token_ids)  # (B, T, C)
        pos: torch.Tensor = self.position_embedding(positions)  # (T, C)
        return tok + pos  # (B, T, C): pos is broadcast over the batch

    # --8<-- [end:forward]

    def _check_ids(self, token_ids: object) -> None:
        """Raise a ValueError/TypeError that names the problem, instead of an IndexError."""
        if not isinstance(token_ids, torch.Tensor):
            raise TypeError(
                f"token_ids must be a torch.Tensor of shape [B, T], got {type(token_ids).__name__}"
                f" {token_ids!r:.60}; wrap it, e.g. torch.tensor([[72, 105]])"
            )
        if token_ids.dtype not in _ID_DTYPES:
            raise TypeError(
                f"token_ids must hold integer ids (torch.int64 or torch.int32), got dtype "
                f"{token_ids.dtype}; convert with token_ids.long()"
                + (" after rounding" if token_ids.dtype.is_floating_point else "")
            )
        if token_ids.dim() != 2:
            hint = (
                "; add the batch dimension: token_ids.unsqueeze(0)"
                if token_ids.dim() == 1
                else "; pass one batch of sequences, [B, T]"
            )
            raise ValueError(
                f"token_ids must be 2-D [B, T], got {token_ids.dim()}-D shape "
                f"{list(token_ids.shape)}{hint}"
            )
        T = token_ids.shape[1]
        if self.block_size < T:
            raise ValueError(
                f"sequence length T={T} exceeds block_size={self.block_size}: there are only "
                f"{self.block_size} position rows; crop the input to its last "
                f"{self.block_size} tokens, token_ids[:, -{self.block_size}:]"
            )
        weight = self.token_embedding.weight
        if token_ids.device != weight.device:
            raise ValueError(
                f"token_ids are on {token_ids.device} but the tables are on {weight.device}; "
                f"move one of them, e.g. token_ids.to('{weight.device}')"
            )
        if token_ids.numel() == 0:
            return
        low, high = torch.aminmax(token_ids)
        if low.item() < 0 or high.item() >= self.vocab_size:
            bad = (token_ids < 0) | (token_ids >= self.vocab_size)
            b, t = (int(i) for i in bad.nonzero()[0])
            value = int(token_ids[b, t])
            hint = (
                "ids are never negative"
                if value < 0
                else "was the text tokenized with another tokenizer?"
            )
            raise ValueError(
                f"token id {value} at position [{b}, {t}] is outside the vocabulary "
                f"[0, {self.vocab_size}); {hint}"
            )
