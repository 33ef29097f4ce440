"""The figures: readable on a phone, one table row per picture row, alt text from the numbers.

The browser tests check the built SVGs again as displayed (tests/test_site_browser.py);
these check the drawings themselves, with matplotlib's own text extents.
"""

from __future__ import annotations

import re
from itertools import combinations
from typing import TYPE_CHECKING

import numpy
import pytest
import torch

from embeddings_explained.figures import (
    FIGURE_WIDTH_PT,
    FIGURES,
    MIN_FONT_PT,
    diagram,
    diagram_text,
    figure_markdown,
    picture,
)
from embeddings_explained.showcase import byte_label, fmt, hi_example, seeded_embeddings

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.text import Text

Drawn = dict[str, tuple["Figure", str]]


@pytest.fixture(scope="module")
def drawn() -> Drawn:
    """Every figure as the site shows it (``picture``: drawn once in this process, as the
    pages' fragments draw it), laid out on an Agg canvas, with its alt text."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    out: Drawn = {}
    for name in FIGURES:
        fig, alt = picture(name).figure, picture(name).alt
        FigureCanvasAgg(fig).draw()  # type: ignore[no-untyped-call]
        out[name] = (fig, alt)
    return out


def _texts(fig: Figure) -> list[Text]:
    from matplotlib.text import Text

    return [
        t
        for t in fig.findobj(Text)
        if isinstance(t, Text) and t.get_visible() and t.get_text().strip()
    ]


@pytest.mark.parametrize("name", FIGURES)
def test_figure_fits_a_phone_column_with_text_of_at_least_11_px(drawn: Drawn, name: str) -> None:
    fig, _ = drawn[name]
    width_pt = fig.get_size_inches()[0] * 72
    assert width_pt <= FIGURE_WIDTH_PT
    small = {
        t.get_text(): t.get_fontsize() for t in _texts(fig) if float(t.get_fontsize()) < MIN_FONT_PT
    }
    assert not small, f"{name}: text under {MIN_FONT_PT} pt: {small}"


@pytest.mark.parametrize("name", FIGURES)
def test_no_two_texts_of_a_figure_overlap(drawn: Drawn, name: str) -> None:
    fig, _ = drawn[name]
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _texts(fig)]
    clashes = [
        (a, b)
        for (a, box_a), (b, box_b) in combinations(boxes, 2)
        if (both := box_a.intersection(box_a, box_b)) and both.width > 0.5 and both.height > 0.5
    ]
    assert not clashes, f"{name}: overlapping text: {clashes[:5]}"


@pytest.mark.parametrize("name", FIGURES)
def test_no_label_of_a_point_covers_another_point(drawn: Drawn, name: str) -> None:
    """The byte maps' labels: each beside its own dot, never over another one."""
    from matplotlib.text import Annotation

    fig, _ = drawn[name]
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for ax in fig.axes:
        dots = [xy for c in ax.collections for xy in numpy.asarray(c.get_offsets()).tolist()]
        for label in (t for t in ax.texts if isinstance(t, Annotation)):
            box = label.get_window_extent(renderer)
            others = [ax.transData.transform(xy) for xy in dots if list(xy) != list(label.xy)]
            covered = [tuple(xy) for xy in others if box.contains(*xy)]
            assert not covered, f"{name}: {label.get_text()!r} covers the dots at {covered}"


def test_token_heatmap_has_one_picture_row_per_table_row(
    drawn: Drawn,
) -> None:
    fig, alt = drawn["token-table"]
    w = seeded_embeddings().token_embedding.weight.detach()
    images = [ax.get_images()[0] for ax in fig.axes if ax.get_images()]
    firsts = [ord("A"), ord("a")]
    assert len(images) == len(firsts)
    for image, first in zip(images, firsts, strict=True):
        shown = torch.as_tensor(numpy.asarray(image.get_array()))
        assert torch.equal(shown, w[first : first + shown.shape[0]])  # rows are rows
    for i in hi_example()["ids"][0].tolist():  # the framed rows are named in the alt text
        assert byte_label(i) in alt


