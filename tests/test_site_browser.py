"""The built site as readers get it, in headless Chromium (Debian's, driven by Playwright).

For every page: no console errors, no failed requests, no request to any other host,
no serious or critical axe-core violation, alt text on every image, and a size budget.
Then the interactive parts: diagram, search, colour toggle, notebook outputs, copy
buttons, and the explorer against PyTorch.

Without Chromium (or axe-core from npm) these tests skip with the reason; under CI=true
a missing browser is a failure instead.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import torch

from embeddings_explained import ByteTokenizer
from embeddings_explained.showcase import fmt, seeded_embeddings
from tests.docs_harness import mkdocs_config

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
# Debian's chromium here and in .ci/run; CHROMIUM_PATH picks another (GitHub's runners have Chrome).
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PAGE_BUDGET = 500_000  # bytes a page may transfer
NOTEBOOK_BUDGET = 1_000_000


def _missing(what: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} is missing, and under CI=true the browser tests must run")
    pytest.skip(f"{what} not found: the browser tests need it (CI installs it)")


def _nav_pages() -> list[str]:
    """URL paths of every page in mkdocs.yml's nav, as mkdocs lays them out."""
    config = mkdocs_config()
    paths = []

    def walk(entries: list[Any]) -> None:
        for entry in entries:
            target = next(iter(entry.values())) if isinstance(entry, dict) else entry
            if isinstance(target, list):
                walk(target)
            elif not target.startswith(("http:", "https:")):
                stem = target.rsplit(".", 1)[0]
                paths.append("" if stem == "index" else stem.removesuffix("/index") + "/")

    walk(config["nav"])
    return paths


PAGES = _nav_pages()


