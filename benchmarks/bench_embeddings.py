"""Speed of the embedding layer, measured with torch.utils.benchmark (``make bench``).

1. ``Embeddings.forward`` (with its input checks) against the bare two lookups plus add,
   at GPT-2-small sizes: vocab 50,257, block 1,024, n_embd 768, batch 8. Budget: within 5%.
2. The lookup ``W[ids]`` against the equivalent one-hot matmul ``one_hot(ids) @ W`` at
   vocab 256 and 50,257 (n_embd 768).

Writes the table to benchmarks/results.md, which the "Why this matters" page includes,
so the figures on the site are always this script's output.
"""

from __future__ import annotations

import argparse
import platform
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils import benchmark

from embeddings_explained import Embeddings
from embeddings_explained.showcase import torch_version

RESULTS = Path(__file__).with_name("results.md")


def _time(stmt: str, globals_: dict[str, object], min_run_time: float) -> float:
    """Median seconds per call."""
    timer = benchmark.Timer(stmt=stmt, globals=globals_, num_threads=torch.get_num_threads())
    return timer.blocked_autorange(min_run_time=min_run_time).median


def bench_forward(min_run_time: float) -> tuple[float, float]:
    torch.manual_seed(0)
    emb = Embeddings(vocab_size=50257, block_size=1024, n_embd=768)
    ids = torch.randint(0, 50257, (8, 1024))
    tok, pos = emb.token_embedding, emb.position_embedding

    def bare(token_ids: torch.Tensor) -> torch.Tensor:
        return tok(token_ids) + pos(torch.arange(token_ids.shape[1]))

    with torch.no_grad():
        assert torch.equal(emb(ids), bare(ids))
        checked = _time("emb(ids)", {"emb": emb, "ids": ids}, min_run_time)
        unchecked = _time("bare(ids)", {"bare": bare, "ids": ids}, min_run_time)
    return checked, unchecked


def bench_lookup_vs_one_hot(vocab: int, n_tokens: int, min_run_time: float) -> tuple[float, float]:
    torch.manual_seed(0)
    w = torch.randn(vocab, 768)
    ids = torch.randint(0, vocab, (n_tokens,))
    with torch.no_grad():
        assert torch.equal(F.one_hot(ids, vocab).float() @ w, w[ids])
        lookup = _time("w[ids]", {"w": w, "ids": ids}, min_run_time)
        one_hot = _time(
            "F.one_hot(ids, vocab).float() @ w",
            {"F": F, "w": w, "ids": ids, "vocab": vocab},
            min_run_time,
        )
    return lookup, one_hot


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.1f} µs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-run-time", type=float, default=1.0, help="seconds per measurement")
    parser.add_argument("--no-write", action="store_true", help="print only; keep results.md")
    args = parser.parse_args()

    checked, bare = bench_forward(args.min_run_time)
    overhead = checked / bare - 1
    n_tokens = 256
    rows = []
    for vocab in (256, 50257):
        lookup, one_hot = bench_lookup_vs_one_hot(vocab, n_tokens, args.min_run_time)
        rows.append((vocab, lookup, one_hot))

    machine = (
        f"{platform.machine()}, {torch.get_num_threads()} threads, "
        f"torch {torch_version()}, Python {platform.python_version()}"
    )
    lines = [
        f"Measured by `make bench` (benchmarks/bench_embeddings.py) on {machine}; "
        "medians from `torch.utils.benchmark`.",
        "",
        f"**Lookup vs one-hot matmul** ({n_tokens} token ids, n_embd 768)",
        "",
        "| vocab_size | lookup `W[ids]` | one-hot `one_hot(ids) @ W` | one-hot / lookup |",
        "|---:|---:|---:|---:|",
        *(f"| {v:,} | {_fmt(lk)} | {_fmt(oh)} | {oh / lk:,.0f}× |" for v, lk, oh in rows),
        "",
        "**What the input checks cost** (GPT-2 small: vocab 50,257, block 1,024, "
        "n_embd 768, batch 8)",
        "",
        "| `Embeddings.forward` (checked) | bare lookups + add | overhead |",
        "|---:|---:|---:|",
        f"| {_fmt(checked)} | {_fmt(bare)} | {overhead:+.1%} |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    print(f"forward overhead budget: within 5% -> {'OK' if overhead <= 0.05 else 'OVER BUDGET'}")
    if not args.no_write:
        RESULTS.write_text(text, encoding="utf-8")
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
