"""The docs harness itself: a wrong number on a page must turn the run red, and
``make outputs`` must rewrite a page correctly or not at all."""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import signal
import subprocess
import textwrap
from pathlib import Path

# torch and hypothesis are imported here, before pytester's in-process runs: those drop
# the modules first imported inside them, and torch cannot be imported twice.
import hypothesis  # noqa: F401
import pytest
import torch  # noqa: F401

from tests import docs_harness
from tests.docs_harness import all_fragments, fragment_problems, stream_problem, stream_record
from tests.number_guard import notebook_unchecked_numbers, unchecked_numbers
from tests.page_text import Edit, EditConflict, PendingEdits, line_edit, markers, shape_comments
from tests.project import DOCS, ROOT
from tools.fences import fences, hidden_fences, runs
from tools.files import write_all

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

# The fragments of a page are checked by a test like tests/test_docs.py's, in the same run.
FRAGMENT_TEST = textwrap.dedent(
    """\
    from pathlib import Path

    from tests.docs_harness import all_fragments, fragment_problems


    def test_fragments(harness):
        edits = harness.edits if harness.update else None
        page = Path("page.md").resolve()
        assert not fragment_problems(page, all_fragments(harness.update), edits)
    """
)


def _run(
    pytester: pytest.Pytester, page: str, *args: str, name: str = "page.md"
) -> pytest.RunResult:
    pytester.makeconftest('pytest_plugins = ["tests.docs_harness"]')
    (pytester.path / name).write_text(page, encoding="utf-8")
    return pytester.runpytest_inprocess(
        "--markdown-docs",
        "--markdown-docs-syntax=superfences",
        "-p",
        "no:cacheprovider",
        f"--rootdir={pytester.path}",
        *args,
        name,
        no_reraise_ctrlc=True,
    )


@pytest.fixture(scope="session")
def _figure_drawn() -> None:
    """An in-process run forgets the modules first imported inside it, and kiwisolver
    (matplotlib's layout, imported when a figure is first drawn) cannot be imported twice:
    a page's figure drawn inside a run broke every later figure ("Expected object of type
    `Variable`"). So one is drawn out here first."""
    from embeddings_explained.figures import picture

    assert picture("token-table").svg


@pytest.fixture
def harness_pytester(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, _figure_drawn: None
) -> pytest.Pytester:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parent.parent))
    return pytester


def _page(pytester: pytest.Pytester, name: str = "page.md") -> str:
    return (pytester.path / name).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- outputs


@pytest.mark.parametrize("update", [False, True], ids=["test", "make-outputs"])
def test_a_failure_names_make_outputs_only_where_it_would_help(
    harness_pytester: pytest.Pytester, update: bool
) -> None:
    """A shape comment on an int is no output to rewrite: make outputs itself fails on it, and
    must not tell the maintainer to run make outputs."""
    page = "```python\nx = 1  # (B, T)\n```\n"
    result = _run(harness_pytester, page, *(["--update-outputs"] if update else []))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*a shape comment on a line that assigns int, not a tensor*"])
    assert ("run `make outputs`" in result.stdout.str()) is not update


def test_correct_outputs_pass(harness_pytester: pytest.Pytester) -> None:
    _run(harness_pytester, PAGE).assert_outcomes(passed=2)


def test_one_changed_digit_fails_naming_page_and_line(harness_pytester: pytest.Pytester) -> None:
    result = _run(harness_pytester, PAGE.replace("-0.2934", "-0.2935"))
    result.assert_outcomes(failed=1, passed=1)
    out = result.stdout.str()
    assert "page.md:8: printed output differs\n  page: tensor([ 1.5410, -0.2935])\n" in out
    assert "  real: tensor([ 1.5410, -0.2934])" in out


def test_print_without_shown_output_fails(harness_pytester: pytest.Pytester) -> None:
    result = _run(harness_pytester, PAGE.replace("#> 2\n", ""))
    result.assert_outcomes(failed=1, passed=1)
    assert "page.md:19: printed output: the page shows nothing; real: '2'" in result.stdout.str()


def test_orphan_output_line_fails(harness_pytester: pytest.Pytester) -> None:
    result = _run(harness_pytester, PAGE.replace("print(1 + 1)\n#> 2", "x = 1 + 1\n#> 2"))
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*page.md:19: a #> output line that no print() above it produces"])


