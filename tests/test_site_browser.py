"""The built site in headless Chromium (Debian's, driven by Playwright): what only a browser sees.

Every page, at 320 and 390 px (phones) and 1280 px (a laptop), light and dark: no sideways scroll
(nor as first painted, before Material's script), every line of a code block and every table cell
in view on a phone, all text >= 11 px (the diagram's apart too), figures shown as wide as they are
drawn for, a focus ring on all the keyboard reaches, no layout shift; no failed request (one to
another host is refused) or console error, no serious axe-core violation, Material's script asked
for after the first paint. Then what readers do: diagram, search, colour toggle, copy buttons, the
explorer against the package. The HTML alone (hosts, alt text, sizes) is checked in
tests/test_site_static.py; the JavaScript is in tests/browser/.
Without Chromium or axe-core (npm) these tests skip; under CI=true they fail instead.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import torch

from embeddings_explained import ByteTokenizer
from embeddings_explained.figures import FIGURE_WIDTH_PT
from embeddings_explained.showcase import fmt, seeded_embeddings
from tests.project import CHROMIUM, ROOT, UNDER_CI, missing
from tests.test_site_static import PAGES, SEARCH_INDEX, page_files

JS = ROOT / "tests" / "browser"
AXE = JS / "node_modules" / "axe-core" / "axe.min.js"
MATERIAL_SCRIPT = "**/assets/javascripts/bundle.*.min.js"  # a Playwright URL pattern
WIDTHS = (320, 390, 1280)  # the narrowest phone (an iPhone SE), a common phone, a laptop
PHONES = WIDTHS[:2]
SCHEMES = ("light", "dark")
SCREENS = [f"{w}-{s}" for w in WIDTHS for s in SCHEMES]
MIN_TEXT_PX = 11
MAX_CLS = 0.1  # web.dev's "good" cumulative layout shift
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
DARK = "document.body.setAttribute('data-md-color-scheme', 'slate')"  # as the toggle does
SCHEME = "document.body.getAttribute('data-md-color-scheme')"
# axe-core cannot tell the colour behind text on a background image: the scroll shadows of
# code blocks and tables and the rule beside a wrapped line (extra.css) would leave all code
# unchecked ("incomplete"). They are taken away while it runs; their colours stay.
NO_SHADOWS = (".md-typeset pre > code, .md-typeset pre > code > span, .md-typeset__scrollwrap, "
              ".ee-tables { background-image: none !important; }")  # fmt: skip
# In dark mode only the colours change, so only the colour rules run again.
AXE_RULES = {"light": {"resultTypes": ["violations"]}, "dark": {"runOnly": {"type": "rule",
             "values": ["color-contrast", "link-in-text-block"]}}}  # fmt: skip


SCRIPTS = {f.stem: f.read_text(encoding="utf-8") for f in JS.glob("*.js")}


def _id(path: str) -> str:
    return path or "home"


def _open(context: Any, url: str, record: Any = None, until: str = "load") -> Any:
    """A new tab at ``url`` that asks nothing of other hosts (the request is refused, so it is
    a failed request); ``record`` collects failed requests and console errors. ``until``: a
    Playwright load state, or "material" for Material's script (it comes after the paint)."""
    page = context.new_page()
    host = urlparse(url).netloc
    page.route("**/*", lambda r: r.continue_() if urlparse(r.request.url).netloc in (host, "")
               else r.abort())  # fmt: skip
    if record is not None:
        failed, errors = record.setdefault("failed", []), record.setdefault("errors", [])
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} {r.status}"))
    page.goto(url, wait_until="load" if until == "material" else until)
    if until == "material":
        page.wait_for_function("() => 'document$' in window", timeout=30_000)
    return page


