"""Fixes for the HTML of the pages, as plain functions on strings.

No mkdocs import: ``tools.postbuild`` applies them, on each page as MkDocs renders it (the
hook ``overrides/hooks/postbuild.py``) or on every page of a site built without hooks
(Zensical).

Notebook pages (mkdocs-jupyter):

- Code cells scroll sideways: make them reachable by keyboard, as Material's are; and let
  a chain of attributes wrap before its dots, as in Material's blocks (below).
- mkdocs-jupyter inlines all of JupyterLab's CSS (about 570 KB) in every notebook page;
  keep only the rules whose classes occur on the page (PurgeCSS's idea), about a fifth.

Every page: Material's code blocks are most of the elements of a long page (one per token).
Unwrap the tokens Material does not colour (names and whitespace: ``.n`` takes the colour of
plain code, ``.w`` has none): the same text and colours, a quarter fewer elements, so that a
phone styles and lays out the page sooner (Lighthouse: less main-thread work).

Every page: Material's script (``bundle.*.min.js``, about 114 KB) is loaded once the page has
painted, not as the last tag of the body. As that tag, it ran before the first paint whenever
the browser had it before the end of the HTML (long pages): on a phone the reader saw nothing
until the script had run and restyled the whole page. See :func:`paint_before_bundle`.
"""

from __future__ import annotations

import json
import re

CLASS_ATTR = re.compile(r'class="([^"]*)"')
STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S)
CLASS = re.compile(r"\.(-?[A-Za-z_][\w-]*)")
PSEUDO_CALL = re.compile(r":[\w-]+\(")
CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def fix_notebook_page(html: str) -> str:
    """Both fixes, on the whole HTML of one notebook page, and a chain of attributes in a
    code cell breakable before each dot, as in Material's blocks (:func:`lighten_code_blocks`)."""
    html = html.replace('<div class="highlight-ipynb', '<div tabindex="0" class="highlight-ipynb')
    html = NOTEBOOK_CODE.sub(lambda m: m[1] + _breakable_dots(m[2]) + m[3], html)
    present = {c for attr in CLASS_ATTR.findall(html) for c in attr.split()}
    return STYLE.sub(lambda m: m.group(1) + purge_css(m.group(2), present) + m.group(3), html)


NOTEBOOK_CODE = re.compile(
    r'(<div [^>]*class="highlight-ipynb[^"]*"><pre[^>]*>)(.*?)(</pre>)', re.S
)
CODE_BLOCK = re.compile(r'(<div class="highlight">.*?<pre[^>]*>)(.*?)(</pre>)', re.S)
UNCOLOURED_TOKEN = re.compile(r'<span class="[nw]">([^<]*)</span>')


TEXT = re.compile(r">([^<]+)<")
# A phone wraps long code lines at spaces (extra.css); a line such as
# torch.tensor([ByteTokenizer().encode('Hi')]) has none. <wbr> after an opening bracket that
# does not close at once lets it wrap there too, never inside a name or a number.
OPENING_BRACKET = re.compile(r"[(\[{](?![)\]}\s])")
# and run.model.embeddings.position_embedding.weight before each dot of the code (an
# operator to Pygments: not a number's point, nor a dot in a comment or an output line)
DOT = '<span class="o">.</span>'


# Each line of a block is its own span (line_spans in mkdocs.yml); one that starts indented
# carries its indentation, so that extra.css hangs its continuation under its own code (the
# spaces may open the line's first token: a docstring's or a comment's).
INDENTED_LINE = re.compile(r'(<span id="__span-[\d-]+")>((?:<span class="[\w-]+">)?)( +)')
# A line breaks after a hyphen; "->" (a return annotation, an arrow in a string) stays whole.
ARROW = "-&gt;"


def _breakable_dots(code: str) -> str:
    return code.replace("<wbr>" + DOT, DOT).replace(DOT, "<wbr>" + DOT)  # the same, done twice


def _lighten(code: str) -> str:
    code = UNCOLOURED_TOKEN.sub(r"\1", code).replace("<wbr>", "")  # the same, done twice
    code = TEXT.sub(lambda m: ">" + OPENING_BRACKET.sub(r"\g<0><wbr>", m.group(1)) + "<", code)
    code = INDENTED_LINE.sub(lambda m: f'{m[1]} style="--indent: {len(m[3])}">{m[2]}{m[3]}', code)
    code = code.replace(f'<span class="ee-nb">{ARROW}</span>', ARROW)  # the same, done twice
    return _breakable_dots(code.replace(ARROW, f'<span class="ee-nb">{ARROW}</span>'))