def test_update_outputs_rewrites_the_page(harness_pytester: pytest.Pytester) -> None:
    broken = PAGE.replace("-0.2934", "9.9999").replace("#> 2\n", "").replace("    #> b\n", "")
    _run(harness_pytester, broken, "--update-outputs").assert_outcomes(passed=2)
    assert _page(harness_pytester) == PAGE


def test_a_failing_block_names_the_page_line(harness_pytester: pytest.Pytester) -> None:
    result = _run(harness_pytester, PAGE.replace("print(1 + 1)", "1 / 0"))
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*page.md*line 18*", "*ZeroDivisionError*"])


def test_update_writes_nothing_when_any_test_fails(harness_pytester: pytest.Pytester) -> None:
    broken = PAGE.replace("-0.2934", "9.9999").replace("print(1 + 1)\n#> 2", "1 / 0")
    result = _run(harness_pytester, broken, "--update-outputs")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["make outputs: nothing written, 1 test(s) failed*"])
    assert _page(harness_pytester) == broken


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


# --------------------------------------------------------------------------- admonitions, tabs

ADMONITION_PAGE = textwrap.dedent(
    """\
    # Exercises

    ```python
    x = 20
    ```

    ??? success "Solution"

        ```{.python continuation}
        print(x + 1)
        #> 21
        ```

    === "Tab"

        ```python
        print(3 * 3)
        #> 9
        ```
    """
)


def test_code_in_admonitions_and_tabs_runs_and_is_checked(
    harness_pytester: pytest.Pytester,
) -> None:
    _run(harness_pytester, ADMONITION_PAGE).assert_outcomes(passed=3)
    result = _run(harness_pytester, ADMONITION_PAGE.replace("#> 21", "#> 22"))
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*page.md:11: printed output differs"])


def test_update_inside_an_admonition_keeps_its_indentation(
    harness_pytester: pytest.Pytester,
) -> None:
    broken = ADMONITION_PAGE.replace("    #> 21\n", "").replace("#> 9", "#> 10")
    _run(harness_pytester, broken, "--update-outputs").assert_outcomes(passed=3)
    assert _page(harness_pytester) == ADMONITION_PAGE


# --------------------------------------------------------------------------- shape comments

SHAPE_PAGE = textwrap.dedent(
    """\
    ```python
    import torch

    x = torch.zeros(1, 2, 4)  # (B, T, C) = (1, 2, 4)
    y = x[0]  # (2, 4)
    z = x.sum(dim=-1)  # (B, T)
    ```
    """
)


def test_true_shape_comments_pass(harness_pytester: pytest.Pytester) -> None:
    _run(harness_pytester, SHAPE_PAGE).assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("right", "wrong", "message"),
    [
        ("= (1, 2, 4)", "= (1, 2, 5)", "*page.md:4: shape comment differs"),
        ("# (2, 4)", "# (2, 3)", "*page.md:5: shape comment differs"),
        ("# (B, T)", "# (B, T, C)", "*page.md:6: the comment says shape ('B', 'T', 'C')*(1, 2)"),
    ],
)
def test_a_wrong_shape_comment_fails_with_page_and_line(
    harness_pytester: pytest.Pytester, right: str, wrong: str, message: str
) -> None:
    page = SHAPE_PAGE.replace(right, wrong)
    assert page != SHAPE_PAGE
    result = _run(harness_pytester, page)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([message])
    if "differs" in message:
        result.stdout.fnmatch_lines([f"*page: *{wrong}", f"*real: *{right}"])


def test_a_shape_comment_on_a_line_that_assigns_nothing_fails(
    harness_pytester: pytest.Pytester,
) -> None:
    page = SHAPE_PAGE.replace("z = x.sum(dim=-1)  # (B, T)", "print(x.sum())  # (1, 2)")
    result = _run(harness_pytester, page)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*page.md:6: a shape comment must sit on a line that assigns*"])


def test_update_rewrites_a_wrong_shape_comment(harness_pytester: pytest.Pytester) -> None:
    _run(harness_pytester, SHAPE_PAGE.replace("= (1, 2, 4)", "= (7, 7, 7)"), "--update-outputs")
    assert _page(harness_pytester) == SHAPE_PAGE


