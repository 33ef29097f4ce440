"""The theme overrides: the hooks and their helpers, the partials copied from Material."""

from __future__ import annotations

import difflib
import re
from importlib import metadata, resources
from pathlib import Path

import pytest

from tests.project import ROOT
from tools.page_html import fix_notebook_page, lighten_code_blocks, paint_before_bundle, purge_css


def test_purge_css_keeps_rules_that_can_match_and_drops_the_rest() -> None:
    css = (
        ".a .b{color:red}.a .zz{color:blue}.zz,.b{margin:0}"
        "@media (max-width:1px){.zz{x:y}}.a:not(.zz) .b{top:0}:root{--v:1}"
    )
    assert purge_css(css, {"a", "b"}) == (
        ".a .b{color:red}.zz,.b{margin:0}@media (max-width:1px){.zz{x:y}}.a:not(.zz) .b{top:0}"
        ":root{--v:1}"
    )


@pytest.mark.parametrize(
    ("css", "kept"),
    [
        # one selector of a comma list that can match keeps the rule, whitespace or not
        (".zz, .a\n{x:1}", ".zz, .a\n{x:1}"),
        (".zz,\n.yy {x:1}", ""),
        # nested at-rules are kept whole, however deep (their rules are not looked into)
        (
            "@media print{@supports (x:y){.zz{x:1}}}.zz{x:2}",
            "@media print{@supports (x:y){.zz{x:1}}}",
        ),
        ("@keyframes spin{from{x:0}to{x:1}}", "@keyframes spin{from{x:0}to{x:1}}"),
        ("@font-face{font-family:f}", "@font-face{font-family:f}"),
        # a class inside :not() need not be present, one outside it must be
        (":not(.zz){x:1}.a:not(.zz,.yy){x:2}", ":not(.zz){x:1}.a:not(.zz,.yy){x:2}"),
        (".zz:not(.a){x:1}", ""),
        # a comma inside a pseudo-class does not split the selector list
        (".a:is(.zz, .yy){x:1}.zz:is(.a, .b){x:2}", ".a:is(.zz, .yy){x:1}"),
        (".zz:not(:is(.a,.b)),.b{x:1}", ".zz:not(:is(.a,.b)),.b{x:1}"),
        # every class of a compound or descendant selector must be present
        (".a.zz{x:1}.a>.b{x:2}", ".a>.b{x:2}"),
        # no class at all: element, id, attribute and pseudo selectors always stay
        ("div#x[data-y]::before{x:1}", "div#x[data-y]::before{x:1}"),
        # class names with dashes and digits are whole names, not prefixes
        (".a-b{x:1}.a2{x:2}.jp-X{x:3}", ""),
        # a comment is not a selector: Pygments' "/* Keyword.Namespace */" before a rule named
        # no class "Namespace" (the notebook page lost its keyword, builtin and string colours)
        (".a{x:1} /* Name.Builtin */\n.b{x:2}/* a {.zz} */.b{x:3}", ".a{x:1} \n.b{x:2}.b{x:3}"),
        (".a{x:1}/* end */", ".a{x:1}"),
        # text after the last rule (a truncated rule) is left as it was
        (".a{x:1}.zz{x", ".a{x:1}.zz{x"),
        ("", ""),
    ],
)
def test_purge_css_edge_cases(css: str, kept: str) -> None:
    assert purge_css(css, {"a", "b"}) == kept


def test_fix_notebook_page_makes_cells_focusable_and_purges_every_style_block() -> None:
    html = (
        '<style id="s">.jp-Used{x:1}.jp-Unused{x:2}</style>'
        '<div class="highlight-ipynb jp-Used"><pre>x</pre></div>'
        "<style>.other{x:3}</style>"
    )
    assert fix_notebook_page(html) == (
        '<style id="s">.jp-Used{x:1}</style>'
        '<div tabindex="0" class="highlight-ipynb jp-Used"><pre>x</pre></div>'
        "<style></style>"
    )


