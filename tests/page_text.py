"""What the docs harness reads and writes in a page, without pytest (its fences come from
tools/fences.py): the strict markers, shape comments, and edits against the text as read,
applied once, bottom-up, overlaps refused (as pytest-examples' ``modify_files``)."""

from __future__ import annotations

import io
import json
import re
import tokenize
import typing
from collections.abc import Mapping
from pathlib import Path


def decode(data: bytes) -> str:
    """A file's text with "\\n" line ends, without its BOM."""
    return data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")


def encode(text: str, like: bytes) -> bytes:
    """``text`` with the BOM and the line ends of the file whose bytes are ``like``."""
    bom = "\ufeff" if like.startswith("\ufeff".encode()) else ""
    return (bom + text.replace("\n", "\r\n" if b"\r\n" in like else "\n")).encode()


def read_text(path: Path) -> str:
    return decode(path.read_bytes())


def cell_source(cell: Mapping[str, typing.Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


# ------------------------------------------------------------------------------ markers

COMMENT_RE = re.compile(r"<!--(?P<body>.*?)(?:-->|\Z)", re.S)
OPENER_RE = re.compile(r" gen:(?P<name>[\w-]+)(?P<args>(?:[ \t]+[^\s>]+)*)[ \t]*")
CLOSER = " /gen "


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
    """The page's markers, read strictly: every HTML comment opens or closes one, each opener
    closed before the next; else MarkerError naming ``page:line`` and the fix."""
    found, problems, opener, at_opener = [], [], None, ""
    for m in COMMENT_RE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        at, shown = f"{where}:{line}", repr(m[0][:40] + ("…" if len(m[0]) > 40 else ""))
        if not m[0].endswith("-->"):
            problems.append(f"{at}: {shown} is never closed with -->")
        elif OPENER_RE.fullmatch(m["body"]):
            if opener:
                problems.append(
                    f"{at_opener}: `{opener[0]}` is not closed before the marker "
                    f"at {at} (markers do not nest): add <!-- /gen --> after it"
                )
            opener, at_opener, opener_line = m, at, line
        elif m["body"] == CLOSER and opener:
            name, *args = opener["body"].split()
            span = (opener.start(), m.end())
            found.append(Marker(name[4:], tuple(args), opener_line, opener.end(), m.start(), span))
            opener = None
        elif m["body"] == CLOSER:
            problems.append(f"{at}: <!-- /gen --> closes no marker; remove it")
        else:
            problems.append(
                f"{at}: {shown} is not a marker: write <!-- gen:NAME args --> "
                "and <!-- /gen --> exactly (pages hold no other HTML comments)"
            )
    if opener:
        problems.append(f"{at_opener}: `{opener[0]}` is never closed: add <!-- /gen --> after it")
    if problems:
        raise MarkerError("\n".join(problems))
    return found


# -------------------------------------------------------------------------------- edits


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

    def new_contents(self) -> dict[Path, bytes]:
        """The new bytes of each file that changes; EditConflict if any cannot be made."""
        out = {}
        for path, raw in self.files.items():
            if not any(unit[0] == path for unit in self.edits):
                continue
            if path.read_bytes() != raw:
                raise EditConflict(f"{path}: changed on disk during the run; rerun")
            if encode(decode(raw), raw) != raw:
                raise EditConflict(f"{path}: mixes CRLF and LF line endings, which a rewrite "
                                   "would not keep; give it one kind")  # fmt: skip
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


# ----------------------------------------------------------------------- shape comments

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
