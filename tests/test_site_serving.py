"""benchmarks/site_serving.py: the server and page list shared by browser tests and Lighthouse."""

from __future__ import annotations

import gzip
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from site_serving import nav_files, nav_paths, serving

from tests.project import mkdocs_config


def test_nav_paths_lays_pages_out_as_mkdocs_does() -> None:
    nav = ["index.md", {"Part 1": [{"A": "a.md"}, "b/index.md", {"Out": "https://x.org/"}]}]
    assert nav_files(nav) == ["index.md", "a.md", "b/index.md"]
    assert nav_paths(nav) == ["", "a/", "b/"]


def test_nav_files_are_the_pages_of_mkdocs_own_navigation() -> None:
    from mkdocs.structure.files import get_files
    from mkdocs.structure.nav import get_navigation

    config = mkdocs_config()
    pages = get_navigation(get_files(config), config).pages
    assert nav_files(config["nav"]) == [p.file.src_uri for p in pages]
    # mkdocs-jupyter, a plugin, moves a notebook's page to NAME/ as well; plain mkdocs does not
    md = [(path, p.url) for path, p in zip(nav_paths(config["nav"]), pages, strict=True)]
    assert all(path == url for path, url in md if not url.endswith(".ipynb"))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_text("<p>" + "text " * 200 + "</p>")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    with serving(tmp_path) as url:
        yield url


def _get(url: str, gzip_ok: bool) -> tuple[str | None, bytes]:
    headers = {"Accept-Encoding": "gzip"} if gzip_ok else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as r:
        return r.headers.get("Content-Encoding"), r.read()


def test_the_server_compresses_text_only_when_asked(server: str) -> None:
    encoding, body = _get(f"{server}/page/", gzip_ok=True)
    assert encoding == "gzip" and gzip.decompress(body).startswith(b"<p>text")
    assert len(body) < 200
    assert _get(f"{server}/page/", gzip_ok=False) == (None, b"<p>" + b"text " * 200 + b"</p>")
    assert _get(f"{server}/image.png", gzip_ok=True) == (None, b"\x89PNG")  # not text
