"""The docs harness: every Python block in docs/ runs, and every number it shows is checked.

- pytest-markdown-docs collects the ```python blocks of ``docs/**/*.md`` (its own parser,
  plus Material's admonitions and content tabs) and hands each block's source to
  :class:`CheckedOutputRunner` at the page's line numbers. The runner records every
  ``print`` and compares it with the ``#>`` lines under it (pydantic's style), and checks
  shape comments (``x = ...  # (B, T, C) = (1, 2, 4)``) against the real tensor.
- Notebooks (``docs/**/*.ipynb``) are checked the same way, cell by cell.
- Tables and numbers in prose sit between ``<!-- gen:NAME args -->`` and ``<!-- /gen -->``;
  ``embeddings_explained.showcase.FRAGMENTS[NAME](*args)`` recomputes them (test_docs.py).
- ``pytest --update-outputs`` (``make outputs``) rewrites all of these from a real run
  instead of failing. Every rewrite is an edit computed against the text as first read;
  they are applied once, at the end of the run, bottom-up, only if nothing failed and no
  two edits overlap (pytest-examples' ``modify_files`` does the same for pydantic's docs).
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import io
import json
import os
import re
import signal
import stat
import sys
import tempfile
import tokenize
import typing
from collections import defaultdict
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from pytest_markdown_docs._runners import DefaultRunner, register_runner
from pytest_markdown_docs.definitions import FenceTestDefinition
from pytest_markdown_docs.plugin import MarkdownDocstringCodeModule

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REFERENCE = Path(__file__).with_name("reference_stream.json")


def markdown_parser() -> MarkdownIt:
    """The parser that finds the pages' code: CommonMark plus Material's admonitions
    (``!!!``, ``???``) and content tabs (``===``), so code inside them runs too."""
    from mdformat_mkdocs.mdit_plugins import material_admon_plugin, material_content_tabs_plugin

    return MarkdownIt("commonmark").use(material_admon_plugin).use(material_content_tabs_plugin)


@pytest.hookimpl(tryfirst=True)
def pytest_markdown_docs_markdown_it() -> MarkdownIt:
    return markdown_parser()


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


# --------------------------------------------------------------------------- files


def decode(data: bytes) -> tuple[str, str, str]:
    """A file's bytes as ``(text with "\\n" line ends, BOM, newline)``: what
    :func:`encode` needs to write it back exactly as it was."""
    raw = data.decode("utf-8")
    bom = "\ufeff" if raw.startswith("\ufeff") else ""
    raw = raw[len(bom) :]
    newline = "\r\n" if "\r\n" in raw else "\n"
    return raw.replace("\r\n", "\n"), bom, newline


def encode(text: str, bom: str, newline: str) -> bytes:
    return (bom + text.replace("\n", newline)).encode("utf-8")


def read_text(path: Path) -> str:
    """A page's text with "\\n" line ends, as pytest-markdown-docs reads it."""
    return decode(path.read_bytes())[0]


def write_files(contents: Mapping[Path, bytes]) -> None:
    """Write every file whole, or none: each goes to a temporary file beside it (mode
    kept); only when all are on disk are they renamed over the originals, with SIGINT and
    SIGTERM held from the first rename to the last. A signal before that writes nothing."""
    temps: dict[Path, Path] = {}
    try:
        for path, data in contents.items():
            with _signals_held():  # a temp file is always known, so always removed
                fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
                temps[path] = Path(name)
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(name, stat.S_IMODE(path.stat().st_mode))
        with _signals_held():
            for path, temp in temps.items():
                os.replace(temp, path)
            temps.clear()
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


# --------------------------------------------------------------------------- pending edits


class EditConflict(Exception):
    """Two rewrites of the same place, or a page that changed while the run read it."""


@dataclass(frozen=True)
class Edit:
    start: int  # character offsets into the text as first read
    end: int
    text: str
    what: str  # for messages: which check asked for it


Unit = tuple[Path, int | None]  # a page, or (notebook, cell index)