def _settle(page: Any) -> None:
    """All requests made, Material's script run, the explorer filled in, focus rings on (Tab)."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => 'document$' in window", timeout=30_000)
    if page.locator("#ee-explorer").count():
        page.wait_for_selector("#ee-explorer[data-loaded]")
    page.keyboard.press("Tab")


def _measure(browser: Any, base_url: str, paths: list[str]) -> dict[str, dict[str, Any]]:
    """Everything the tests below read of each page, in JSON's types: its pages load together,
    in tabs, once per width, then once more with Material's script held back."""
    out: dict[str, dict[str, Any]] = {path: {"screens": {}} for path in paths}
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 800})
        tabs = {path: _open(context, base_url + path, out[path], "commit") for path in paths}
        for scheme in SCHEMES:
            for path, page in tabs.items():
                m = out[path]
                if scheme == "light":
                    _settle(page)
                    m[f"cls-{width}"] = page.evaluate(SCRIPTS["cls"])
                    m["first_paint"], m["bundle"], m["requested"] = page.evaluate(SCRIPTS["timing"])
                else:
                    page.evaluate(DARK)
                m["screens"][f"{width}-{scheme}"] = {
                    "overflow": page.evaluate(OVERFLOW),
                    "figures": page.evaluate(SCRIPTS["figures"],
                                             {"minPx": MIN_TEXT_PX, "minWidth": FIGURE_WIDTH_PT}),
                    "focus": page.evaluate(SCRIPTS["focus"]),
                    "lines": page.evaluate(SCRIPTS["cut_text"]),
                }  # fmt: skip
            if width == WIDTHS[-1] and AXE.exists():
                tabs[paths[0]].wait_for_timeout(300)  # the colour transitions of dark mode end
                for path, page in tabs.items():
                    page.add_style_tag(content=NO_SHADOWS)
                    page.add_script_tag(path=str(AXE))
                    found = page.evaluate(SCRIPTS["axe"], AXE_RULES[scheme])
                    out[path].setdefault("axe", []).extend(f"({scheme}) {x}" for x in found)
        context.close()
    for system in SCHEMES:  # as a phone first paints it: Material's script held back
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800},
                                      color_scheme=system)  # fmt: skip
        context.route(MATERIAL_SCRIPT, lambda route: route.abort())
        tabs = {path: _open(context, base_url + path, until="commit") for path in paths}
        for path, page in tabs.items():  # loading together, read in turn
            page.wait_for_load_state("load")
            out[path][f"first-paint-{system}"] = page.evaluate(f"[{OVERFLOW}, {SCHEME}]")
        context.close()
    return out


# What Chromium measures of a page depends only on the bytes it may load and the code that
# measures it: each page's measurements are kept (.cache/browser/pages.json) under a key of the
# page's HTML, every other file of the site but pages, notebooks, sitemap and search index, this
# file, tests/browser/*.js, the server, Playwright and Chromium. A run measures again the pages
# whose key changed; under CI=true, or with EMBEDDINGS_EXPLAINED_BROWSER_CACHE empty, all.
BROWSER_CACHE_ENV = "EMBEDDINGS_EXPLAINED_BROWSER_CACHE"
NOT_LOADED_BY_A_PAGE = {SEARCH_INDEX, "sitemap.xml", "sitemap.xml.gz"}


def _digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest() if path.is_file() else b"absent"


def _page_keys(site: Path) -> dict[str, str]:
    from importlib.metadata import version

    shared = hashlib.sha256(version("playwright").encode())
    tools = [*JS.glob("*.js"), AXE, Path(__file__), ROOT / "benchmarks" / "site_serving.py"]
    for f in sorted(f for f in site.rglob("*") if f.is_file()) + tools:
        rel = f.relative_to(site).as_posix() if f.is_relative_to(site) else str(f)
        if f.suffix not in (".html", ".ipynb") and rel not in NOT_LOADED_BY_A_PAGE:
            shared.update(rel.encode() + b"\0" + _digest(f))
    chromium = Path(CHROMIUM).stat() if Path(CHROMIUM).exists() else None
    shared.update(repr(chromium and (chromium.st_size, chromium.st_mtime_ns)).encode())
    return {
        path: hashlib.sha256(shared.digest() + _digest(site / path / "index.html")).hexdigest()
        for path in PAGES
    }


