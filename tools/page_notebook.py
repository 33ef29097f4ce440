"""A page of the site as a Jupyter notebook: its prose in markdown cells, its code in code cells.

- The code cells are exactly the page's executed Python blocks (```` ```python ```` and
  ```` ```{.python continuation} ````, also inside admonitions and content tabs), in page
  order, in one namespace, which is how the page reads. Their ``#>`` lines stay, as
  comments that show the expected output.
- Blocks marked ``notest`` stay in the prose as code. ``--8<--`` includes of the package's
  source are resolved everywhere (the notebook has no site to include from); one that
  names a missing file or section is a ``ValueError`` with the page and line.
- Admonitions and tabs become a bold title and their body; the generated-number markers
  (``<!-- gen:... -->``) are dropped and the numbers they hold kept; links to other pages
  and assets point at the published site.

``tools.prebuild`` makes one notebook per page with code; the tests run every code cell of
every page's notebook.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tools.fences import fences, runs, words

__all__ = ["install_cell", "notebook_cells", "notebook_json", "notebook_uri", "snippet"]

BLOCK_TITLE = re.compile(
    r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?|===)\s*(?P<kind>[\w-]*)\s*(?:"(?P<title>[^"]*)")?\s*$'
)
SNIPPET = re.compile(
    r'^(?P<indent>[ \t]*)-{1,3}8<-{1,3}\s+"(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"\s*$'
)
COMMENT = re.compile(r"<!--.*?-->", re.S)
ATTR_LIST = re.compile(r"(?<=\))\{[^}\n]*\}")  # { width="427" } after an image or link
LOCAL_LINK = re.compile(r"\]\((?!https?://|#|mailto:)(?P<target>[^)\s]+)\)")

Cell = tuple[str, str]  # ("markdown" | "code", source)


def notebook_uri(src_uri: str) -> str:
    """Where a page's notebook is published: ``notebooks/initialization.ipynb`` for
    ``initialization.md``, ``notebooks/complete-flow.ipynb`` for ``complete-flow.ipynb``."""
    stem = src_uri.removesuffix(".md").removesuffix(".ipynb")
    return "notebooks/" + stem.replace("/", "-") + ".ipynb"


def snippet(path: str, section: str | None, root: Path) -> list[str]:
    """The lines pymdownx.snippets would include: a whole file, or one marked section.

    A file or section that is not there is a ``ValueError`` that names it and the sections
    the file has.
    """
    if not (root / path).is_file():
        raise ValueError(f"snippet file {path!r} does not exist (paths start at {root})")
    lines = (root / path).read_text(encoding="utf-8").splitlines()
    if section is None:
        return lines
    marks = [re.search(r"--8<-- \[(start|end):([\w-]+)\]", ln) for ln in lines]
    starts = [i for i, m in enumerate(marks) if m and m[1] == "start" and m[2] == section]
    ends = [i for i, m in enumerate(marks) if m and m[1] == "end" and m[2] == section]
    if not starts or not ends or ends[0] < starts[0]:
        known = sorted({m[2] for m in marks if m and m[1] == "start"})
        raise ValueError(
            f"snippet section {section!r} is not in {path} (its sections: {', '.join(known)}); "
            f'write "{path}:SECTION" with one of them'
        )
    start, end = starts[0], ends[0]
    body = lines[start + 1 : end]
    while body and not body[-1].strip():
        body.pop()
    pad = min((len(ln) - len(ln.lstrip()) for ln in body if ln.strip()), default=0)
    return [ln[pad:] for ln in body]


def _dedent(line: str, n: int) -> str:
    """``line`` without the first ``n`` columns of indentation (fewer if it has fewer)."""
    return line[min(n, len(line) - len(line.lstrip())) :]


def _link(target: str, site_url: str) -> str:
    """A link of the page, as it reads from outside the site: ``forward-pass.md#x`` ->
    ``<site>/forward-pass/#x``, ``assets/a.svg`` -> ``<site>/assets/a.svg``."""
    path, _, anchor = target.partition("#")
    if path.endswith(".md"):
        path = "" if path == "index.md" else path.removesuffix(".md") + "/"
    elif path.endswith(".ipynb"):
        path = path.removesuffix(".ipynb") + "/"
    return site_url.rstrip("/") + "/" + path + (f"#{anchor}" if anchor else "")


