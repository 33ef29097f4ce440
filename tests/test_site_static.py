"""The built site's HTML, read without a browser: what a page loads, and what it says.

Every page loads nothing from another host (no script, stylesheet, image or font, in its
HTML or in the stylesheets it loads), gives every image its alt text, offers its notebook
where it has one, and stays within its size budget: the bytes of its HTML and of every file it
loads, uncompressed, the search index aside (one file for the whole site, with a budget of
its own). The browser tests (tests/test_site_browser.py) check what only a browser can see,
and that a page requests no file that :func:`page_files` misses.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
from site_serving import nav_paths  # benchmarks/, on pythonpath

from tests.project import mkdocs_config

PAGES = nav_paths(mkdocs_config()["nav"])
PAGE_BUDGET = 500_000  # bytes a page may load, uncompressed (GitHub Pages sends gzip: far less)
NOTEBOOK_BUDGET = 1_000_000  # a notebook page carries JupyterLab's styles and its outputs
# Fetched by Material's search worker once per visit, after the page has loaded; every other
# page reuses it.
SEARCH_INDEX = "search/search_index.json"
SEARCH_INDEX_BUDGET = 250_000

LINK_LOADS = {"stylesheet", "icon", "preload", "modulepreload", "manifest", "apple-touch-icon"}
TAG_LOADS = {"script": "src", "img": "src", "source": "src", "iframe": "src", "embed": "src",
             "audio": "src", "video": "poster", "object": "data"}  # fmt: skip
# Links a page's own script fetches: the explorer's tables (docs/assets/js/explorer.js).
FETCHED_LINKS = {"ee-data"}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")
QUOTED_FILE = re.compile(r'"([^"\s]+\.(?:js|css|json))"')  # the loader of Material's script


class _Page(HTMLParser):
    """The URLs a page loads (as written), its images with their alt text, its download links."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.images: list[tuple[str, str | None]] = []
        self.downloads: list[str] = []
        self._script: str | None = None  # the kind of inline script being read
        self.material_base = "."

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in TAG_LOADS and a.get(TAG_LOADS[tag]):
            self.loads.append(a[TAG_LOADS[tag]])
        if tag == "link" and LINK_LOADS & set(a.get("rel", "").split()) and a.get("href"):
            self.loads.append(a["href"])
        if tag == "a" and a.get("id") in FETCHED_LINKS:
            self.loads.append(a["href"])
        if tag == "a" and "download" in a:
            self.downloads.append(a.get("href", ""))
        if tag == "img":
            self.images.append((a.get("src", ""), dict(attrs).get("alt")))
        self.loads += [u for srcset in (a.get("srcset"),) if srcset
                       for u in (c.split()[0] for c in srcset.split(",") if c.strip())]  # fmt: skip
        self.loads += [m[0] or m[1] for m in CSS_URL.findall(a.get("style", ""))]
        if tag == "script" and not a.get("src"):
            self._script = a.get("id") or a.get("type") or "js"
        elif tag == "style":
            self._script = "css"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script == "css":
            self.loads += [m[0] or m[1] for m in CSS_URL.findall(data)]
        elif self._script == "__config":  # Material's: its search worker, under its base
            config = json.loads(data)
            self.loads.append(f"{config['base']}/{config['search']}")
        elif self._script == "js":
            self.loads += QUOTED_FILE.findall(data)


def _parse(site: Path, path: str) -> _Page:
    page = _Page()
    page.feed((site / path / "index.html").read_text(encoding="utf-8"))
    return page


def _is_other_host(url: str) -> bool:
    return url.startswith("//") or urlparse(url).scheme not in ("", "data")


def page_files(site: Path, path: str) -> dict[str, list[str]]:
    """Every file of ``site`` that the page at URL ``path`` loads (the page itself and the
    stylesheets' imports and fonts included, other hosts and ``data:`` left out), as site
    paths, each with the URLs that named it: ``{"assets/css/extra.css": ["../assets/..."]}``."""
    base = "http://site/"
    todo = [(base + path, u) for u in ["index.html", *_parse(site, path).loads]]
    found: dict[str, list[str]] = {}
    while todo:
        parent, url = todo.pop()
        if _is_other_host(url) or url.startswith("data:"):
            continue
        rel = urlparse(urljoin(parent, url)).path.removeprefix("/")
        rel = rel + "index.html" if rel.endswith("/") or not rel else rel
        if rel not in found and rel.endswith(".css") and (site / rel).is_file():
            css = (site / rel).read_text(encoding="utf-8")
            todo += [(base + rel, m[0] or m[1]) for m in CSS_URL.findall(css)]
        found.setdefault(rel, []).append(url)
    return found