def test_position_heatmap_writes_each_value_of_the_table(
    drawn: Drawn,
) -> None:
    fig, alt = drawn["position-table"]
    p = seeded_embeddings().position_embedding.weight.detach()
    written = [t.get_text() for t in fig.axes[0].texts]
    assert written == [fmt(float(x)) for x in p.flatten()]
    assert ", ".join(fmt(float(x)) for x in p[0]) in alt


def test_hi_lookup_columns_add_up_and_its_alt_text_states_the_output(
    drawn: Drawn,
) -> None:
    fig, alt = drawn["hi-lookup"]
    ex = hi_example()
    panels = [torch.as_tensor(numpy.asarray(ax.get_images()[0].get_array())) for ax in fig.axes]
    assert [tuple(p.shape) for p in panels] == [tuple(ex["out"][0].shape)] * 3
    assert torch.equal(panels[0] + panels[1], panels[2])
    assert ", ".join(fmt(float(x)) for x in ex["out"][0, 0]) in alt


def test_figure_markdown_carries_the_alt_text_and_size_of_the_picture() -> None:
    p = picture("position-table")
    line = figure_markdown("position-table")
    assert line == (
        f"![{p.alt}](assets/generated/position-table.svg)"
        f'{{ width="{p.width}" height="{p.height}" }}'
    )
    assert "]" not in p.alt and "[" not in p.alt  # would end the alt text early
    assert re.search(r'<svg[^>]* width="([\d.]+)pt"', p.svg)
    assert "<text" in p.svg  # text stays text: selectable, and measurable by the browser tests
    with pytest.raises(ValueError, match="unknown figure 'nope'"):
        figure_markdown("nope")


def test_diagram_states_the_models_sizes_ids_and_shape() -> None:
    emb, ex = seeded_embeddings(), hi_example()
    ids = ex["ids"][0].tolist()
    facts = [
        f"{emb.vocab_size} × {emb.n_embd}",
        f"{emb.block_size} × {emb.n_embd}",
        str(ids),
        str(list(ex["out"].shape)),
    ]
    svg, text = diagram(), diagram_text()
    for layout in ("wide", "narrow"):
        one = re.search(rf'<svg class="ee-{layout}".*?</svg>', svg, re.S)
        assert one, f"no {layout} layout"
        for fact in facts:
            assert fact in one.group(0), f"{layout} layout misses {fact}"
    for fact in facts:
        assert fact in text
    element_ids = re.findall(r'\bid="([^"]+)"', svg)
    assert len(element_ids) == len(set(element_ids)), "both layouts live in one page"


# ------------------------------------------------- the rules and their conditions, questions


def _images(fig: Figure) -> list[torch.Tensor]:
    return [
        torch.as_tensor(numpy.asarray(ax.get_images()[0].get_array()))
        for ax in fig.axes
        if ax.get_images()
    ]


def test_one_hot_lookup_multiplies_out_to_the_rows_it_names(drawn: Drawn) -> None:
    fig, alt = drawn["one-hot-lookup"]
    one_hot, table_on_its_side, rows = _images(fig)
    w = seeded_embeddings().token_embedding.weight.detach()
    ids = hi_example()["ids"][0]
    assert torch.equal(table_on_its_side, w.T)  # the real table, one column per id
    assert torch.equal(one_hot.sum(dim=1), torch.ones(len(ids)))  # a single 1 per row
    assert one_hot.argmax(dim=1).tolist() == ids.tolist()
    assert torch.equal(rows, w[ids]) and torch.equal(one_hot @ table_on_its_side.T, rows)
    assert ", ".join(fmt(float(x)) for x in rows[0]) in alt


