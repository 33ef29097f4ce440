"""Speed of the embedding layer, measured with torch.utils.benchmark (``make bench``).

1. ``Embeddings.forward`` (with its input checks) against the bare two lookups plus add,
   at GPT-2-small sizes: vocab 50,257, block 1,024, n_embd 768, batch 8. Budget: within 5%.
2. The lookup ``W[ids]`` against the equivalent one-hot matmul ``one_hot(ids) @ W`` at
   vocab 256 and 50,257 (n_embd 768).

Each time is measured ``--repeats`` times, in independent ``blocked_autorange`` runs that
alternate between the two statements compared, and reported as the median with the
interquartile range (the middle half of the runs: one run that met a busy machine moves
it little). A ratio is computed run by run (each run with its partner), so its spread
shows what the noise does to it; when that spread does not settle the question (an
overhead that may be negative, a speed-up that may be none), the table says "within
noise" with the range instead of printing a number a rerun could contradict.

Prints the tables; ``--write`` (``make bench ARGS=--write``) also writes them to
benchmarks/results.md, which the "Why this matters" page includes.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils import benchmark

from embeddings_explained import Embeddings
from embeddings_explained.showcase import torch_version

RESULTS = Path(__file__).with_name("results.md")
BUDGET = 0.05  # the input checks may cost at most 5% of the forward pass


@dataclass(frozen=True)
class Runs:
    """Seconds per call, one value per independent measurement."""

    seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def __str__(self) -> str:
        low, _, high = quartiles(self.seconds)
        return f"{_fmt(self.median)} ({_fmt(low)} … {_fmt(high)})"


def _timer(stmt: str, globals_: dict[str, object]) -> benchmark.Timer:
    return benchmark.Timer(stmt=stmt, globals=globals_, num_threads=torch.get_num_threads())


def measure_pair(
    a: benchmark.Timer, b: benchmark.Timer, repeats: int, min_run_time: float
) -> tuple[Runs, Runs]:
    """``repeats`` independent runs of each, alternating the order (ABBA...) so that a
    drift in the machine's load falls on both alike."""
    runs_a: list[float] = []
    runs_b: list[float] = []
    for r in range(repeats):
        order = [(a, runs_a), (b, runs_b)]
        for timer, out in order if r % 2 == 0 else order[::-1]:
            out.append(timer.blocked_autorange(min_run_time=min_run_time).median)
    return Runs(runs_a), Runs(runs_b)


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """First quartile, median, third quartile (of 5 runs: the 2nd, 3rd and 4th fastest)."""
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def ratios(num: Runs, den: Runs) -> list[float]:
    """num / den run by run: each run against the one measured next to it."""
    return [n / d for n, d in zip(num.seconds, den.seconds, strict=True)]


def overhead_cell(checked: Runs, bare: Runs) -> tuple[str, str]:
    """(table cell, budget verdict). An overhead whose range reaches zero or below is noise:
    the checked call cannot be faster than the same work without the checks."""
    over = [r - 1 for r in ratios(checked, bare)]
    low, mid, high = quartiles(over)
    spread = _minus(f"{low:+.1%} … {high:+.1%}")
    cell = f"within noise: {spread}" if low <= 0 else _minus(f"{mid:+.1%}") + f" ({spread})"
    if high <= BUDGET:
        verdict = f"within the {BUDGET:.0%} budget (interquartile range {spread})"
    elif low > BUDGET:
        verdict = f"OVER the {BUDGET:.0%} budget (interquartile range {spread})"
    else:
        verdict = f"not settled: interquartile range {spread} around the {BUDGET:.0%} budget"
    return cell, verdict


def ratio_cell(slow: Runs, fast: Runs) -> str:
    """How many times slower, or "within noise" when some run found no difference."""
    r = ratios(slow, fast)
    low, mid, high = quartiles(r)
    spread = f"{low:,.{_digits(low)}f} … {high:,.{_digits(high)}f}×"
    return f"within noise: {spread}" if low <= 1 else f"{mid:,.{_digits(mid)}f}× ({spread})"


