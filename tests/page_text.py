"""What the docs harness (tests/docs_harness.py) reads and writes in a page, without pytest:
files written back exactly, whole or not at all; the one fence reader; the strict markers;
edits against the text as read, applied once, bottom-up, overlaps refused (pytest-examples'
``modify_files``); shape comments; the number guard."""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import json
import os
import re
import shutil
import signal
import textwrap
import tokenize
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path

from markdown_it import MarkdownIt


def decode(data: bytes) -> str:
    """A file's text with "\\n" line ends, without its BOM."""
    return data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")


def encode(text: str, like: bytes) -> bytes:
    """``text`` with the BOM and the line ends of the file whose bytes are ``like``."""
    bom = "\ufeff" if like.startswith("\ufeff".encode()) else ""
    return (bom + text.replace("\n", "\r\n" if b"\r\n" in like else "\n")).encode()


def read_text(path: Path) -> str:
    return decode(path.read_bytes())


def write_files(contents: Mapping[Path, bytes]) -> None:
    """Write every file whole, or none: each to a temporary file beside it (mode kept), then,
    all on disk, renamed over the originals with SIGINT and SIGTERM held until the last."""
    temps = {path: path.with_name(f".{path.name}.{os.getpid()}.tmp") for path in contents}
    try:
        for path, temp in temps.items():
            with open(temp, "wb") as file:
                file.write(contents[path])
                file.flush()
                os.fsync(file.fileno())
            shutil.copymode(path, temp)
        with _signals_held():
            for path, temp in temps.items():
                os.replace(temp, path)
            temps.clear()
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait for the block, then act (a signal mask would not hold them:
    another thread may take the signal)."""
    held: list[int] = []
    wanted = (signal.SIGINT, signal.SIGTERM)
    old = {s: signal.signal(s, lambda signum, frame: held.append(signum)) for s in wanted}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        if held:
            signal.raise_signal(held[0])


@functools.cache
def markdown_parser() -> MarkdownIt:
    from mdformat_mkdocs.mdit_plugins import material_admon_plugin, material_content_tabs_plugin

    return MarkdownIt("commonmark").use(material_admon_plugin).use(material_content_tabs_plugin)


class Fence(typing.NamedTuple):
    line: int  # of the opening fence, 1-based
    indent: str  # before the fence on its line (inside an admonition or tab)
    info: str  # "python", "{.python continuation}", "text", ...
    body: list[str]  # the lines inside, without the container's indentation


def fences(text: str) -> list[Fence]:
    lines, found = text.split("\n"), []
    for t in markdown_parser().parse(text):
        if t.type == "fence" and t.map:
            opener = lines[t.map[0]]
            indent = opener[: len(opener) - len(opener.lstrip())]
            found.append(Fence(t.map[0] + 1, indent, t.info.strip(), t.content.split("\n")[:-1]))
    return found


def hidden_fences(text: str) -> list[int]:
    """Lines that open a fence read as something else (HTML, indented code): it never runs."""
    return [
        t.map[0] + 1 + k
        for t in markdown_parser().parse(text)
        if t.type in ("inline", "code_block", "html_block") and t.map
        for k, line in enumerate(t.content.split("\n"))
        if line.lstrip().startswith(("```", "~~~"))
    ]


def _words(info: str) -> list[str]:
    """An info string's words, the language first, as pytest-markdown-docs reads them."""
    words = info.strip().strip("{}").split()
    lang = next((w for w in words if w.startswith(".")), None) if info.strip()[:1] == "{" else None
    return [lang[1:], *(w for w in words if w != lang)] if lang else words


def is_python(info: str) -> bool:
    return _words(info)[:1] in (["py"], ["python"], ["python3"])


def runs(info: str) -> bool:
    return is_python(info) and "notest" not in _words(info)


COMMENT_RE = re.compile(r"<!--(?P<body>.*?)(?:-->|\Z)", re.S)
OPENER_RE = re.compile(r" gen:(?P<name>[\w-]+)(?P<args>(?:[ \t]+[^\s>]+)*)[ \t]*")


class MarkerError(Exception):
    """Markers that cannot be read one way only: nothing may run or be written."""


class Marker(typing.NamedTuple):
    name: str
    args: tuple[str, ...]
    line: int  # of the opener, 1-based
    start: int  # what it shows: text[start:end], between the opener and the closer
    end: int
    span: tuple[int, int]  # opener to closer


