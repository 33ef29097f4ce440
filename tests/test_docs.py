"""Checks of the pages themselves (the blocks run through tests/docs_harness.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_markdown_docs.plugin import FenceSyntax, extract_fence_tests

from tests.docs_harness import (
    DOCS,
    ROOT,
    all_fragments,
    fences,
    fragment_problems,
    is_notest,
    is_python,
    markdown_parser,
    unchecked_numbers,
)

PAGES = sorted(DOCS.rglob("*.md"))
IDS = [str(p.relative_to(DOCS)) for p in PAGES]


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_generated_fragments_match_the_package(page: Path) -> None:
    problems = fragment_problems(page, all_fragments())
    assert not problems, "\n".join(problems) + "\n(run `make outputs` to regenerate)"


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_every_python_block_is_executed(page: Path) -> None:
    """A block inside a content tab or admonition is invisible to pytest-markdown-docs."""
    text = page.read_text(encoding="utf-8")
    collected = {
        t.start_line
        for t in extract_fence_tests(
            markdown_parser(), text, 0, page, fence_syntax=FenceSyntax.superfences
        )
    }
    hidden = [
        f"{page.relative_to(ROOT)}:{line}: ```{info} is never run (indented under a tab or "
        "admonition?); move it out, or mark it {.python notest}"
        for line, _indent, info, _body in fences(text)
        if is_python(info) and not is_notest(info) and line not in collected
    ]
    assert not hidden, "\n".join(hidden)


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_no_number_on_the_page_goes_unchecked(page: Path) -> None:
    found = unchecked_numbers(page.read_text(encoding="utf-8"))
    assert not found, "\n".join(
        f"{page.relative_to(ROOT)}:{line}: {number} is not produced by a checked block or a "
        "<!-- gen:NAME --> fragment"
        for line, number in found
    )


def test_strict_build_passes(built_site: Path) -> None:
    assert (built_site / "index.html").is_file()