def test_fix_notebook_page_lets_a_chain_of_attributes_break_before_a_dot() -> None:
    dot = '<span class="o">.</span>'
    cell = f'<div class="highlight-ipynb hl-python"><pre>a{dot}b <span class="mf">0.5</span>'
    cell += "</pre></div>"
    fixed = fix_notebook_page(cell + f"<p>a{dot}b</p>")
    assert f"<pre>a<wbr>{dot}b <span" in fixed and fixed.endswith(f"<p>a{dot}b</p>")
    assert fix_notebook_page(fixed) == fixed  # a second build step changes nothing


CODE = (
    '<div class="language-python highlight"><pre><span></span><code>'
    '<span class="n">x</span><span class="w"> </span><span class="o">=</span>'
    '<span class="w"> </span><span class="nb">print</span><span class="p">(</span>'
    '<span class="s2">&quot;a&lt;b&quot;</span><span class="p">)</span>\n</code></pre></div>'
)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_lighten_code_blocks_unwraps_only_uncoloured_tokens_and_keeps_the_text() -> None:
    page = f'<p><span class="n">prose</span></p>{CODE.replace("language-python ", "")}'
    light = lighten_code_blocks(page)
    assert _text(light) == _text(page)
    assert light.count("<span") == page.count("<span") - 3  # x and the two spaces
    for coloured in ('class="o"', 'class="nb"', 'class="p"', 'class="s2"'):
        assert light.count(coloured) == page.count(coloured)
    assert '<p><span class="n">prose</span></p>' in light  # outside code blocks: untouched


def test_lighten_code_blocks_lets_a_line_break_after_an_opening_bracket_only() -> None:
    """A phone can wrap ``torch.tensor([ByteTokenizer().encode('Hi')])``, which has no space,
    after ``(`` and ``[``; never inside a name or a number, nor in an empty ``()``."""
    page = (
        '<div class="highlight"><pre><code><span id="__span-0-1">'
        '<span class="c1">#&gt; torch.tensor([ByteTokenizer().encode(0.5)])</span>'
        '<span class="p">([</span>x<span class="p">)</span></span></code></pre></div>'
    )
    light = lighten_code_blocks(page)
    assert _text(light) == _text(page)  # <wbr> adds no text: the copy button copies the same
    assert light.count("<wbr>") == 5
    assert "tensor(<wbr>[<wbr>ByteTokenizer().encode(<wbr>0.5)])" in light
    assert '<span class="p">(<wbr>[<wbr></span>x' in light
    assert lighten_code_blocks(light) == light  # a second build step changes nothing
    assert lighten_code_blocks("<p>f(x)</p>") == "<p>f(x)</p>"  # outside code blocks: untouched


def test_a_wrapped_line_continues_under_its_own_indentation() -> None:
    """A line wraps with its continuation 2 characters deeper than where the line's own code
    starts (extra.css reads ``--indent``), not at the block's left edge, so the continuation of
    an indented line never looks like a dedent."""
    page = (
        '<div class="highlight"><pre><code><span id="__span-0-1">for x in y:\n</span>'
        '<span id="__span-0-2">        z <span class="o">=</span> x\n</span>'
        '<span id="__span-0-3">\n</span></code></pre></div>'
    )
    light = lighten_code_blocks(page)
    assert _text(light) == _text(page)
    assert '<span id="__span-0-2" style="--indent: 8">        z' in light
    assert '<span id="__span-0-1">for' in light and '<span id="__span-0-3">\n' in light
    assert lighten_code_blocks(light) == light


