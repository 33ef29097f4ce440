"""MkDocs hook: slim and fix the notebook pages (see ``notebook_html.py``, which does the work)."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page
from notebook_html import fix_notebook_page  # beside this file: mkdocs puts it on sys.path


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    if not page.file.src_uri.endswith(".ipynb"):
        return output
    return fix_notebook_page(output)
