"""benchmarks/bench_embeddings.py: how it pairs runs and when it refuses to publish a ratio.

Only the arithmetic and the plumbing are tested; the speeds themselves are measured by
``make bench``, never asserted in a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import bench_embeddings as bench
import pytest
from bench_embeddings import Runs, overhead_cell, ratio_cell


def runs(*ms: float) -> Runs:
    return Runs([m / 1e3 for m in ms])


BARE = runs(100, 100, 100, 100, 100)


def test_an_overhead_whose_range_reaches_zero_is_within_noise() -> None:
    cell, verdict = overhead_cell(runs(90, 99.2, 101.0, 101.6, 140), BARE)
    assert cell == "within noise: \u22120.8% … +1.6%"
    assert verdict == "within the 5% budget (interquartile range \u22120.8% … +1.6%)"


def test_one_run_on_a_busy_machine_does_not_decide() -> None:
    cell, _ = overhead_cell(runs(101, 101, 102, 103, 300), BARE)
    assert cell == "+2.0% (+1.0% … +3.0%)"


def test_a_negative_overhead_is_never_published_as_a_number() -> None:
    cell, _ = overhead_cell(runs(96, 97, 98, 99, 99.5), BARE)
    assert cell == "within noise: \u22123.0% … \u22121.0%"


def test_a_clear_overhead_is_published_with_its_range() -> None:
    cell, verdict = overhead_cell(runs(100.5, 101, 102, 103, 104), BARE)
    assert cell == "+2.0% (+1.0% … +3.0%)"
    assert verdict.startswith("within the 5% budget")


@pytest.mark.parametrize(
    ("checked", "verdict"),
    [
        ((105.5, 106, 107, 108, 109), "OVER the 5% budget (interquartile range +6.0% … +8.0%)"),
        (
            (102, 103, 104, 108, 109),
            "not settled: interquartile range +3.0% … +8.0% around the 5% budget",
        ),
    ],
)
def test_the_budget_verdict_holds_only_when_the_middle_half_of_the_runs_agrees(
    checked: tuple[float, ...], verdict: str
) -> None:
    assert overhead_cell(runs(*checked), BARE)[1] == verdict


def test_ratios_are_taken_run_by_run() -> None:
    # the slow statement's last run met a loaded machine, and so did its partner
    assert ratio_cell(runs(120, 130, 150, 160, 300), runs(10, 10, 10, 10, 20)) == "15× (13 … 15×)"
    assert ratio_cell(runs(4, 5.0, 5.8, 6.1, 9), runs(1, 1, 1, 1, 1)) == "5.8× (5.0 … 6.1×)"


def test_a_ratio_whose_range_reaches_one_is_within_noise() -> None:
    assert (
        ratio_cell(runs(0.5, 0.9, 1.2, 1.5, 3), runs(1, 1, 1, 1, 1)) == "within noise: 0.9 … 1.5×"
    )


@dataclass
class FakeTimer:
    """Stands in for torch.utils.benchmark.Timer: records when it runs."""

    name: str
    log: list[str]

    def blocked_autorange(self, min_run_time: float) -> FakeTimer:
        self.log.append(self.name)
        self.median = len(self.log) / 1e3
        return self


def test_measure_pair_alternates_the_order_of_the_two_statements() -> None:
    log: list[str] = []
    a, b = FakeTimer("a", log), FakeTimer("b", log)
    runs_a, runs_b = bench.measure_pair(a, b, repeats=4, min_run_time=0.0)  # type: ignore[arg-type]
    assert "".join(log) == "abbaabba"
    assert runs_a.seconds == [0.001, 0.004, 0.005, 0.008]
    assert runs_b.seconds == [0.002, 0.003, 0.006, 0.007]


@pytest.fixture
def fake_benchmarks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    results = tmp_path / "results.md"
    monkeypatch.setattr(bench, "RESULTS", results)
    monkeypatch.setattr(bench, "bench_forward", lambda *_: (runs(21, 22, 23), runs(21, 21, 22)))
    monkeypatch.setattr(
        bench, "bench_lookup_vs_one_hot", lambda *_: (runs(0.07, 0.07, 0.08), runs(1, 1, 1.1))
    )
    return results


def test_make_bench_prints_and_writes_nothing_without_the_flag(
    fake_benchmarks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench.main(["--repeats", "3"])
    out = capsys.readouterr().out
    assert "| 50,257 |" in out and "within noise" in out
    assert not fake_benchmarks.exists()


def test_the_write_flag_writes_exactly_the_printed_tables(
    fake_benchmarks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench.main(["--repeats", "3", "--write"])
    text = fake_benchmarks.read_text(encoding="utf-8")
    assert text.startswith("Measured by `make bench`")
    assert text in capsys.readouterr().out


def test_fewer_than_three_runs_are_refused() -> None:
    with pytest.raises(SystemExit):
        bench.main(["--repeats", "2"])
