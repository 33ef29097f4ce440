"""The numbers the guide shows, computed from the package.

Every table and every number in the prose of the site is produced here and
sits on the page between ``<!-- gen:NAME -->`` and ``<!-- /gen -->`` markers.
The test suite recomputes each fragment and fails when a page differs;
``make outputs`` rewrites them. Nothing here is typed by hand.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from embeddings_explained.model import Embeddings, too_long_message
from embeddings_explained.tokenizer import ByteTokenizer

__all__ = [
    "FRAGMENTS",
    "HI",
    "SEED",
    "explorer_data",
    "fmt",
    "hi_example",
    "seeded_embeddings",
    "torch_version",
]

SEED = 0
HI = "Hi"
TOKEN_ROWS = (0, 1, 72, 105, 255)  # the excerpt of the token table a page shows


def seeded_embeddings(
    vocab_size: int = 256, block_size: int = 8, n_embd: int = 4, seed: int = SEED
) -> Embeddings:
    """The guide's model: ``torch.manual_seed(seed)`` then ``Embeddings(...)``."""
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
    s = f"{x:.4f}"
    return "0.0000" if s == "-0.0000" else s


def _vec(v: torch.Tensor) -> str:
    return "[" + ", ".join(f"{fmt(float(x)):>7}" for x in v) + "]"


def _label(token_id: int) -> str:
    ch = chr(token_id)
    return (
        f"{token_id} ('{ch}')" if ch.isprintable() and ch.isascii() and ch != " " else str(token_id)
    )


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def token_table() -> str:
    w = seeded_embeddings().token_embedding.weight.detach()
    dims = [f"dim {j}" for j in range(w.shape[1])]
    rows: list[list[str]] = []
    prev = -1
    for i in TOKEN_ROWS:
        if i != prev + 1:
            rows.append(["…"] + ["…"] * len(dims))
        rows.append([_label(i)] + [fmt(float(x)) for x in w[i]])
        prev = i
    table = _md_table(["token id"] + dims, rows)
    return f"{table}\n\n*An excerpt: {len(TOKEN_ROWS)} of the {w.shape[0]} rows.*"


def position_table() -> str:
    p = seeded_embeddings().position_embedding.weight.detach()
    dims = [f"dim {j}" for j in range(p.shape[1])]
    rows = [[str(i)] + [fmt(float(x)) for x in p[i]] for i in range(p.shape[0])]
    return _md_table(["position"] + dims, rows) + f"\n\n*All {p.shape[0]} rows.*"


def parameter_count() -> str:
    emb = seeded_embeddings()
    return f"{sum(p.numel() for p in emb.parameters()):,}"


def parameter_sum() -> str:
    emb = seeded_embeddings()
    v, b, c = emb.vocab_size, emb.block_size, emb.n_embd
    return f"{v} × {c} + {b} × {c} = {v * c:,} + {b * c:,} = {(v + b) * c:,}"


def hi_token_rows() -> str:
    ex = hi_example()
    lines = [
        f"tok[0, {t}] = {_vec(ex['tok'][0, t])}   # row {_label(int(i))}"
        for t, i in enumerate(ex["ids"][0])
    ]
    return "```text\n" + "\n".join(lines) + "\n```"


def hi_position_rows() -> str:
    ex = hi_example()
    lines = [f"pos[{t}]    = {_vec(ex['pos'][t])}   # row {t}" for t in range(ex["pos"].shape[0])]
    return "```text\n" + "\n".join(lines) + "\n```"


def hi_addition() -> str:
    ex = hi_example()
    blocks = []
    for t, i in enumerate(ex["ids"][0].tolist()):
        tok, pos, out = ex["tok"][0, t], ex["pos"][t], ex["out"][0, t]
        blocks.append(
            f"'{chr(i)}' at position {t}:\n"
            f"  token row {i:<3}      {_vec(tok)}\n"
            f"+ position row {t}     {_vec(pos)}\n"
            f"= out[0, {t}]          {_vec(out)}"
        )
    return "```text\n" + "\n\n".join(blocks) + "\n```"


def hi_addition_by_dim() -> str:
    ex = hi_example()
    header = ["", *(f"dim {j}" for j in range(ex["out"].shape[-1]))]
    rows = []
    for t, i in enumerate(ex["ids"][0].tolist()):
        tok, pos, out = ex["tok"][0, t], ex["pos"][t], ex["out"][0, t]
        rows.append(
            [f"'{chr(i)}' @ {t}"]
            + [
                f"{fmt(float(a))} + {fmt(float(b))} = **{fmt(float(c))}**"
                for a, b, c in zip(tok, pos, out, strict=True)
            ]
        )
    return _md_table(header, rows)


def hi_shape() -> str:
    return f"`{tuple(hi_example()['out'].shape)}`".replace("(", "[").replace(")", "]")


def torch_version() -> str:
    """The running torch's version without its build tag: ``2.14.1``, not ``2.14.1+cu130``."""
    return torch.__version__.split("+")[0]


def explorer_data() -> dict[str, object]:
    """The seeded tables and sizes, for the site's in-browser explorer (exported as JSON)."""
    emb = seeded_embeddings()
    return {
        "seed": SEED,
        "torch": torch_version(),
        "vocab_size": emb.vocab_size,
        "block_size": emb.block_size,
        "n_embd": emb.n_embd,
        # float32 values, written as the exact decimal of each (JSON numbers are doubles)
        "token_embedding": emb.token_embedding.weight.detach().tolist(),
        "position_embedding": emb.position_embedding.weight.detach().tolist(),
        "too_long_message": too_long_message("{T}", emb.block_size),
    }


FRAGMENTS: dict[str, Callable[[], str]] = {
    "token-table": token_table,
    "position-table": position_table,
    "parameter-count": parameter_count,
    "parameter-sum": parameter_sum,
    "hi-token-rows": hi_token_rows,
    "hi-position-rows": hi_position_rows,
    "hi-addition": hi_addition,
    "hi-addition-by-dim": hi_addition_by_dim,
    "hi-shape": hi_shape,
}
