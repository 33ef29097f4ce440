"""The numbers the guide shows, computed from the package.

Every table and every number in the prose of the site is produced here and
sits on the page between ``<!-- gen:NAME -->`` and ``<!-- /gen -->`` markers.
The test suite recomputes each fragment and fails when a page differs;
``make outputs`` rewrites them. Nothing here is typed by hand.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from importlib.metadata import metadata

import torch
import torch.nn.functional as F

from embeddings_explained import _checks as checks
from embeddings_explained import attention, bpe, figures, scale, small_gpt, training
from embeddings_explained.example import (
    HI,
    SEED,
    byte_label,
    dim_labels,
    fmt,
    hi_example,
    seeded_embeddings,
)
from embeddings_explained.model import too_long_message
from embeddings_explained.scale import GPT2_SMALL
from embeddings_explained.tokenizer import ByteTokenizer

__all__ = [
    "FACTS",
    "FRAGMENTS",
    "EXPLORER_DATA",
    "GPT2_SMALL",
    "HI",
    "SEED",
    "byte_label",
    "dim_labels",
    "explorer_data",
    "fmt",
    "hi_example",
    "seeded_embeddings",
    "torch_version",
]


def _vec(v: torch.Tensor) -> str:
    return "[" + ", ".join(f"{fmt(float(x)):>7}" for x in v) + "]"


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---:" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _table_rows(weight: torch.Tensor, rows: list[int], label: Callable[[int], str]) -> str:
    """The chosen rows of a table, "…" where rows are skipped, and a caption that counts."""
    lines: list[list[str]] = []
    prev = -1
    for i in rows:
        if i != prev + 1:
            lines.append(["…"] * (weight.shape[1] + 1))
        lines.append([label(i)] + [fmt(float(x)) for x in weight[i]])
        prev = i
    if prev != weight.shape[0] - 1:
        lines.append(["…"] * (weight.shape[1] + 1))
    return _md_table(["id"] + dim_labels(weight.shape[1]), lines)


def _caption(shown: int, total: int) -> str:
    return (
        f"*All {total} rows.*" if shown == total else f"*An excerpt: {shown} of the {total} rows.*"
    )


def token_table(*rows: str) -> str:
    """``<!-- gen:token-table 0 1 72 -->``: those rows of the seeded token table."""
    w = seeded_embeddings().token_embedding.weight.detach()
    ids = _rows("token-table", rows, w.shape[0])
    table = _table_rows(w, ids, byte_label).replace("| id |", "| token id |", 1)
    return f"{table}\n\n{_caption(len(ids), w.shape[0])}"


def position_table(*rows: str) -> str:
    """``<!-- gen:position-table -->`` (all rows) or ``<!-- gen:position-table 0 1 -->``."""
    p = seeded_embeddings().position_embedding.weight.detach()
    ids = _rows("position-table", rows, p.shape[0]) if rows else list(range(p.shape[0]))
    table = _table_rows(p, ids, str).replace("| id |", "| position |", 1)
    return f"{table}\n\n{_caption(len(ids), p.shape[0])}"


def _rows(fragment: str, args: tuple[str, ...], n_rows: int) -> list[int]:
    """The marker's arguments as rows to show, or a ValueError that names the fragment."""
    ids = [int(a) for a in args if a.isdecimal()]
    if not ids or len(ids) != len(args) or ids != sorted(set(ids)) or ids[-1] >= n_rows:
        raise ValueError(
            f"fragment {fragment!r} takes the rows to show, whole numbers in increasing order "
            f"within [0, {n_rows}), got {' '.join(args)!r}; e.g. <!-- gen:{fragment} 0 1 72 -->"
        )
    return ids


def parameter_count() -> str:
    emb = seeded_embeddings()
    return f"{sum(p.numel() for p in emb.parameters()):,}"


def parameter_sum() -> str:
    emb = seeded_embeddings()
    v, b, c = emb.vocab_size, emb.block_size, emb.n_embd
    return f"{v} × {c} + {b} × {c} = {v * c:,} + {b * c:,} = {(v + b) * c:,}"


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


def hi_shape() -> str:
    return f"`{tuple(hi_example()['out'].shape)}`".replace("(", "[").replace(")", "]")


def torch_version() -> str:
    """The running torch's version without its build tag: ``2.14.1``, not ``2.14.1+cu130``."""
    return torch.__version__.split("+")[0]