@dataclass
class PendingEdits:
    """One list of edits per file, computed against the text as read, applied once."""

    texts: dict[Unit, str] = field(default_factory=dict)
    edits: dict[Unit, list[Edit]] = field(default_factory=lambda: defaultdict(list))
    raw: dict[Path, bytes] = field(default_factory=dict)

    def text(self, path: Path, cell: int | None = None) -> str:
        """The text of a page (or of a notebook cell) as first read in this run."""
        if (path, cell) not in self.texts:
            text = decode(self.raw.setdefault(path, path.read_bytes()))[0]
            if cell is None:
                self.texts[(path, None)] = text
            else:
                sources = [_cell_source(c) for c in json.loads(text)["cells"]]
                for k, src in enumerate(sources):
                    self.texts[(path, k)] = src
        return self.texts[(path, cell)]

    def add(self, unit: Unit, edit: Edit) -> None:
        self.text(*unit)
        if edit not in self.edits[unit]:
            self.edits[unit].append(edit)

    def replace_lines(
        self, unit: Unit, first: int, count: int, lines: list[str], what: str
    ) -> None:
        """Replace ``count`` lines from 1-based line ``first`` (count 0: insert before it)."""
        text = self.text(*unit)
        offsets = _line_offsets(text)
        start = offsets[first - 1]
        end = offsets[first - 1 + count] if count else start
        new = "".join(line + "\n" for line in lines)
        if end == len(text) and text and not text.endswith("\n"):  # a last line without "\n"
            new = new.removesuffix("\n")
            if not count:
                new = "\n" + new
        self.add(unit, Edit(start, end, new, what))

    def new_contents(self) -> dict[Path, bytes]:
        """The new bytes of every file that changes; raises EditConflict, writes nothing."""
        out: dict[Path, bytes] = {}
        by_path: dict[Path, list[Unit]] = defaultdict(list)
        for unit, edits in self.edits.items():
            if edits:
                by_path[unit[0]].append(unit)
        for path, units in by_path.items():
            if path.read_bytes() != self.raw[path]:
                raise EditConflict(f"{_rel(path)} changed on disk during the run; rerun")
            text, bom, newline = decode(self.raw[path])
            if newline == "\r\n" and text.count("\n") != self.raw[path].count(b"\r\n"):
                raise EditConflict(
                    f"{_rel(path)} mixes CRLF and LF line endings, which a rewrite would not "
                    "keep; give it one kind (dos2unix or unix2dos) and rerun"
                )
            if units[0][1] is None:
                text = _apply(self.texts[units[0]], self.edits[units[0]], path)
            else:
                nb = json.loads(text)
                for unit in units:
                    cell = typing.cast(int, unit[1])
                    source = _apply(self.texts[unit], self.edits[unit], path, cell)
                    nb["cells"][cell]["source"] = source.splitlines(keepends=True)
                text = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
            if encode(text, bom, newline) != self.raw[path]:
                out[path] = encode(text, bom, newline)
        return out

    def apply(self) -> list[Path]:
        """Write the changed files (all or none); returns them."""
        changed = self.new_contents()
        write_files(changed)
        self.edits.clear()
        return list(changed)