@pytest.fixture(scope="session")
def base_url(built_site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site as GitHub Pages does: text compressed with gzip when asked for."""

    COMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".xml", ".ipynb", ".txt")

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.suffix in self.COMPRESSED and path.is_file()):
            return super().send_head()  # also redirects /page to /page/, and sends 404s
        body = path.read_bytes()
        data = gzip.compress(body, compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


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
    ):
        self.host = urlparse(base_url).netloc
        self.console_errors: list[str] = []
        self.failed: list[str] = []
        self.foreign: list[str] = []
        self.page = browser.new_page(color_scheme=color_scheme)
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on(
            "response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} {r.status}")
        )
        self.page.goto(base_url + path, wait_until="load")
        if settle:
            self.settle()

    def settle(self) -> None:
        """Wait until the page has made all its requests (the search index comes late)."""
        self.page.wait_for_load_state("networkidle")

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("data:") or urlparse(url).netloc == self.host:
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def transferred(self) -> tuple[int, int]:
        """(bytes over the wire, bytes once decompressed) of the page and all it loaded."""
        entries = self.page.evaluate(
            """() => performance.getEntries()
                 .filter(e => e.entryType === 'navigation' || e.entryType === 'resource')
                 .map(e => [e.transferSize || e.encodedBodySize || 0, e.decodedBodySize || 0])"""
        )
        return sum(e[0] for e in entries), sum(e[1] for e in entries)

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def visit(browser: Any, base_url: str) -> Iterator[Any]:
    opened: list[Visit] = []

    def open_page(path: str, color_scheme: str = "light") -> Visit:
        v = Visit(browser, base_url, path, color_scheme)
        opened.append(v)
        return v

    yield open_page
    for v in opened:
        v.close()


@dataclass
class PageReport:
    foreign: list[str]
    failed: list[str]
    console_errors: list[str]
    transferred: int
    uncompressed: int
    notebook: bool
    images: list[tuple[str, str | None]]
    violations: list[str] | None  # None when axe-core is not installed


AXE_SERIOUS = """async (options) => (await axe.run(document, options)).violations
    .filter(x => x.impact === 'serious' || x.impact === 'critical')
    .map(x => `${x.impact} ${x.id}: ${x.help} (${x.nodes.length}x, e.g. ${x.nodes[0].target})`)"""


# In dark mode only the colours change, so only the colour rules run again.
DARK_RULES = {"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}}


@pytest.fixture(scope="session")
def reports(browser: Any, base_url: str) -> dict[str, PageReport]:
    """Every page of the nav visited once, in light mode, with everything recorded."""
    out = {}
    visits = [Visit(browser, base_url, path, settle=False) for path in PAGES]
    for path, v in zip(PAGES, visits, strict=True):  # the pages settle meanwhile, together
        v.settle()
        transferred, uncompressed = v.transferred()
        images = v.page.eval_on_selector_all(
            "img", "els => els.map(e => [e.src, e.getAttribute('alt')])"
        )
        violations = None
        if AXE.exists():
            v.page.add_script_tag(path=str(AXE))
            violations = v.page.evaluate(AXE_SERIOUS, {"resultTypes": ["violations"]})
            # then dark mode, as the palette toggle sets it
            v.page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
        out[path] = PageReport(
            v.foreign, v.failed, v.console_errors, transferred, uncompressed,
            v.page.locator(".jupyter-wrapper").count() > 0, images, violations,
        )  # fmt: skip
    if AXE.exists():
        visits[0].page.wait_for_timeout(300)  # let the colour transitions finish
        for path, v in zip(PAGES, visits, strict=True):
            colours = v.page.evaluate(AXE_SERIOUS, DARK_RULES)
            out[path].violations += [f"(dark) {x}" for x in colours]  # type: ignore[operator]
    for v in visits:
        v.close()
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


def test_diagram_renders_as_svg(visit: Any) -> None:
    svg = visit("visual-summary/").page.locator("figure.ee-diagram svg")
    assert svg.count() == 1
    box = svg.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 150
    assert svg.get_attribute("role") == "img" and svg.locator("title").count() == 1


def test_search_finds_position(visit: Any) -> None:
    page = visit("").page
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("position")  # key events, as a reader types: Material listens to them
    results = page.locator(".md-search-result__item")
    try:
        results.first.wait_for(timeout=30_000)  # the index builds in a worker; slow under load
    except Exception:
        meta = page.locator(".md-search-result__meta").all_inner_texts()
        pytest.fail(f"no search results; the search box says {meta}")
    assert results.count() > 0
    assert "position" in results.first.inner_text().lower()


def test_light_dark_toggle_switches_the_scheme(visit: Any) -> None:
    page = visit("").page
    scheme = "document.body.getAttribute('data-md-color-scheme')"
    assert page.evaluate(scheme) == "default"
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function(f"{scheme} === 'slate'", timeout=5_000)


def test_notebook_page_shows_its_outputs_and_a_download(visit: Any) -> None:
    page = visit("complete-flow/").page
    assert page.get_by_text("torch.Size([1, 2, 4])").first.is_visible()
    link = page.locator("a[download][href$='.ipynb']")
    assert link.count() == 1


def test_code_blocks_have_copy_buttons(visit: Any) -> None:
    page = visit("").page
    assert page.locator("button[title='Copy to clipboard']").count() >= 1


def _type(page: Any, text: str) -> None:
    page.locator("#ee-text").fill(text)


def test_explorer_sums_for_hi_equal_pytorch(visit: Any) -> None:
    page = visit("explorer/").page
    page.wait_for_selector("#ee-explorer[data-loaded]")
    _type(page, "Hi")
    shown = page.locator("#ee-sums td.ee-num").all_inner_texts()
    out = seeded_embeddings()(torch.tensor([ByteTokenizer().encode("Hi")]))
    assert shown == [fmt(x) for x in out.flatten().tolist()]
    assert len(shown) == 8


def test_explorer_shows_the_bytes_of_non_ascii_text(visit: Any) -> None:
    page = visit("explorer/").page
    page.wait_for_selector("#ee-explorer[data-loaded]")
    _type(page, "é")
    assert page.locator("#ee-ids").inner_text() == "[195, 169]"
    assert page.locator("#ee-sums tbody tr").count() == 2


def test_explorer_too_long_shows_the_packages_message(visit: Any) -> None:
    page = visit("explorer/").page
    page.wait_for_selector("#ee-explorer[data-loaded]")
    text = "Hi there!"
    _type(page, text)
    with pytest.raises(ValueError) as raised:
        seeded_embeddings()(torch.tensor([ByteTokenizer().encode(text)]))
    assert page.locator("#ee-error").inner_text() == f"ValueError: {raised.value}"
    assert page.locator("#ee-sums").count() == 0


def test_report_page_sizes(
    reports: dict[str, PageReport], capsys: pytest.CaptureFixture[str]
) -> None:
    """Prints the bytes each page transferred (pytest -s shows it); checks the report is whole."""
    assert set(reports) == set(PAGES)
    with capsys.disabled():
        print("\npage                     transferred (gzip)   uncompressed")
        for path, r in reports.items():
            print(f"{_id(path):24} {r.transferred:>12,} B {r.uncompressed:>15,} B")