def test_shape_comment_forms() -> None:
    found = shape_comments(
        "a = 1  # (1, 2, 4)\nb = 2  # (T,)\nc = 3  # (optional)\nd = 4  # (B, T): x\n"
    )
    assert [(c.line, c.names, c.dims) for c in found] == [
        (1, None, (1, 2, 4)), (2, ("T",), None), (4, ("B", "T"), None),
    ]  # fmt: skip


# ------------------------------------------------------------ make outputs on a real page


def _real_page_run(pytester: pytest.Pytester, page: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_fragments=FRAGMENT_TEST)
    pytester.makeconftest('pytest_plugins = ["tests.docs_harness"]')
    (pytester.path / "page.md").write_text(page, encoding="utf-8")
    return pytester.runpytest_inprocess(
        "--markdown-docs", "--markdown-docs-syntax=superfences", "-p", "no:cacheprovider",
        f"--rootdir={pytester.path}", *args, "page.md", "test_fragments.py",
    )  # fmt: skip


INITIALIZATION = (DOCS / "initialization.md").read_text(encoding="utf-8")


def test_make_outputs_runs_every_block_of_every_page(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: make outputs deselected the pages' blocks (make test had put them in the
    site's process), so it rewrote fragments only and said "nothing to rewrite"."""
    dry = subprocess.run(["make", "-n", "outputs"], cwd=ROOT, capture_output=True, text=True)
    command = [ln for ln in dry.stdout.splitlines() if "--update-outputs" in ln][-1]
    args = shlex.split(command.split(" -m pytest ", 1)[1])
    monkeypatch.chdir(ROOT)  # collected in this process (torch is imported already)
    run = pytester.runpytest_inprocess(*args, "--collect-only", "-p", "no:randomly")
    listed = "\n".join(run.outlines)
    for page in sorted(DOCS.rglob("*.md")):
        blocks = [f for f in fences(page.read_text(encoding="utf-8")) if runs(f.info)]
        collected = listed.count(f"docs/{page.relative_to(DOCS)}::")
        assert collected == len(blocks), f"make outputs runs {collected} of {page}'s blocks"
    for notebook in sorted(DOCS.rglob("*.ipynb")):
        assert f"docs/{notebook.relative_to(DOCS)}::cells" in listed, f"{notebook} not run"
    assert "tests/test_docs.py::test_generated_fragments_match_the_package" in listed


def _damage(page: str, drop: int) -> str:
    """The bug report's damage: rows dropped from the position table (a fragment above
    a block), and the block's first ``#> True`` turned into ``#> False``."""
    lines = page.split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.startswith("<!-- gen:position-table"))
    first_row = next(i for i in range(start, len(lines)) if lines[i].startswith("| 0 |"))
    del lines[first_row + 1 : first_row + 1 + drop]
    damaged = "\n".join(lines)
    at = damaged.index("#> True", damaged.index("torch.equal(embeddings.token_embedding"))
    return damaged[:at] + "#> False" + damaged[at + len("#> True") :]


@pytest.mark.parametrize("drop", [1, 7], ids=["one-row", "many-lines"])
def test_make_outputs_repairs_fragment_and_output_of_one_page(
    harness_pytester: pytest.Pytester, drop: int
) -> None:
    """Regression: fragment rewrites used to land mid-run and shift the #> rewrites,
    which then replaced code (the print itself, or a fence) instead of outputs."""
    damaged = _damage(INITIALIZATION, drop)
    assert damaged != INITIALIZATION
    before = _real_page_run(harness_pytester, damaged)
    assert before.ret != 0  # the damage is caught
    fixed = _real_page_run(harness_pytester, damaged, "--update-outputs")
    assert fixed.ret == 0 and fixed.parseoutcomes()["passed"] >= 4
    assert _page(harness_pytester) == INITIALIZATION
    assert _real_page_run(harness_pytester, INITIALIZATION).ret == 0


def _edit(page: Path, *edits: tuple[int, int, list[str]] | Edit) -> PendingEdits:
    """Pending edits of ``page``: ``(first line, count, new lines)`` or an ``Edit``."""
    pending = PendingEdits()
    for e in edits:
        text = pending.text(page)
        pending.add((page, None), e if isinstance(e, Edit) else line_edit(text, *e, f"edit {e}"))
    return pending


def test_overlapping_edits_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("one\ntwo\nthree\n", encoding="utf-8")
    edits = _edit(page, (1, 2, ["ONE"]), (2, 1, ["TWO"]))
    with pytest.raises(EditConflict, match=r"page.md:2: two rewrites of the same text"):
        edits.new_contents()
    assert page.read_text(encoding="utf-8") == "one\ntwo\nthree\n"


