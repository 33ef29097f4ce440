"""A page of the site as a Jupyter notebook: its prose in markdown cells, its code in code cells.

- The code cells are exactly the page's executed Python blocks (```` ```python ```` and
  ```` ```{.python continuation} ````, also inside admonitions and content tabs), in page
  order, in one namespace, which is how the page reads. Their ``#>`` lines stay, as
  comments that show the expected output.
- Blocks marked ``notest`` stay in the prose as code, with ``--8<--`` includes of the
  package's source resolved (the notebook has no site to include from).
- Admonitions and tabs become a bold title and their body; the generated-number markers
  (``<!-- gen:... -->``) are dropped and the numbers they hold kept; links to other pages
  and assets point at the published site.

``downloads.py`` (the build hook) writes one notebook per page with code; the tests run
every code cell of every page's notebook.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

__all__ = ["notebook_cells", "notebook_json", "notebook_uri"]

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>.*)$")
PYTHON = re.compile(r"^(\{[^}]*\.(python3?|py)\b[^}]*\}|(python3?|py)\b)")
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
    """Where a page's notebook is published: ``notebooks/initialization.ipynb``."""
    return "notebooks/" + src_uri.removesuffix(".md").replace("/", "-") + ".ipynb"


def _executed(info: str) -> bool:
    return bool(PYTHON.match(info)) and "notest" not in info.strip("{}").split()


def _snippet(path: str, section: str | None, root: Path) -> list[str]:
    """The lines pymdownx.snippets would include: a whole file, or one marked section."""
    lines = (root / path).read_text(encoding="utf-8").splitlines()
    if section is None:
        return lines
    start = next(i for i, ln in enumerate(lines) if f"--8<-- [start:{section}]" in ln)
    end = next(i for i, ln in enumerate(lines) if f"--8<-- [end:{section}]" in ln)
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


def notebook_cells(markdown: str, root: Path, site_url: str) -> list[Cell]:
    """The page's cells, in order; ``root`` is where ``--8<--`` paths start."""
    lines = COMMENT.sub("", markdown).split("\n")
    cells: list[Cell] = []
    prose: list[str] = []
    boxes: list[int] = []  # indents of the open admonitions and tabs

    def flush(kind: str, body: list[str]) -> None:
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(body).strip("\n"))
        if text.strip():
            cells.append((kind, text))

    i = 0
    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip())
        while boxes and line.strip() and indent <= boxes[-1]:
            boxes.pop()
        inner = boxes[-1] + 4 if boxes else 0
        fence = FENCE.match(line)
        if fence:
            mark, info, pad = fence["fence"], fence["info"].strip(), len(fence["indent"])
            body = []
            i += 1
            while i < len(lines) and not (
                lines[i].strip().startswith(mark) and set(lines[i].strip()) <= {mark[0]}
            ):
                body.append(_dedent(lines[i], pad))
                i += 1
            i += 1  # the closing fence
            if _executed(info):
                flush("markdown", prose)
                prose = []
                flush("code", body)
                continue
            resolved: list[str] = []
            for b in body:
                m = SNIPPET.match(b)
                resolved += _snippet(m["path"], m["section"], root) if m else [b]
            lang = info.strip("{}").split()[0].lstrip(".") if info else ""
            prose += [f"```{lang}", *resolved, "```"]
            continue
        box = BLOCK_TITLE.match(line)
        if box and (line.lstrip().startswith(("!!!", "???", "==="))):
            title = box["title"] or box["kind"].capitalize()
            prose += [f"**{title}**", ""] if title else [""]
            boxes.append(indent)
            i += 1
            continue
        snippet = SNIPPET.match(line)
        if snippet:
            prose += _snippet(snippet["path"], snippet["section"], root)
        else:
            text = _dedent(line, inner)
            text = LOCAL_LINK.sub(lambda m: f"]({_link(m['target'], site_url)})", text)
            prose.append(ATTR_LIST.sub("", text))
        i += 1
    flush("markdown", prose)
    return cells


def notebook_json(markdown: str, root: Path, site_url: str, install: str) -> str | None:
    """The page as an ``.ipynb`` (nbformat 4), or None when it has no code to run.

    ``install`` is the pip requirement of the package; a first, commented cell shows it.
    """
    cells = notebook_cells(markdown, root, site_url)
    if not any(kind == "code" for kind, _ in cells):
        return None
    setup = f'# Needs the package; in a fresh environment, uncomment:\n# %pip install "{install}"'
    cells.insert(0, ("code", setup))
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