def _apply(text: str, edits: list[Edit], path: Path, cell: int | None = None) -> str:
    where = _rel(path) + (f" cell {cell + 1}" if cell is not None else "")
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.start < a.end or (a.start == b.start and a.end == b.end):
            line = text.count("\n", 0, b.start) + 1
            raise EditConflict(
                f"{where}:{line}: two rewrites of the same text ({a.what}; {b.what}); "
                "no file was changed. Fix the page by hand so that each place has one source."
            )
    for e in reversed(ordered):
        text = text[: e.start] + e.text + text[e.end :]
    return text


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _cell_source(cell: dict[str, typing.Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


# --------------------------------------------------------------------------- configuration


@dataclass
class Harness:
    """What one test run checks against and, with ``--update-outputs``, rewrites."""

    update: bool
    edits: PendingEdits = field(default_factory=PendingEdits)
    said: str = ""  # what make outputs did, for the summary


HARNESS = pytest.StashKey[Harness]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-outputs",
        action="store_true",
        default=False,
        help="rewrite the #> outputs, shape comments and generated fragments of docs/ "
        "from a real run",
    )


def pytest_configure(config: pytest.Config) -> None:
    harness = Harness(update=bool(config.getoption("--update-outputs")))
    config.stash[HARNESS] = harness
    runner = _runner()
    runner.harness = harness
    if harness.update:  # SIGTERM (a closed terminal, a CI timeout) stops a run like Ctrl-C
        previous = signal.getsignal(signal.SIGTERM)

        def restore() -> None:
            signal.signal(signal.SIGTERM, previous)

        config.add_cleanup(restore)
        signal.signal(signal.SIGTERM, _interrupt)


def _runner() -> CheckedOutputRunner:
    from pytest_markdown_docs import _runners

    runner = _runners._registered_runners["CheckedOutputRunner"]
    assert isinstance(runner, CheckedOutputRunner)
    return runner


@pytest.fixture
def harness(request: pytest.FixtureRequest) -> Harness:
    return request.config.stash[HARNESS]


# --------------------------------------------------------------------------- random stream


def seed_values() -> list[float]:
    """The seed-0 tables, flat: the random numbers every number on the pages comes from."""
    from embeddings_explained.showcase import seeded_embeddings

    return [x for p in seeded_embeddings().parameters() for x in p.detach().flatten().tolist()]


def cpu_kernels() -> str:
    import torch

    return str(torch.backends.cpu.get_cpu_capability())


def stream_record() -> dict[str, typing.Any]:
    """What reference_stream.json records: the torch and CPU kernels that generated the
    pages, and the seed-0 values they drew."""
    from embeddings_explained.showcase import torch_version

    return {"torch": torch_version(), "cpu": cpu_kernels(), "values": seed_values()}


def reference() -> dict[str, typing.Any]:
    data: dict[str, typing.Any] = json.loads(REFERENCE.read_text(encoding="utf-8"))
    return data


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


def all_fragments(update: bool) -> dict[str, Callable[..., str]]:
    """The package's fragments, plus the torch version that generated the pages: the
    recorded one, or while ``--update-outputs`` regenerates them, the running one."""
    from embeddings_explained.showcase import FRAGMENTS, torch_version

    return {
        **FRAGMENTS,
        "torch-version": lambda: torch_version() if update else reference()["torch"],
    }


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Before anything runs: every page's markers are read strictly, and one clear message,
    instead of a failure on every page, when torch's stream moved."""
    pages = {item.path for item in items if item.path.suffix == ".md"}
    for item in items:
        callspec = getattr(item, "callspec", None)
        page = callspec.params.get("page") if callspec else None
        if isinstance(page, Path) and page.suffix == ".md":
            pages.add(page)
    problems = []
    for page in sorted(pages):
        try:
            markers(read_text(page), _rel(page))
        except MarkerError as error:
            problems.append(str(error))
    if problems:
        pytest.exit("malformed markers; nothing ran:\n" + "\n".join(problems), returncode=1)
    if config.stash[HARNESS].update or not any(
        str(item.path).endswith((".md", ".ipynb")) for item in items
    ):
        return
    problem = stream_problem(reference())
    if problem is not None:
        pytest.exit(problem, returncode=1)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """``make outputs`` writes here, once: every edit, only if the run completed and every
    test passed; otherwise nothing, and it says so."""
    harness = session.config.stash.get(HARNESS, None)
    if harness is None or not harness.update:
        return

    def say(text: str) -> None:  # shown last, in the summary
        harness.said = f"make outputs: {text}"

    if session.exitstatus == pytest.ExitCode.INTERRUPTED:
        say("interrupted, nothing written")
        return
    if session.testsfailed or session.exitstatus != pytest.ExitCode.OK:
        failed = f"{session.testsfailed} test(s) failed" if session.testsfailed else "run failed"
        say(f"nothing written, {failed}; fix them first")
        return
    try:
        contents = harness.edits.new_contents()
        if stream_problem(reference()) is not None:  # only then: its last bits vary by CPU
            record = stream_record()
            text = json.dumps({k: v for k, v in record.items() if k != "values"}, indent=2)
            values = json.dumps(record["values"])
            contents[REFERENCE] = (text[:-2] + f',\n  "values": {values}\n}}\n').encode()
        write_files(contents)
    except EditConflict as error:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        say(f"{error}; nothing written")
        return
    except KeyboardInterrupt:
        session.exitstatus = pytest.ExitCode.INTERRUPTED
        say("interrupted, nothing written")
        return
    say(", ".join(map(_rel, contents)) or "nothing to rewrite")


def pytest_terminal_summary(terminalreporter: typing.Any, config: pytest.Config) -> None:
    harness = config.stash.get(HARNESS, None)
    if harness is not None and harness.said:
        terminalreporter.write_line(harness.said)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


@functools.cache  # read once per run (loading its plugins imports nbconvert: ~1 s)
def mkdocs_config() -> typing.Any:
    """mkdocs.yml as mkdocs itself reads it (``!ENV`` and plugins resolved); one shared
    object per run, not to be changed."""
    from mkdocs.config import load_config

    return load_config(str(ROOT / "mkdocs.yml"))


def nav_pages() -> list[str]:
    """The docs/ file of every page in the nav, in order, as mkdocs' own navigation has it."""
    from mkdocs.structure.files import get_files
    from mkdocs.structure.nav import get_navigation

    config = mkdocs_config()
    nav = get_navigation(get_files(config), config)
    return [page.file.src_uri for page in nav.pages]


# --------------------------------------------------------------------------- one reporter


def describe_difference(where: str, line: int, what: str, shown: list[str], real: list[str]) -> str:
    """One message for every mismatch: the first line that differs, shown against real."""
    for k, (a, b) in enumerate(zip(shown, real, strict=False)):
        if a.rstrip() != b.rstrip():
            return f"{where}:{line + k}: {what} differs\n  page: {a.strip()}\n  real: {b.strip()}"
    if not shown:
        return f"{where}:{line}: {what}: the page shows nothing; real: {real[0].strip()!r}"
    return f"{where}:{line}: {what}: the page shows {len(shown)} line(s), real output {len(real)}"


# --------------------------------------------------------------------------- running blocks


class OutputMismatch(AssertionError):
    """A block printed something other than what its page shows, or a shape comment lied."""


@dataclass(frozen=True)
class OutputSite:
    end: int  # 1-based last line of the statement that printed; #> lines follow it
    indent: int  # its column, which the #> lines take


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


# A shape comment: "# (1, 2, 4)", "# (B, T, C) = (1, 2, 4)", or only "# (B, T, C)" (rank).
SHAPE_RE = re.compile(
    r"#\s*(?:\((?P<names>[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*\s*,?)\)(?:\s*=\s*)?)?"
    r"(?:\((?P<dims>\d+(?:\s*,\s*\d+)*\s*,?)\))?(?P<rest>.*)$"
)


@dataclass(frozen=True)
class ShapeComment:
    line: int  # 1-based, in the block's source
    col: int  # where the comment starts in that line
    names: tuple[str, ...] | None
    dims: tuple[int, ...] | None
    rest: str

    def render(self, shape: tuple[int, ...]) -> str:
        dims = "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
        names = f"({', '.join(self.names)}) = " if self.names else ""
        return f"# {names}{dims}{self.rest}"


def shape_comments(source: str) -> list[ShapeComment]:
    """The comments of ``source`` that state a shape."""
    found: list[ShapeComment] = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type != tokenize.COMMENT or tok.string.startswith("#>"):
            continue
        m = SHAPE_RE.match(tok.string)
        if not m or not (m["names"] or m["dims"]) or (m["rest"] and m["rest"][0] not in " ,;:"):
            continue
        names = tuple(n.strip() for n in m["names"].split(",") if n.strip()) if m["names"] else None
        if names and not m["dims"] and len(names) == 1 and not m["names"].rstrip().endswith(","):
            continue  # "# (optional)" is a remark; a one-name shape is written "(T,)"
        dims = tuple(int(d) for d in m["dims"].split(",") if d.strip()) if m["dims"] else None
        if names and dims and len(names) != len(dims):
            names = None  # "(B, T) = (1, 2, 4)": the numbers are the claim; the letters lie
        found.append(ShapeComment(tok.start[0], tok.start[1], names, dims, m["rest"]))
    return found


@dataclass
class BlockResult:
    problems: list[str] = field(default_factory=list)
    # (first line, how many lines, new lines) in the block's own line numbers
    rewrites: list[tuple[int, int, list[str], str]] = field(default_factory=list)


def run_block(
    source: str, filename: str, first: int, last: int, namespace: dict[str, typing.Any],
    where: str, update: bool,
) -> BlockResult:  # fmt: skip
    """Execute ``source`` in ``namespace``; check lines ``first..last`` (1-based) of it.

    Checks what each ``print`` wrote against the ``#>`` lines under it, and each shape
    comment against the shape of the tensor its line assigns.
    """
    result = BlockResult()
    lines = source.split("\n")
    tree = ast.parse(source, filename)
    statements = [n for n in ast.walk(tree) if isinstance(n, ast.stmt)]
    comments = [c for c in shape_comments(source) if first <= c.line <= last]
    checks = _insert_shape_checks(tree, statements, comments, result, where)

    def check_shape(value: object, line: int) -> None:
        comment = checks[line]
        shape = getattr(value, "shape", None)
        if shape is None:
            result.problems.append(
                f"{where}:{line}: a shape comment on a line that assigns "
                f"{type(value).__name__}, not a tensor"
            )
            return
        real = tuple(int(d) for d in shape)
        ok = len(real) == len(comment.names or real) and (comment.dims in (None, real))
        if ok:
            return
        if update and comment.dims is not None:
            new = lines[line - 1][: comment.col] + comment.render(real)
            result.rewrites.append((line, 1, [new], f"shape comment on line {line}"))
            return
        result.problems.append(
            f"{where}:{line}: the comment says shape "
            f"{comment.dims if comment.dims is not None else comment.names} "
            f"but the tensor has shape {real}"
        )

    recorder = _RecordingPrint(filename)
    namespace["print"] = recorder
    namespace["__ee_check_shape__"] = check_shape
    exec(compile(tree, filename, "exec", dont_inherit=True), namespace)

    printed_at: dict[OutputSite, str] = {}
    for line, text in recorder.records:
        site = _site_of(statements, line)
        if site is not None and first <= line <= last:
            printed_at[site] = printed_at.get(site, "") + text
    claimed: set[int] = set()
    for site, text in sorted(printed_at.items(), key=lambda kv: kv[0].end):
        printed = [ln.rstrip() for ln in text.rstrip("\n").split("\n")]
        shown, count = _shown_output(lines, site.end)
        claimed.update(range(site.end, site.end + count))
        if [s.rstrip() for s in shown] == printed:
            continue
        if update:
            pad = " " * site.indent
            new = [f"{pad}#> {ln}".rstrip() for ln in printed]
            result.rewrites.append((site.end + 1, count, new, f"output of line {site.end}"))
            continue
        result.problems.append(
            describe_difference(where, site.end + 1, "printed output", shown, printed)
        )
    for i in range(first - 1, min(last, len(lines))):
        if lines[i].lstrip().startswith("#>") and i not in claimed:
            if update:
                result.rewrites.append((i + 1, 1, [], f"orphan output line {i + 1}"))
                continue
            result.problems.append(
                f"{where}:{i + 1}: a #> output line that no print() above it produces"
            )
    return result


def _insert_shape_checks(
    tree: ast.Module,
    statements: list[ast.stmt],
    comments: list[ShapeComment],
    result: BlockResult,
    where: str,
) -> dict[int, ShapeComment]:
    """After each statement that a shape comment annotates, call ``__ee_check_shape__``."""
    checks: dict[int, ShapeComment] = {}
    after: dict[int, ast.stmt] = {}  # id of statement -> the check to run after it
    for comment in comments:
        holding = [s for s in statements if s.lineno <= comment.line <= (s.end_lineno or s.lineno)]
        stmt = min(holding, key=lambda s: (s.end_lineno or s.lineno) - s.lineno, default=None)
        target = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
        elif isinstance(stmt, ast.AnnAssign | ast.AugAssign):
            target = stmt.target
        if stmt is None or target is None or isinstance(target, ast.Tuple | ast.List | ast.Starred):
            result.problems.append(
                f"{where}:{comment.line}: a shape comment must sit on a line that assigns one "
                "tensor (x = ...  # (B, T, C) = (1, 2, 4))"
            )
            continue
        value = ast.parse(ast.unparse(target), mode="eval").body
        call = ast.Expr(
            ast.Call(
                ast.Name("__ee_check_shape__", ast.Load()),
                [value, ast.Constant(comment.line)],
                [],
            )
        )
        for node in ast.walk(call):
            ast.copy_location(node, stmt)
        checks[comment.line] = comment
        after[id(stmt)] = call

    def visit(node: ast.AST) -> None:
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                new: list[ast.stmt] = []
                for stmt in body:
                    visit(stmt)
                    new.append(stmt)
                    if id(stmt) in after:
                        new.append(after[id(stmt)])
                setattr(node, name, new)
        for handler in getattr(node, "handlers", []):
            visit(handler)

    visit(tree)
    return checks


@register_runner(default=True)
class CheckedOutputRunner(DefaultRunner):
    """pytest-markdown-docs' runner, plus: what a block prints must be shown under it, and
    its shape comments must be true."""

    harness = Harness(update=False)

    def runtest(
        self,
        test: FenceTestDefinition,
        args: dict[str, typing.Any],
        *,
        asyncio_runner: typing.Any = None,
    ) -> None:
        path = Path(test.source_path)
        lines = test.source.split("\n")
        first = test.start_line + 1  # 1-based first line of this block, on the page
        last = len(lines) - 1  # the source ends with the block's newline
        result = run_block(
            test.source, str(path), first, last, args, _rel(path), self.harness.update
        )
        page = self.harness.edits.text(path).split("\n")
        prefix = _prefix(page, lines, first, last)
        for start, count, new, what in result.rewrites:
            self.harness.edits.replace_lines(
                (path, None), start, count, [prefix + n for n in new], f"{what} of {_rel(path)}"
            )
        if result.problems:
            raise OutputMismatch("\n".join(result.problems))

    def repr_failure(
        self,
        test: FenceTestDefinition,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: typing.Any = None,
    ) -> str:
        if isinstance(excinfo.value, OutputMismatch):
            return f"{excinfo.value}\n(run `make outputs` to rewrite the page from a real run)"
        return str(super().repr_failure(test, excinfo, style))


def _prefix(page: list[str], code: list[str], first: int, last: int) -> str:
    """The indentation the page adds to the block's lines (inside an admonition or tab)."""
    for n in range(first, last + 1):
        if code[n - 1].strip() and page[n - 1].endswith(code[n - 1]):
            return page[n - 1][: len(page[n - 1]) - len(code[n - 1])]
    return ""


# --------------------------------------------------------------------------- notebooks


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(
    file_path: Path, parent: pytest.Collector
) -> Generator[None, list[pytest.Collector], list[pytest.Collector]]:
    """Notebooks are collected wherever pytest-markdown-docs collects pages; docstrings are
    read for code fences in the package only (``src/``: what readers see in help()), not in
    the tests, whose docstrings hold no examples and take a second to scan."""
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
        harness = self.config.stash[HARNESS]
        path = Path(self.path)
        harness.edits.text(path, 0)
        cells = json.loads(harness.edits.raw[path])["cells"]
        namespace: dict[str, typing.Any] = {"__name__": "__main__"}
        problems: list[str] = []
        for k, cell in enumerate(cells):
            if cell["cell_type"] != "code":
                continue
            source = harness.edits.text(path, k)
            where = f"{_rel(path)} cell {k + 1}"
            n = len(source.split("\n"))
            result = run_block(source, f"{path}#cell{k}", 1, n, namespace, where, harness.update)
            problems += result.problems
            problems += _undisplayed_value(source, where)
            for start, count, new, what in result.rewrites:
                harness.edits.replace_lines((path, k), start, count, new, f"{what} of {where}")
        if problems:
            raise OutputMismatch("\n".join(problems))

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: typing.Any = None,
    ) -> str:
        if isinstance(excinfo.value, OutputMismatch):
            return f"{excinfo.value}\n(run `make outputs` to rewrite the notebook from a real run)"
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.path.name}::cells"


