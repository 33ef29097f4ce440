"""The glossary and its tooltips: every word a page uses before it explains it.

``docs/glossary.md`` is the readable page. ``includes/abbreviations.md`` holds the same words
as Markdown abbreviations (``*[term]: text``), appended to every page by pymdownx.snippets
(``auto_append`` in ``mkdocs.yml``), so that hovering or tapping the word on any page shows
its text (Material's ``content.tooltips``). Each tooltip is the first sentence of its entry,
so that the two cannot drift apart.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from tests.number_guard import unchecked_numbers
from tests.page_text import markers
from tests.project import DOCS, ROOT

GLOSSARY = DOCS / "glossary.md"
ABBREVIATIONS = ROOT / "includes" / "abbreviations.md"
# The words this site is about: every page explains them, and dots under each of their
# hundreds of uses would only be noise, so they have entries but no tooltips.
OWN_WORDS = "This site's words"


def abbreviations(text: str) -> dict[str, str]:
    """``{term: tooltip}`` of the ``*[term]: tooltip`` lines of a Markdown file."""
    return dict(re.findall(r"^\*\[([^\]\n]+)\]: *(.+)$", text, flags=re.M))


def plain(markdown: str) -> str:
    """The text a reader sees: fragments as shown, links as their text, no code marks."""
    text = markdown
    for m in reversed(markers(markdown, "page")):
        text = text[: m.span[0]] + text[m.start : m.end] + text[m.span[1] :]
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[`*]", "", text)
    return " ".join(text.split())


def glossary_entries(text: str) -> dict[str, tuple[str, str]]:
    """``{term: (section, plain text)}`` of the definition lists (``term`` / ``:   text``)."""
    entries: dict[str, tuple[str, str]] = {}
    section, term, lines = "", "", text.split("\n")
    for k, line in enumerate(lines):
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.startswith(":   ") and k and lines[k - 1].strip():
            term = lines[k - 1].strip()
            body = [line[4:]]
            for more in lines[k + 1 :]:
                if not more.startswith("    "):
                    break
                body.append(more.strip())
            entries[term] = (section, plain("\n".join(body)))
    return entries


def test_the_parsers_read_what_the_files_mean() -> None:
    assert abbreviations("*[RoPE]: Rotary. Two.\n[//]: # (a comment)\n") == {"RoPE": "Rotary. Two."}
    page = (
        "## A\n\nword\n:   The *first* `x` [link](a.md).\n    And more.\n\nnot\n\n"
        "## B\n\nb\n:   B.\n"
    )
    assert glossary_entries(page) == {
        "word": ("A", "The first x link. And more."),
        "b": ("B", "B."),
    }
    assert plain("ln <!-- gen:n vocab_size -->256<!-- /gen -->.") == "ln 256."


TOOLTIPS = abbreviations(ABBREVIATIONS.read_text(encoding="utf-8"))
ENTRIES = glossary_entries(GLOSSARY.read_text(encoding="utf-8"))


def begins(entry: str, tip: str) -> bool:
    """Whether a glossary entry begins with the tooltip, word for word; the entry may put a
    link in parentheses before the tooltip's last full stop."""
    return entry.startswith(tip.removesuffix("."))


def test_every_glossary_entry_has_its_tooltip() -> None:
    missing = [
        term
        for term, (section, text) in ENTRIES.items()
        if section != OWN_WORDS and not any(begins(text, tip) for tip in TOOLTIPS.values())
    ]
    assert ENTRIES and not missing, (
        f"no tooltip in {ABBREVIATIONS.relative_to(ROOT)} is the start of these entries of "
        f"{GLOSSARY.relative_to(ROOT)}: {missing}; add `*[term]: <the entry's first sentence>`"
    )


@pytest.mark.parametrize("term", sorted(TOOLTIPS))
def test_every_tooltip_is_the_start_of_one_glossary_entry(term: str) -> None:
    tip = TOOLTIPS[term]
    starts = [t for t, (_section, text) in ENTRIES.items() if begins(text, tip)]
    assert len(starts) == 1, f"the tooltip of {term!r} begins {starts or 'no'} glossary entries"
    assert ENTRIES[starts[0]][0] != OWN_WORDS, f"{term!r}: the site's own words get no tooltip"
    # A tooltip is read in a small box on a phone: a sentence or two.
    assert len(tip) <= 200, f"the tooltip of {term!r} has {len(tip)} characters; keep it short"


def test_no_number_in_a_tooltip_goes_unchecked() -> None:
    """The tooltips show on every page, where the harness's number guard does not look."""
    found = unchecked_numbers(ABBREVIATIONS.read_text(encoding="utf-8"))
    assert not found, (
        f"numbers in {ABBREVIATIONS.relative_to(ROOT)} no check stands behind: {found}"
    )


def test_every_tooltip_shows_on_a_page_and_the_file_is_no_page(built_site: Path) -> None:
    """Each word is underlined somewhere besides the glossary, with its tooltip."""
    shown: dict[str, set[str]] = {term: set() for term in TOOLTIPS}
    for page in built_site.rglob("*.html"):
        where = page.parent.relative_to(built_site).as_posix()
        for title, term in re.findall(r'<abbr title="([^"]*)">([^<]*)</abbr>', page.read_text()):
            if term in shown and where != "glossary":
                assert html.unescape(title) == TOOLTIPS[term], f"{where}: {term!r} has {title!r}"
                shown[term].add(where)
    unused = sorted(term for term, pages in shown.items() if not pages)
    assert not unused, f"no page but the glossary uses these words: {unused}; remove them"
    assert not list(built_site.rglob("abbreviations*")), "the abbreviations became a page"


@pytest.mark.parametrize(
    ("width", "how"),
    [pytest.param(390, "tap", id="phone-tap"), pytest.param(1280, "hover", id="laptop-hover")],
)
def test_a_tooltip_shows_on_tap_and_on_hover(
    browser: Any, base_url: str, width: int, how: str
) -> None:
    """Material turns each abbreviation's title into its own tooltip once its script runs
    (after the first paint, see paint_before_bundle); a phone opens it with a tap."""
    phone = how == "tap"
    context = browser.new_context(
        viewport={"width": width, "height": 800}, is_mobile=phone, has_touch=phone
    )
    try:
        page = context.new_page()
        page.goto(base_url + "how-checked/")
        page.wait_for_function("() => window.document$ !== undefined")  # Material's script
        word = page.locator("article abbr").first
        tip = html.unescape(word.get_attribute("title") or "")
        assert tip in TOOLTIPS.values()
        if phone:
            word.tap()
        else:
            word.hover()
        shown = page.locator(".md-tooltip2--active")
        shown.wait_for(timeout=5_000)
        assert shown.inner_text() == tip
    finally:
        context.close()
