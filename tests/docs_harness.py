"""The docs harness: every Python block in docs/ runs, and what it prints is on the page.

- pytest-markdown-docs collects the ```python blocks of ``docs/**/*.md``; this plugin
  replaces its default runner with one that records every ``print`` and compares it
  with the ``#>`` lines written under that ``print`` on the page (pydantic's style).
- Tables and numbers in prose sit between ``<!-- gen:NAME -->`` and ``<!-- /gen -->``;
  ``embeddings_explained.showcase.FRAGMENTS[NAME]`` recomputes them (see test_docs.py).
- ``pytest --update-outputs`` (``make outputs``) rewrites both from a real run
  instead of failing.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import io
import json
import re
import sys
import typing
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from pytest_markdown_docs._runners import DefaultRunner, register_runner
from pytest_markdown_docs.definitions import FenceTestDefinition

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# path -> list of (first line index, number of lines replaced, new lines); applied at the end.
_REWRITES: dict[Path, list[tuple[int, int, list[str]]]] = defaultdict(list)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-outputs",
        action="store_true",
        default=False,
        help="rewrite the #> outputs and generated fragments of docs/ from a real run",
    )


def markdown_parser() -> MarkdownIt:
    """The parser that finds the pages' code: CommonMark plus Material's admonitions
    (``!!!``, ``???``) and content tabs (``===``), so code inside them runs too."""
    from mdformat_mkdocs.mdit_plugins import material_admon_plugin, material_content_tabs_plugin

    return MarkdownIt("commonmark").use(material_admon_plugin).use(material_content_tabs_plugin)


@pytest.hookimpl(tryfirst=True)
def pytest_markdown_docs_markdown_it() -> MarkdownIt:
    return markdown_parser()


def pytest_configure(config: pytest.Config) -> None:
    global _UPDATE
    _UPDATE = bool(config.getoption("--update-outputs"))


_UPDATE = False


def updating() -> bool:
    return _UPDATE


def schedule_rewrite(path: Path, start: int, count: int, new_lines: list[str]) -> None:
    """Replace lines[start:start + count] of ``path`` by ``new_lines`` when the run ends."""
    _REWRITES[path].append((start, count, new_lines))


# --------------------------------------------------------------------------- random stream

REFERENCE = Path(__file__).with_name("reference_stream.json")


def stream_fingerprint() -> str:
    """A hash of the seed-0 tables: it changes exactly when torch's random stream does."""
    from embeddings_explained.showcase import seeded_embeddings

    values = [p.detach().flatten().tolist() for p in seeded_embeddings().parameters()]
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()


def reference() -> dict[str, str]:
    data: dict[str, str] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return data


def all_fragments() -> dict[str, Callable[[], str]]:
    """The package's fragments, plus the torch version that generated the pages: the
    recorded one, or while ``--update-outputs`` regenerates them, the running one."""
    from embeddings_explained.showcase import FRAGMENTS, torch_version

    return {
        **FRAGMENTS,
        "torch-version": lambda: torch_version() if updating() else reference()["torch"],
    }


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """One clear message, instead of a failure on every page, when torch's stream moved."""
    if updating() or not any(str(item.path).endswith(".md") for item in items):
        return
    import torch

    ref = reference()
    if stream_fingerprint() != ref["sha256"]:
        pytest.exit(
            f"torch {torch.__version__} draws different random numbers for seed 0 than torch "
            f"{ref['torch']}, which generated the numbers on the pages, so every page would "
            "mismatch. Run `make outputs` to regenerate them with this torch, review the "
            "diff, and commit it.",
            returncode=1,
        )


def pytest_sessionfinish(session: pytest.Session) -> None:
    if updating() and session.testsfailed == 0:
        from embeddings_explained.showcase import torch_version

        record = {"torch": torch_version(), "sha256": stream_fingerprint()}
        REFERENCE.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    for path, edits in _REWRITES.items():
        lines = path.read_text(encoding="utf-8").split("\n")
        for start, count, new in sorted(set((s, c, tuple(n)) for s, c, n in edits), reverse=True):
            lines[start : start + count] = list(new)
        path.write_text("\n".join(lines), encoding="utf-8")
    _REWRITES.clear()