def lighten_code_blocks(html: str) -> str:
    """Material's code blocks with their uncoloured tokens unwrapped, and breakable.

    ``<span class="n">x</span><span class="w"> </span><span class="o">=</span>`` in a
    ``div.highlight`` becomes ``x <span class="o">=</span>``, and ``f(x`` becomes
    ``f(<wbr>x``, and ``a.b`` ``a<wbr>.b``, and ``->`` unbreakable; an indented line carries
    its indentation (``style="--indent: 8"``) for extra.css. Notebook cells
    (``div.highlight-ipynb``, coloured by JupyterLab's CSS) are left alone.
    """
    return CODE_BLOCK.sub(lambda m: m.group(1) + _lighten(m.group(2)) + m.group(3), html)


BUNDLE_TAG = re.compile(
    r'<script src="([^"]*assets/javascripts/bundle\.[0-9a-f]+\.min\.js)"></script>'
)
# Material's bundle mounts everything when it sees DOMContentLoaded; loaded later, it is told
# so once it has run (the event again, on document only: it does not bubble to window). The
# other listeners of a page (explorer.js) must bear a second one. It waits for the end of the
# parse (a partial page must not be mounted) and for the first contentful paint; a hidden tab
# paints nothing and a browser without paint timing cannot tell, so those load it at once, and
# a page that has not painted in 3 s loads it anyway.
BUNDLE_LOADER = (
    "<script>(function (src) {"
    " var loaded = false;"
    " function load() { if (loaded) return; loaded = true;"
    " var s = document.createElement('script'); s.src = src;"
    " s.onload = function () { document.dispatchEvent(new Event('DOMContentLoaded')); };"
    " document.body.appendChild(s); }"
    " function afterPaint() {"
    " var types = window.PerformanceObserver && PerformanceObserver.supportedEntryTypes;"
    " if (document.hidden || !types || types.indexOf('paint') < 0) return load();"
    " new PerformanceObserver(function (list, observer) {"
    " if (!list.getEntriesByName('first-contentful-paint').length) return;"
    " observer.disconnect(); setTimeout(load, 0); }).observe({ type: 'paint', buffered: true });"
    " setTimeout(load, 3000); }"
    " if (document.readyState === 'loading')"
    " document.addEventListener('DOMContentLoaded', afterPaint, { once: true });"
    " else afterPaint();"
    " })(%s);</script>"
)


def paint_before_bundle(html: str) -> str:
    """Material's parser-blocking ``<script src=".../bundle.HASH.min.js">`` replaced by a loader
    that adds it once the document is parsed and its first content painted.

    A parser-blocking script the browser already has when the parser reaches it runs before
    the page is first painted; on a long page Material's does, and forces style and layout of
    the whole page on the way. Loaded after the first paint, it adds what it adds (copy
    buttons, search) a moment later, without moving the layout (the browser tests measure
    layout shift on every page), and the text shows sooner.

    It needs Material's instant navigation off: that rewrites every relative ``href`` of the
    page to an absolute one, and after the load event Chromium fetches a page's stylesheets
    again for that (the page loses its styles until they are back), where before it reuses them.
    """
    return BUNDLE_TAG.sub(lambda m: BUNDLE_LOADER % json.dumps(m.group(1)), html, count=1)


def purge_css(css: str, present: set[str]) -> str:
    """Drop the top-level rules none of whose selectors can match: a class they need is absent.

    At-rules (``@media``, ``@keyframes``, ``@font-face``, ...) are kept whole, nested
    rules included. Classes inside a functional pseudo-class (``:not(.x)``, ``:is(.x, .y)``,
    ``:has(.x)``) are not required, so a rule is dropped only when it surely cannot match.
    ``purge_css(".a .b{x:1}.zz{x:2}.zz,.b{x:3}", {"a", "b"})`` keeps ``.a .b{x:1}.zz,.b{x:3}``.
    Comments go first: ``/* Name.Builtin */`` names no class.
    """
    css = CSS_COMMENT.sub("", css)
    kept, depth, start = [], 0, 0
    for i, ch in enumerate(css):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                rule, start = css[start : i + 1], i + 1
                selectors = rule.split("{", 1)[0]
                if selectors.lstrip().startswith("@") or any(
                    set(CLASS.findall(sel)) <= present for sel in _selectors(selectors)
                ):
                    kept.append(rule)
    return "".join(kept) + css[start:]


def _selectors(selector_list: str) -> list[str]:
    """The comma-separated selectors, each without the arguments of its pseudo-classes.

    ``.a:not(.b, .c) .d, .e`` gives ``[".a:not() .d", " .e"]``.
    """
    out, current, depth, i = [], "", 0, 0
    while i < len(selector_list):
        call = PSEUDO_CALL.match(selector_list, i)
        if call:
            current += call.group() if depth == 0 else ""
            depth, i = depth + 1, call.end()
            continue
        ch = selector_list[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            current += ch if depth == 0 else ""
        elif ch == "," and depth == 0:
            out.append(current)
            current = ""
        elif depth == 0:
            current += ch
        i += 1
    return [*out, current]