def test_edits_apply_bottom_up_against_the_text_as_read(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("a\nb\nc\nd\n", encoding="utf-8")
    edits = _edit(page, (1, 1, ["A1", "A2", "A3"]), Edit(6, 7, "D", "char edit"), (2, 1, []))
    assert edits.new_contents() == {page: b"A1\nA2\nA3\nc\nD\n"}


def test_a_page_changed_during_the_run_is_not_overwritten(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("a\n", encoding="utf-8")
    edits = _edit(page, (1, 1, ["b"]))
    page.write_text("edited meanwhile\n", encoding="utf-8")
    with pytest.raises(EditConflict, match="changed on disk"):
        edits.new_contents()
    assert page.read_text(encoding="utf-8") == "edited meanwhile\n"


# ---------------------------------------------------- make outputs: whole pages or nothing

BROKEN = PAGE.replace("-0.2934", "9.9999")  # an edit is pending for line 8
# A block that stops the run after the first block's edit was collected.
STOP = {
    "SIGINT": "raise KeyboardInterrupt  # what Ctrl-C raises",
    "SIGTERM": "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)",
    "SIGHUP": "import os, signal\nos.kill(os.getpid(), signal.SIGHUP)  # a closed terminal",
}


def test_an_interrupted_run_writes_nothing_and_says_so(harness_pytester: pytest.Pytester) -> None:
    """Regression: after Ctrl-C the edits collected so far were applied and reported."""
    page = BROKEN.replace("print(1 + 1)\n#> 2", STOP["SIGINT"])
    result = _run(harness_pytester, page, "--update-outputs")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["make outputs: interrupted; nothing written"])
    assert _page(harness_pytester) == page


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP"])
def test_sigterm_in_a_run_writes_nothing_and_says_so(
    harness_pytester: pytest.Pytester, signal_name: str
) -> None:
    """Regression: a SIGTERM while make outputs ran left a page at 0 bytes (and a SIGHUP, a
    closed terminal, left pages half rewritten). A real signal, in a subprocess, once an edit
    is pending: the page is as it was, and the run says so."""
    harness_pytester.makeconftest('pytest_plugins = ["tests.docs_harness"]')
    page = "```python\nprint(1 + 1)\n#> 3\n```\n\n```python\n" + STOP[signal_name] + "\n```\n"
    (harness_pytester.path / "page.md").write_text(page, encoding="utf-8")
    result = harness_pytester.runpytest_subprocess(
        "--markdown-docs", "--markdown-docs-syntax=superfences", "-p", "no:cacheprovider",
        f"--rootdir={harness_pytester.path}", "--update-outputs", "page.md",
    )  # fmt: skip
    assert _page(harness_pytester) == page
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["make outputs: interrupted; nothing written"])


def test_sigterm_while_pages_are_written_writes_none(
    harness_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM once one page's new text is in its temporary file: no page changes, no
    temporary file is left (the run's handler, proven above, makes it an interrupt)."""
    fsync = os.fsync

    def fsync_then_sigterm(fd: int) -> None:
        fsync(fd)
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(os, "fsync", fsync_then_sigterm)
    second = PAGE.replace("#> b", "#> c")
    (harness_pytester.path / "other.md").write_text(second, encoding="utf-8")
    result = _run(harness_pytester, BROKEN, "--update-outputs", "other.md")
    assert _page(harness_pytester, "page.md") == BROKEN
    assert _page(harness_pytester, "other.md") == second
    assert not list(harness_pytester.path.glob(".*.tmp")), "a temporary file was left"
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["make outputs: interrupted; nothing written"])


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP"])
def test_a_signal_during_the_renames_waits_until_all_are_done(
    harness_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, signal_name: str
) -> None:
    """Once the first page is renamed into place, SIGTERM (or SIGHUP) is held until the last is."""
    replace = os.replace

    def signal_then_replace(src: Path, dst: Path) -> None:
        if str(dst).endswith(".md"):  # the run's handler turns it into an interrupt
            os.kill(os.getpid(), getattr(signal, signal_name))
        replace(src, dst)

    monkeypatch.setattr(os, "replace", signal_then_replace)
    (harness_pytester.path / "other.md").write_text(PAGE.replace("#> b", "#> c"), encoding="utf-8")
    result = _run(harness_pytester, BROKEN, "--update-outputs", "other.md")
    assert [_page(harness_pytester, "page.md"), _page(harness_pytester, "other.md")] == [PAGE, PAGE]
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["make outputs: interrupted; wrote only *other.md, *page.md"])


