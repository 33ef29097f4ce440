"""The site built with Zensical (``make build-zensical``: tools/ before and after it) is
the site MkDocs builds, page by page; and every file a built page references exists, for
both builders.

The Zensical build takes about as long as MkDocs' (mostly the figures and the notebook),
so it is kept in ``.cache/zensical-site`` under a key of everything it is made from (the
repository's files it reads, the versions of what builds it, ``SITE_URL``), as
``.cache/browser`` keeps what Chromium measured. ``CI=true`` or
``EMBEDDINGS_EXPLAINED_ZENSICAL_CACHE=`` (empty) builds it every time.
"""

from __future__ import annotations

import functools
import hashlib
import html
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.project import ROOT, mkdocs_config
from tools import postbuild, prebuild

CACHE_ENV = "EMBEDDINGS_EXPLAINED_ZENSICAL_CACHE"
INPUTS = ["mkdocs.yml", "pyproject.toml", "README.md", "docs", "overrides", "src", "tools"]
BUILDERS = ["zensical", "matplotlib", "torch", "nbconvert", "nbclient", "pymdown-extensions"]


def _key() -> str:
    """A digest of every input of the Zensical build."""
    digest = hashlib.sha256()
    for name in INPUTS:
        path = ROOT / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts and not f.name.endswith(".egg-info"):
                digest.update(f.relative_to(ROOT).as_posix().encode() + b"\0" + f.read_bytes())
    import torch

    versions = [metadata.version(p) for p in BUILDERS]
    versions += [platform.python_version(), torch.backends.cpu.get_cpu_capability()]
    versions += [os.environ.get("SITE_URL", "(unset)"), os.environ.get("PYTHONHASHSEED", "")]
    digest.update("\0".join(versions).encode())
    return digest.hexdigest()[:20]