def test_a_docstring_line_and_an_arrow_wrap_as_code_does() -> None:
    """A docstring's line opens with its token's spaces: it carries them too (its wrapped
    text hung left of the line it continued); ``->`` never breaks after its hyphen."""
    page = (
        '<div class="highlight"><pre><code><span id="__span-0-1">'
        '<span class="k">def</span> f() <span class="o">-&gt;</span> <span class="s2">"a -&gt;"'
        '</span>:\n</span><span id="__span-0-2"><span class="sd">    Args: x\n</span></span>'
        "</code></pre></div>"
    )
    light = lighten_code_blocks(page)
    assert _text(light) == _text(page)
    assert '<span id="__span-0-2" style="--indent: 4"><span class="sd">    Args' in light
    assert light.count('<span class="ee-nb">-&gt;</span>') == 2
    assert lighten_code_blocks(light) == light


def test_lighten_code_blocks_lets_a_chain_of_attributes_break_before_a_dot() -> None:
    """``run.model.embeddings.position_embedding.weight`` has no space either: it may wrap
    before each ``.`` of the code, as Python's own style wraps a chain; a number's point
    (``0.02``) and the dots of a comment or an output stay as they are."""
    dot = '<span class="o">.</span>'
    page = (
        '<div class="highlight"><pre><code><span id="__span-0-1">'
        f'<span class="n">run</span>{dot}<span class="n">model</span>{dot}weight'
        '<span class="o">=</span><span class="mf">0.02</span>'
        '<span class="c1">#&gt; torch.Size([2])</span></span></code></pre></div>'
    )
    light = lighten_code_blocks(page)
    assert _text(light) == _text(page)
    assert f"run<wbr>{dot}model<wbr>{dot}weight" in light
    assert light.count("<wbr>") == 4  # the two dots, and torch.Size(<wbr>[<wbr>2]) as before
    assert lighten_code_blocks(light) == light


def test_lighten_code_blocks_leaves_notebook_cells_alone() -> None:
    cell = CODE.replace('"language-python highlight"', '"highlight-ipynb hl-python"')
    assert lighten_code_blocks(cell) == cell


def test_materials_name_tokens_have_the_colour_of_plain_code() -> None:
    """What unwrapping ``.n`` relies on: Material colours it as plain code, in both schemes."""
    css = resources.files("material") / "templates" / "assets" / "stylesheets"
    values = {
        m for f in css.iterdir() if f.name.endswith(".css")
        for m in re.findall(r"--md-code-hl-name-color:([^;}]*)", f.read_text())
    }  # fmt: skip
    assert values == {"var(--md-code-fg-color)"}
    extra = (ROOT / "docs" / "assets" / "css" / "extra.css").read_text()
    assert "--md-code-hl-name-color" not in extra


def test_paint_before_bundle_replaces_materials_script_tag_by_a_loader() -> None:
    """The tag as Material's base.html writes it (its hash changes with each release)."""
    templates = resources.files("material") / "templates"
    name = re.search(r"bundle\.[0-9a-f]+\.min\.js", (templates / "base.html").read_text())
    assert name and (templates / "assets" / "javascripts" / name.group()).is_file()
    src = f"../assets/javascripts/{name.group()}"
    page = f'<body><p>text</p><script src="other.js"></script><script src="{src}"></script></body>'
    out = paint_before_bundle(page)
    assert f'<script src="{src}">' not in out  # no parser-blocking tag left
    assert out.count(f'("{src}")') == 1  # the loader is given the same URL
    assert '<p>text</p><script src="other.js"></script><script>' in out  # the rest as it was
    assert "DOMContentLoaded" in out and "first-contentful-paint" in out
    assert paint_before_bundle("<p>no bundle</p>") == "<p>no bundle</p>"


def test_instant_navigation_stays_off_while_the_bundle_loads_after_the_first_paint() -> None:
    """Material's instant navigation makes every relative href absolute when its script runs;
    run after the load event, as paint_before_bundle has it, that makes Chromium fetch the
    stylesheets again and show the page unstyled meanwhile (measured: layout shifts over 0.1)."""
    from tests.project import mkdocs_config

    assert "navigation.instant" not in mkdocs_config()["theme"]["features"]