# Where the site build writes explorer_data() and where the explorer page links to it.
EXPLORER_DATA = "assets/generated/embeddings-seed0.json"


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
        "byte_labels": [byte_label(i) for i in range(emb.vocab_size)],
    }


def explorer_link(*text: str) -> str:
    """``<!-- gen:explorer-data the tables -->``: a link to the explorer's JSON.

    The explorer script reads the tables from this link, so their file name is written
    once (``EXPLORER_DATA``), and mkdocs checks at build time that the file is there.
    """
    return f"[{' '.join(text) or 'the tables as JSON'}]({EXPLORER_DATA}){{ #ee-data }}"


def _python_requires() -> str:
    """The installed package's ``Requires-Python``, in words: ``3.11 or newer``."""
    spec = metadata("embeddings-explained")["Requires-Python"]
    return f"{spec[2:]} or newer" if spec.startswith(">=") else spec


# Named numbers that prose may state: ``<!-- gen:n NAME -->value<!-- /gen -->``.
FACTS: dict[str, Callable[[], object]] = {
    "seed": lambda: SEED,
    "vocab_size": lambda: seeded_embeddings().vocab_size,
    "block_size": lambda: seeded_embeddings().block_size,
    "n_embd": lambda: seeded_embeddings().n_embd,
    "hi_B": lambda: hi_example()["ids"].shape[0],
    "hi_T": lambda: hi_example()["ids"].shape[1],
    "ignore_index": lambda: inspect.signature(F.cross_entropy).parameters["ignore_index"].default,
    "gpt2_vocab_size": lambda: GPT2_SMALL["vocab_size"],
    "gpt2_block_size": lambda: GPT2_SMALL["block_size"],
    "gpt2_n_embd": lambda: GPT2_SMALL["n_embd"],
    "gpt2_init_std": lambda: attention.GPT2_INIT_STD,
    "gpt2_position_init_std": lambda: attention.GPT2_POSITION_INIT_STD,
    "training_n_embd": lambda: inspect.signature(training.train).parameters["n_embd"].default,
    "training_block_size": lambda: (
        inspect.signature(training.train).parameters["block_size"].default
    ),
    "bench_steps": lambda: small_gpt.BENCH_STEPS,
    "bench_block_size": lambda: (
        inspect.signature(small_gpt.train_gpt).parameters["block_size"].default
    ),
    "eval_every": lambda: inspect.signature(training.fit).parameters["eval_every"].default,
    "map_min_count": lambda: figures.MAP_MIN_COUNT,
    "gpt_steps": lambda: inspect.signature(small_gpt.train_gpt).parameters["steps"].default,
    "gpt_n_embd": lambda: inspect.signature(small_gpt.train_gpt).parameters["n_embd"].default,
    "gpt2_merges": lambda: bpe.GPT2_MERGES,
    "gpt2_n_layer": lambda: GPT2_SMALL["n_layer"],
    "gpt2_parameters": scale.gpt2_parameter_count,
    "gpt2_table_share": lambda: f"{scale.table_share():.1%}",
    "float32_bytes": lambda: torch.finfo(torch.float32).bits // 8,
    "bfloat16_bytes": lambda: torch.finfo(torch.bfloat16).bits // 8,
    "python_requires": _python_requires,
}


def fact(name: str) -> str:
    """``<!-- gen:n NAME -->``: one named number, written as the pages write numbers."""
    if not isinstance(name, str) or name not in FACTS:
        raise ValueError(f"unknown fact {checks.short(name)}; known: {', '.join(sorted(FACTS))}")
    value = FACTS[name]()
    return f"{value:,}" if isinstance(value, int) else str(value)


def byte_ids(*texts: str) -> str:
    """``<!-- gen:ids Hi -->``: the byte ids of a text, ``[72, 105]``; of one byte, ``72``."""
    if len(texts) != 1:
        raise ValueError(f"fragment 'ids' takes one text without spaces, got {texts!r}")
    ids = ByteTokenizer().encode(texts[0])
    return str(ids[0]) if len(ids) == 1 else str(ids)


FRAGMENTS: dict[str, Callable[..., str]] = {
    "n": fact,
    "ids": byte_ids,
    "token-table": token_table,
    "position-table": position_table,
    "parameter-count": parameter_count,
    "parameter-sum": parameter_sum,
    "hi-addition": hi_addition,
    "hi-shape": hi_shape,
    "explorer-data": explorer_link,
    "figure": figures.figure_markdown,
    "diagram": figures.diagram,
    "diagram-text": figures.diagram_text,
}