@pytest.fixture(scope="session")
def measured(request: pytest.FixtureRequest, built_site: Path) -> dict[str, dict[str, Any]]:
    """Every page of the nav, as :func:`_measure` saw it: kept, or measured now."""
    folder = "" if UNDER_CI else os.environ.get(BROWSER_CACHE_ENV, str(ROOT / ".cache/browser"))
    keys, file = _page_keys(built_site), Path(folder or ".") / "pages.json"
    kept: dict[str, Any] = {}
    with contextlib.suppress(OSError, ValueError):
        kept = json.loads(file.read_text()) if folder else {}
    out = {p: kept[p]["measured"] for p in PAGES if kept.get(p, {}).get("key") == keys[p]}
    todo = [path for path in PAGES if path not in out]
    if todo:
        browser, url = request.getfixturevalue("browser"), request.getfixturevalue("base_url")
        out.update(_measure(browser, url, todo))
    if todo and folder:  # written whole or not at all
        file.parent.mkdir(parents=True, exist_ok=True)
        partial = file.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps({p: {"key": keys[p], "measured": out[p]} for p in PAGES}))
        os.replace(partial, file)
    return out


# ------------------------------------------------------------------ every page, every screen

each_page = pytest.mark.parametrize("path", PAGES, ids=_id)


@each_page
def test_page_loads_without_error_and_only_the_files_it_is_weighed_by(
    measured: Any, built_site: Path, path: str
) -> None:
    """No failed request, no console error, and no file that tests/test_site_static.py's
    size budget misses (it weighs the files the page's HTML names)."""
    assert not measured[path]["failed"], f"failed requests: {measured[path]['failed']}"
    assert not measured[path]["errors"], f"console errors: {measured[path]['errors']}"
    requested = {p.lstrip("/") for p in measured[path]["requested"]}
    requested = {p + "index.html" if p.endswith("/") or not p else p for p in requested}
    missed = requested - set(page_files(built_site, path)) - {SEARCH_INDEX}
    assert not missed, f"requested but not weighed: {sorted(missed)}"


@each_page
def test_page_has_no_serious_accessibility_violations(measured: Any, path: str) -> None:
    if "axe" not in measured[path]:
        missing("axe-core (tests/browser/node_modules; `make test` runs npm ci there)")
    assert not measured[path]["axe"], "\n".join(measured[path]["axe"])


@each_page
def test_page_paints_before_materials_script_is_requested(measured: Any, path: str) -> None:
    """The text shows before Material's 114 KB script runs: the page asks for the script only
    after its first contentful paint (a parser-blocking tag would have it fetched at once)."""
    paint, bundle = measured[path]["first_paint"], measured[path]["bundle"]
    assert paint is not None and bundle is not None and bundle > paint, (
        f"first contentful paint at {paint} ms, Material's script requested at {bundle} ms "
        "(None: never): is paint_before_bundle (tools/page_html.py) still applied?"
    )


@each_page
def test_page_does_not_scroll_sideways(measured: Any, path: str) -> None:
    m = measured[path]
    wide = {s: m["screens"][s]["overflow"] for s in SCREENS if m["screens"][s]["overflow"] > 0}
    for system in SCHEMES:  # as first painted: Material's script (it wraps tables) not yet run
        if m[f"first-paint-{system}"][0] > 0:
            wide[f"{WIDTHS[0]}-{system} first paint"] = m[f"first-paint-{system}"][0]
    assert not wide, f"px it scrolls sideways, by screen: {wide}; let the wide part scroll in a box"


def test_a_first_visit_has_the_systems_scheme_before_materials_script_runs(measured: Any) -> None:
    """Material's script, which would choose the scheme, runs after the first paint here; the
    palette partial (overrides/partials/javascripts/palette.html) chooses it before."""
    schemes = {p: [measured[p][f"first-paint-{s}"][1] for s in SCHEMES] for p in PAGES}
    assert {p: s for p, s in schemes.items() if s != ["default", "slate"]} == {}


@each_page
def test_text_and_figures_are_legible_on_every_screen(measured: Any, path: str) -> None:
    figures = {s: measured[path]["screens"][s]["figures"] for s in SCREENS}
    bad = {s: f for s, f in figures.items() if any(f.values())}
    assert not bad, (
        f"text under {MIN_TEXT_PX} px, overlaps, figures under {FIGURE_WIDTH_PT} px: {bad}"
    )


@each_page
def test_everything_a_keyboard_reaches_shows_a_focus_ring(measured: Any, path: str) -> None:
    for screen in SCREENS:
        focus = measured[path]["screens"][screen]["focus"]
        assert focus["checked"] > 0, f"{screen}: no focusable element found: the check saw nothing"
        assert not focus["missing"], f"{screen}: no visible change on focus: {focus['missing']}"