def test_every_hook_file_is_listed_in_mkdocs_yml_and_only_hooks_are() -> None:
    """A hook file mkdocs.yml forgets would silently do nothing; a helper listed there would
    run nothing either. A hook is a file that defines an ``on_*`` event handler."""
    from tests.project import mkdocs_config

    listed = list(mkdocs_config()["hooks"])  # the names, whether loaded (a dict) or not
    defines_events = {
        f"overrides/hooks/{p.name}"
        for p in (ROOT / "overrides/hooks").glob("*.py")
        if re.search(r"^def on_\w+\(", p.read_text(encoding="utf-8"), re.M)
    }
    assert sorted(listed) == sorted(defines_events), (
        "mkdocs.yml `hooks:` must list exactly the files of overrides/hooks/ that define an "
        "on_* event (helpers they import stay unlisted)"
    )


# Each copied partial: Material's file with one intended change (original, ours), and a
# header comment of ours in place of Material's "automatically generated" one.
PARTIALS = {
    "search.html": (
        '<div class="md-search" data-md-component="search" role="dialog">',
        '<div class="md-search" data-md-component="search" role="dialog"'
        " aria-label=\"{{ lang.t('search') }}\">",
    ),
    "source.html": (
        '<a href="{{ config.repo_url }}" title="{{ lang.t(\'source\') }}" class="md-source"'
        ' data-md-component="source">',
        '<a href="{{ config.repo_url }}" title="{{ lang.t(\'source\') }}" class="md-source">',
    ),
    "javascripts/palette.html": (
        'document.body.setAttribute("data-md-color-"+key,value)}</script>',
        'document.body.setAttribute("data-md-color-"+key,value)}else{var inputs=[].slice.call('
        'document.querySelectorAll("[data-md-component=palette] input")),input=inputs[Math.max('
        '0,inputs.findIndex(function(o){return matchMedia(o.getAttribute("data-md-color-media"))'
        '.matches}))];if(input&&"(prefers-color-scheme)"===input.getAttribute("data-md-color-med'
        'ia"))input=document.querySelector(matchMedia("(prefers-color-scheme: light)").matches?"'
        "[data-md-color-media='(prefers-color-scheme: light)']\":\"[data-md-color-media='(prefer"
        's-color-scheme: dark)\']");if(input)for(var key of["media","scheme","primary","acc'
        'ent"])document.body.setAttribute("data-md-color-"+key,input.getAttribute("data-md-color'
        '-"+key))}</script>',
    ),
}
LEADING_COMMENT = re.compile(r"\A\{#-.*?-#\}\n", re.S)


@pytest.mark.parametrize("name", sorted(PARTIALS))
def test_copied_partial_is_materials_own_with_only_the_intended_change(name: str) -> None:
    original_path = resources.files("material") / "templates" / "partials" / name
    original = LEADING_COMMENT.sub("", original_path.read_text(encoding="utf-8"), count=1)
    ours = LEADING_COMMENT.sub(
        "", (ROOT / "overrides/partials" / name).read_text(encoding="utf-8"), count=1
    )
    line, changed = PARTIALS[name]
    redo = (
        f"overrides/partials/{name} differs from Material {metadata.version('mkdocs-material')}'s "
        "own beyond the intended change. If Material changed it: copy it again "
        f"from {original_path} to overrides/partials/{name}, keep our header comment, reapply "
        f"the intended change ({line!r} -> {changed!r}) and update PARTIALS in "
        f"tests/{Path(__file__).name}"
    )
    assert original.count(line) == 1, f"the line to change is gone. {redo}"
    expected = original.replace(line, changed)
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            ours.splitlines(keepends=True),
            f"Material's {name} with the intended change",
            f"overrides/partials/{name}",
        )
    )
    assert ours == expected, f"{redo}\n{diff}"