def markers(text: str, where: str) -> list[Marker]:
    """The page's markers, read strictly: every HTML comment is an opener or a closer, each
    opener closed before the next, each closer closing one; else MarkerError naming
    ``page:line`` and what is wrong."""
    found, problems, opener = [], [], None

    def at(m: re.Match[str]) -> str:
        return f"{where}:{text.count(chr(10), 0, m.start()) + 1}"

    for m in COMMENT_RE.finditer(text):
        shown = repr(m[0][:40] + ("…" if len(m[0]) > 40 else ""))
        if not m[0].endswith("-->"):
            problems.append(f"{at(m)}: {shown} is never closed with -->")
        elif OPENER_RE.fullmatch(m["body"]):
            if opener:
                problems.append(
                    f"{at(opener)}: `{opener[0]}` is not closed before the marker at {at(m)} "
                    "(markers do not nest): add <!-- /gen --> after what it shows"
                )
            opener = m
        elif m["body"] == " /gen " and opener:
            name, *args = opener["body"].split()
            line = text.count("\n", 0, opener.start()) + 1
            span = (opener.start(), m.end())
            found.append(Marker(name[4:], tuple(args), line, opener.end(), m.start(), span))
            opener = None
        elif m["body"] == " /gen ":
            problems.append(f"{at(m)}: <!-- /gen --> closes no marker; remove it")
        else:
            problems.append(
                f"{at(m)}: {shown} is not a marker: write <!-- gen:NAME args --> and "
                "<!-- /gen --> exactly so (pages hold no other HTML comments)"
            )
    if opener:
        problems.append(
            f"{at(opener)}: `{opener[0]}` is never closed: add <!-- /gen --> after what it shows"
        )
    if problems:
        raise MarkerError("\n".join(problems))
    return found


class EditConflict(Exception):
    """Two rewrites of the same place, or a file that changed while the run read it."""


class Edit(typing.NamedTuple):
    start: int  # offsets into the text as first read
    end: int
    text: str
    what: str  # which check asked for it, for messages


Unit = tuple[Path, int | None]  # a page, or (notebook, cell index)


class PendingEdits:
    """The edits of each page and notebook cell, against the text as first read."""

    def __init__(self) -> None:
        self.files: dict[Path, bytes] = {}
        self.edits: dict[Unit, list[Edit]] = {}

    def text(self, path: Path, cell: int | None = None) -> str:
        if path not in self.files:
            self.files[path] = path.read_bytes()
        text = decode(self.files[path])
        return text if cell is None else cell_source(json.loads(text)["cells"][cell])

    def add(self, unit: Unit, edit: Edit) -> None:
        self.text(*unit)
        edits = self.edits.setdefault(unit, [])
        if edit not in edits:
            edits.append(edit)

    def replace_lines(
        self, unit: Unit, first: int, count: int, lines: list[str], what: str
    ) -> None:
        self.add(unit, line_edit(self.text(*unit), first, count, lines, what))

    def new_contents(self) -> dict[Path, bytes]:
        """The new bytes of each file that changes; raises EditConflict and writes nothing."""
        out = {}
        for path, raw in self.files.items():
            if not any(unit[0] == path for unit in self.edits):
                continue
            if path.read_bytes() != raw:
                raise EditConflict(f"{path}: changed on disk during the run; rerun")
            if encode(decode(raw), raw) != raw:
                raise EditConflict(
                    f"{path}: mixes CRLF and LF line endings, which a rewrite would not keep; "
                    "give it one kind"
                )
            if path.suffix == ".ipynb":
                nb = json.loads(decode(raw))
                for k, cell in enumerate(nb["cells"]):
                    if (path, k) in self.edits:
                        new = _apply(cell_source(cell), self.edits[path, k], f"{path} cell {k + 1}")
                        cell["source"] = new.splitlines(keepends=True)
                new = json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
            else:
                new = _apply(decode(raw), self.edits[path, None], str(path))
            if encode(new, raw) != raw:
                out[path] = encode(new, raw)
        return out

    def apply(self) -> list[Path]:
        """Write the changed files, all or none; returns them."""
        changed = self.new_contents()
        write_files(changed)
        self.edits.clear()
        return list(changed)


def line_edit(text: str, first: int, count: int, lines: list[str], what: str) -> Edit:
    """Replace ``count`` lines from 1-based line ``first`` (count 0: insert before it)."""
    offsets = [0, *(m.end() for m in re.finditer("\n", text)), len(text)]
    start, end = offsets[first - 1], offsets[first - 1 + count]
    new = "".join(line + "\n" for line in lines)
    if end == len(text) and text and not text.endswith("\n"):  # a last line without "\n"
        new = new.removesuffix("\n") if count else "\n" + new.removesuffix("\n")
    return Edit(start, end, new, what)


def _apply(text: str, edits: list[Edit], where: str) -> str:
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.start < a.end or (a.start, a.end) == (b.start, b.end):
            raise EditConflict(
                f"{where}:{text.count(chr(10), 0, b.start) + 1}: two rewrites of the same text "
                f"({a.what}; {b.what}); no file was changed. Fix the page by hand so that each "
                "place has one source."
            )
    for e in reversed(ordered):  # bottom-up: each edit's offsets are still those as read
        text = text[: e.start] + e.text + text[e.end :]
    return text