def mkdocs_config() -> dict[str, typing.Any]:
    """mkdocs.yml as plain data; its tags (!ENV, !!python/name:...) read as None."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    config: dict[str, typing.Any] = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=Loader)
    return config


# --------------------------------------------------------------------------- outputs


class OutputMismatch(AssertionError):
    """A block printed something other than what its page shows."""


@dataclass(frozen=True)
class OutputSite:
    end: int  # 1-based last line of the statement that printed; #> lines follow it
    indent: int  # its column, which the #> lines take


def _statements(source: str) -> list[ast.stmt]:
    return [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.stmt)]


def _site_of(statements: list[ast.stmt], line: int) -> OutputSite | None:
    """The innermost statement holding ``line``: output shows under it."""
    holding = [s for s in statements if s.lineno <= line <= (s.end_lineno or s.lineno)]
    if not holding:
        return None
    stmt = min(holding, key=lambda s: (s.end_lineno or s.lineno) - s.lineno)
    return OutputSite(stmt.end_lineno or stmt.lineno, stmt.col_offset)


def _shown_output(lines: list[str], after: int) -> tuple[list[str], int]:
    """The ``#>`` lines that follow 1-based line ``after``: (texts, how many lines)."""
    shown: list[str] = []
    i = after  # 0-based index of the line after
    while i < len(lines) and lines[i].lstrip().startswith("#>"):
        text = lines[i].lstrip()[2:]
        shown.append(text[1:] if text.startswith(" ") else text)
        i += 1
    return shown, i - after


def _format_output(indent: int, printed: list[str]) -> list[str]:
    pad = " " * indent
    return [f"{pad}#> {line}".rstrip() for line in printed]


class _RecordingPrint:
    """A ``print`` that remembers which line of the page it ran for.

    That is the line of the outermost frame in the page: the ``print`` itself at top
    level or in a loop, or the call of a function (defined on the page) that prints.
    """

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.records: list[tuple[int, str]] = []  # (line, text), in the order printed

    def __call__(
        self,
        *args: object,
        sep: str | None = " ",
        end: str | None = "\n",
        file: typing.Any = None,
        flush: bool = False,
    ) -> None:
        if file is not None and file is not sys.stdout:
            builtins.print(*args, sep=sep, end=end, file=file, flush=flush)
            return
        buf = io.StringIO()
        builtins.print(*args, sep=sep, end=end, file=buf)
        line = None
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code.co_filename == self.filename:
                line = frame.f_lineno
            frame = frame.f_back  # type: ignore[assignment]
        if line is not None:
            self.records.append((line, buf.getvalue()))


@register_runner(default=True)
class CheckedOutputRunner(DefaultRunner):
    """pytest-markdown-docs' runner, plus: what a block prints must be shown under it."""

    def runtest(
        self,
        test: FenceTestDefinition,
        args: dict[str, typing.Any],
        *,
        asyncio_runner: typing.Any = None,
    ) -> None:
        path = Path(test.source_path)
        page_lines = path.read_text(encoding="utf-8").split("\n")
        first = test.start_line + 1  # 1-based first line of this block
        last = first + _block_length(page_lines, test.start_line) - 1
        recorder = _RecordingPrint(str(test.source_path))
        args["print"] = recorder
        super().runtest(test, args, asyncio_runner=asyncio_runner)

        rel = _rel(path)
        statements = _statements(test.source)
        printed_at: dict[OutputSite, str] = {}
        for line, text in recorder.records:
            site = _site_of(statements, line)
            if site is not None and first <= line <= last:
                printed_at[site] = printed_at.get(site, "") + text
        problems: list[str] = []
        claimed: set[int] = set()
        for site, text in printed_at.items():
            printed = text.rstrip("\n")
            printed_lines = [ln.rstrip() for ln in printed.split("\n")]
            shown, count = _shown_output(page_lines, site.end)
            claimed.update(range(site.end, site.end + count))
            if [s.rstrip() for s in shown] == printed_lines:
                continue
            if updating():
                schedule_rewrite(path, site.end, count, _format_output(site.indent, printed_lines))
                continue
            problems.append(_describe_mismatch(rel, site, shown, printed_lines))
        for i in range(first - 1, last):
            if page_lines[i].lstrip().startswith("#>") and i not in claimed:
                problems.append(
                    f"{rel}:{i + 1}: a #> output line that no print() above it produces"
                )
        if problems:
            raise OutputMismatch("\n".join(problems))

    def repr_failure(
        self,
        test: FenceTestDefinition,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: typing.Any = None,
    ) -> str:
        if isinstance(excinfo.value, OutputMismatch):
            return f"{excinfo.value}\n(run `make outputs` to rewrite the page from a real run)"
        return str(super().repr_failure(test, excinfo, style))


def _describe_mismatch(rel: str, site: OutputSite, shown: list[str], printed: list[str]) -> str:
    if not shown:
        return (
            f"{rel}:{site.end}: print() writes {len(printed)} line(s) that the page does "
            f"not show under it; first: {printed[0]!r}"
        )
    for k, (a, b) in enumerate(zip(shown, printed, strict=False)):
        if a.rstrip() != b:
            return (
                f"{rel}:{site.end + 1 + k}: the page shows {a.strip()!r} "
                f"but the code prints {b.strip()!r}"
            )
    return (
        f"{rel}:{site.end + 1}: the page shows {len(shown)} output line(s), "
        f"the code prints {len(printed)}"
    )