def notebook_cells(markdown: str, root: Path, site_url: str, where: str = "page") -> list[Cell]:
    """The page's cells, in order; ``root`` is where ``--8<--`` paths start.

    A ``--8<--`` include that cannot be resolved is a ``ValueError`` naming ``where`` (the
    page's path) and the line: ``docs/initialization.md:40: snippet section 'forwardd' ...``.
    """
    try:
        return _cells(markdown, root, site_url)
    except _LineError as e:
        raise ValueError(f"{where}:{e.line}: {e.args[0]}") from None


class _LineError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _include(m: re.Match[str], root: Path, line: int) -> list[str]:
    try:
        return snippet(m["path"], m["section"], root)
    except ValueError as e:
        raise _LineError(line, str(e)) from None


def _cells(markdown: str, root: Path, site_url: str) -> list[Cell]:
    # comments blanked, not removed, so that line numbers stay those of the page
    lines = COMMENT.sub(lambda m: "\n" * m.group().count("\n"), markdown).split("\n")
    cells: list[Cell] = []
    prose: list[str] = []
    boxes: list[int] = []  # indents of the open admonitions and tabs

    def flush(kind: str, body: list[str]) -> None:
        text = "\n".join(body).strip("\n")
        if kind == "markdown":  # where markers and includes were, one blank line; code as is
            text = re.sub(r"\n{3,}", "\n\n", text)
        if text.strip():
            cells.append((kind, text))

    blocks = {f.line - 1: f for f in fences("\n".join(lines))}  # by the line that opens each
    i = 0
    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip())
        while boxes and line.strip() and indent <= boxes[-1]:
            boxes.pop()
        inner = boxes[-1] + 4 if boxes else 0
        if i in blocks:
            fence, resolved = blocks[i], []
            for k, b in enumerate(fence.body):
                m = SNIPPET.match(b)
                resolved += _include(m, root, fence.line + 1 + k) if m else [b]
            i = fence.end - 1
            if runs(fence.info):
                flush("markdown", prose)
                prose = []
                flush("code", resolved)
                continue
            prose += [f"```{(words(fence.info) or [''])[0]}", *resolved, "```"]
            continue
        box = BLOCK_TITLE.match(line)
        if box and (line.lstrip().startswith(("!!!", "???", "==="))):
            title = box["title"] or box["kind"].capitalize()
            prose += [f"**{title}**", ""] if title else [""]
            boxes.append(indent)
            i += 1
            continue
        include = SNIPPET.match(line)
        if include:
            prose += _include(include, root, i + 1)
        else:
            text = _dedent(line, inner)
            text = LOCAL_LINK.sub(lambda m: f"]({_link(m['target'], site_url)})", text)
            prose.append(ATTR_LIST.sub("", text))
        i += 1
    flush("markdown", prose)
    return cells


def install_cell(wheel_url: str) -> str:
    """A notebook's first cell: it installs the package from ``wheel_url`` (the wheel built
    with the site) where it is missing, as in Colab, and does nothing where it is there.
    Plain Python, no ``%pip``, so that it runs as it reads anywhere."""
    return (
        "# The package as it was when this site was built (Colab has PyTorch already).\n"
        "# Where the package is installed, this cell does nothing.\n"
        "import importlib.util\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        'if importlib.util.find_spec("embeddings_explained") is None:\n'
        f"    wheel = {json.dumps(wheel_url)}\n"
        '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", wheel], check=True)\n'
        "    importlib.invalidate_caches()  # so that this running Python finds it"
    )


def notebook_json(
    markdown: str, root: Path, site_url: str, wheel_url: str, where: str = "page"
) -> str | None:
    """The page as an ``.ipynb`` (nbformat 4), or None when it has no code to run.

    Its first cell installs the package from ``wheel_url`` (:func:`install_cell`).
    """
    cells = notebook_cells(markdown, root, site_url, where)
    if not any(kind == "code" for kind, _ in cells):
        return None
    cells.insert(0, ("code", install_cell(wheel_url)))
    nb = {
        "cells": [_cell(kind, source) for kind, source in cells],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 4,
    }
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def _cell(kind: str, source: str) -> dict[str, object]:
    cell: dict[str, object] = {
        "cell_type": kind,
        "metadata": {},
        "source": source.splitlines(keepends=True),
    }
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell
