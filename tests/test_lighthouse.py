"""benchmarks/lighthouse.py: how it judges the scores (the scores themselves are measured by
``make lighthouse``, never in a test)."""

from __future__ import annotations

from lighthouse import BARE, MARGIN, report, under_the_bar


def _runs(*scores: int) -> list[dict[str, float]]:
    return [{"score": s, "fcp": 1000, "lcp": 1200, "tbt": 100, "cls": 0} for s in scores]


def test_a_page_is_judged_by_its_median_against_the_bare_pages_median() -> None:
    results = {
        BARE: _runs(100, 90, 99),  # median 99: the bar is 94
        "a/": _runs(93, 99, 93),  # median 93: under
        "b/": _runs(80, 94, 99),  # median 94: one bad round does not sink it
        "c/": _runs(94, 94, 94),
    }
    assert MARGIN == 5
    assert under_the_bar(results) == ["a/"]
    assert under_the_bar({**results, "a/": _runs(94)}) == []


def test_report_shows_the_bar_every_round_and_the_verdict() -> None:
    text = report({BARE: _runs(100, 98), "a/": _runs(90, 96)})
    assert "median score - 5 = 94" in text
    assert "90,96" in text
    assert text.endswith("under the bar: a/")
    assert report({BARE: _runs(100), "a/": _runs(95)}).endswith("every page is within the bar")
