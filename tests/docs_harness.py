"""The docs harness, a pytest plugin; what it reads and writes in a page: tests/page_text.py.

Each block pytest-markdown-docs collects, and each notebook cell, runs through run_block: its
prints must be its ``#>`` lines, its shape comments true. Every check yields edits; settle()
makes them failures naming page and line or, with ``--update-outputs``, pending edits written
at the end if every test passed. The one module touching the plugin's private API.
"""

from __future__ import annotations

import ast
import builtins
import io
import json
import signal
import sys
import typing
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from pytest_markdown_docs._runners import DefaultRunner, register_runner
from pytest_markdown_docs.definitions import FenceTestDefinition
from pytest_markdown_docs.plugin import MarkdownDocstringCodeModule

from tests import page_text as pt
from tests.page_text import Edit, PendingEdits, Unit
from tests.project import ROOT, rel
from tools.fences import markdown_parser
from tools.files import STOPPING, write_all

REFERENCE = Path(__file__).with_name("reference_stream.json")
Namespace = dict[str, typing.Any]  # the globals a page's blocks or a notebook's cells share


@dataclass
class Harness:
    update: bool = False  # --update-outputs
    edits: PendingEdits = field(default_factory=PendingEdits)
    said: str = ""  # what make outputs did, shown last


HARNESS = Harness()


def pytest_addoption(parser: pytest.Parser) -> None:
    help = "rewrite the #> outputs, shape comments and fragments of docs/ from a real run"
    parser.addoption("--update-outputs", action="store_true", default=False, help=help)


def pytest_configure(config: pytest.Config) -> None:
    global HARNESS
    stopping = [signal.SIGTERM, *STOPPING]
    previous, handlers = HARNESS, {s: signal.getsignal(s) for s in stopping}
    HARNESS = Harness(update=bool(config.getoption("--update-outputs")))
    if HARNESS.update:  # SIGTERM (a CI timeout), SIGHUP (a closed terminal): as Ctrl-C
        for s in stopping:
            signal.signal(s, _interrupt)

    def restore() -> None:  # a run inside a test (pytester) leaves the outer one as it was
        global HARNESS
        HARNESS = previous
        for s, handler in handlers.items():
            signal.signal(s, handler)

    config.add_cleanup(restore)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


@pytest.fixture
def harness() -> Harness:
    return HARNESS


