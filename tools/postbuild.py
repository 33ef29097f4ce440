"""After the build: the fixes of the built HTML (``tools/page_html.py``), page by page.

The MkDocs hook (``overrides/hooks/postbuild.py``) applies :func:`fix_page` to each page as
MkDocs renders it; ``python -m tools.postbuild SITE`` applies it to every page of a built
site (``make build-zensical``), each file rewritten atomically.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tools.files import write_atomic
from tools.page_html import fix_notebook_page, lighten_code_blocks, paint_before_bundle


def fix_page(html: str, notebook: bool) -> str:
    """Every page's fixes; and the notebook page's (mkdocs-jupyter's HTML) when ``notebook``."""
    html = paint_before_bundle(lighten_code_blocks(html))
    return fix_notebook_page(html) if notebook else html


def fix_site(site: Path) -> list[Path]:
    """:func:`fix_page` on every ``*.html`` under ``site``; returns the files it changed.

    A page is a notebook page when mkdocs-jupyter made it (its cells are
    ``div.highlight-ipynb``); a notebook rendered to Markdown first (Zensical) is not.
    """
    if not (site / "index.html").is_file():
        raise ValueError(f"{site}: no index.html, so no built site; build it first")
    changed = []
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        fixed = fix_page(html, notebook='class="highlight-ipynb' in html)
        if fixed != html:
            write_atomic(page, fixed)
            changed.append(page)
    return changed


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tools.postbuild SITE_DIR", file=sys.stderr)
        return 2
    try:
        changed = fix_site(Path(argv[0]))
    except ValueError as e:
        print(f"tools.postbuild: {e}", file=sys.stderr)
        return 1
    print(f"tools.postbuild: fixed {len(changed)} pages in {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