def test_gradient_rows_shows_the_gradient_of_exactly_the_rows_looked_up(drawn: Drawn) -> None:
    from matplotlib.collections import LineCollection

    from embeddings_explained.figures import GRADIENT_TEXT

    fig, alt = drawn["gradient-rows"]
    (bars,) = fig.axes[0].collections  # one vertical line per row with a gradient
    assert isinstance(bars, LineCollection)
    heights = torch.zeros(256)
    for seg in bars.get_segments():
        heights[int(seg[0, 0])] = float(seg[1, 1] - seg[0, 1])
    looked_up = sorted(set(GRADIENT_TEXT.encode()))
    assert heights.nonzero().flatten().tolist() == looked_up
    counts = {i: GRADIENT_TEXT.encode().count(i) for i in looked_up}
    per_use = heights[looked_up[0]] / counts[looked_up[0]]
    assert all(torch.isclose(heights[i], per_use * n) for i, n in counts.items())
    assert f"the other {len(heights) - len(looked_up)} rows get exactly 0" in alt


def test_sinusoid_table_shows_the_package_table_and_the_same_columns_in_halves(
    drawn: Drawn,
) -> None:
    from embeddings_explained.figures import SINE_C, SINE_T, halves_order
    from embeddings_explained.positional import sinusoidal_table

    fig, _ = drawn["sinusoid-table"]
    interleaved, halves = _images(fig)
    table = sinusoidal_table(SINE_T, SINE_C)
    assert torch.equal(interleaved, table)
    assert sorted(halves_order(SINE_C)) == list(range(SINE_C))  # a permutation
    assert torch.equal(halves[:, : SINE_C // 2], table[:, 0::2])  # the sines first
    assert torch.equal(halves[:, SINE_C // 2 :], table[:, 1::2])  # then the cosines


def test_rope_pair_draws_one_arrow_per_position_at_the_rotated_pair(drawn: Drawn) -> None:
    from embeddings_explained.figures import ROPE_POSITIONS
    from embeddings_explained.positional import apply_rope

    fig, alt = drawn["rope-pair"]
    from matplotlib.text import Annotation

    arrows = [t for t in fig.axes[0].texts if isinstance(t, Annotation) and not t.get_text()]
    tips = [t.xy for t in arrows]  # where each arrow points
    expected = apply_rope(torch.tensor([[1.0, 0.0]] * ROPE_POSITIONS), torch.arange(ROPE_POSITIONS))
    assert torch.allclose(torch.tensor(tips), expected)
    assert [t.get_text() for t in fig.axes[0].texts if t.get_text()] == [
        f"p={p}" for p in range(ROPE_POSITIONS)
    ]
    assert "57.3 degrees" in alt  # one radian a position


def test_the_loss_curve_starts_where_its_alt_text_says(drawn: Drawn) -> None:
    """The alt text (and the page) say the loss starts above ln 256; the line once began
    at the mean of the first 10 steps, below it."""
    from embeddings_explained import training

    fig, alt = drawn["loss-curve"]
    line = fig.axes[0].get_lines()[0]
    first = training.train().losses[0]
    assert (line.get_xdata()[0], line.get_ydata()[0]) == (1, first)  # type: ignore[index]
    assert f"starts at step 1's {first:.2f}, above" in alt
    assert first > training.uniform_loss()


def test_each_kind_of_byte_has_one_colour_on_every_byte_map(drawn: Drawn) -> None:
    """Training's map and the small GPT's once gave punctuation and space each other's."""
    colours: dict[str, set[str]] = {}
    for name in ("trained-pca", "gpt-byte-map"):
        for points in drawn[name][0].axes[0].collections:
            kind = str(points.get_label()).removesuffix(" and newline")
            colours.setdefault(kind, set()).add(str(numpy.asarray(points.get_facecolor())[0]))
    assert {"vowels", "punctuation", "space"} <= colours.keys()
    assert all(len(c) == 1 for c in colours.values()), colours