@pytest.hookimpl(tryfirst=True)
def pytest_markdown_docs_markdown_it() -> MarkdownIt:
    return markdown_parser()  # the one fence reader: what the page notebooks and guard read


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Before anything runs: the markers of every page a test reads, strictly; and one
    message, instead of a failure on every page, when the random stream moved."""
    params = [getattr(getattr(i, "callspec", None), "params", {}).get("page") for i in items]
    pages = {p for p in [*params, *(i.path for i in items)] if isinstance(p, Path)}
    problems = []
    for page in sorted(p for p in pages if p.suffix == ".md"):
        try:
            pt.markers(pt.read_text(page), rel(page))
        except pt.MarkerError as error:
            problems.append(str(error))
    if problems:
        pytest.exit("malformed markers; nothing ran:\n" + "\n".join(problems), returncode=1)
    pages_run = any(i.path.suffix in (".md", ".ipynb") for i in items)
    if pages_run and not HARNESS.update and (problem := stream_problem(reference())):
        pytest.exit(problem, returncode=1)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """``make outputs`` writes here: every edit at once, only if the run completed and every
    test passed; otherwise nothing, and it says so."""
    if not HARNESS.update or session.config.option.collectonly:
        return
    if session.exitstatus == pytest.ExitCode.INTERRUPTED:
        HARNESS.said = "interrupted; nothing written"
        return
    if session.testsfailed or session.exitstatus != pytest.ExitCode.OK:
        failed = f"{session.testsfailed} test(s)" if session.testsfailed else "the run"
        HARNESS.said = f"nothing written, {failed} failed; fix them first"
        return
    contents: dict[Path, bytes] = {}
    try:
        contents = HARNESS.edits.new_contents()
        if stream_problem(reference()) is not None:  # only then: its last bits vary by CPU
            contents[REFERENCE] = (json.dumps(stream_record(), indent=1) + "\n").encode()
        write_all(contents)
        HARNESS.said = ", ".join(map(rel, contents)) or "nothing to rewrite"
    except (pt.EditConflict, OSError, KeyboardInterrupt) as error:
        # a signal is held until every rename is done; an OSError may come between two
        stop = isinstance(error, KeyboardInterrupt)
        session.exitstatus = pytest.ExitCode.INTERRUPTED if stop else pytest.ExitCode.TESTS_FAILED
        written = ", ".join(rel(p) for p, data in contents.items() if _holds(p, data))
        done = f"wrote only {written}" if written else "nothing written"
        HARNESS.said = f"{'interrupted' if stop else error}; {done}"


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except OSError:
        return False


def pytest_terminal_summary(terminalreporter: typing.Any) -> None:
    if HARNESS.said:
        terminalreporter.write_line(f"make outputs: {HARNESS.said}")


# ---------------------------------------------------------------------- the random stream


def stream_record() -> dict[str, typing.Any]:
    """The torch, the CPU kernels and the seed-0 values every number on the pages comes from."""
    import torch

    from embeddings_explained.showcase import seeded_embeddings, torch_version

    values = [x for p in seeded_embeddings().parameters() for x in p.detach().flatten().tolist()]
    cpu = str(torch.backends.cpu.get_cpu_capability())
    return {"torch": torch_version(), "cpu": cpu, "values": values}


def reference() -> dict[str, typing.Any]:
    """The stream record of the run that generated the pages."""
    return typing.cast(dict[str, typing.Any], json.loads(REFERENCE.read_text(encoding="utf-8")))


def stream_problem(ref: Mapping[str, typing.Any]) -> str | None:
    """None when this torch on this CPU draws the seed-0 tables as the pages show them (at
    their 4 decimals: other CPU kernels change only the last bits); else what differs."""
    from embeddings_explained.showcase import fmt

    now, old = stream_record(), ref.get("values", [])
    differ = [abs(a - b) for a, b in zip(old, now["values"], strict=False) if fmt(a) != fmt(b)]
    if not differ and len(old) == len(now["values"]):
        return None
    if now["torch"] != ref.get("torch"):
        cause = "a new torch draws other random numbers for seed 0"
    elif now["cpu"] != ref.get("cpu"):
        cause = "these CPU kernels round some values to other shown digits"
    else:
        cause = "the same torch and CPU kernels draw another stream: did src/ change the draws?"
    return (
        f"{len(differ) or 'all'} of {len(now['values'])} seed-0 values differ at the 4 decimals "
        f"the pages show (largest difference {max(differ, default=float('nan')):.2g}): the "
        f"pages were generated with torch {ref.get('torch')} on CPU kernels {ref.get('cpu')}, "
        f"this is torch {now['torch']} on {now['cpu']}; {cause}, so every page would "
        "mismatch. Run `make outputs` to regenerate them, review the diff, and commit it."
    )


# ------------------------------------------------------------------------------- checks


def all_fragments(update: bool) -> dict[str, Callable[..., str]]:
    """The package's fragments, plus the torch version that generated the pages: the
    recorded one, or while ``--update-outputs`` regenerates them, the running one."""
    from embeddings_explained.showcase import FRAGMENTS, torch_version

    version = torch_version() if update else reference()["torch"]
    return {**FRAGMENTS, "torch-version": lambda: version}


def fragment_problems(
    path: Path, fragments: Mapping[str, Callable[..., str]], edits: PendingEdits | None = None
) -> list[str]:
    """Every fragment of a page against what the package computes now, settled as settle() does."""
    text = edits.text(path) if edits is not None else pt.read_text(path)
    problems, found = [], []
    for m in pt.markers(text, rel(path)):
        at, call = f"{rel(path)}:{m.line}", " ".join([f"fragment {m.name!r}", *m.args])
        if m.name not in fragments:
            problems.append(f"{at}: unknown fragment {m.name!r}; known: {', '.join(fragments)}")
            continue
        try:
            computed = fragments[m.name](*m.args)
        except Exception as error:  # noqa: BLE001  (named with its page and line)
            problems.append(f"{at}: {call}: {type(error).__name__}: {error}")
            continue
        block = text[m.start : m.start + 1] == "\n"  # a table between blank lines stays so
        found.append(Edit(m.start, m.end, f"\n\n{computed}\n\n" if block else computed, call))
    return problems + settle(edits, (path, None), text, found, rel(path))


def settle(
    edits: PendingEdits | None, unit: Unit, text: str, found: list[Edit], where: str
) -> list[str]:
    """Each edit of ``text`` a check asks for: pending in ``edits`` (``--update-outputs``),
    else, if it changes the text, a failure naming the page and line where it differs."""
    problems = []
    for e in (e for e in found if text[e.start : e.end] != e.text):
        if edits is not None:
            edits.add(unit, e)
            continue
        line = text.count("\n", 0, e.start) + 1
        shown, real = ([s.strip().removeprefix("#> ") for s in t.splitlines()]
                       for t in (text[e.start : e.end], e.text))  # fmt: skip
        k = next((k for k, (a, b) in enumerate(zip(shown, real, strict=False)) if a != b), None)
        if k is not None:
            why = f"{e.what} differs\n  page: {shown[k]}\n  real: {real[k]}"
        elif not real:
            why, k = f"{e.what} that no print() above it produces", 0
        elif not shown:
            why, k = f"{e.what}: the page shows nothing; real: {real[0]!r}", 0
        else:  # other lines, or only other spacing
            why, k = f"{e.what}: the page shows {len(shown)} line(s), real output {len(real)}", 0
        problems.append(f"{where}:{line + k}: {why}")
    return problems


def run_block(unit: Unit, source: str, filename: str, checked: range, namespace: Namespace,
              where: str, prefix: str = "") -> list[str]:  # fmt: skip
    """Execute ``source`` and check its lines in ``checked`` (1-based), as edits of ``unit``
    (``prefix``: the indentation the page adds). Output goes as ``#>`` lines under the
    innermost statement that printed, or under the page's call of a function that printed."""
    rewrites: list[tuple[int, int, list[str], str]] = []  # (first line, count, lines, what)
    problems: list[str] = []
    lines, tree = source.split("\n"), ast.parse(source, filename)
    statements = [n for n in ast.walk(tree) if isinstance(n, ast.stmt)]

    def innermost(line: int) -> ast.stmt | None:
        holding = [s for s in statements if s.lineno <= line <= (s.end_lineno or s.lineno)]
        return min(holding, key=lambda s: (s.end_lineno or s.lineno) - s.lineno, default=None)

    shapes = {c.line: c for c in pt.shape_comments(source) if c.line in checked}
    for line in list(shapes):  # the value each annotated line assigns goes through check_shape
        stmt = innermost(line)
        target = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
        one = len(target) == 1 and not isinstance(target[0], ast.Tuple | ast.List)
        if not (isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value and one):
            problems.append(f"{where}:{line}: a shape comment must sit on a line that assigns "
                            "one tensor (x = ...  # (B, T, C) = (1, 2, 4))")  # fmt: skip
            del shapes[line]
            continue
        call = ast.Call(ast.Name("__ee_shape__", ast.Load()), [stmt.value, ast.Constant(line)], [])
        stmt.value = ast.copy_location(call, stmt.value)
    ast.fix_missing_locations(tree)

    def check_shape(value: typing.Any, line: int) -> typing.Any:
        comment = shapes[line]
        if getattr(value, "shape", None) is None:
            kind = f"{type(value).__name__}, not a tensor"
            problems.append(f"{where}:{line}: a shape comment on a line that assigns {kind}")
            return value
        real = tuple(int(d) for d in value.shape)
        if comment.dims is not None and comment.dims != real:
            new = lines[line - 1][: comment.col] + comment.render(real)
            rewrites.append((line, 1, [new], "shape comment"))
        elif len(comment.names or real) != len(real):
            problems.append(f"{where}:{line}: the comment says shape {comment.names} but the "
                            f"tensor has shape {real}")  # fmt: skip
        return value

    printed: dict[tuple[int, int], str] = {}  # (last line, column) of a statement -> output

    def recording_print(*args: object, sep: str | None = " ", end: str | None = "\n",
                        file: typing.Any = None, flush: bool = False) -> None:  # fmt: skip
        if file is not None and file is not sys.stdout:
            return builtins.print(*args, sep=sep, end=end, file=file, flush=flush)
        frame, line = sys._getframe(1), 0
        while frame is not None:  # the outermost frame in the page
            line = frame.f_lineno if frame.f_code.co_filename == filename else line
            frame = frame.f_back  # type: ignore[assignment]
        stmt = innermost(line) if line in checked else None
        if stmt is not None:
            buffer = io.StringIO()
            builtins.print(*args, sep=sep, end=end, file=buffer)
            key = (stmt.end_lineno or stmt.lineno, stmt.col_offset)
            printed[key] = printed.get(key, "") + buffer.getvalue()

    namespace.update(print=recording_print, __ee_shape__=check_shape)
    exec(compile(tree, filename, "exec", dont_inherit=True), namespace)

    claimed: set[int] = set()  # 1-based lines of #> output that some print produced
    for (end, col), text in sorted(printed.items()):
        count = next((k for k, ln in enumerate(lines[end:]) if not ln.lstrip().startswith("#>")),
                     len(lines) - end)  # fmt: skip
        claimed.update(range(end + 1, end + 1 + count))
        new = [f"{' ' * col}#> {ln}".rstrip() for ln in text.rstrip("\n").split("\n")]
        if [ln.strip() for ln in lines[end : end + count]] != [ln.strip() for ln in new]:
            rewrites.append((end + 1, count, new, "printed output"))
    for n in checked:
        if n <= len(lines) and lines[n - 1].lstrip().startswith("#>") and n not in claimed:
            rewrites.append((n, 1, [], "a #> output line"))
    text, edits = HARNESS.edits.text(*unit), HARNESS.edits if HARNESS.update else None
    found = [pt.line_edit(text, n, k, [prefix + ln for ln in new], what)
             for n, k, new, what in rewrites]  # fmt: skip
    return problems + settle(edits, unit, text, found, where)