def _build_zensical(site: Path) -> None:
    """``make build-zensical``'s three steps, into ``site``, staged beside it."""
    project = Path(tempfile.mkdtemp(prefix="zensical-", dir=site.parent))
    try:
        config = project / "mkdocs.yml"
        prebuild.stage_zensical(config, project / "stage", project / "site")
        proc = subprocess.run(
            [sys.executable, "-m", "zensical", "build", "--strict", "-f", str(config)],
            cwd=ROOT,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, f"zensical build failed:\n{proc.stdout}{proc.stderr}"
        postbuild.fix_site(project / "site")
        (project / "site").rename(site)
    finally:
        shutil.rmtree(project, ignore_errors=True)


@pytest.fixture(scope="session")
def zensical_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cache = Path(os.environ.get(CACHE_ENV, ROOT / ".cache" / "zensical-site"))
    if os.environ.get("CI") == "true" or os.environ.get(CACHE_ENV) == "":
        site = tmp_path_factory.mktemp("zensical") / "site"
        _build_zensical(site)
        return site
    site = cache / _key()
    if not (site / "index.html").is_file():
        cache.mkdir(parents=True, exist_ok=True)
        for old in cache.iterdir():  # one kept build: the site as it is now
            shutil.rmtree(old, ignore_errors=True)
        _build_zensical(site)
    return site


# ----------------------------------------------------------------------- reading a page


PERMALINK = re.compile(r"\b(headerlink|anchor-link)\b")  # Material's, mkdocs-jupyter's


class _Page(HTMLParser):
    """What a reader sees of a page's content, and every file the page references."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headings: list[str] = []
        self.figures: list[str] = []
        self.code: list[str] = []
        self.downloads: list[str] = []
        self.references: list[str] = []  # src and href of img, script, link, a
        self.title: list[str] = []
        self.nav: list[str] = []  # the targets of the navigation's links, in order
        self._in_title = False
        self._in_article = 0
        self._heading: list[str] | None = None
        self._pre: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("img", "script") and a.get("src"):
            self.references.append(a["src"])
        if tag in ("a", "link") and a.get("href"):
            self.references.append(a["href"])
        self._in_title = tag == "title"
        if tag == "a" and "md-nav__link" in a.get("class", "").split() and "href" in a:
            self.nav.append(a["href"])
        if tag == "article":
            self._in_article += 1
        if not self._in_article:
            return
        if tag == "a" and "download" in a:
            self.downloads.append(a["href"])
        if tag == "a" and a.get("href", "").startswith("https://colab.research.google.com/"):
            self.downloads.append(a["href"])
        if tag == "img":
            self.figures.append(a.get("src", "") + " " + a.get("alt", ""))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [tag]
        if tag == "a" and self._heading is not None and PERMALINK.search(a.get("class", "")):
            self._heading.append("\0")  # the permalink's ¶ is not the heading's text
        if tag == "pre":
            self._pre = [] if self._pre is None else self._pre
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._in_article -= 1
        if self._heading is not None and re.fullmatch(r"h[1-6]", tag):
            level, *text = self._heading
            self.headings.append(level + " " + " ".join("".join(text).split("\0")[0].split()))
            self._heading = None
        if tag == "pre" and self._pre is not None:
            self._depth -= 1
            if not self._depth:
                block = "\n".join(ln.rstrip() for ln in "".join(self._pre).split("\n"))
                if block.strip():  # see _read
                    self.code.append(block.strip("\n"))
                self._pre = None

    def handle_data(self, data: str) -> None:
        if self._in_title and not self.title:  # the page's, not an inline icon's <title>
            self.title.append(data)
            self._in_title = False
        if self._heading is not None:
            self._heading.append(data)
        if self._pre is not None:
            self._pre.append(data)


@functools.cache  # each page is read once per run, by every test that looks at it
def _read(page: Path) -> _Page:
    """The page, parsed. A code block's text is compared without its leading and trailing
    newlines, and a block of whitespace alone is dropped: mkdocs-jupyter renders each
    stream message of a cell as a block, and a busy kernel may send print's newline apart
    from its text (seen once in make test: "True", then a block of one newline)."""
    parser = _Page()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def _in_site(page: str, ref: str, site_url: str) -> str | None:
    """The file of the site that ``ref`` on ``page`` names; None for another site's.

    ``_in_site("a/index.html", "../b/#x", url)`` is ``"b/index.html"``.
    """
    ref = html.unescape(ref)
    base, parts = urlsplit(site_url), urlsplit(ref)
    if parts.scheme in ("mailto", "data", "javascript"):
        return None
    if parts.scheme or parts.netloc:
        if parts.netloc != base.netloc or not parts.path.startswith(base.path):
            return None  # another host (the browser tests prove nothing loads from one)
        path = parts.path[len(base.path) :]
    elif parts.path.startswith("/"):
        if not parts.path.startswith(base.path):
            return f"(outside {base.path}) {parts.path}"
        path = parts.path[len(base.path) :]
    elif not parts.path:
        return page  # "#anchor": this page
    else:
        path = page.rsplit("/", 1)[0] + "/" + parts.path if "/" in page else parts.path
    resolved: list[str] = []
    for part in unquote(path).split("/"):
        if part == ".." and resolved:
            resolved.pop()
        elif part not in ("", ".", ".."):
            resolved.append(part)
    folder = not path or path.endswith("/") or path.rsplit("/", 1)[-1] in (".", "..")
    return "/".join([*resolved, "index.html"]) if folder else "/".join(resolved)


def _summary(site: Path, page: str, site_url: str) -> dict[str, list[str]]:
    p = _read(site / page)
    return {
        "headings": p.headings,
        "figures": [_in_site(page, f.split(" ", 1)[0], site_url) or f for f in p.figures],
        "code blocks": p.code,
        "downloads": [_in_site(page, d, site_url) or d for d in p.downloads],
        "title": p.title,
        "navigation": [_in_site(page, n, site_url) or n for n in p.nav],
    }


SITE_URL = mkdocs_config()["site_url"]


def test_zensical_builds_the_same_pages(built_site: Path, zensical_site: Path) -> None:
    assert _pages(zensical_site) == _pages(built_site)


@pytest.mark.parametrize(
    "what", ["title", "navigation", "headings", "figures", "code blocks", "downloads"]
)
def test_zensical_pages_show_what_mkdocs_pages_show(
    what: str, built_site: Path, zensical_site: Path
) -> None:
    differ = []
    for page in _pages(built_site):
        mkdocs = _summary(built_site, page, SITE_URL)[what]
        zensical = _summary(zensical_site, page, SITE_URL)[what]
        if mkdocs != zensical:
            differ.append(f"{page}:\n  mkdocs:   {mkdocs}\n  zensical: {zensical}")
    assert not differ, f"{what} that differ between the builders:\n" + "\n".join(differ)


def test_each_page_has_content_to_compare(built_site: Path) -> None:
    """The comparison would pass on two empty sites: it must see what it compares."""
    summary = _summary(built_site, "initialization/index.html", SITE_URL)
    assert len(summary["headings"]) > 3 and len(summary["code blocks"]) > 3
    assert "assets/generated/token-table.svg" in summary["figures"]
    assert "notebooks/initialization.ipynb" in summary["downloads"]
    assert "training/index.html" in summary["navigation"] and summary["title"]


@pytest.mark.parametrize("builder", ["mkdocs", "zensical"])
def test_every_file_a_page_references_exists(
    builder: str, built_site: Path, zensical_site: Path
) -> None:
    site = built_site if builder == "mkdocs" else zensical_site
    missing, anchors, checked = [], [], 0
    ids: dict[str, set[str]] = {}
    for page in _pages(site):
        for ref in _read(site / page).references:
            file = _in_site(page, ref, SITE_URL)
            if file is None:
                continue
            checked += 1
            if not (site / file).is_file():
                missing.append(f"{page}: {ref}")
                continue
            anchor = urlsplit(html.unescape(ref)).fragment
            if anchor and file.endswith(".html"):
                if file not in ids:
                    text = (site / file).read_text(encoding="utf-8")
                    ids[file] = set(re.findall(r'\sid="([^"]+)"', text))
                if unquote(anchor) not in ids[file]:
                    anchors.append(f"{page}: {ref}")
    assert checked > 500  # the parser sees the references
    assert not missing, f"{builder}: references to files the site does not have: {missing}"
    assert not anchors, f"{builder}: links to anchors their page does not have: {anchors}"


def test_a_missing_image_is_found(tmp_path: Path, built_site: Path) -> None:
    """Zensical's strict mode does not notice one; the test above must."""
    page = "initialization/index.html"
    refs = _read(built_site / page).references
    image = next(r for r in refs if r.endswith("token-table.svg"))
    assert _in_site(page, image, SITE_URL) == "assets/generated/token-table.svg"
    assert _in_site(page, "../", SITE_URL) == "index.html"
    assert _in_site(page, "#x", SITE_URL) == page
    assert _in_site(page, SITE_URL + "training/", SITE_URL) == "training/index.html"
    assert _in_site(page, "https://pytorch.org/docs/", SITE_URL) is None


@pytest.mark.parametrize("builder", ["mkdocs", "zensical"])
def test_every_page_of_both_builds_has_the_html_fixes(
    builder: str, built_site: Path, zensical_site: Path
) -> None:
    """tools.postbuild ran on every page (MkDocs: its hook; Zensical: make build-zensical):
    applied again, the fixes change nothing, and the bundle's tag is the loader's."""
    site = built_site if builder == "mkdocs" else zensical_site
    unfixed = []
    for page in _pages(site):
        text = (site / page).read_text(encoding="utf-8")
        notebook = 'class="highlight-ipynb' in text or 'tabindex="0" class="highlight-ipynb' in text
        if postbuild.fix_page(text, notebook) != text:
            unfixed.append(page)
    assert not unfixed, f"{builder}: pages without the HTML fixes of tools/postbuild.py: {unfixed}"
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "first-contentful-paint" in index and '<span class="n">' not in index


def test_zensical_gets_the_copied_partials_only_where_its_own_are_materials() -> None:
    """A partial copied from Material replaces Zensical's own only where Zensical's is
    Material's: else it would break Zensical's markup (its search did)."""
    from importlib import resources

    ours = ROOT / "overrides"
    material = resources.files("material") / "templates"
    zensical = resources.files("zensical") / "templates"
    differ = []
    for partial in sorted(ours.glob("partials/**/*.html")):
        name = partial.relative_to(ours).as_posix()
        theirs = [
            (t / name).read_text(encoding="utf-8").split("\n", 3)[-1] for t in (material, zensical)
        ]
        if theirs[0] != theirs[1]:
            differ.append(name)
    assert differ == prebuild.ZENSICAL_OWN


def test_code_blocks_compare_as_a_reader_sees_them() -> None:
    """A print whose newline came in a stream message of its own (a busy kernel) is the
    same output as one that came whole; the text itself still counts."""
    parts, whole, other = _Page(), _Page(), _Page()
    parts.feed("<article><pre>True</pre><pre>\n</pre></article>")
    whole.feed("<article><pre>True\n</pre></article>")
    other.feed("<article><pre>False\n</pre></article>")
    assert parts.code == whole.code == ["True"] != other.code
