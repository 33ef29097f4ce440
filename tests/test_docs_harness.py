"""The docs harness itself: a wrong number on a page must turn the run red."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

# torch and hypothesis are imported here, before pytester's in-process runs: those drop
# the modules first imported inside them, and torch cannot be imported twice.
import hypothesis  # noqa: F401
import pytest
import torch  # noqa: F401

from tests import docs_harness
from tests.docs_harness import (
    DOCS,
    FRAGMENT_RE,
    all_fragments,
    fragment_problems,
    unchecked_numbers,
)

pytest_plugins = ["pytester"]

PAGE = textwrap.dedent(
    """\
    # A page

    ```python
    import torch

    torch.manual_seed(0)
    print(torch.randn(2))
    #> tensor([ 1.5410, -0.2934])
    for word in ["a", "b"]:
        print(word)
        #> a
        #> b
    ```

    Some prose.

    ```{.python continuation}
    print(1 + 1)
    #> 2
    ```
    """
)


def _run(pytester: pytest.Pytester, page: str, *args: str) -> pytest.RunResult:
    pytester.makeconftest('pytest_plugins = ["tests.docs_harness"]')
    pytester.makefile(".md", page=page)
    return pytester.runpytest_inprocess(
        "--markdown-docs",
        "--markdown-docs-syntax=superfences",
        "-p",
        "no:cacheprovider",
        f"--rootdir={pytester.path}",
        *args,
        "page.md",
    )


@pytest.fixture
def harness_pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    return pytester


def test_correct_outputs_pass(harness_pytester: pytest.Pytester) -> None:
    _run(harness_pytester, PAGE).assert_outcomes(passed=2)


def test_one_changed_digit_fails_naming_page_and_line(harness_pytester: pytest.Pytester) -> None:
    result = _run(harness_pytester, PAGE.replace("-0.2934", "-0.2935"))
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*page.md:8: the page shows*-0.2935*but the code prints*-0.2934*"])


def test_print_without_shown_output_fails(harness_pytester: pytest.Pytester) -> None:
    result = _run(harness_pytester, PAGE.replace("#> 2\n", ""))
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        ["*page.md:18: print() writes 1 line(s) that the page does not show*"]
    )


def test_orphan_output_line_fails(harness_pytester: pytest.Pytester) -> None:
    result = _run(
        harness_pytester,
        PAGE.replace("Some prose.", "Prose.").replace("print(1 + 1)\n#> 2", "x = 1 + 1\n#> 2"),
    )
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        ["*page.md:19: a #> output line that no print() above it produces*"]
    )


def test_update_outputs_rewrites_the_page(harness_pytester: pytest.Pytester) -> None:
    broken = PAGE.replace("-0.2934", "9.9999").replace("#> 2\n", "")
    _run(harness_pytester, broken, "--update-outputs").assert_outcomes(passed=2)
    assert (harness_pytester.path / "page.md").read_text() == PAGE.rstrip("\n")


def test_a_failing_block_names_the_page_line(harness_pytester: pytest.Pytester) -> None:
    result = _run(harness_pytester, PAGE.replace("print(1 + 1)", "1 / 0"))
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*page.md*line 18*", "*ZeroDivisionError*"])


PAGES_WITH_FRAGMENTS = [p for p in sorted(DOCS.rglob("*.md")) if FRAGMENT_RE.search(p.read_text())]


@pytest.mark.parametrize("page", PAGES_WITH_FRAGMENTS, ids=lambda p: p.name)
def test_any_changed_digit_in_a_fragment_is_reported(page: Path, tmp_path: Path) -> None:
    """Change every digit of every generated number, one at a time: each must be caught."""
    text = page.read_text(encoding="utf-8")
    spans = [m.span("shown") for m in FRAGMENT_RE.finditer(text)]
    digits = [i for a, b in spans for i in range(a, b) if text[i].isdigit()]
    assert digits
    copy = tmp_path / page.name
    for i in digits[:: max(1, len(digits) // 60)]:  # an even sample of at most ~60 digits
        changed = text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1 :]
        copy.write_text(changed, encoding="utf-8")
        problems = fragment_problems(copy, all_fragments())
        line = changed.count("\n", 0, i) + 1
        assert problems and re.match(rf".*:{line}: ", problems[0]), (i, problems)


def test_made_up_numbers_outside_checked_places_are_reported() -> None:
    page = "The row is [0.89, -0.45, 0.23, 0.34].\n\n```text\n1.11\n```\n\nVersion 2.14.1 is fine."
    assert [n for _, n in unchecked_numbers(page)] == ["0.89", "-0.45", "0.23", "0.34", "1.11"]


def test_a_changed_random_stream_gives_one_clear_message(
    harness_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    wrong = tmp_path / "reference.json"
    wrong.write_text('{"torch": "1.0.0", "sha256": "not-this-stream"}')
    monkeypatch.setattr(docs_harness, "REFERENCE", wrong)
    result = _run(harness_pytester, PAGE)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        ["*draws different random numbers for seed 0 than torch 1.0.0*make outputs*"]
    )
    result.assert_outcomes()  # nothing ran: no wall of mismatches


def test_output_of_a_function_defined_on_the_page_shows_under_the_call(
    harness_pytester: pytest.Pytester,
) -> None:
    page = textwrap.dedent(
        """\
        ```python
        def show(x):
            print("value", x)

        show(1)
        #> value 1
        for i in range(2):
            show(i)
            #> value 0
            #> value 1
        ```
        """
    )
    _run(harness_pytester, page).assert_outcomes(passed=1)