@each_page
def test_layout_does_not_shift_while_the_page_loads(measured: Any, path: str) -> None:
    shifts = {w: measured[path][f"cls-{w}"] for w in WIDTHS}
    assert all(cls is not None and cls < MAX_CLS for cls in shifts.values()), shifts


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_every_line_and_table_cell_is_in_view_on_a_phone(measured: Any, path: str) -> None:
    """No line of code, `#>` line, notebook output or table cell needs its box scrolled
    sideways on a phone: a long line wraps (tests/browser/cut_text.js measures each)."""
    for screen in (f"{w}-{s}" for w in PHONES for s in SCHEMES):
        lines = measured[path]["screens"][screen]["lines"]
        cut = lines["cutCode"] + lines["cutOutputs"] + lines["cutCells"]
        assert not cut, f"{screen}: lines and table cells cut:\n" + "\n".join(cut)


@pytest.mark.parametrize("path", PAGES, ids=_id)
def test_prose_takes_the_whole_column_on_a_phone(measured: Any, path: str) -> None:
    screens = [f"{w}-{s}" for w in PHONES for s in SCHEMES]
    narrow = {s: measured[path]["screens"][s]["lines"]["narrow"] for s in screens}
    assert not any(narrow.values()), narrow


def test_the_line_measure_sees_the_sites_code(measured: Any) -> None:
    """Else the test above would pass on a page whose markup it no longer finds."""
    seen = [measured[p]["screens"][f"{WIDTHS[0]}-{s}"]["lines"] for p in PAGES for s in SCHEMES]
    assert sum(x["code"] for x in seen) > 1000 and sum(x["outputs"] for x in seen) > 500


# ------------------------------------------------------------------ what readers do


@pytest.fixture(scope="module")
def tab(browser: Any, base_url: str) -> Iterator[Any]:
    """Opens a page in a tab of its own, Material's script run."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    yield lambda path: _open(context, base_url + path, until="material")
    context.close()


@pytest.fixture(scope="module")
def summary(tab: Any) -> Any:
    return tab("visual-summary/")  # one load; each width resizes it


@pytest.mark.parametrize("width", WIDTHS)
def test_diagram_has_a_layout_for_each_screen(summary: Any, width: int) -> None:
    page = summary
    page.set_viewport_size({"width": width, "height": 800})
    svg = page.locator("figure.ee-diagram svg:visible")
    assert svg.count() == 1
    assert svg.get_attribute("class") == ("ee-narrow" if width < 720 else "ee-wide")
    box, column = svg.bounding_box(), page.locator("article").bounding_box()
    assert box and column and box["height"] > 300
    if width > 720:  # on a laptop the diagram takes the column's whole width
        assert box["width"] > 0.9 * column["width"]


def test_copy_button_copies_the_code_as_written_on_a_phone(tab: Any) -> None:
    """Long lines wrap on a phone (extra.css): the copy has no added newline or character."""
    page = tab("training/")
    page.set_viewport_size({"width": WIDTHS[0], "height": 800})
    block = page.locator(".md-content .highlight").filter(has_text="def train(").first
    written = block.locator("code").evaluate("code => code.textContent").rstrip()
    block.locator("button[title='Copy to clipboard']").click()
    assert page.evaluate("navigator.clipboard.readText()") == written


def test_search_finds_position(tab: Any) -> None:
    page = tab("")
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially("position")  # key events, as a reader types: Material listens to them
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=30_000)  # the index builds in a worker; slow under load
    assert "position" in results.first.inner_text().lower()


def test_light_dark_toggle_switches_the_scheme(tab: Any) -> None:
    page = tab("")
    assert page.evaluate(SCHEME) == "default"
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function(f"{SCHEME} === 'slate'", timeout=5_000)


def test_notebook_page_shows_its_outputs(tab: Any) -> None:
    page = tab("complete-flow/")
    assert page.locator(".jp-OutputArea-output").get_by_text("torch.Size([1, 2, 4])").is_visible()


@pytest.fixture(scope="module")
def explorer_opened(tab: Any) -> tuple[Any, str]:
    """The explorer page, for all its tests (each enters its own text), and the count it
    showed when it opened."""
    page = tab("explorer/")
    page.wait_for_selector("#ee-explorer[data-loaded]")
    return page, page.locator("#ee-count").inner_text()


@pytest.fixture
def explorer(explorer_opened: tuple[Any, str]) -> Any:
    return explorer_opened[0]


def _enter(page: Any, text: str, width: int = WIDTHS[-1]) -> Any:
    page.set_viewport_size({"width": width, "height": 800})
    # as code points: a lone surrogate cannot travel to the page as UTF-8
    page.locator("#ee-text").evaluate(
        "(box, points) => { box.value = String.fromCodePoint(...points);"
        " box.dispatchEvent(new Event('input')); }",
        [ord(c) for c in text],
    )
    return lambda selector: page.locator(selector).all_inner_texts()


def _package_sums(text: str) -> list[str]:
    out = seeded_embeddings()(torch.tensor([ByteTokenizer().encode(text)]))
    return [fmt(x) for x in out.flatten().tolist()]


def test_explorer_opens_with_the_bytes_of_hi(explorer_opened: tuple[Any, str]) -> None:
    assert explorer_opened[1] == f"2 of {seeded_embeddings().block_size} bytes"


@pytest.mark.parametrize("text", ["Hi", "é!", "a\nb", "a\tb e\u0301"])
def test_explorer_shows_the_packages_ids_and_sums(explorer: Any, text: str) -> None:
    """Newlines, tabs and accents are bytes too: the same ids and sums as the package's."""
    shown, ids = _enter(explorer, text), ByteTokenizer().encode(text)
    assert shown("#ee-ids") == [str(ids)]
    assert shown("#ee-count") == [f"{len(ids)} of {seeded_embeddings().block_size} bytes"]
    assert shown("#ee-sums td.ee-num") == _package_sums(text)