def _undisplayed_value(source: str, where: str) -> list[str]:
    """Jupyter displays a cell's last bare expression: such output would go unchecked."""
    body = ast.parse(source).body
    if body and isinstance(body[-1], ast.Expr):
        value = body[-1].value
        if not (isinstance(value, ast.Call) and getattr(value.func, "id", "") == "print"):
            line = body[-1].lineno
            return [f"{where}:{line}: the cell ends in an expression whose value Jupyter shows "
                    "unchecked; print() it (with #> lines) or assign it (_ = ...)"]  # fmt: skip
    return []


# --------------------------------------------------------------------------- fragments

# <!-- gen:NAME arg1 arg2 -->shown<!-- /gen -->: the page chooses, through the arguments.
COMMENT_RE = re.compile(r"<!--(?P<body>.*?)(?:-->|\Z)", re.S)
OPENER_RE = re.compile(r" gen:(?P<name>[\w-]+)(?P<args>(?:[ \t]+[^\s>]+)*)[ \t]*")


class MarkerError(Exception):
    """A page whose markers cannot be read one way only: nothing may run or be written."""


@dataclass(frozen=True)
class Marker:
    name: str
    args: tuple[str, ...]
    line: int  # 1-based line of the opener
    start: int  # offsets of what it shows, between the opener and the closer
    end: int
    span: tuple[int, int]  # the whole marker, opener to closer