def bench_forward(repeats: int, min_run_time: float) -> tuple[Runs, Runs]:
    torch.manual_seed(0)
    emb = Embeddings(vocab_size=50257, block_size=1024, n_embd=768)
    ids = torch.randint(0, 50257, (8, 1024))  # (B, T) = (8, 1024)
    tok, pos = emb.token_embedding, emb.position_embedding

    def bare(token_ids: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = tok(token_ids) + pos(torch.arange(token_ids.shape[1]))
        return out

    with torch.no_grad():
        if not torch.equal(emb(ids), bare(ids)):
            raise RuntimeError("Embeddings.forward and the bare lookups disagree: fix that first")
        return measure_pair(
            _timer("emb(ids)", {"emb": emb, "ids": ids}),
            _timer("bare(ids)", {"bare": bare, "ids": ids}),
            repeats,
            min_run_time,
        )


def bench_lookup_vs_one_hot(
    vocab: int, n_tokens: int, repeats: int, min_run_time: float
) -> tuple[Runs, Runs]:
    torch.manual_seed(0)
    w = torch.randn(vocab, 768)
    ids = torch.randint(0, vocab, (n_tokens,))
    with torch.no_grad():
        if not torch.equal(F.one_hot(ids, vocab).float() @ w, w[ids]):
            raise RuntimeError(f"one-hot matmul and lookup disagree at vocab {vocab}")
        return measure_pair(
            _timer("w[ids]", {"w": w, "ids": ids}),
            _timer(
                "F.one_hot(ids, vocab).float() @ w", {"F": F, "w": w, "ids": ids, "vocab": vocab}
            ),
            repeats,
            min_run_time,
        )


def _progress(message: str) -> None:
    print(f"{message} ...", file=sys.stderr, flush=True)


def _fmt(seconds: float) -> str:
    """A time with its unit, joined by a no-break space: a phone's table never puts the unit
    on a line of its own."""
    return f"{seconds * 1e3:.2f}\u00a0ms" if seconds >= 1e-3 else f"{seconds * 1e6:.1f}\u00a0µs"


def _minus(text: str) -> str:
    """A typographic minus sign (U+2212): a hyphen reads as a dash in a range."""
    return text.replace("-", "\u2212")


def _digits(ratio: float) -> int:
    return 1 if ratio < 10 else 0


def report(
    repeats: int,
    forward: tuple[Runs, Runs],
    lookups: list[tuple[int, Runs, Runs]],
    n_tokens: int,
    overhead: str,
) -> str:
    checked, bare = forward
    threads = torch.get_num_threads()
    machine = (
        f"{platform.machine()}, {threads} torch thread{'' if threads == 1 else 's'}, "
        f"torch {torch_version()}, Python {platform.python_version()}"
    )
    return "\n".join(
        [
            f"Measured by `make bench` (benchmarks/bench_embeddings.py) on {machine}. Each "
            f"time is the median of {repeats} independent `torch.utils.benchmark` runs, the "
            "interquartile range in brackets. Each ratio is taken run by run, given with its "
            "interquartile range, and reported as within noise when that range includes no "
            "difference at all.",
            "",
            f"**Lookup vs one-hot matmul** ({n_tokens} token ids, n_embd 768)",
            "",
            "| vocab_size | lookup `W[ids]` | one-hot `one_hot(ids) @ W` | one-hot / lookup |",
            "|---:|---:|---:|---:|",
            *(f"| {v:,} | {lk} | {oh} | {ratio_cell(oh, lk)} |" for v, lk, oh in lookups),
            "",
            "**What the input checks cost** (GPT-2 small: vocab 50,257, block 1,024, "
            "n_embd 768, batch 8)",
            "",
            "| `Embeddings.forward` (checked) | bare lookups + add | overhead |",
            "|---:|---:|---:|",
            f"| {checked} | {bare} | {overhead} |",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="independent runs per timing")
    parser.add_argument(
        "--min-run-time", type=float, default=0.5, help="seconds per run (blocked_autorange)"
    )
    parser.add_argument(
        "--write", action="store_true", help=f"also write the tables to {RESULTS.name}"
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: torch's own choice)"
    )
    args = parser.parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    if args.repeats < 3:
        parser.error(f"--repeats {args.repeats}: a spread needs at least 3 runs")

    _progress(f"timing Embeddings.forward at GPT-2-small sizes, {args.repeats} runs each")
    forward = bench_forward(args.repeats, args.min_run_time)
    n_tokens = 256
    lookups = []
    for vocab in (256, 50257):
        _progress(f"timing lookup vs one-hot at vocab {vocab:,}")
        lookups.append(
            (vocab, *bench_lookup_vs_one_hot(vocab, n_tokens, args.repeats, args.min_run_time))
        )

    overhead, verdict = overhead_cell(*forward)
    text = report(args.repeats, forward, lookups, n_tokens, overhead)
    print(text)
    print(f"input-check overhead: {verdict}")
    if args.write:
        RESULTS.write_text(text, encoding="utf-8")
        print(f"wrote {RESULTS}")
    else:
        print(f"(printed only; `make bench ARGS=--write` writes {RESULTS.name})")


if __name__ == "__main__":
    main()
