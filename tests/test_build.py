"""The site builds with `mkdocs build --strict` (started in the background by conftest.py)."""

from __future__ import annotations

from pathlib import Path

from tests.project import nav_pages


def test_strict_build_passes(built_site: Path) -> None:
    assert (built_site / "index.html").is_file()


def test_every_nav_page_is_built(built_site: Path) -> None:
    missing = []
    for src in nav_pages():
        stem = src.rsplit(".", 1)[0]
        html = built_site / ("index.html" if stem == "index" else f"{stem}/index.html")
        if not html.is_file():
            missing.append(f"{src} -> {html.relative_to(built_site)}")
    assert not missing, f"pages in the nav that the build did not write: {missing}"