def test_explorer_names_invisible_characters(explorer: Any) -> None:
    names = _enter(explorer, "a\tb e\u0301\n")("#ee-bytes .ee-name")
    assert names == ["tab (U+0009)", "space (U+0020)", "combining acute accent (U+0301)",
                     "newline (U+000A)"]  # fmt: skip


def test_explorer_too_long_keeps_the_first_bytes_and_shows_the_packages_message(
    explorer: Any,
) -> None:
    text, emb = "Hi there!", seeded_embeddings()
    shown, ids = _enter(explorer, text), ByteTokenizer().encode(text)
    with pytest.raises(ValueError) as raised:
        emb(torch.tensor([ids]))
    assert shown("#ee-error") == [f"{type(raised.value).__name__}: {raised.value}"]
    assert shown("#ee-sums td.ee-num") == _package_sums(text[: emb.block_size])  # the first 8
    assert shown("#ee-count") == [f"{len(ids)} of {emb.block_size} bytes: too long"]
    why = shown("#ee-refused-why")[0]
    assert f"only {emb.block_size} position rows" in why and why.endswith("this message:")


@pytest.mark.parametrize("text", ["\ud800", "é\udc00x", "\U0001f600a\ud83d"])
def test_explorer_refuses_a_lone_surrogate_with_the_packages_message(
    explorer: Any, text: str
) -> None:
    """Not valid Unicode: the package refuses it, where TextEncoder would write U+FFFD."""
    with pytest.raises(ValueError) as raised:
        ByteTokenizer().encode(text)
    shown = _enter(explorer, text)
    assert explorer.locator("#ee-refused").is_visible()
    assert shown("#ee-error") == [f"{type(raised.value).__name__}: {raised.value}"]
    assert shown("#ee-sums td.ee-num") == [] and shown("#ee-ids") == []


@pytest.mark.parametrize("width", WIDTHS)
def test_explorer_steps_line_up_column_by_column(explorer: Any, width: int) -> None:
    _enter(explorer, "Hi there", width=width)
    columns = [
        [round(b["x"]) for b in explorer.locator(f"#{t} thead th").evaluate_all(
            "ths => ths.map(th => th.getBoundingClientRect().toJSON())")]
        for t in ("ee-token-rows", "ee-position-rows", "ee-sums")
    ]  # fmt: skip
    assert columns[0] == columns[1] == columns[2]
    assert explorer.evaluate(OVERFLOW) <= 0
