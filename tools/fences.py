"""The one fence reader: markdown-it with Material's admonitions and content tabs.

The docs harness gives pytest-markdown-docs this parser, so the blocks the tests run, the
blocks the page notebooks hold and the blocks the number guard skips are the same blocks.
"""

from __future__ import annotations

import functools
import typing

from markdown_it import MarkdownIt


@functools.cache
def markdown_parser() -> MarkdownIt:
    from mdformat_mkdocs.mdit_plugins import material_admon_plugin, material_content_tabs_plugin

    return MarkdownIt("commonmark").use(material_admon_plugin).use(material_content_tabs_plugin)


class Fence(typing.NamedTuple):
    line: int  # of the opening fence, 1-based
    end: int  # the line after the closing fence, 1-based (one past the page if unclosed)
    info: str  # "python", "{.python continuation}", "text", ...
    body: list[str]  # the lines inside, without the container's indentation


def fences(text: str) -> list[Fence]:
    return [
        Fence(t.map[0] + 1, t.map[1] + 1, t.info.strip(), t.content.split("\n")[:-1])
        for t in markdown_parser().parse(text)
        if t.type == "fence" and t.map
    ]


def hidden_fences(text: str) -> list[int]:
    """Lines that open a fence read as something else (HTML, indented code): it never runs."""
    return [
        t.map[0] + 1 + k
        for t in markdown_parser().parse(text)
        if t.type in ("inline", "code_block", "html_block") and t.map
        for k, line in enumerate(t.content.split("\n"))
        if line.lstrip().startswith(("```", "~~~"))
    ]


def words(info: str) -> list[str]:
    """An info string's words, the language first, as pytest-markdown-docs reads them."""
    parts = info.strip().strip("{}").split()
    lang = next((w for w in parts if w.startswith(".")), None) if info.strip()[:1] == "{" else None
    return [lang[1:], *(w for w in parts if w != lang)] if lang else parts


def is_python(info: str) -> bool:
    return words(info)[:1] in (["py"], ["python"], ["python3"])


def runs(info: str) -> bool:
    """Whether the tests run the block (and its page's notebook holds it as code)."""
    return is_python(info) and "notest" not in words(info)
