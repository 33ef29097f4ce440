"""Checks of the pages themselves (their blocks run through tests/docs_harness.py)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs_harness import Harness, all_fragments, fragment_problems
from tests.number_guard import ALLOWED, notebook_unchecked_numbers, unchecked_numbers
from tests.page_text import read_text
from tests.project import DOCS, ROOT
from tools.fences import fences, hidden_fences, runs

PAGES = sorted(DOCS.rglob("*.md"))
IDS = [str(p.relative_to(DOCS)) for p in PAGES]
NOTEBOOKS = sorted(DOCS.rglob("*.ipynb"))


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_generated_fragments_match_the_package(page: Path, harness: Harness) -> None:
    edits = harness.edits if harness.update else None
    problems = fragment_problems(page, all_fragments(harness.update), edits)
    hint = "" if harness.update else "\n(run `make outputs` to regenerate)"
    assert not problems, "\n".join(problems) + hint


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_every_python_block_is_executed(page: Path) -> None:
    """A fence the reader takes for something else (inside HTML, indented code, a
    paragraph) is never collected, so never runs."""
    hidden = [
        f"{page.relative_to(ROOT)}:{line}: a fence that is never read as one, so never run; "
        "move it out of what hides it (an HTML block, a paragraph, 4-space indentation)"
        for line in hidden_fences(read_text(page))
    ]
    assert not hidden, "\n".join(hidden)


def _allowed() -> str:
    return "; ".join(ALLOWED)


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_no_number_on_the_page_goes_unchecked(page: Path) -> None:
    found = unchecked_numbers(read_text(page))
    assert not found, (
        "\n".join(
            f"{page.relative_to(ROOT)}:{line}: {number} is not produced by a checked block, a "
            "shape comment or a <!-- gen:NAME --> fragment"
            for line, number in found
        )
        + f"\n(numbers that are not claims: {_allowed()})"
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.name for n in NOTEBOOKS])
def test_no_number_in_a_notebook_goes_unchecked(notebook: Path) -> None:
    found = notebook_unchecked_numbers(notebook)
    assert not found, (
        "\n".join(
            f"{notebook.relative_to(ROOT)} {cell}:{line}: {number} is not checked (print it, with "
            "#> lines under the print)"
            for cell, line, number in found
        )
        + f"\n(numbers that are not claims: {_allowed()})"
    )


def _page_code(pages: list[Path]) -> tuple[dict[str, tuple[Path, int]], dict[str, str]]:
    """Python to lint: each continuation chain whole, at the page's line numbers (names
    defined in earlier blocks are known), and each block alone, for the formatter."""
    chains: dict[str, tuple[Path, int]] = {}
    sources: dict[str, str] = {}
    for page in pages:
        chain, start = "", ""
        for fence in [f for f in fences(read_text(page)) if runs(f.info)]:
            name, body = f"{page.stem}__{fence.line}", "\n".join(fence.body)
            if "continuation" not in fence.info:  # a new chain, at the page's line numbers
                chain, start = "", f"chain__{name}.py"
            chain += "\n" * (fence.line - chain.count("\n")) + body + "\n"
            chains[start], sources[start] = (page, 0), chain
            # ruff's formatter would write "#>" as "# >"; "#:" it leaves alone
            chains[f"block__{name}.py"] = (page, fence.line)
            sources[f"block__{name}.py"] = re.sub(r"(?m)^(\s*)#>", r"\1#:", body + "\n")
    return chains, sources


def test_python_blocks_pass_ruff(tmp_path: Path) -> None:
    """The pages' code is linted and formatted with the project's ruff settings (as
    pydantic lints its examples); imports mid-page and long #> lines are expected."""
    where, sources = _page_code(PAGES)
    for name, source in sources.items():
        (tmp_path / name).write_text(source, encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff"]
    config = ["--config", str(ROOT / "pyproject.toml"), "--no-cache"]
    chains = sorted(str(tmp_path / n) for n in sources if n.startswith("chain__"))
    blocks = sorted(str(tmp_path / n) for n in sources if n.startswith("block__"))
    lint = subprocess.run(
        [*ruff, "check", *config, "--ignore", "E402,E501", "--output-format", "json", *chains],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    problems = [
        f"{where[Path(d['filename']).name][0].relative_to(ROOT)}:{d['location']['row']}: "
        f"{d['code']} {d['message']}"
        for d in json.loads(lint.stdout or "[]")
    ]
    fmt = subprocess.run(
        [*ruff, "format", *config, "--check", "--diff", *blocks],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    for name in re.findall(r"^--- .*?(block__\S+\.py)", fmt.stdout, re.M):
        page, offset = where[name]
        problems.append(f"{page.relative_to(ROOT)}:{offset + 1}: block is not ruff-formatted")
    assert not problems, "\n".join(problems) + (f"\n{fmt.stdout}" if fmt.stdout else "")


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_no_marker_splits_a_sentence(page: Path) -> None:
    """A line that starts with ``<!--`` begins an HTML block in Markdown and ends the
    paragraph above it: a fragment inside a sentence must not start a line."""
    lines = page.read_text(encoding="utf-8").split("\n")
    split = [
        f"{page.relative_to(ROOT)}:{n + 1}: {line[:60]}… starts a line inside a paragraph; "
        "move the marker into the line above"
        for n, line in enumerate(lines)
        if n and line.lstrip().startswith("<!-- gen:") and lines[n - 1].strip()
        and not lines[n - 1].lstrip().startswith(("<!--", "|", "```"))
    ]  # fmt: skip
    assert not split, "\n".join(split)