def _id(path: str) -> str:
    return path or "home"


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_page_loads_nothing_from_other_hosts(built_site: Path, path: str) -> None:
    urls = _parse(built_site, path).loads
    css = [f for f in page_files(built_site, path) if f.endswith(".css")]
    urls += [m[0] or m[1] for f in css if (built_site / f).is_file()
             for m in CSS_URL.findall((built_site / f).read_text(encoding="utf-8"))]  # fmt: skip
    foreign = sorted({u for u in urls if _is_other_host(u)})
    assert not foreign, f"{_id(path)} loads from other hosts: {foreign}"


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_page_stays_within_its_size_budget(built_site: Path, path: str) -> None:
    files = page_files(built_site, path)
    missing = {f: urls for f, urls in files.items() if not (built_site / f).is_file()}
    assert not missing, f"{_id(path)} loads files the build did not write: {missing}"
    size = sum((built_site / f).stat().st_size for f in files)
    notebook = "jupyter-wrapper" in (built_site / path / "index.html").read_text(encoding="utf-8")
    budget = NOTEBOOK_BUDGET if notebook else PAGE_BUDGET
    biggest = sorted(files, key=lambda f: -(built_site / f).stat().st_size)[:3]
    assert size < budget, (
        f"{_id(path)} loads {size:,} bytes, over its budget of {budget:,}; the largest: {biggest}"
    )


def test_search_index_stays_within_its_budget(built_site: Path) -> None:
    size = (built_site / SEARCH_INDEX).stat().st_size
    assert size < SEARCH_INDEX_BUDGET, (
        f"{SEARCH_INDEX} is {size:,} bytes, over its budget of {SEARCH_INDEX_BUDGET:,}: "
        "exclude from search what nobody looks for (data-search-exclude), or raise the budget "
        "knowingly"
    )


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_every_image_has_alt_text(built_site: Path, path: str) -> None:
    missing = [src for src, alt in _parse(built_site, path).images if not (alt and alt.strip())]
    assert not missing, f"images without alt text: {missing}"


def test_notebook_page_offers_its_notebook_for_download(built_site: Path) -> None:
    downloads = _parse(built_site, "complete-flow/").downloads
    assert [d for d in downloads if d.endswith(".ipynb")], f"download links: {downloads}"


def test_page_files_finds_what_a_page_loads_and_the_checks_see_other_hosts(tmp_path: Path) -> None:
    """The parser on a made-up page: each way a page loads a file, and each way it could load
    one from another host, is found (so the tests above can fail)."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<link rel="stylesheet" href="../s.css"><link rel="canonical" href="https://x.org/">'
        '<script src="https://cdn.example/x.js"></script><img src="../i.svg">'
        '<img src="//other.example/p.png" alt="p"><a href="../t.json" id="ee-data">t</a>'
        '<a href="../n.ipynb" download>n</a><a href="https://x.org/">a link</a>'
        '<script>(function (src) {})("../bundle.js");</script>'
        '<script id="__config" type="application/json">{"base": "..", "search": "w.js"}</script>'
    )
    (tmp_path / "s.css").write_text("@import 'f.css'; b { background: url(data:x) }")
    (tmp_path / "f.css").write_text("@font-face { src: url(https://fonts.example/f.woff2) }")
    assert sorted(page_files(tmp_path, "a/")) == [
        "a/index.html", "bundle.js", "f.css", "i.svg", "s.css", "t.json", "w.js",
    ]  # fmt: skip
    with pytest.raises(AssertionError, match="other.example.*cdn.example.*fonts.example"):
        test_page_loads_nothing_from_other_hosts(tmp_path, "a/")
    with pytest.raises(AssertionError, match=r"without alt text: \['../i.svg'\]"):
        test_every_image_has_alt_text(tmp_path, "a/")
    with pytest.raises(AssertionError, match="files the build did not write"):
        test_page_stays_within_its_size_budget(tmp_path, "a/")
