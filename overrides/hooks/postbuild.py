"""MkDocs hook: the fixes of ``tools/postbuild.py`` on each page as MkDocs renders it
(code blocks lightened, Material's script loaded after the first paint, notebook pages
slimmed)."""

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
