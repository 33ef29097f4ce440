"""MkDocs hook: lighten the code blocks of every page and load Material's script after its
first paint; slim and fix the notebook pages.

``page_html_fixes.py``, beside this file, does the work.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page
from page_html_fixes import (  # beside this file, on sys.path
    fix_notebook_page,
    lighten_code_blocks,
    paint_before_bundle,
)


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    output = paint_before_bundle(lighten_code_blocks(output))
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    return fix_notebook_page(output)