@pytest.mark.parametrize("fails", [1, 2], ids=["first-rename", "second-rename"])
def test_a_failed_write_says_which_pages_it_wrote(
    harness_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, fails: int
) -> None:
    """A full disk or a read-only folder: the run fails and names what is on disk now."""
    replace, calls = os.replace, []

    def replace_until_the_disk_is_full(src: Path, dst: Path) -> None:
        if str(dst).endswith(".md"):  # a page, not pytest's own .pyc files
            calls.append(dst)
            if len(calls) == fails:
                raise OSError(28, "No space left on device")
        replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_until_the_disk_is_full)
    (harness_pytester.path / "other.md").write_text(PAGE.replace("#> b", "#> c"), encoding="utf-8")
    result = _run(harness_pytester, BROKEN, "--update-outputs", "other.md")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert not list(harness_pytester.path.glob(".*.tmp")), "a temporary file was left"
    if fails == 1:
        result.stdout.fnmatch_lines(["make outputs: *No space left on device; nothing written"])
        assert _page(harness_pytester, "other.md") == PAGE.replace("#> b", "#> c")
    else:
        result.stdout.fnmatch_lines(["make outputs: *No space left*; wrote only *other.md"])
        assert _page(harness_pytester, "other.md") == PAGE
    assert _page(harness_pytester, "page.md") == BROKEN


def test_a_crlf_page_with_a_bom_keeps_them_and_its_last_line(
    harness_pytester: pytest.Pytester,
) -> None:
    """Regression: a CRLF page came back with every line converted to LF."""
    crlf = ("\ufeff" + BROKEN.rstrip("\n")).replace("\n", "\r\n").encode()
    (harness_pytester.path / "page.md").write_bytes(crlf)
    harness_pytester.makeconftest('pytest_plugins = ["tests.docs_harness"]')
    result = harness_pytester.runpytest_inprocess(
        "--markdown-docs", "--markdown-docs-syntax=superfences", "-p", "no:cacheprovider",
        f"--rootdir={harness_pytester.path}", "--update-outputs", "page.md",
    )  # fmt: skip
    result.assert_outcomes(passed=2)
    expected = ("\ufeff" + PAGE.rstrip("\n")).replace("\n", "\r\n").encode()
    assert (harness_pytester.path / "page.md").read_bytes() == expected


def test_a_rewritten_file_keeps_its_mode_and_a_new_one_is_readable(tmp_path: Path) -> None:
    page, new = tmp_path / "page.md", tmp_path / "sub" / "new.md"
    page.write_text("a\n", encoding="utf-8")
    page.chmod(0o640)
    write_all(_edit(page, (1, 1, ["b"])).new_contents() | {new: b"n\n"})
    assert page.read_text() == "b\n" and page.stat().st_mode & 0o777 == 0o640
    assert new.read_text() == "n\n" and new.stat().st_mode & 0o777 == 0o644
    assert not list(tmp_path.rglob(".*.tmp")), "a temporary file was left"


def test_a_page_mixing_line_endings_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_bytes(b"a\r\nb\nc\r\n")
    with pytest.raises(EditConflict, match="mixes CRLF and LF"):
        _edit(page, (1, 1, ["A"])).new_contents()
    assert page.read_bytes() == b"a\r\nb\nc\r\n"


# --------------------------------------------------------------------------- markers

GOOD = "# P\n\nA <!-- gen:n vocab_size -->256<!-- /gen --> row table.\n\nEnd.\n"