def markers(text: str, where: str) -> list[Marker]:
    """The page's ``<!-- gen:NAME args -->shown<!-- /gen -->`` markers, read strictly:
    every HTML comment on a page is an opener or a closer, each opener is closed before the
    next one, each closer closes one. Raises MarkerError naming each ``page:line``."""
    found: list[Marker] = []
    problems: list[str] = []
    opener: re.Match[str] | None = None

    def at(m: re.Match[str]) -> str:
        return f"{where}:{text.count(chr(10), 0, m.start()) + 1}"

    for m in COMMENT_RE.finditer(text):
        body, shown = m["body"], repr(m[0][:40] + ("…" if len(m[0]) > 40 else ""))
        if not m[0].endswith("-->"):
            problems.append(f"{at(m)}: {shown} is never closed with -->")
        elif OPENER_RE.fullmatch(body):
            if opener is not None:
                problems.append(
                    f"{at(opener)}: `{opener[0]}` is not closed before the marker at {at(m)} "
                    "(markers do not nest): add <!-- /gen --> after what it shows"
                )
            opener = m
        elif body == " /gen ":
            if opener is None:
                problems.append(f"{at(m)}: <!-- /gen --> closes no marker; remove it")
                continue
            o = OPENER_RE.fullmatch(opener["body"])
            assert o is not None
            line = text.count("\n", 0, opener.start()) + 1
            span = (opener.start(), m.end())
            args = tuple(o["args"].split())
            found.append(Marker(o["name"], args, line, opener.end(), m.start(), span))
            opener = None
        else:
            problems.append(
                f"{at(m)}: {shown} is not a marker: write <!-- gen:NAME args --> and "
                "<!-- /gen --> exactly so (pages hold no other HTML comments)"
            )
    if opener is not None:
        problems.append(
            f"{at(opener)}: `{opener[0]}` is never closed: add <!-- /gen --> after what it shows"
        )
    if problems:
        raise MarkerError("\n".join(problems))
    return found