def cell_source(cell: Mapping[str, typing.Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


# "# (1, 2, 4)", "# (B, T, C) = (1, 2, 4)", or only "# (B, T, C)" (the rank).
SHAPE_RE = re.compile(
    r"#\s*(?:\((?P<names>[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*\s*,?)\)(?:\s*=\s*)?)?"
    r"(?:\((?P<dims>\d+(?:\s*,\s*\d+)*\s*,?)\))?(?P<rest>.*)$"
)


class ShapeComment(typing.NamedTuple):
    line: int  # 1-based, in the block's source
    col: int  # where the comment starts in that line
    names: tuple[str, ...] | None
    dims: tuple[int, ...] | None
    rest: str

    def render(self, shape: tuple[int, ...]) -> str:
        dims = "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
        names = "(" + ", ".join(self.names) + ") = " if self.names else ""
        return f"# {names}{dims}{self.rest}"


def comments(source: str) -> list[tokenize.TokenInfo]:
    """The comments of a Python source that are not ``#>`` output lines."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [t for t in tokens if t.type == tokenize.COMMENT and not t.string.startswith("#>")]


def shape_comments(source: str) -> list[ShapeComment]:
    found = []
    for tok in comments(source):
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


# A number a reader would read as a claim: digits standing alone, not part of a name or
# version (int64, GPT-2, U+FFFD, 2.14.1, 2-D), with thousands separators and decimals.
NUMBER_RE = re.compile(
    r"(?<![\w.+#/-])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\w.]*\w)(?!-[A-Za-z])"
)
# Numbers that are not claims, one rule each; the guard blanks what they match.
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
    "the seed, checked against showcase.SEED": r"\b[Ss]eed:? (?P<seed>\d+)\b",
    "Unicode code points (U+FFFD)": r"\bU\+[0-9A-Fa-f]{4,6}\b",
    "issue and pull-request numbers (#664)": r"#\d+\b",
    "link targets and HTML tags": r"\]\([^)]*\)|<[^>\n]*>|https?://\S+",
}
_ALLOWED_RE = re.compile("|".join(f"(?:{r})" for r in ALLOWED.values()), re.M)


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def unchecked_numbers(text: str, code: str = "") -> list[tuple[int, str]]:
    """Numbers a reader would see that no check stands behind: ``(line, number)``.

    Executed blocks are checked by the runner (their comments other than shapes are prose),
    fragments by their generator. Inline code passes when it quotes the page's executed code
    or output (``code`` adds more: a notebook's cells), or when each of its numbers is a
    keyword naming one of ``showcase.FACTS`` with that value (``vocab_size=256``).
    """
    from embeddings_explained.showcase import SEED

    for m in reversed(markers(text, "page")):
        text = text[: m.span[0]] + _blank(text[m.span[0] : m.span[1]]) + text[m.span[1] :]
    lines = text.split("\n")
    for fence in fences(text):
        if runs(fence.info):
            code += "\n" + "\n".join(fence.body)
            kept = prose_comments("\n".join(fence.body))
            for k in range(fence.line - 1, min(fence.line + len(fence.body) + 1, len(lines))):
                lines[k] = kept.get(k - fence.line + 1, "")
    text = re.sub(
        r"`([^`\n]+)`", lambda m: _blank(m[0]) if _quoted(m[1], code) else m[0], "\n".join(lines)
    )
    seed = str(SEED)  # any other seed is a claim
    text = _ALLOWED_RE.sub(lambda m: m[0] if m["seed"] not in (None, seed) else _blank(m[0]), text)
    return [
        (n, m[0]) for n, line in enumerate(text.split("\n"), 1) for m in NUMBER_RE.finditer(line)
    ]


def _quoted(span: str, code: str) -> bool:
    """Whether inline code quotes ``code`` (whole: `x = 2` is not in ``x = 20``), or every
    number in it is ``name=value`` for a fact of the package."""
    from embeddings_explained.showcase import FACTS

    if re.search("[A-Za-z_]", span) and re.search(rf"(?<![\w.]){re.escape(span)}(?![\w.])", code):
        return True
    try:
        nodes = list(ast.walk(ast.parse(span, mode="eval")))
    except SyntaxError:
        return False
    numbers = [n for n in nodes if isinstance(n, ast.Constant) and type(n.value) in (int, float)]
    facts = [k for k in nodes if isinstance(k, ast.keyword) and k.arg in FACTS]
    named = [k.value for k in facts if getattr(k.value, "value", None) == FACTS[str(k.arg)]()]
    return bool(numbers) and all(any(n is v for v in named) for n in numbers)


def prose_comments(source: str) -> dict[int, str]:
    """The comments of a code block that are prose, by line: not ``#>`` output or a shape."""
    source = textwrap.dedent(source)
    shapes = {c.line: c.rest for c in shape_comments(source)}
    return {t.start[0]: shapes.get(t.start[0], t.string) for t in comments(source)}


def notebook_unchecked_numbers(path: Path) -> list[tuple[str, int, str]]:
    """unchecked_numbers of the markdown and comments of a notebook: ``(cell, line, number)``."""
    cells = json.loads(read_text(path))["cells"]
    code = "\n".join(cell_source(c) for c in cells if c["cell_type"] == "code")
    found = []
    for k, cell in enumerate(cells):
        source = cell_source(cell)
        if cell["cell_type"] != "markdown":
            prose = prose_comments(source)
            source = "\n".join(prose.get(n, "") for n in range(1, source.count("\n") + 2))
        found += [(f"cell {k + 1}", line, n) for line, n in unchecked_numbers(source, code)]
    return found