@pytest.mark.parametrize(
    ("page", "message"),
    [
        (
            "a <!-- gen:n vocab_size -->256 b\n\n<!-- gen:n n_embd -->4<!-- /gen -->\n",
            "*page.md:22: `<!-- gen:n vocab_size -->` is not closed before the marker at "
            "*page.md:24 (markers do not nest)*",
        ),
        (
            "a\n\nb <!-- gen:n vocab_size -->256\n",
            "*page.md:24: `<!-- gen:n vocab_size -->` is never closed: add <!-- /gen -->*",
        ),
        ("a 256<!-- /gen -->\n", "*page.md:22: <!-- /gen --> closes no marker; remove it*"),
        (
            "a <!-- gen:n vocab_size ->256<!-- /gen -->\n",
            "*page.md:22: '<!-- gen:n*is not a marker*",
        ),
        ("a <!--gen:n vocab_size-->256<!-- /gen -->\n", "*page.md:22: '<!--gen:n*is not a marker*"),
        (
            "a <!-- gen:n vocab_size -->256<!-- /gen --\n",
            "*page.md:22: '<!-- /gen --*never closed*",
        ),
    ],
    ids=["unclosed-then-another", "unclosed", "stray-closer", "misspelled", "no-spaces", "no-end"],
)
def test_a_malformed_marker_is_refused_before_anything_runs(
    harness_pytester: pytest.Pytester, page: str, message: str
) -> None:
    """Regression: an unclosed marker swallowed the text up to the next closer, exit 0."""
    harness_pytester.makepyfile(test_fragments=FRAGMENT_TEST)
    text = PAGE + "\n" + page
    result = _run(harness_pytester, text, "--update-outputs", "test_fragments.py")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "*malformed markers; nothing ran:",
            message.replace("page.md:", "page.md:" if False else "page.md:"),
        ]
    )
    result.assert_outcomes()  # nothing ran
    assert _page(harness_pytester) == text


def test_a_fence_hidden_from_the_reader_is_reported() -> None:
    """Inside an HTML block or a paragraph, a fence is text: its code would never run."""
    page = "<details>\n```python\nprint(1)\n```\n</details>\n\nSee\n```python\nx\n```\n"
    assert hidden_fences(page) == [2, 4]
    assert (
        hidden_fences("```python\nprint(1)\n```\n\n!!! note\n    ```python\n    x\n    ```\n") == []
    )


def test_well_formed_markers_are_read() -> None:
    (m,) = markers(GOOD, "page.md")
    assert (m.name, m.args, m.line, GOOD[m.start : m.end]) == ("n", ("vocab_size",), 3, "256")


# --------------------------------------------------------------------------- notebooks

NOTEBOOK = DOCS / "complete-flow.ipynb"


def _notebook_run(pytester: pytest.Pytester, text: str, *args: str) -> pytest.RunResult:
    pytester.makeconftest('pytest_plugins = ["tests.docs_harness"]')
    (pytester.path / "flow.ipynb").write_text(text, encoding="utf-8")
    return pytester.runpytest_inprocess(
        "--markdown-docs", "-p", "no:cacheprovider", f"--rootdir={pytester.path}", *args,
        "flow.ipynb",
    )  # fmt: skip


def test_the_notebook_is_checked_like_a_page(harness_pytester: pytest.Pytester) -> None:
    text = NOTEBOOK.read_text(encoding="utf-8")
    _notebook_run(harness_pytester, text).assert_outcomes(passed=1)
    changed = text.replace("weight[[72, 105]]", "weight[[75, 105]]")
    assert changed != text
    result = _notebook_run(harness_pytester, changed)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*flow.ipynb cell *: printed output differs*"])


def test_make_outputs_rewrites_a_notebook(harness_pytester: pytest.Pytester) -> None:
    text = NOTEBOOK.read_text(encoding="utf-8")
    nb = json.loads(text)
    for cell in nb["cells"]:
        source = "".join(ln for ln in cell["source"] if not ln.lstrip().startswith("#>"))
        cell["source"] = source.rstrip("\n").splitlines(keepends=True)
    stripped = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    assert stripped != text
    _notebook_run(harness_pytester, stripped, "--update-outputs").assert_outcomes(passed=1)
    assert _page(harness_pytester, "flow.ipynb") == text


# --------------------------------------------------------------------------- fragments

PAGES_WITH_FRAGMENTS = [p for p in sorted(DOCS.rglob("*.md")) if markers(p.read_text(), p.name)]