def fragment_problems(
    path: Path,
    fragments: Mapping[str, Callable[..., str]],
    edits: PendingEdits | None = None,
) -> list[str]:
    """Compare every generated fragment of a page with what the package computes now.

    With ``edits`` (``--update-outputs``), differences become pending rewrites instead.
    """
    text = edits.text(path) if edits is not None else read_text(path)
    problems = []
    for m in markers(text, _rel(path)):
        name, shown, args, line = m.name, text[m.start : m.end], m.args, m.line
        if name not in fragments:
            problems.append(
                f"{_rel(path)}:{line}: unknown fragment {name!r}; "
                f"known: {', '.join(sorted(fragments))}"
            )
            continue
        try:
            computed = fragments[name](*args)
        except Exception as error:  # noqa: BLE001  (named with its page and line)
            problems.append(
                f"{_rel(path)}:{line}: fragment {name!r} {' '.join(args)}: "
                f"{type(error).__name__}: {error}"
            )
            continue
        expected = f"\n\n{computed}\n\n" if shown.startswith("\n") else computed
        if shown == expected:
            continue
        if edits is not None:
            what = f"fragment {name!r} at {_rel(path)}:{line}"
            edits.add((path, None), Edit(m.start, m.end, expected, what))
            continue
        shown_line = line + text.count("\n", m.span[0], m.start)
        problems.append(
            describe_difference(
                _rel(path),
                shown_line,
                f"fragment {name!r}",
                shown.split("\n"),
                expected.split("\n"),
            )  # fmt: skip
        )
    return problems


