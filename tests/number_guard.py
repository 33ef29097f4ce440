"""The number guard: every number a reader sees on a page has a check behind it.

Executed blocks are checked by the docs harness, fragments by their generator; what is
left (prose, tables, headings, alt text, code comments, inline code, a notebook's
markdown) must hold no number, except the forms in ``ALLOWED``, one rule each."""

from __future__ import annotations

import ast
import json
import re
import textwrap
from pathlib import Path

from tests.page_text import cell_source, comments, markers, read_text, shape_comments
from tools.fences import fences, runs

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

    Inline code passes when it quotes the page's executed code or output (``code`` adds
    more: a notebook's cells), or when each of its numbers is a keyword naming one of
    ``showcase.FACTS`` with that value (``vocab_size=256``).
    """
    from embeddings_explained.showcase import SEED

    for m in reversed(markers(text, "page")):
        text = text[: m.span[0]] + _blank(text[m.span[0] : m.span[1]]) + text[m.span[1] :]
    lines = text.split("\n")
    for fence in fences(text):
        if runs(fence.info):  # checked by the runner; its comments other than shapes are prose
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
