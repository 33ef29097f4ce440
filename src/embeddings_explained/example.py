"""The guide's worked example, and how the pages write its numbers.

- ``seeded_embeddings``: ``torch.manual_seed(SEED)`` then ``Embeddings(256, 8, 4)``.
- ``hi_example``: "Hi" through that layer, each step kept.
- ``fmt``, ``byte_label``, ``dim_labels``: a number, a byte id and a column as pages,
  figures and the explorer show them.

Pages, figures and the fragments of ``showcase`` all read from here.
"""

from __future__ import annotations

import torch

from embeddings_explained import _checks as checks
from embeddings_explained.model import Embeddings
from embeddings_explained.tokenizer import ByteTokenizer

__all__ = ["HI", "SEED", "byte_label", "dim_labels", "fmt", "hi_example", "seeded_embeddings"]

SEED = 0
HI = "Hi"


def seeded_embeddings(
    vocab_size: int = 256, block_size: int = 8, n_embd: int = 4, seed: int = SEED
) -> Embeddings:
    """The guide's model: ``torch.manual_seed(seed)`` then ``Embeddings(...)``."""
    checks.check_sizes(vocab_size, block_size, n_embd)  # before the seed changes anything
    checks.check_int("seed", seed, low=-(2**63), high=2**64 - 1, example=SEED)
    torch.manual_seed(seed)
    return Embeddings(vocab_size=vocab_size, block_size=block_size, n_embd=n_embd)


def hi_example() -> dict[str, torch.Tensor]:
    """The worked example: "Hi" through the seeded model, each step kept."""
    emb = seeded_embeddings()
    ids = torch.tensor([ByteTokenizer().encode(HI)])  # (1, 2)
    with torch.no_grad():
        tok = emb.token_embedding(ids)  # (1, 2, 4)
        pos = emb.position_embedding(torch.arange(ids.shape[1]))  # (2, 4)
        out = emb(ids)  # (1, 2, 4)
    return {"ids": ids, "tok": tok, "pos": pos, "out": out}


def fmt(x: float) -> str:
    """A number as the pages show it: 4 decimals, like ``print(tensor)``."""
    s = f"{float(x):.4f}"
    return "0.0000" if s == "-0.0000" else s


def byte_label(token_id: int) -> str:
    """How pages, figures and the explorer name a byte id: ``72 ('H')``, or just ``32``."""
    ch = chr(checks.check_int("token_id", token_id, low=0, high=255, example=72, why=" (a byte)"))
    shown = ch.isprintable() and ch.isascii() and ch != " "
    return f"{token_id} ('{ch}')" if shown else str(token_id)


def dim_labels(n_embd: int) -> list[str]:
    """Column headers of a table with ``n_embd`` columns: ``dim 0``, ``dim 1``, ..."""
    n = checks.check_int("n_embd", n_embd, high=2**16, example=4, why=" (columns a page shows)")
    return [f"dim {j}" for j in range(n)]