# --------------------------------------------------------------------------- guards

FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
PY_INFO_RE = re.compile(r"^(\{[^}]*\.(python3?|py)\b[^}]*\}|(python3?|py)\b)")


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


# A number a reader would read as a claim: digits standing alone, not part of a name or
# version (int64, GPT-2, U+FFFD, 2.14.1, 2-D), with thousands separators and decimals.
NUMBER_RE = re.compile(
    r"(?<![\w.+#/-])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w.]*\w)(?!-[A-Za-z])"
)


def _seed() -> int:
    from embeddings_explained.showcase import SEED

    return SEED


# Numbers that are not claims. Each rule is one regular expression; the guard blanks
# what they match before it looks for numbers.
ALLOWED: dict[str, str] = {
    "ordinal labels (Part 1, Step 2, Exercise 3)": (
        r"\b(?:Part|Step|Phase|Exercise|Question|Chapter|Section|Figure|Stage|Level|phase|step)"
        r"\s+\d+\b"
    ),
    "list and heading numbering (1., ## 2.)": r"^[ \t]*(?:#{1,6} )?\d+\.(?=[ \t])",
    "years in citations": (
        r"(?:(?<=\()|(?<=, )|(?<=et al\. )|(?<=\bin ))(?:1[89]\d\d|20\d\d)(?=[),;:]|$|\s)"
    ),
    "the standard normal N(0, 1)": r"\bN\(0, ?1\)",
    "the seed, checked against showcase.SEED": rf"\b[Ss]eed:? {_seed()}\b",
    "Unicode code points (U+FFFD)": r"\bU\+[0-9A-Fa-f]{4,6}\b",
    "issue and pull-request numbers (#664)": r"#\d+\b",
    "code in inline code: a call or an index (`unsqueeze(0)`, `ids[:, -8:]`)": (
        r"`[^`\n]*?\w[(\[][^`\n]*`"
    ),
    "link targets and HTML tags": r"\]\([^)]*\)|<[^>\n]*>|https?://\S+",
}
_ALLOWED_RE = re.compile("|".join(f"(?:{r})" for r in ALLOWED.values()), re.M)