def _block_length(page_lines: list[str], first_code_index: int) -> int:
    """Number of code lines of the fence whose first code line has 0-based index given."""
    opening = page_lines[first_code_index - 1].lstrip()
    fence = re.match(r"(`{3,}|~{3,})", opening)
    marker = fence.group(1) if fence else "```"
    n = 0
    for line in page_lines[first_code_index:]:
        if line.strip().startswith(marker[0] * len(marker)) and set(line.strip()) <= {marker[0]}:
            break
        n += 1
    return n


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- fragments

# <!-- gen:NAME arg1 arg2 -->shown<!-- /gen -->: the page chooses, through the arguments.
FRAGMENT_RE = re.compile(
    r"<!-- gen:(?P<name>[\w-]+)(?P<args>(?:[ \t]+[^\s>]+)*)[ \t]*-->(?P<shown>.*?)<!-- /gen -->",
    re.DOTALL,
)
NUMBER_RE = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def fragment_problems(path: Path, fragments: dict[str, Callable[[], str]]) -> list[str]:
    """Compare every generated fragment of a page with what the package computes now."""
    text = path.read_text(encoding="utf-8")
    problems = []
    new_text = text
    for m in reversed(list(FRAGMENT_RE.finditer(text))):
        name, shown, args = m.group("name"), m.group("shown"), tuple(m.group("args").split())
        line = text.count("\n", 0, m.start()) + 1
        if name not in fragments:
            problems.append(
                f"{_rel(path)}:{line}: unknown fragment {name!r}; "
                f"known: {', '.join(sorted(fragments))}"
            )
            continue
        try:
            computed = fragments[name](*args)
        except (TypeError, ValueError) as error:
            problems.append(f"{_rel(path)}:{line}: fragment {name!r} {' '.join(args)}: {error}")
            continue
        expected = f"\n\n{computed}\n\n" if shown.startswith("\n") else computed
        if shown == expected:
            continue
        if updating():
            new_text = new_text[: m.start("shown")] + expected + new_text[m.end("shown") :]
            continue
        problems.append(_describe_fragment(path, name, line, shown, expected))
    if updating() and new_text != text:
        path.write_text(new_text, encoding="utf-8")
    return problems


def _describe_fragment(path: Path, name: str, line: int, shown: str, expected: str) -> str:
    shown_lines, expected_lines = shown.split("\n"), expected.split("\n")
    for k, (a, b) in enumerate(zip(shown_lines, expected_lines, strict=False)):
        if a != b:
            nums_a, nums_b = NUMBER_RE.findall(a), NUMBER_RE.findall(b)
            for x, y in zip(nums_a, nums_b, strict=False):
                if x != y:
                    return (
                        f"{_rel(path)}:{line + k}: fragment {name!r} shows {x} where the "
                        f"package computes {y}\n  page:    {a.strip()}\n  package: {b.strip()}"
                    )
            return (
                f"{_rel(path)}:{line + k}: fragment {name!r} differs\n"
                f"  page:    {a.strip()}\n  package: {b.strip()}"
            )
    return (
        f"{_rel(path)}:{line}: fragment {name!r} has {len(shown_lines)} lines, "
        f"the package makes {len(expected_lines)}"
    )


# --------------------------------------------------------------------------- guards

FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
PY_INFO_RE = re.compile(r"^(\{[^}]*\.(python3?|py)\b[^}]*\}|(python3?|py)\b)")
# a decimal number standing alone (not part of a version such as 2.14.1)
DECIMAL_RE = re.compile(r"(?<![\w.])-?\d+\.\d{2,}(?![\d.])")


def fences(text: str) -> list[tuple[int, str, str, list[str]]]:
    """Every fenced block, at any indentation: (1-based line, indent, info, body lines)."""
    lines = text.split("\n")
    out = []
    i = 0
    while i < len(lines):
        m = FENCE_RE.match(lines[i])
        if not m:
            i += 1
            continue
        fence = m.group("fence")
        body = []
        j = i + 1
        while j < len(lines) and not (
            lines[j].strip().startswith(fence) and set(lines[j].strip()) <= {fence[0]}
        ):
            body.append(lines[j])
            j += 1
        out.append((i + 1, m.group("indent"), m.group("info").strip(), body))
        i = j + 1
    return out


def is_python(info: str) -> bool:
    return bool(PY_INFO_RE.match(info))


def is_notest(info: str) -> bool:
    return "notest" in info.strip("{}").split()


def unchecked_numbers(text: str) -> list[tuple[int, str]]:
    """Decimal numbers a reader would see that no check stands behind.

    Python blocks are checked by the runner (their #> lines) and fragments by their
    generator; anything else with decimals (prose, text blocks, tables typed by
    hand) is reported.
    """
    masked = FRAGMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    masked = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group(0).count("\n"), masked, flags=re.S)
    lines = masked.split("\n")
    for start, _indent, info, body in fences(masked):
        if is_python(info) and not is_notest(info):
            for k in range(start - 1, start + len(body) + 1):
                lines[k] = ""
    found = []
    for n, line in enumerate(lines, 1):
        for m in DECIMAL_RE.finditer(line):
            found.append((n, m.group(0)))
    return found
