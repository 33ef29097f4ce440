"""The built site as readers get it, in headless Chromium (Debian's, driven by Playwright).

For every page: no console errors, no failed requests, no request to any other host,
no serious or critical axe-core violation, alt text on every image, and a size budget.
Readable on every screen, at 390 px (a phone) and 1280 px (a laptop), light and dark: the
page does not scroll sideways, text in figures and the diagram is at least 11 px as
displayed and never overlaps, everything a keyboard reaches shows a focus ring, the layout
does not shift as the page loads (CLS < 0.1), and no generated-fragment marker splits a
sentence. Material's script, loaded after the first paint, is asked for only after it; the
page as first painted (script held back) fits a phone and has the system's colour scheme.
Then the interactive parts: diagram, search, colour toggle, notebook outputs, copy buttons,
and the explorer against PyTorch.

Without Chromium (or axe-core from npm) these tests skip with the reason; under CI=true
a missing browser is a failure instead.
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import torch
from site_serving import nav_paths, serving  # benchmarks/, on pythonpath

from embeddings_explained import ByteTokenizer
from embeddings_explained.showcase import fmt, seeded_embeddings
from tests.docs_harness import ROOT, mkdocs_config

AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
# Debian's chromium here and in .ci/run; CHROMIUM_PATH picks another (GitHub's runners have Chrome).
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PAGE_BUDGET = 500_000  # bytes a page may transfer, the search index aside
NOTEBOOK_BUDGET = 1_000_000
# The search index is one file for the whole site: the search worker fetches it after the
# page has loaded, once per visit, and every other page reuses it. It has a budget of its own.
SEARCH_INDEX = "search/search_index.json"
SEARCH_INDEX_BUDGET = 250_000
# Material's script (bundle.HASH.min.js), as a Playwright URL pattern: some tests hold it back.
MATERIAL_SCRIPT = "**/assets/javascripts/bundle.*.min.js"


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _missing(what: str) -> None:
    if _under_ci():
        pytest.fail(f"{what} is missing, and under CI=true the browser tests must run")
    pytest.skip(f"{what} not found: the browser tests need it (CI installs it)")


PAGES = nav_paths(mkdocs_config()["nav"])


@pytest.fixture(scope="session")
def base_url(built_site: Path) -> Iterator[str]:
    with serving(built_site) as url:
        yield url + "/"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        _missing("Chromium (/usr/bin/chromium; apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


class Visit:
    """One page opened with every request watched."""

    def __init__(
        self,
        browser: Any,
        base_url: str,
        path: str,
        color_scheme: str = "light",
        settle: bool = True,
        width: int = 1280,
        network_idle: bool = True,
    ):
        self.host = urlparse(base_url).netloc
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        self.foreign: list[str] = []
        # a browser opens the page in a context of its own (nothing cached: sizes are true);
        # a context given instead opens it there (quicker, for a batch that measures no sizes)
        self.page = (
            browser.new_page(color_scheme=color_scheme, viewport={"width": width, "height": 800})
            if hasattr(browser, "new_context")
            else browser.new_page()
        )
        self.page.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on("response", self._response)
        # settle=False: do not wait here, so that the pages of a batch load together
        # network_idle=False: after the load event, the test waits for what it needs itself
        self.page.goto(base_url + path, wait_until="load" if settle else "commit")
        if settle and network_idle:
            self.settle()
        elif settle:
            self.material_ready()

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.url} {response.status}")

    def settle(self) -> None:
        """Wait until the page has made all its requests (the search index comes late)."""
        self.page.wait_for_load_state("networkidle")
        self.material_ready()

    def material_ready(self) -> None:
        """Wait for Material's script, which a page loads after its first paint (see
        overrides/hooks/page_html_fixes.py), so possibly after the load event."""
        self.page.wait_for_function("() => 'document$' in window", timeout=30_000)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("data:") or urlparse(url).netloc == self.host:
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def transferred(self) -> tuple[int, int, int, int]:
        """(bytes over the wire, bytes once decompressed) of the page and all it loaded but
        the search index, then the same two of the search index."""
        entries = self.page.evaluate(
            """() => performance.getEntries()
                 .filter(e => e.entryType === 'navigation' || e.entryType === 'resource')
                 .map(e => [e.name, e.transferSize || e.encodedBodySize || 0,
                            e.decodedBodySize || 0])"""
        )
        index = [e for e in entries if urlparse(e[0]).path.endswith(SEARCH_INDEX)]
        page = [e for e in entries if e not in index]
        return (
            sum(e[1] for e in page), sum(e[2] for e in page),
            sum(e[1] for e in index), sum(e[2] for e in index),
        )  # fmt: skip

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def visit(browser: Any, base_url: str) -> Iterator[Any]:
    opened: list[Visit] = []

    def open_page(path: str, color_scheme: str = "light", width: int = 1280) -> Visit:
        # each test waits for what it needs (the search test for its results): the page's
        # load event is enough, no wait for the network to go quiet
        v = Visit(browser, base_url, path, color_scheme, width=width, network_idle=False)
        opened.append(v)
        return v

    yield open_page
    for v in opened:
        v.close()


# ------------------------------------------------------------------ readable on every screen

WIDTHS = (390, 1280)  # a phone, a laptop
SCHEMES = ("light", "dark")
MIN_TEXT_PX = 11  # the smallest text a figure may show, as displayed
MAX_CLS = 0.1  # web.dev's "good" cumulative layout shift

CLS = """() => new Promise(done => {
    let sum = 0;
    new PerformanceObserver(list => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) sum += e.value;
    }).observe({type: 'layout-shift', buffered: true});
    setTimeout(() => done(sum), 50);
})"""

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"

# Text of the inline diagram as it is, and of each generated SVG figure loaded into the page at
# the width its <img> is displayed (an <img>'s SVG is not in the DOM): size and overlaps.
FIGURE_TEXT = """async (minPx) => {
    const small = [], overlaps = [];
    const check = (svg, name) => {
        const texts = [...svg.querySelectorAll('text')]
            .filter(t => t.textContent.trim() && t.getClientRects().length);
        for (const t of texts) {
            const m = t.getScreenCTM();
            const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
            if (px < minPx - 0.01) small.push(`${name}: "${t.textContent}" is ${px.toFixed(1)} px`);
        }
        const boxes = texts.map(t => t.getBoundingClientRect());
        for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i], b = boxes[j];
            const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
            const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
            if (w > 1 && h > 1) overlaps.push(
                `${name}: "${texts[i].textContent}" and "${texts[j].textContent}"`);
        }
    };
    for (const svg of document.querySelectorAll('.md-content svg')) {
        if (svg.getClientRects().length && svg.querySelector('text')) check(svg, 'inline svg');
    }
    for (const img of document.querySelectorAll('.md-content img[src*="assets/generated/"]')) {
        if (!img.getClientRects().length) continue;
        const style = getComputedStyle(img);
        const width = img.clientWidth
            - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        const text = await (await fetch(img.src)).text();
        const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
        const box = document.createElement('div');
        box.style.cssText = `position: absolute; left: 0; top: 0; width: ${width}px`;
        svg.setAttribute('style', 'display: block; width: 100%; height: auto');
        box.appendChild(document.importNode(svg, true));
        document.body.appendChild(box);
        check(box.firstChild, img.src.split('/').pop());
        box.remove();
    }
    return {small, overlaps};
}"""

# Everything the Tab key reaches, focused in turn: does anything visible change? (an outline,
# a shadow, a background or border). Transitions are switched off, so that the style read is
# the final one. An input drawn by the label after it (Material's palette and content tabs)
# shows the change on that label.
FOCUS = """() => {
    const off = document.createElement('style');
    off.textContent =
        '*, ::before, ::after { transition: none !important; animation: none !important; }';
    document.head.appendChild(off);
    if (document.activeElement) document.activeElement.blur();  // from the Tab that set the mode
    const look = el => {
        const s = getComputedStyle(el);
        const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
            ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : 'none';
        return [outline, s.boxShadow, s.backgroundColor, s.borderColor, s.textDecorationLine,
                s.opacity, s.transform].join('|');
    };
    const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]';
    const missing = [];
    let checked = 0;
    for (const el of document.querySelectorAll(sel)) {
        if (el.tabIndex < 0 || el.disabled || el.closest('[hidden], [inert]')) continue;
        const r = el.getBoundingClientRect();
        const label = el.nextElementSibling;
        const shown = r.width > 1 && r.height > 1 ? el
            : label && label.tagName === 'LABEL' && label.getBoundingClientRect().width > 1
            ? label : null;
        if (!shown || !shown.checkVisibility({visibilityProperty: true})) continue;
        const before = look(shown);
        el.focus({preventScroll: true});
        if (document.activeElement !== el) continue;  // not focusable after all
        const after = look(shown);
        el.blur();
        checked++;
        if (before === after) {
            const name = (el.getAttribute('aria-label') || el.textContent || el.id || '').trim();
            const tag = `<${el.tagName.toLowerCase()} class="${el.className}">`;
            missing.push(`${tag} ${name.slice(0, 40)}`);
        }
    }
    off.remove();
    return {checked, missing};
}"""

# A generated-fragment marker at the start of a line ends the paragraph before it (an HTML
# comment there opens an HTML block): the sentence is split in two.
SPLIT = """() => {
    const out = [];
    const walker = document.createTreeWalker(
        document.querySelector('.md-content'), NodeFilter.SHOW_COMMENT);
    const near = (node, step) => {
        do node = node[step]; while (node && node.nodeType === 3 && !node.data.trim());
        return node;
    };
    while (walker.nextNode()) {
        const c = walker.currentNode, mark = c.data.trim();
        if (c.parentElement.closest('p, li, td, th, h1, h2, h3, h4, dd, dt')) continue;
        const prev = near(c, 'previousSibling'), next = near(c, 'nextSibling');
        if (mark.startsWith('gen:') && prev && prev.tagName === 'P') {
            const text = prev.textContent.trim();
            if (text && !/[.:!?…)]["'”’]?$/.test(text)) {
                out.push(`…${text.slice(-50)} | <!-- ${mark} -->`);
            }
        }
        const after = next && next.tagName === 'P' ? next.textContent.trim() : '';
        if (/^[a-z0-9]/.test(after)) out.push(`<!-- ${mark} --> | ${after.slice(0, 50)}…`);
    }
    return out;
}"""


@dataclass
class Layout:
    """What one page looks like at one width in one colour scheme."""

    overflow: int  # CSS px the page scrolls sideways
    small_text: list[str]
    overlaps: list[str]
    focus_checked: int
    no_focus_ring: list[str]
    cls: float | None = None  # measured in light mode (the scheme changes no layout)
    split_sentences: list[str] | None = None


def _layout(page: Any, first: bool) -> Layout:
    """Measure a settled page; ``first``: also what only a fresh load shows (CLS, markers)."""
    cls = page.evaluate(CLS) if first else None
    split = page.evaluate(SPLIT) if first else None
    figures = page.evaluate(FIGURE_TEXT, MIN_TEXT_PX)
    focus = page.evaluate(FOCUS)
    return Layout(
        page.evaluate(OVERFLOW), figures["small"], figures["overlaps"],
        focus["checked"], focus["missing"], cls, split,
    )  # fmt: skip


def _dark(page: Any) -> None:
    """Switch a page to dark mode as the palette toggle does."""
    page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")


def _ready(v: Visit) -> None:
    v.settle()
    v.page.keyboard.press("Tab")  # the keyboard is in use: focus rings show (:focus-visible)
    if v.page.locator("#ee-explorer").count():
        v.page.wait_for_selector("#ee-explorer[data-loaded]")


# ------------------------------------------------------------------ measurements kept
# What Chromium measures of a page depends only on the bytes the page loads and on the code
# that measures it. So the measurements of each page are kept (in .cache/browser) under a
# key made of those bytes: the page's HTML, every other file of the site it may load (all
# but the other pages' HTML, the notebooks offered for download, which a page links to but
# never loads, the sitemap, and the search index, which changes no page's layout), this
# file, the server (benchmarks/site_serving.py), axe-core, Playwright and the Chromium
# binary. A run measures again exactly the pages whose key changed; the assertions run on
# every run. Under CI=true, or with EMBEDDINGS_EXPLAINED_BROWSER_CACHE set empty, nothing is
# kept: every page is measured.

BROWSER_CACHE_ENV = "EMBEDDINGS_EXPLAINED_BROWSER_CACHE"
NOT_LOADED_BY_A_PAGE = {SEARCH_INDEX, "sitemap.xml", "sitemap.xml.gz"}


def _kept_folder() -> Path | None:
    if _under_ci():
        return None
    folder = os.environ.get(BROWSER_CACHE_ENV, str(ROOT / ".cache" / "browser"))
    return Path(folder) if folder else None


def _file_digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"absent"


@functools.cache
def _page_keys(site: Path) -> dict[str, str]:
    """A key for each nav page: everything its measurements depend on (see above)."""
    from importlib.metadata import version

    shared = hashlib.sha256()
    for f in sorted(site.rglob("*")):
        rel = f.relative_to(site).as_posix()
        if f.is_file() and f.suffix not in (".html", ".ipynb") and rel not in NOT_LOADED_BY_A_PAGE:
            shared.update(rel.encode() + b"\0" + _file_digest(f))
    chromium = Path(CHROMIUM).stat() if Path(CHROMIUM).exists() else None
    tools = (
        _file_digest(Path(__file__)), _file_digest(ROOT / "benchmarks" / "site_serving.py"),
        _file_digest(AXE), version("playwright").encode(),
        repr((chromium.st_size, chromium.st_mtime_ns) if chromium else None).encode(),
    )  # fmt: skip
    for tool in tools:
        shared.update(tool + b"\0")
    return {
        path: hashlib.sha256(shared.digest() + _file_digest(site / path / "index.html")).hexdigest()
        for path in PAGES
    }


def _kept_file(kind: str, path: str, key: str) -> Path | None:
    folder = _kept_folder()
    return (
        folder / f"{kind}-{_id(path).strip('/').replace('/', '-')}-{key[:32]}.json"
        if folder
        else None
    )


def _kept(kind: str, path: str, key: str) -> Any:
    file = _kept_file(kind, path, key)
    try:
        return json.loads(file.read_text()) if file else None
    except (OSError, ValueError):
        return None


def _keep(kind: str, path: str, key: str, value: Any) -> None:
    file = _kept_file(kind, path, key)
    if file is None:
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    for old in file.parent.glob(file.name.rsplit("-", 1)[0] + "-*.json"):
        old.unlink(missing_ok=True)  # the page's earlier measurements
    partial = file.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(value))
    os.replace(partial, file)


def _layouts_from(value: dict[str, Any]) -> dict[str, Layout]:
    return {scheme: Layout(**layout) for scheme, layout in value.items()}


@pytest.fixture(scope="session")
def phone(
    request: pytest.FixtureRequest, built_site: Path, base_url: str
) -> dict[tuple[str, str], Layout]:
    """Every page of the nav at 390 px, light then dark, visited together in tabs."""
    keys = _page_keys(built_site)
    out = {}
    todo = []
    for path in PAGES:
        kept = _kept("phone", path, keys[path])
        if kept is None:
            todo.append(path)
        else:
            out.update({(path, s): layout for s, layout in _layouts_from(kept).items()})
    if not todo:
        return out
    browser = request.getfixturevalue("browser")
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800})
    visits = [Visit(context, base_url, path, settle=False) for path in todo]
    for path, v in zip(todo, visits, strict=True):
        _ready(v)
        out[path, "light"] = _layout(v.page, first=True)
        _dark(v.page)
        out[path, "dark"] = _layout(v.page, first=False)
        v.close()
        _keep("phone", path, keys[path], {s: dataclasses.asdict(out[path, s]) for s in SCHEMES})
    context.close()
    return out


@pytest.fixture(scope="session")
def first_paint_overflow(
    request: pytest.FixtureRequest, built_site: Path, base_url: str
) -> dict[str, int]:
    """CSS px each page scrolls sideways at 390 px as first painted, before Material's script
    (which wraps tables, among others) has run: the script is held back."""
    keys = _page_keys(built_site)
    out = {path: _kept("first-paint", path, keys[path]) for path in PAGES}
    todo = [path for path, kept in out.items() if kept is None]
    if todo:
        context = request.getfixturevalue("browser").new_context(
            viewport={"width": WIDTHS[0], "height": 800}
        )
        context.route(MATERIAL_SCRIPT, lambda route: route.abort())
        page = context.new_page()
        for path in todo:
            page.goto(base_url + path, wait_until="load")
            out[path] = page.evaluate(OVERFLOW)
            _keep("first-paint", path, keys[path], out[path])
        context.close()
    return out


@dataclass
class PageReport:
    foreign: list[str]
    failed: list[str]
    console_errors: list[str]
    transferred: int
    uncompressed: int
    index_transferred: int
    index_uncompressed: int
    notebook: bool
    images: list[tuple[str, str | None]]
    violations: list[str] | None  # None when axe-core is not installed
    layouts: dict[str, Layout]  # at 1280 px, by colour scheme
    # ms from navigation: the first contentful paint, and when Material's script was requested
    first_paint: float | None
    bundle_requested: float | None


FIRST_PAINT_AND_BUNDLE = """() => [
    performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
    performance.getEntriesByType('resource')
        .find(e => /\\/bundle\\.[0-9a-f]+\\.min\\.js$/.test(new URL(e.name).pathname))
        ?.startTime ?? null]"""

AXE_SERIOUS = """async (options) => (await axe.run(document, options)).violations
    .filter(x => x.impact === 'serious' || x.impact === 'critical')
    .map(x => `${x.impact} ${x.id}: ${x.help} (${x.nodes.length}x, e.g. ${x.nodes[0].target})`)"""


# In dark mode only the colours change, so only the colour rules run again.
DARK_RULES = {"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}}


@pytest.fixture(scope="session")
def reports(
    request: pytest.FixtureRequest, built_site: Path, base_url: str
) -> dict[str, PageReport]:
    """Every page of the nav visited once, in light mode, with everything recorded."""
    keys = _page_keys(built_site)
    out = {}
    for path in PAGES:
        kept = _kept("report", path, keys[path])
        if kept is not None:
            out[path] = PageReport(**{**kept, "layouts": _layouts_from(kept["layouts"])})
    todo = [path for path in PAGES if path not in out]
    if not todo:
        return out
    browser = request.getfixturevalue("browser")
    visits = [Visit(browser, base_url, path, settle=False) for path in todo]
    for path, v in zip(todo, visits, strict=True):  # the pages settle meanwhile, together
        _ready(v)
        light = _layout(v.page, first=True)
        transferred, uncompressed, index_transferred, index_uncompressed = v.transferred()
        images = v.page.eval_on_selector_all(
            "img", "els => els.map(e => [e.src, e.getAttribute('alt')])"
        )
        first_paint, bundle_requested = v.page.evaluate(FIRST_PAINT_AND_BUNDLE)
        violations = None
        if AXE.exists():
            v.page.add_script_tag(path=str(AXE))
            violations = v.page.evaluate(AXE_SERIOUS, {"resultTypes": ["violations"]})
            # then dark mode, as the palette toggle sets it
            v.page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
        out[path] = PageReport(
            v.foreign, v.failed, v.console_errors, transferred, uncompressed,
            index_transferred, index_uncompressed,
            v.page.locator(".jupyter-wrapper").count() > 0, images, violations,
            {"light": light}, first_paint, bundle_requested,
        )  # fmt: skip
    if AXE.exists():
        visits[0].page.wait_for_timeout(300)  # let the colour transitions finish
        for path, v in zip(todo, visits, strict=True):
            colours = v.page.evaluate(AXE_SERIOUS, DARK_RULES)
            out[path].violations += [f"(dark) {x}" for x in colours]  # type: ignore[operator]
    for path, v in zip(todo, visits, strict=True):
        _dark(v.page)  # already, when axe-core ran
        out[path].layouts["dark"] = _layout(v.page, first=False)
        v.close()
        _keep("report", path, keys[path], dataclasses.asdict(out[path]))
    return {path: out[path] for path in PAGES}


@pytest.fixture(scope="session")
def layouts(
    reports: dict[str, PageReport], phone: dict[tuple[str, str], Layout]
) -> dict[tuple[str, int, str], Layout]:
    """(page, width, scheme) -> Layout, for every page of the nav."""
    out = {(path, WIDTHS[0], scheme): layout for (path, scheme), layout in phone.items()}
    for path, r in reports.items():
        out.update({(path, WIDTHS[1], scheme): layout for scheme, layout in r.layouts.items()})
    return out


def _id(path: str) -> str:
    return path or "home"


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_page_requests_nothing_from_other_hosts(reports: dict[str, PageReport], path: str) -> None:
    assert not reports[path].foreign, f"requests to other hosts: {reports[path].foreign}"


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_page_has_no_failed_request_and_no_console_error(
    reports: dict[str, PageReport], path: str
) -> None:
    r = reports[path]
    assert not r.failed, f"failed requests: {r.failed}"
    assert not r.console_errors, f"console errors: {r.console_errors}"


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_page_stays_within_its_size_budget(reports: dict[str, PageReport], path: str) -> None:
    r = reports[path]
    budget = NOTEBOOK_BUDGET if r.notebook else PAGE_BUDGET
    # The budget holds even counted uncompressed (GitHub Pages sends gzip: far less).
    assert max(r.transferred, r.uncompressed) < budget, (
        f"{_id(path)} loads {r.uncompressed:,} bytes ({r.transferred:,} over the wire), "
        f"over its budget of {budget:,}"
    )


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_page_paints_before_materials_script_is_requested(
    reports: dict[str, PageReport], path: str
) -> None:
    """The text shows before Material's 114 KB script runs: the page asks for the script only
    after its first contentful paint (a parser-blocking tag would have it fetched at once)."""
    first_paint, bundle = reports[path].first_paint, reports[path].bundle_requested
    assert first_paint is not None, "no first contentful paint recorded"
    assert bundle is not None, "Material's bundle.*.min.js was never requested"
    assert bundle > first_paint, (
        f"Material's script was requested at {bundle:.0f} ms, before the first paint at "
        f"{first_paint:.0f} ms: is paint_before_bundle (overrides/hooks) still applied?"
    )


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_every_image_has_alt_text(reports: dict[str, PageReport], path: str) -> None:
    missing = [src for src, alt in reports[path].images if not (alt and alt.strip())]
    assert not missing, f"images without alt text: {missing}"


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_page_has_no_serious_accessibility_violations(
    reports: dict[str, PageReport], path: str
) -> None:
    if reports[path].violations is None:
        _missing("axe-core (tests/browser/node_modules; `make test` runs npm ci there)")
    assert not reports[path].violations, "\n".join(reports[path].violations or [])


SCREENS = [(path, w, s) for path in PAGES for w in WIDTHS for s in SCHEMES]


def _screen_id(screen: tuple[str, int, str]) -> str:
    path, width, scheme = screen
    return f"{_id(path)}-{width}-{scheme}"


@pytest.mark.parametrize("screen", SCREENS, ids=_screen_id)
def test_page_does_not_scroll_sideways(
    layouts: dict[tuple[str, int, str], Layout], screen: tuple[str, int, str]
) -> None:
    assert layouts[screen].overflow <= 0, (
        f"{_screen_id(screen)} scrolls sideways by {layouts[screen].overflow} px; a wide table "
        "or block should scroll inside its own box"
    )


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_page_fits_a_phone_before_materials_script_runs(
    first_paint_overflow: dict[str, int], path: str
) -> None:
    """What a phone paints first (Material's script comes after the first paint) fits too."""
    assert first_paint_overflow[path] <= 0, (
        f"{_id(path)} scrolls sideways by {first_paint_overflow[path]} px at {WIDTHS[0]} px "
        "until Material's script has run"
    )


@pytest.mark.parametrize("screen", SCREENS, ids=_screen_id)
def test_figure_text_is_at_least_11_px_and_never_overlaps(
    layouts: dict[tuple[str, int, str], Layout], screen: tuple[str, int, str]
) -> None:
    layout = layouts[screen]
    assert not layout.small_text, f"text under {MIN_TEXT_PX} px: {layout.small_text[:5]}"
    assert not layout.overlaps, f"overlapping text: {layout.overlaps[:5]}"


@pytest.mark.parametrize("screen", SCREENS, ids=_screen_id)
def test_everything_a_keyboard_reaches_shows_a_focus_ring(
    layouts: dict[tuple[str, int, str], Layout], screen: tuple[str, int, str]
) -> None:
    layout = layouts[screen]
    assert layout.focus_checked > 0, "no focusable element found: the check saw nothing"
    assert not layout.no_focus_ring, "no visible change on focus:\n" + "\n".join(
        layout.no_focus_ring
    )


@pytest.mark.parametrize("screen", [x for x in SCREENS if x[2] == "light"], ids=_screen_id)
def test_layout_does_not_shift_while_the_page_loads(
    layouts: dict[tuple[str, int, str], Layout], screen: tuple[str, int, str]
) -> None:
    cls = layouts[screen].cls
    assert cls is not None and cls < MAX_CLS, f"cumulative layout shift {cls:.3f}"


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_no_marker_splits_a_sentence(
    layouts: dict[tuple[str, int, str], Layout], path: str
) -> None:
    split = layouts[path, WIDTHS[0], "light"].split_sentences
    assert split == [], (
        "a <!-- gen:... --> marker at the start of a line ends the paragraph; keep it inside "
        f"the line: {split}"
    )


@pytest.fixture(scope="module")
def home(browser: Any, base_url: str) -> Iterator[Any]:
    """The home page, loaded once for the tests that only read it or use its header."""
    v = Visit(browser, base_url, "", network_idle=False)
    yield v.page
    v.close()


@pytest.fixture(scope="module")
def summary(browser: Any, base_url: str) -> Iterator[Any]:
    v = Visit(browser, base_url, "visual-summary/", network_idle=False)
    yield v.page
    v.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_diagram_has_a_layout_for_each_screen(summary: Any, width: int) -> None:
    page = summary
    page.set_viewport_size({"width": width, "height": 800})
    svg = page.locator("figure.ee-diagram svg:visible")
    assert svg.count() == 1
    assert svg.get_attribute("class") == ("ee-narrow" if width < 720 else "ee-wide")
    assert svg.get_attribute("role") == "img" and svg.locator("title").count() == 1
    box, column = svg.bounding_box(), page.locator("article").bounding_box()
    assert box and column and box["height"] > 300
    if width > 720:  # on a laptop the diagram takes the column's whole width
        assert box["width"] > 0.9 * column["width"]


def test_code_blocks_have_copy_buttons(home: Any) -> None:
    assert home.locator("button[title='Copy to clipboard']").count() >= 1


def test_search_finds_position(home: Any) -> None:
    box = home.locator("input.md-search__input")
    box.click()
    box.press_sequentially("position")  # key events, as a reader types: Material listens to them
    results = home.locator(".md-search-result__item")
    try:
        results.first.wait_for(timeout=30_000)  # the index builds in a worker; slow under load
    except Exception:
        meta = home.locator(".md-search-result__meta").all_inner_texts()
        pytest.fail(f"no search results; the search box says {meta}")
    assert results.count() > 0
    assert "position" in results.first.inner_text().lower()
    home.keyboard.press("Escape")  # the search closes; the header is the page's again


def test_light_dark_toggle_switches_the_scheme(home: Any) -> None:
    scheme = "document.body.getAttribute('data-md-color-scheme')"
    assert home.evaluate(scheme) == "default"
    home.locator("form[data-md-component='palette'] label:visible").first.click()
    home.wait_for_function(f"{scheme} === 'slate'", timeout=5_000)


@pytest.mark.parametrize(("system", "scheme"), [("dark", "slate"), ("light", "default")])
def test_a_first_visit_has_the_systems_scheme_before_materials_script_runs(
    browser: Any, base_url: str, system: str, scheme: str
) -> None:
    """Material's script, which would choose the scheme, runs after the first paint here; the
    palette partial (overrides/partials/javascripts/palette.html) chooses it before. The
    script is held back, to see the page as its first paint has it; nothing is stored yet."""
    page = browser.new_page(color_scheme=system)
    try:
        page.route(MATERIAL_SCRIPT, lambda route: route.abort())
        page.goto(base_url + "training/", wait_until="load")
        assert page.evaluate("'document$' in window") is False  # the script did not run
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme
    finally:
        page.close()


def test_notebook_page_shows_its_outputs_and_a_download(visit: Any) -> None:
    page = visit("complete-flow/").page
    assert page.get_by_text("torch.Size([1, 2, 4])").first.is_visible()
    link = page.locator("a[download][href$='.ipynb']")
    assert link.count() == 1


class Explorer:
    """The explorer page, loaded once for all its tests: each types its own text."""

    def __init__(self, browser: Any, base_url: str):
        self.visit = Visit(browser, base_url, "explorer/", network_idle=False)
        self.page = self.visit.page
        self.page.wait_for_selector("#ee-explorer[data-loaded]")
        self.count_on_load = self.page.locator("#ee-count").inner_text()

    def type(self, text: str, width: int = WIDTHS[1]) -> Any:
        self.page.set_viewport_size({"width": width, "height": 800})
        self.page.locator("#ee-text").fill(text)
        return self.page


@pytest.fixture(scope="module")
def explorer(browser: Any, base_url: str) -> Iterator[Explorer]:
    e = Explorer(browser, base_url)
    yield e
    e.visit.close()


def test_explorer_sums_for_hi_equal_pytorch(explorer: Explorer) -> None:
    page = explorer.type("Hi")
    shown = page.locator("#ee-sums td.ee-num").all_inner_texts()
    out = seeded_embeddings()(torch.tensor([ByteTokenizer().encode("Hi")]))
    assert shown == [fmt(x) for x in out.flatten().tolist()]
    assert len(shown) == 8


def test_explorer_shows_the_bytes_of_non_ascii_text(explorer: Explorer) -> None:
    page = explorer.type("é")
    assert page.locator("#ee-ids").inner_text() == "[195, 169]"
    assert page.locator("#ee-sums tbody tr").count() == 2


def test_explorer_too_long_keeps_the_first_bytes_and_shows_the_packages_message(
    explorer: Explorer,
) -> None:
    text = "Hi there!"
    page = explorer.type(text)
    ids = ByteTokenizer().encode(text)
    with pytest.raises(ValueError) as raised:
        seeded_embeddings()(torch.tensor([ids]))
    assert page.locator("#ee-error").inner_text() == f"ValueError: {raised.value}"
    emb = seeded_embeddings()
    first = emb(torch.tensor([ids[: emb.block_size]]))
    shown = page.locator("#ee-sums td.ee-num").all_inner_texts()
    assert shown == [fmt(x) for x in first.flatten().tolist()]  # the first 8 bytes, still
    assert (
        page.locator("#ee-count").inner_text() == f"{len(ids)} of {emb.block_size} bytes: too long"
    )
    why = page.locator("#ee-too-long-why").inner_text()
    assert f"only {emb.block_size} position rows" in why and why.endswith("this message:")


def test_explorer_counts_bytes_as_you_type(explorer: Explorer) -> None:
    block_size = seeded_embeddings().block_size
    assert explorer.count_on_load == f"2 of {block_size} bytes"  # "Hi", the text it opens with
    page = explorer.type("é!")
    assert page.locator("#ee-count").inner_text() == f"3 of {block_size} bytes"


def test_explorer_names_invisible_characters(explorer: Explorer) -> None:
    page = explorer.type("a\tb e\u0301")
    names = page.locator("#ee-bytes .ee-name").all_inner_texts()
    assert names == ["tab (U+0009)", "space (U+0020)", "combining acute accent (U+0301)"]


@pytest.mark.parametrize("width", WIDTHS)
def test_explorer_steps_line_up_column_by_column(explorer: Explorer, width: int) -> None:
    page = explorer.type("Hi there", width=width)
    columns = [
        [round(b["x"]) for b in page.locator(f"#{t} thead th").evaluate_all(
            "ths => ths.map(th => th.getBoundingClientRect().toJSON())")]
        for t in ("ee-token-rows", "ee-position-rows", "ee-sums")
    ]  # fmt: skip
    assert columns[0] == columns[1] == columns[2]
    assert page.evaluate(OVERFLOW) <= 0


def test_search_index_stays_within_its_budget(built_site: Path) -> None:
    """One file for the whole site (see SEARCH_INDEX): it grows with every page."""
    size = (built_site / SEARCH_INDEX).stat().st_size
    assert size < SEARCH_INDEX_BUDGET, (
        f"{SEARCH_INDEX} is {size:,} bytes, over its budget of {SEARCH_INDEX_BUDGET:,}: "
        "exclude from search what nobody looks for (data-search-exclude), or raise the budget "
        "knowingly"
    )


def test_report_page_sizes(
    reports: dict[str, PageReport], built_site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Prints the bytes each page transferred (pytest -s shows it); checks the report is whole."""
    assert set(reports) == set(PAGES)
    index = (built_site / SEARCH_INDEX).read_bytes()
    with capsys.disabled():
        print("\npage                     transferred (gzip)   uncompressed   (search index aside)")
        for path, r in reports.items():
            print(f"{_id(path):24} {r.transferred:>12,} B {r.uncompressed:>15,} B")
        print(
            f"{SEARCH_INDEX}: {len(index):,} B, {len(gzip.compress(index, 6)):,} B with gzip "
            "(fetched once per visit by the search worker)"
        )