def fail(problems: list[str]) -> None:
    """What a block got wrong; outside ``make outputs``, with the command that rewrites it
    (what fails while it runs, it cannot rewrite)."""
    if problems:
        hint = [] if HARNESS.update else ["(run `make outputs` to rewrite it from a real run)"]
        pytest.fail("\n".join(problems + hint), pytrace=False)


# ---------------------------------------------------------------- collection and runners


@register_runner(default=True)
class CheckedOutputRunner(DefaultRunner):
    """pytest-markdown-docs' runner, through run_block."""

    def runtest(self, test: FenceTestDefinition, args: Namespace,
                *, asyncio_runner: typing.Any = None) -> None:  # fmt: skip
        path, code = Path(test.source_path), test.source.split("\n")
        checked = range(test.start_line + 1, len(code))  # this block's lines on the page
        page = HARNESS.edits.text(path).split("\n")
        # the indentation the page adds to the block's lines (inside an admonition or tab)
        n = next((n for n in checked if code[n - 1].strip()), checked.start)
        prefix = page[n - 1][: len(page[n - 1]) - len(code[n - 1])]
        fail(run_block((path, None), test.source, str(path), checked, args, rel(path), prefix))

    def repr_failure(self, test: FenceTestDefinition, excinfo: pytest.ExceptionInfo[BaseException],
                     style: typing.Any = None) -> str:  # fmt: skip
        if excinfo.errisinstance(pytest.fail.Exception):
            return str(excinfo.value)
        return str(super().repr_failure(test, excinfo, style))


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path: Path, parent: pytest.Collector
                        ) -> Generator[None, list[typing.Any], list[typing.Any]]:  # fmt: skip
    """Notebooks are collected wherever pages are; docstrings are read for code fences in
    the package only (``src/``: what readers see in help()), not in the tests."""
    collected = yield
    if file_path.suffix == ".ipynb" and parent.config.getoption("markdowndocs", False):
        collected.append(NotebookFile.from_parent(parent, path=file_path))
    if file_path.suffix == ".py" and not file_path.is_relative_to(ROOT / "src"):
        collected = [c for c in collected if not isinstance(c, MarkdownDocstringCodeModule)]
    return collected


class NotebookFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        yield NotebookItem.from_parent(self, name="cells")


class NotebookItem(pytest.Item):
    """All code cells of a notebook, run in order in one namespace, checked like a page."""

    def runtest(self) -> None:
        path, namespace, problems = Path(self.path), {"__name__": "__main__"}, []
        for k, cell in enumerate(json.loads(HARNESS.edits.text(path))["cells"]):
            if cell["cell_type"] != "code":
                continue
            source, where = HARNESS.edits.text(path, k), f"{rel(path)} cell {k + 1}"
            lines = range(1, source.count("\n") + 2)
            problems += run_block((path, k), source, f"{path}#cell{k}", lines, namespace, where)
            last = ast.parse(source).body[-1:]  # Jupyter would show a bare value, unchecked
            value = last[0].value if last and isinstance(last[0], ast.Expr) else None
            if value is not None and getattr(getattr(value, "func", None), "id", "") != "print":
                problems.append(f"{where}:{last[0].lineno}: the cell ends in an expression whose "
                                "value Jupyter shows unchecked; print() it (with #> lines) or "
                                "assign it (_ = ...)")  # fmt: skip
        fail(problems)