@pytest.mark.parametrize("page", PAGES_WITH_FRAGMENTS, ids=lambda p: p.name)
def test_any_changed_digit_in_a_fragment_is_reported(page: Path, tmp_path: Path) -> None:
    """Change every digit of every generated number, one at a time: each must be caught."""
    text = page.read_text(encoding="utf-8")
    spans = [(m.start, m.end) for m in markers(text, page.name)]
    digits = [i for a, b in spans for i in range(a, b) if text[i].isdigit()]
    assert digits
    copy = tmp_path / page.name
    # each fragment computed once: the package's values are the same for every sample
    fragments = {name: functools.cache(f) for name, f in all_fragments(update=False).items()}
    for i in digits[:: max(1, len(digits) // 40)]:  # an even sample of at most ~40 digits
        changed = text[:i] + str((int(text[i]) + 1) % 10) + text[i + 1 :]
        copy.write_text(changed, encoding="utf-8")
        problems = fragment_problems(copy, fragments)
        line = changed.count("\n", 0, i) + 1
        assert problems and re.match(rf".*:{line}: ", problems[0]), (i, problems)


def test_fragment_arguments_choose_what_the_page_shows() -> None:
    from embeddings_explained.showcase import FRAGMENTS

    table = FRAGMENTS["token-table"]("33", "72")
    assert "| 33 ('!') |" in table and "| 72 ('H') |" in table and "2 of the 256 rows" in table
    with pytest.raises(ValueError, match="whole numbers"):
        FRAGMENTS["token-table"]("H")
    with pytest.raises(ValueError, match=r"within \[0, 256\)"):
        FRAGMENTS["token-table"]("300")


def test_an_unknown_fragment_or_bad_arguments_are_reported(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "a <!-- gen:nope -->x<!-- /gen --> b\n\nc <!-- gen:n not_a_fact -->1<!-- /gen -->\n"
    )
    problems = fragment_problems(page, all_fragments(update=False))
    assert problems[0].startswith(f"{page}:1: unknown fragment 'nope'")
    assert problems[1].startswith(f"{page}:3: fragment 'n' not_a_fact: ValueError: unknown fact")


def test_a_fragment_that_raises_names_page_and_line(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("a\n\nb <!-- gen:boom 1 -->x<!-- /gen -->\n")

    def boom(arg: str) -> str:
        raise RuntimeError(f"no figure for {arg}")

    (problem,) = fragment_problems(page, {"boom": boom})
    assert problem == f"{page}:3: fragment 'boom' 1: RuntimeError: no figure for 1"


# --------------------------------------------------------------------------- unchecked numbers


def test_made_up_numbers_outside_checked_places_are_reported() -> None:
    page = textwrap.dedent(
        """\
        The row is [0.89, -0.45, 0.23, 0.34] and the table has 256 rows.

        | id | value |
        |---|---|
        | 72 | x |

        !!! note
            It has 8 positions.

        ![Heatmap of rows 72 and 105](a.svg)

        ```text
        1.11
        ```

        ```python
        x = 1  # twelve: 12
        print(x)
        #> 1
        ```

        ## Part 1 – the 4 numbers
        """
    )
    assert [n for _, n in unchecked_numbers(page)] == [
        "0.89", "-0.45", "0.23", "0.34", "256", "72", "8", "72", "105", "1.11", "12", "4",
    ]  # fmt: skip


def test_numbers_that_are_not_claims_are_allowed_by_one_rule_each() -> None:
    page = textwrap.dedent(
        """\
        # Part 1 – Initialization

        1. Step 2 of Exercise 3, with seed 0.
        2. Version 2.14.1, int64, float32, GPT-2, 2-D, U+FFFD, issue #664.
        3. (Vaswani et al., 2017); Carroll (1865, public domain); N(0, 1).

        [a link](part-1.md#step-2) <span id="x9">y</span> <!-- gen:n seed -->0<!-- /gen -->
        """
    )
    assert unchecked_numbers(page) == []
    assert unchecked_numbers("with seed 1") == [(1, "1")]  # the seed is checked, not allowed


@pytest.mark.parametrize(
    ("page", "shown", "wrong"),
    [
        (
            "reference.md",
            "`Embeddings(vocab_size=256, block_size=8",
            "`Embeddings(vocab_size=256, block_size=9",
        ),  # fmt: skip
        ("forward-pass.md", "`torch.arange(2)`", "`torch.arange(3)`"),
        ("initialization.md", "`torch.manual_seed(0)`", "`torch.manual_seed(1)`"),
        ("common-errors.md", "`token_ids.unsqueeze(0)`", "`token_ids.unsqueeze(1)`"),
    ],
)
def test_a_changed_number_in_inline_code_is_reported(page: str, shown: str, wrong: str) -> None:
    """Regression: a digit changed inside inline code in prose went unnoticed (issue 18)."""
    text = (DOCS / page).read_text(encoding="utf-8")
    assert shown in text and unchecked_numbers(text) == []
    line = text[: text.index(shown)].count("\n") + 1
    found = unchecked_numbers(text.replace(shown, wrong, 1))
    assert found and all(n == line for n, _ in found), found


def test_notebook_markdown_and_comments_are_guarded(tmp_path: Path) -> None:
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["A table of 256 rows."]},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
             "source": ["x = 1  # 8 of them\n", "print(x)\n", "#> 1"]},
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(nb))
    assert notebook_unchecked_numbers(path) == [("cell 1", 1, "256"), ("cell 2", 1, "8")]


