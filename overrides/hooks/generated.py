"""MkDocs hook: add the files that are computed from the package at build time.

- ``assets/generated/*.svg``: the figures of ``embeddings_explained.figures``.
- ``assets/generated/embeddings-seed0.json``: the seeded tables, for the explorer page.

They are added as generated files (never written into docs/), so `mkdocs serve`
does not rebuild in a loop and nothing generated is committed. ``on_post_page`` also
slims notebook pages (see there).
"""

from __future__ import annotations

import json
import re

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page


def on_files(files: Files, config: MkDocsConfig) -> Files:
    from embeddings_explained.figures import FIGURES
    from embeddings_explained.showcase import explorer_data

    for name, make in FIGURES.items():
        files.append(File.generated(config, f"assets/generated/{name}", content=make()))
    data = json.dumps(explorer_data(), separators=(",", ":"))
    files.append(File.generated(config, "assets/generated/embeddings-seed0.json", content=data))
    return files


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    """Two fixes for notebook pages (mkdocs-jupyter).

    - Code cells scroll sideways: make them reachable by keyboard, as Material's are.
    - mkdocs-jupyter inlines all of JupyterLab's CSS (about 570 KB) in every notebook page;
      keep only the rules whose classes occur on the page (PurgeCSS's idea), about a fifth.
    """
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    output = output.replace(
        '<div class="highlight-ipynb', '<div tabindex="0" class="highlight-ipynb'
    )
    present = {c for attr in CLASS_ATTR.findall(output) for c in attr.split()}
    return STYLE.sub(lambda m: m.group(1) + purge_css(m.group(2), present) + m.group(3), output)


CLASS_ATTR = re.compile(r'class="([^"]*)"')
STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S)
NOT = re.compile(r":not\([^)]*\)")
CLASS = re.compile(r"\.(-?[A-Za-z_][\w-]*)")


def purge_css(css: str, present: set[str]) -> str:
    """Drop the top-level rules none of whose selectors can match: a class they need is absent.

    At-rules (@media, @font-face, ...) are kept whole; classes inside :not(...) are ignored.
    """
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
                    set(CLASS.findall(NOT.sub("", sel))) <= present for sel in selectors.split(",")
                ):
                    kept.append(rule)
    return "".join(kept) + css[start:]