def _blank(m: re.Match[str]) -> str:
    return _blank_text(m.group(0))


def _blank_text(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def unchecked_numbers(text: str) -> list[tuple[int, str]]:
    """Numbers a reader would see that no check stands behind: ``(line, number)``.

    Executed Python blocks are checked by the runner: their ``#>`` lines and shape
    comments; every other comment in them is prose. Fragments are checked by their
    generator. Everything else (prose, tables, admonitions, alt text, text blocks,
    headings) is reported, except what the rules in ``ALLOWED`` match.
    """
    masked = text
    for m in reversed(markers(text, "page")):
        masked = (
            masked[: m.span[0]] + _blank_text(masked[m.span[0] : m.span[1]]) + masked[m.span[1] :]
        )
    lines = masked.split("\n")
    for start, _indent, info, body in fences(masked):
        if is_python(info) and not is_notest(info):
            kept = _prose_comments("\n".join(body))
            for k in range(start - 1, start + len(body) + 1):
                lines[k] = kept.get(k - start + 1, "")
    masked = _ALLOWED_RE.sub(_blank, "\n".join(lines))
    found = []
    for n, line in enumerate(masked.split("\n"), 1):
        found += [(n, number.group(0)) for number in NUMBER_RE.finditer(line)]
    return found


def _prose_comments(source: str) -> dict[int, str]:
    """The comments of a code block that are prose: not #> output, not shape comments."""
    import textwrap

    source = textwrap.dedent(source)
    shapes = {c.line for c in shape_comments(source)} if _parses(source) else set()
    out: dict[int, str] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return out
    for tok in tokens:
        if tok.type == tokenize.COMMENT and not tok.string.startswith("#>"):
            if tok.start[0] in shapes:
                m = SHAPE_RE.match(tok.string)
                out[tok.start[0]] = m["rest"] if m else ""
            else:
                out[tok.start[0]] = tok.string
    return out


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


def notebook_unchecked_numbers(path: Path) -> list[tuple[str, int, str]]:
    """Like :func:`unchecked_numbers`, for a notebook: its markdown cells and the prose
    comments of its code cells. Returns ``(cell label, line, number)``."""
    found = []
    for k, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        source = _cell_source(cell)
        if cell["cell_type"] == "markdown":
            numbers = unchecked_numbers(source)
        else:
            text = "\n".join(
                _prose_comments(source).get(n, "") for n in range(1, source.count("\n") + 2)
            )
            numbers = unchecked_numbers(text)
        found += [(f"cell {k + 1}", line, number) for line, number in numbers]
    return found
