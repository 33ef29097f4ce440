"""MkDocs hook: the fixes of ``tools/postbuild.py`` on each page as MkDocs renders it,
404.html included (code blocks lightened, Material's script loaded after the first paint,
notebook pages slimmed)."""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

# tools/ sits at the root of the repository, which is not on sys.path under `mkdocs build`
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tools.postbuild import fix_page  # noqa: E402


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    return fix_page(output, notebook=page.file.src_uri.endswith(".ipynb"))


def on_post_template(output_content: str, template_name: str, config: MkDocsConfig) -> str:
    """The theme's own pages (404.html) get them too, as every page of a Zensical build."""
    return (
        fix_page(output_content, notebook=False)
        if template_name.endswith(".html")
        else output_content
    )