# --------------------------------------------------------------------------- random stream


def test_a_changed_random_stream_gives_one_clear_message(
    harness_pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ref = stream_record()
    wrong = tmp_path / "reference.json"
    wrong.write_text(
        json.dumps({**ref, "torch": "1.0.0", "values": [v + 0.1 for v in ref["values"]]})
    )
    monkeypatch.setattr(docs_harness, "REFERENCE", wrong)
    result = _run(harness_pytester, PAGE)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            f"*1056 of 1056 seed-0 values differ at the 4 decimals the pages show (largest "
            f"difference 0.1): the pages were generated with torch 1.0.0 on CPU kernels "
            f"{ref['cpu']}, this is torch {ref['torch']} on {ref['cpu']}; a new torch draws "
            "other random numbers for seed 0*make outputs*"
        ]
    )
    result.assert_outcomes()  # nothing ran: no wall of mismatches


def test_the_stream_check_compares_at_the_precision_the_pages_show() -> None:
    ref = stream_record()
    values = ref["values"]
    last_bits = [v + 1e-9 for v in values]  # as other CPU kernels draw them
    assert stream_problem({**ref, "cpu": "DEFAULT", "values": last_bits}) is None
    shown_digit = [values[0] + 1e-4, *values[1:]]
    assert "1 of 1056 seed-0 values" in str(stream_problem({**ref, "values": shown_digit}))
    assert "the same torch and CPU kernels draw another stream" in str(
        stream_problem({**ref, "values": shown_digit})
    )
    assert "these CPU kernels round" in str(
        stream_problem({**ref, "cpu": "DEFAULT", "values": shown_digit})
    )


def test_the_record_holds_what_how_checked_says() -> None:
    """docs/how-checked.md: the torch version, the CPU kernels and every number of the
    seed-0 tables (the page once called the record a SHA-256 hash of them)."""
    ref = docs_harness.reference()
    assert set(ref) == {"torch", "cpu", "values"}
    assert len(ref["values"]) == len(stream_record()["values"])
    assert all(isinstance(v, float) for v in ref["values"])


def test_a_fragment_that_differs_only_in_spacing_is_reported(tmp_path: Path) -> None:
    """make outputs would rewrite it, so the tests must not pass it."""
    page = tmp_path / "page.md"
    page.write_text("a <!-- gen:n vocab_size --> 256<!-- /gen --> b\n")
    (problem,) = fragment_problems(page, all_fragments(update=False))
    assert problem.startswith(f"{page}:1: fragment 'n' vocab_size")


def test_a_cell_ending_in_a_bare_value_fails(harness_pytester: pytest.Pytester) -> None:
    """Jupyter shows a cell's last bare value in the built page, where no #> line checks it."""
    source = ["x = 20\n", "x + 1"]
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "source": source}
    nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    result = _notebook_run(harness_pytester, json.dumps(nb))
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*flow.ipynb cell 1:2: the cell ends in an expression whose*"])
    source[1:] = ["print(x + 1)\n", "#> 21"]
    _notebook_run(harness_pytester, json.dumps(nb)).assert_outcomes(passed=1)


def test_code_in_a_test_modules_docstring_is_not_run(harness_pytester: pytest.Pytester) -> None:
    """Only the package's docstrings are what readers see (help()); a test's are not pages."""
    harness_pytester.makepyfile(test_x='"""```python\n1 / 0\n```"""\n\n\ndef test_x():\n    pass\n')
    harness_pytester.makeconftest('pytest_plugins = ["tests.docs_harness"]')
    result = harness_pytester.runpytest_inprocess(
        "--markdown-docs", "-p", "no:cacheprovider", f"--rootdir={harness_pytester.path}"
    )
    result.assert_outcomes(passed=1)
