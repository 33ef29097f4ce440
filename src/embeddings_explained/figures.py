"""Pictures of the real tables, each drawn together with its alt text.

- ``FIGURES``: name -> function drawing a matplotlib figure from the package (seed 0) and
  returning it with its alt text, so the words cannot drift from the numbers.
- ``picture(name)``: that figure as SVG, with its alt text and size; the site's build hook
  writes the SVG under ``assets/generated/``, and a page shows it with the fragment
  ``<!-- gen:figure NAME -->`` (``figure_markdown``), alt text and size included.
- ``diagram()`` and ``diagram_text()``: the Visual summary's flow diagram (inline SVG in
  two layouts, wide and narrow) and its text version, sizes and ids from the model.

Legible on a phone: SVG text shrinks with the image, so every figure is at most
``FIGURE_WIDTH_PT`` points wide with text of at least ``MIN_FONT_PT`` points. Shown at
320 CSS px or wider (a 390 px phone gives the column 358 px), its text is 11 px or larger;
on a laptop it shows at its natural size (1 pt = 4/3 px). Heatmaps keep one table row per
figure row, as the tables on the pages do. Figures are drawn on white, so they read the
same in light and dark mode.
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING

import torch

from embeddings_explained import attention, positional, small_gpt, training
from embeddings_explained.example import (
    HI,
    byte_label,
    dim_labels,
    fmt,
    hi_example,
    seeded_embeddings,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.image import AxesImage
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import Bbox

__all__ = [
    "FIGURES",
    "FIGURE_WIDTH_PT",
    "MIN_FONT_PT",
    "Picture",
    "diagram",
    "diagram_text",
    "figure_markdown",
    "picture",
]

FIGURE_WIDTH_PT = 320  # shown >= 320 px wide, 1 pt of the figure is >= 1 CSS px
MIN_FONT_PT = 11
ASSET_DIR = "assets/generated"
CMAP, VMAX = "RdBu_r", 3.0  # the tables are N(0, 1): almost every value lies in [-3, 3]


@dataclass(frozen=True)
class Picture:
    """A figure as the site shows it: SVG text, alt text and natural size in CSS px.

    The SVG is drawn when first asked for: a page's image line needs only the alt text
    and the size, so the tests of the pages draw nothing."""

    figure: Figure = field(repr=False, compare=False)
    alt: str
    width: int
    height: int

    @functools.cached_property
    def svg(self) -> str:
        return _svg(self.figure)


def _figure(height_pt: float) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",  # text stays text: selectable, searchable, measurable
            "svg.hashsalt": "embeddings-explained",
            "font.size": MIN_FONT_PT,
            # matplotlib measures with DejaVu Sans; browsers without it use their sans-serif
            "font.family": "sans-serif",
            "font.sans-serif": ["DejaVu Sans"],
        }
    )
    return Figure(
        figsize=(FIGURE_WIDTH_PT / 72, height_pt / 72), facecolor="white", layout="constrained"
    )


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    # lighter: no RDF metadata, no indentation between tags (text and attributes untouched)
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", buf.getvalue(), flags=re.S)
    return re.sub(r">\s+<", "><", svg)


def _box(x: float, y: float, w: float, h: float) -> Rectangle:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, fill=False, edgecolor="black", linewidth=2.5, clip_on=False)


def _annotate(ax: Axes, values: torch.Tensor) -> None:
    """Write each value in its cell, white on the darkest colours."""
    for r, row in enumerate(values.tolist()):
        for c, v in enumerate(row):
            color = "white" if abs(v) > 0.6 * VMAX else "black"
            ax.text(c, r, fmt(v), ha="center", va="center", color=color)


def _colorbar(fig: Figure, im: AxesImage, axes: Iterable[Axes]) -> None:
    bar = fig.colorbar(im, ax=axes, orientation="horizontal", fraction=0.05, aspect=30)
    bar.set_label("blue: negative, red: positive")


def token_table_heatmap() -> tuple[Figure, str]:
    w = seeded_embeddings().token_embedding.weight.detach()  # (256, 4)
    ranges = [("capitals", ord("A"), ord("Z")), ("lower case", ord("a"), ord("z"))]
    framed = hi_example()["ids"][0].tolist()  # the rows "Hi" looks up
    fig = _figure(height_pt=500)
    axes = fig.subplots(1, 2)
    for ax, (title, first, last) in zip(axes, ranges, strict=True):
        rows = w[first : last + 1]  # (26, 4): one figure row per table row
        im = ax.imshow(rows.numpy(), cmap=CMAP, vmin=-VMAX, vmax=VMAX, aspect="auto")
        ax.set_yticks(range(len(rows)), [byte_label(i) for i in range(first, last + 1)])
        ax.set_xticks(range(w.shape[1]), [str(j) for j in range(w.shape[1])])
        ax.set_xlabel("dim")
        ax.set_title(title)
        for i in framed:
            if first <= i <= last:
                ax.add_patch(_box(-0.5, i - first - 0.5, w.shape[1], 1))
    _colorbar(fig, im, axes)
    alt = (
        f"Heatmap of the token table's rows {byte_label(ranges[0][1])} to "
        f"{byte_label(ranges[0][2])} (capital letters) and {byte_label(ranges[1][1])} to "
        f"{byte_label(ranges[1][2])} (lower-case letters), seed 0: one row of the picture "
        f"per row of the table, its {w.shape[1]} numbers coloured blue for negative and red "
        f"for positive; rows {' and '.join(byte_label(i) for i in framed)} are framed."
    )
    return fig, alt


def position_table_heatmap() -> tuple[Figure, str]:
    p = seeded_embeddings().position_embedding.weight.detach()  # (8, 4)
    fig = _figure(height_pt=260)
    ax = fig.subplots()
    ax.imshow(p.numpy(), cmap=CMAP, vmin=-VMAX, vmax=VMAX, aspect="auto")
    _annotate(ax, p)
    ax.set_yticks(range(p.shape[0]), [str(i) for i in range(p.shape[0])])
    ax.set_ylabel("position")
    ax.set_xticks(range(p.shape[1]), dim_labels(p.shape[1]))
    ax.xaxis.tick_top()
    alt = (
        f"Heatmap of the whole position table, {p.shape[0]} rows (positions 0 to "
        f"{p.shape[0] - 1}) by {p.shape[1]} columns, seed 0, each value written in its cell "
        f"and coloured blue for negative and red for positive; row 0 reads "
        f"{', '.join(fmt(float(x)) for x in p[0])}."
    )
    return fig, alt


def hi_lookup() -> tuple[Figure, str]:
    ex = hi_example()
    ids = ex["ids"][0].tolist()
    chars = [chr(i) for i in ids]
    panels = [
        ("token rows", ex["tok"][0], [byte_label(i) for i in ids]),
        ("+ position rows", ex["pos"], [f"position {t}" for t in range(len(ids))]),
        ("= output [0]", ex["out"][0], [f"'{c}' @ {t}" for t, c in enumerate(chars)]),
    ]
    n = ex["out"].shape[-1]
    fig = _figure(height_pt=70 * len(panels) + 20)
    axes = fig.subplots(len(panels), 1, sharex=True)
    for k, (ax, (title, values, labels)) in enumerate(zip(axes, panels, strict=True)):
        ax.imshow(values.numpy(), cmap=CMAP, vmin=-VMAX, vmax=VMAX, aspect="auto")
        _annotate(ax, values)
        ax.set_title(title, loc="left")
        ax.set_yticks(range(len(labels)), labels)
        ax.set_xticks(range(n), dim_labels(n))
        ax.tick_params(axis="x", labelbottom=False, labeltop=k == 0, bottom=False, top=k == 0)
    out = ex["out"][0]
    alt = (
        f"Three small heatmaps stacked so that their columns line up: the token rows "
        f"{' and '.join(byte_label(i) for i in ids)}, plus the position rows "
        f'{" and ".join(str(t) for t in range(len(ids)))}, equals the output for "{HI}", '
        f"each value written in its cell; the output for '{chars[0]}' at position 0 reads "
        f"{', '.join(fmt(float(x)) for x in out[0])}."
    )
    return fig, alt


def loss_curve() -> tuple[Figure, str]:
    run, uniform_loss = training.train(), training.uniform_loss
    fig = _figure(height_pt=240)
    ax = fig.subplots()
    every = 10  # one point per 10 steps keeps the picture light; each is their mean
    kept = len(run.losses) // every * every
    means = torch.tensor(run.losses[:kept]).reshape(-1, every).mean(dim=1)
    steps = torch.arange(len(means)) * every + every / 2
    # the line starts at step 1's own loss, the one the page prints, then follows the means
    label = f"loss: step 1, then means of {every} steps"
    ax.plot([1, *steps], [run.losses[0], *means], linewidth=1.5, color="#3f51b5", label=label)
    held_steps, held = zip(*run.held_out, strict=True)
    ax.plot(held_steps, held, "o", markersize=4, color="#e65100", label="held-out text")
    ax.axhline(uniform_loss(), color="#c62828", linestyle="--", label="ln 256: knowing nothing")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (nats)")
    ax.set_ylim(0, uniform_loss() * 1.6)
    ax.legend(loc="upper right")
    alt = (
        f"Line plot of the training loss over {len(run.losses):,} steps (seed 0): it starts "
        f"at step 1's {run.losses[0]:.2f}, "
        f"{'above' if run.losses[0] > uniform_loss() else 'below'} the dashed line "
        f"at ln 256 = {uniform_loss():.2f}, then, each point the mean of {every} steps, falls "
        f"steeply at first and flattens out; the mean of the last {every} steps is "
        f"{means[-1].item():.2f}. Dots every "
        f"{held_steps[0]} steps give the loss on the held-out text, {held[-1]:.2f} at the end."
    )
    return fig, alt


def trained_pca() -> tuple[Figure, str]:
    groups, xy = training.byte_map(training.train())
    fig = _figure(height_pt=400)
    ax = fig.subplots()
    labelled = _byte_scatter(fig, ax, groups, xy)
    total = sum(len(m) for m in groups.values())
    counts = ", ".join(f"{len(m)} {name}" for name, m in groups.items())
    labels = (
        "each point carries its character"
        if labelled == total
        else f"{labelled} points carry their character (a label that would cover another "
        "label or point is left off)"
    )
    alt = (
        f"Scatter plot of the trained token rows of the {total} bytes in the training text, "
        f"projected to two dimensions (PCA) and coloured by group ({counts}); {labels}."
    )
    return fig, alt


# One colour per kind of byte, the same on every byte map (training's groups, the GPT's kinds)
KIND_COLOURS = {
    "vowels": "#c62828",
    "consonants": "#1565c0",
    "capitals": "#6a1b9a",
    "digits": "#00838f",
    "punctuation": "#e65100",
    "space and newline": "#2e7d32",
    "space": "#2e7d32",
}


def _byte_scatter(
    fig: Figure, ax: Axes, groups: dict[str, list[int]], xy: dict[int, tuple[float, float]]
) -> int:
    """The bytes' 2-D points, one colour per group, labelled: how many labels fit."""
    for name, members in groups.items():
        pts = [xy[i] for i in members]
        color = KIND_COLOURS[name]
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], color=color, label=name, s=16)
    ax.set_xlabel("principal component 1")
    ax.set_ylabel("principal component 2")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=2, frameon=False)
    return _label_points(fig, ax, groups, xy)


def _label_points(
    fig: Figure,
    ax: Axes,
    groups: dict[str, list[int]],
    xy: dict[int, tuple[float, float]],
) -> int:
    """Write each point's character beside it where it covers no other label and no other
    point; return how many.

    Labels are placed after layout, in display coordinates, trying eight spots around the
    point; a label with no free spot is left off (its point and colour still show it).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.transforms import Bbox

    renderer = FigureCanvasAgg(fig).get_renderer()  # type: ignore[no-untyped-call]
    fig.draw_without_rendering()  # fixes the layout, so extents are final
    r = 2 * fig.dpi / 72  # a dot's radius in pixels (s=16: 4 points across)
    drawn = [i for members in groups.values() for i in members]
    centres = {i: ax.transData.transform(xy[i]) for i in drawn}
    dots = {i: Bbox.from_extents(x - r, y - r, x + r, y + r) for i, (x, y) in centres.items()}
    placed: list[Bbox] = []
    inside = ax.get_window_extent(renderer)
    spots = [(3, 2), (3, -12), (-10, 2), (-10, -12), (4, -5), (-11, -5), (-3, 5), (-3, -15)]
    count = 0
    for name, members in groups.items():
        for i in members:
            label = {" ": "SP", "\n": "NL"}.get(chr(i), chr(i))
            text = ax.annotate(
                label, xy[i], (0, 0), textcoords="offset points", color=KIND_COLOURS[name]
            )
            text.set_in_layout(False)
            for dx, dy in spots:
                text.set_position((dx * len(label) ** 0.5, dy))
                box = text.get_window_extent(renderer)
                free = all(not box.overlaps(other) for other in placed) and not any(
                    box.overlaps(dot) for j, dot in dots.items() if j != i
                )
                within = inside.x0 <= box.x0 and box.x1 <= inside.x1
                if free and within and inside.y0 <= box.y0 and box.y1 <= inside.y1:
                    placed.append(box.expanded(1.05, 1.05))
                    count += 1
                    break
            else:
                text.remove()
    return count


def position_cosines() -> tuple[Figure, str]:
    """The cosine similarity of every pair of the attention model's learned position rows."""
    cos = attention.position_cosines()  # (T, T)
    T = cos.shape[0]
    fig = _figure(height_pt=300)
    ax = fig.subplots()
    im = ax.imshow(cos.numpy(), cmap=CMAP, vmin=-1, vmax=1)
    ticks = list(range(0, T, 2))  # every second position keeps the labels apart
    ax.set_xticks(ticks, [str(t) for t in ticks])
    ax.set_yticks(ticks, [str(t) for t in ticks])
    ax.set_xlabel("position")
    ax.set_ylabel("position")
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    bar = fig.colorbar(im, ax=ax, orientation="horizontal", fraction=0.05, aspect=30)
    bar.set_ticks([-1, -0.5, 0, 0.5, 1], labels=["-1", "-0.5", "0", "+0.5", "+1"])
    bar.set_label("cosine similarity")
    near, far = torch.diagonal(cos, 1).mean(), torch.diagonal(cos, T - 1).mean()
    alt = (
        f"Heatmap of the cosine similarity of every pair of the {T} learned position rows "
        f"of the one-block attention model (seed 0), positions 0 to {T - 1} on both axes: "
        f"a red band along the diagonal, where rows one position apart have a mean cosine "
        f"of {near:+.2f}, fading to blue in the far corners ({far:+.2f} between the first "
        f"and the last row)."
    )
    return fig, alt


FIGURES: dict[str, Callable[[], tuple[Figure, str]]] = {
    "token-table": token_table_heatmap,
    "position-table": position_table_heatmap,
    "hi-lookup": hi_lookup,
    "loss-curve": loss_curve,
    "trained-pca": trained_pca,
    "position-cosines": position_cosines,
}


# ------------------------------------------------- the rules and their conditions, questions


def one_hot_lookup() -> tuple[Figure, str]:
    """One-hot rows of "Hi" times the token table (drawn on its side) = the two rows."""
    from matplotlib.patches import Rectangle

    ex, w = hi_example(), seeded_embeddings().token_embedding.weight.detach()  # w: (256, 4)
    ids = ex["ids"][0].tolist()
    one_hot = torch.nn.functional.one_hot(ex["ids"][0], w.shape[0]).float()  # (2, 256)
    rows = one_hot @ w  # (2, 4): exactly w[ids]
    fig = _figure(height_pt=330)
    axes = fig.subplots(3, 1, height_ratios=[1.3, 2, 1.6])
    axes[0].imshow(
        one_hot.numpy(), cmap="Greys", vmin=0, vmax=1, aspect="auto", interpolation="none"
    )  # interpolation "none": the SVG keeps the 256 pixels of a row, not a resampled picture
    axes[1].imshow(
        w.T.numpy(), cmap=CMAP, vmin=-VMAX, vmax=VMAX, aspect="auto", interpolation="none"
    )
    for k, i in enumerate(ids):
        # the 1 as wide as the frame beside it: one pixel of 256 is a grey hairline on a phone
        axes[0].add_patch(Rectangle((i - 2, k - 0.5), 4, 1, color="black", linewidth=0))
        axes[1].add_patch(_box(i - 2, -0.5, 4, w.shape[1]))
    labels = [f"'{chr(i)}'" for i in ids]
    axes[0].set_title("one-hot rows: a single 1 each", loc="left")
    axes[0].set_yticks(range(len(ids)), labels)
    axes[1].set_title("× the token table, on its side", loc="left")
    axes[1].set_yticks(range(w.shape[1]), [str(j) for j in range(w.shape[1])])
    axes[1].set_ylabel("dim")
    for ax in axes[:2]:
        ax.set_xticks([0, *ids, w.shape[0] - 1])
    axes[1].set_xlabel("token id")
    axes[2].imshow(rows.numpy(), cmap=CMAP, vmin=-VMAX, vmax=VMAX, aspect="auto")
    _annotate(axes[2], rows)
    axes[2].set_title(f"= rows {' and '.join(map(str, ids))} of the table", loc="left")
    axes[2].set_yticks(range(len(ids)), labels)
    axes[2].set_xticks(range(w.shape[1]), dim_labels(w.shape[1]))
    alt = (
        f'Three stacked pictures. The one-hot rows of "{HI}": {len(ids)} rows of '
        f"{w.shape[0]} numbers, all 0 but a single 1 at {' and '.join(map(str, ids))}; times "
        f"the token table, drawn on its side with one column per token id, columns "
        f"{' and '.join(map(str, ids))} framed; equals the rows "
        f"{' and '.join(byte_label(i) for i in ids)}, each value written in its cell; the "
        f"first reads {', '.join(fmt(float(x)) for x in rows[0])}."
    )
    return fig, alt


GRADIENT_TEXT = "Hi Hi"


def _name(i: int) -> str:
    return "32 (space)" if i == ord(" ") else byte_label(i)


def gradient_rows() -> tuple[Figure, str]:
    """Which token rows one backward pass reaches, and how hard: the gradient norm per row."""
    emb = seeded_embeddings()
    ids = torch.tensor([list(GRADIENT_TEXT.encode())])  # (1, T)
    table = emb.token_embedding.weight  # (256, 4)
    (grad,) = torch.autograd.grad(emb(ids).sum(), table)  # each use adds the same gradient
    norms = grad.norm(dim=1)  # (256,)
    hit = norms.nonzero().flatten().tolist()
    fig = _figure(height_pt=240)
    ax = fig.subplots()
    ax.set_title(f'one backward pass on "{GRADIENT_TEXT}"')
    ax.vlines(hit, 0, norms[hit].numpy(), color="#3f51b5", linewidth=2)  # the others are 0
    for i in hit:
        ax.annotate(
            "space" if i == ord(" ") else f"'{chr(i)}'",  # the byte each bar stands for
            (i, float(norms[i])),
            (0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
        )
    ax.set_xlim(-1, len(norms))
    ax.set_ylim(0, float(norms.max()) * 1.35)
    ax.set_xticks([0, 64, 128, 192, 255])
    ax.set_xlabel("token id (row of the table)")
    ax.set_ylabel("gradient size")
    zero = len(norms) - len(hit)
    alt = (
        f"Bar chart of the size (norm) of the gradient each of the {len(norms)} token rows "
        f'gets from one backward pass on "{GRADIENT_TEXT}", the loss being the sum of the '
        f"output: {', '.join(f'{_name(i)} {float(norms[i]):.2f}' for i in hit)}, "
        f"a row used twice getting twice as much; the other {zero} rows get exactly 0. "
        "Each bar is labelled with its character, the space as the word space."
    )
    return fig, alt


SINE_T, SINE_C = 32, 16  # positions and columns the sinusoid figure shows


def halves_order(n_embd: int) -> list[int]:
    """The interleaved columns [sin 0, cos 0, sin 1, ...] reordered as [sines..., cosines...]."""
    return [*range(0, n_embd, 2), *range(1, n_embd, 2)]


def sinusoid_table() -> tuple[Figure, str]:
    """The sinusoid table twice: sin/cos interleaved (the package), and the same in halves."""
    table = positional.sinusoidal_table(SINE_T, SINE_C)  # (T, C)
    halves = table[:, halves_order(SINE_C)]  # (T, C): the same columns, another order
    fig = _figure(height_pt=400)
    axes = fig.subplots(1, 2, sharey=True)
    for ax, values, title in zip(axes, (table, halves), ("interleaved", "two halves"), strict=True):
        im = ax.imshow(values.numpy(), cmap=CMAP, vmin=-1, vmax=1, aspect="auto")
        ax.set_title(title)
        ax.set_xticks([0, SINE_C // 2, SINE_C - 1])
        ax.set_xlabel("dim")
    axes[0].set_yticks(range(0, SINE_T, 4))
    axes[0].set_ylabel("position")
    bar = fig.colorbar(im, ax=axes, orientation="horizontal", fraction=0.05, aspect=30)
    bar.set_ticks([-1, 0, 1], labels=["-1", "0", "+1"])
    wavelengths = 2 * math.pi / positional.frequencies(SINE_C)  # (C/2,) positions per period
    alt = (
        f"Two heatmaps of the sinusoid position table, {SINE_T} positions (rows) by {SINE_C} "
        f"dims (columns), values from -1 (blue) to +1 (red). Left, interleaved as in the "
        f"package: columns alternate sine and cosine, the first pair repeating every "
        f"{wavelengths[0]:.2f} positions, the waves slower to the right until the last pair "
        f"(wavelength {wavelengths[-1]:,.0f}) barely changes. Right, the same columns in two "
        f"halves, all {SINE_C // 2} sines then all {SINE_C // 2} cosines: the same numbers "
        f"in another column order."
    )
    return fig, alt


ROPE_POSITIONS = 6  # one turn of the fastest pair (1 radian a position) takes about 6.28


def rope_pair() -> tuple[Figure, str]:
    """The fastest pair of a query, (1, 0), rotated by RoPE at positions 0 to 5."""
    pair = torch.tensor([[1.0, 0.0]]).expand(ROPE_POSITIONS, 2)  # (T, 2): one pair, C = 2
    turned = positional.apply_rope(pair, torch.arange(ROPE_POSITIONS))  # (T, 2)
    step = float(positional.frequencies(2)[0])  # radians per position
    fig = _figure(height_pt=300)
    ax = fig.subplots()
    for p, (x, y) in enumerate(turned.tolist()):
        ax.annotate("", (x, y), (0, 0), arrowprops={"arrowstyle": "-|>", "color": "#3f51b5"})
        ax.annotate(f"p={p}", (x * 1.22, y * 1.22), ha="center", va="center")
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.45, 1.45)
    ax.set_aspect("equal")
    ax.set_xticks([-1, 0, 1])
    ax.set_yticks([-1, 0, 1])
    ax.set_xlabel("dim 0 of the pair")
    ax.set_ylabel("dim 1 of the pair")
    lengths = turned.norm(dim=1)
    alt = (
        f"Arrows from the origin: one pair of a query, ({fmt(1)}, {fmt(0)}), rotated by RoPE "
        f"at positions 0 to {ROPE_POSITIONS - 1}, each arrow labelled with its position; "
        f"each step turns it by {step:.2f} radian ({math.degrees(step):.1f} degrees) "
        f"counterclockwise, and every arrow keeps the length {fmt(float(lengths.max()))}."
    )
    return fig, alt


FIGURES.update(
    {
        "one-hot-lookup": one_hot_lookup,
        "gradient-rows": gradient_rows,
        "sinusoid-table": sinusoid_table,
        "rope-pair": rope_pair,
    }
)


# ------------------------------------------------- the small GPT and the bench of positions


def gpt_losses() -> tuple[Figure, str]:
    """The small GPT's training loss (means of 50 steps) and its held-out loss."""
    run = small_gpt.train_gpt()
    every = 50
    kept = len(run.losses) // every * every
    means = torch.tensor(run.losses[:kept]).reshape(-1, every).mean(dim=1)
    steps = torch.arange(len(means)) * every + every
    held_steps, held = zip(*run.held_out, strict=True)
    fig = _figure(height_pt=240)
    ax = fig.subplots()
    ax.plot(steps, means, color="#3f51b5", linewidth=1.5, label="training text")
    ax.plot(held_steps, held, "o-", color="#e65100", markersize=4, label="held-out text")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (nats)")
    ax.set_ylim(0, float(means.max()) * 1.15)
    ax.legend(loc="upper right")
    alt = (
        f"Line plot of the small GPT's loss over {len(run.losses):,} steps (seed 0): the "
        f"training loss, each point the mean of {every} steps, falls from "
        f"{means[0].item():.2f} to {means[-1].item():.2f}; the loss on the held-out text, "
        f"measured every {held_steps[0]} steps, falls alongside it from {held[0]:.2f} to "
        f"{held[-1]:.2f}."
    )
    return fig, alt


MAP_MIN_COUNT = 20  # bytes seen fewer times in the training text are left out of the map


def map_ids() -> list[int]:
    """The bytes that occur at least ``MAP_MIN_COUNT`` times in the training text."""
    ids = training.split_ids()[0]
    counts = torch.bincount(ids, minlength=256)
    return [i for i in range(256) if counts[i] >= MAP_MIN_COUNT]


def gpt_byte_map() -> tuple[Figure, str]:
    """The small GPT's trained token rows, projected to 2-D and coloured by kind of byte."""
    run = small_gpt.train_gpt()
    ids = map_ids()
    rows = run.model.wte.weight.detach()
    xy_all = training.pca_2d(rows[ids])
    xy = {i: (float(x), float(y)) for i, (x, y) in zip(ids, xy_all.tolist(), strict=True)}
    kinds = [k for k in small_gpt.KINDS if any(small_gpt.byte_kind(i) == k for i in ids)]
    groups = {k: [i for i in ids if small_gpt.byte_kind(i) == k] for k in kinds}
    fig = _figure(height_pt=400)
    ax = fig.subplots()
    labelled = _byte_scatter(fig, ax, groups, xy)
    share = small_gpt.same_kind_share(rows, ids)
    counts = ", ".join(f"{len(m)} {name}" for name, m in groups.items())
    alt = (
        f"Scatter plot of the small GPT's trained token rows of the {len(ids)} bytes that "
        f"occur at least {MAP_MIN_COUNT} times in the training text, projected to two "
        f"dimensions (PCA) and coloured by kind ({counts}); {labelled} points carry their "
        f"character (SP is the space, NL the newline), the others would cover a label. "
        f"For {share:.0%} of these bytes the nearest row is of the same kind."
    )
    return fig, alt


def position_bench() -> tuple[Figure, str]:
    """The bench: held-out loss of each way of encoding position, at one and two layers."""
    names = small_gpt.POSITIONS
    losses = {
        n_layer: [
            small_gpt.train_gpt(p, n_layer, steps=small_gpt.BENCH_STEPS).held_out[-1][1]
            for p in names
        ]
        for n_layer in (1, 2)
    }
    fig = _figure(height_pt=280)
    ax = fig.subplots()
    y = torch.arange(len(names), dtype=torch.float32)
    markers = (("o", "#e65100"), ("s", "#3f51b5"))
    for k, (n_layer, (marker, color)) in enumerate(zip((1, 2), markers, strict=True)):
        label = f"{n_layer} layer" + ("s" if n_layer > 1 else "")
        ax.plot(losses[n_layer], y + 0.16 * (2 * k - 1), marker, color=color, label=label)
    ax.set_yticks(y.tolist(), list(names))
    ax.set_ylim(len(names) - 0.5, -0.5)  # the first method on top
    values = [v for row in losses.values() for v in row]
    ax.set_xlim(min(values) - 0.1, max(values) + 0.1)  # a dot plot: no bar to start at 0
    ax.grid(axis="x", linewidth=0.5, color="#cccccc")
    ax.set_xlabel("held-out loss (nats), lower is better")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=2, frameon=False)
    described = "; ".join(
        f"{p} {losses[1][j]:.2f} and {losses[2][j]:.2f}" for j, p in enumerate(names)
    )
    alt = (
        f"Dot plot of the held-out loss of the same small GPT trained "
        f"{small_gpt.BENCH_STEPS} steps with each way of encoding position, at one and at "
        f"two layers: {described}."
    )
    return fig, alt


FIGURES.update(
    {
        "gpt-losses": gpt_losses,
        "gpt-byte-map": gpt_byte_map,
        "position-bench": position_bench,
    }
)


@functools.cache
def picture(name: str) -> Picture:
    """The figure ``name`` of :data:`FIGURES` as the site shows it."""
    if name not in FIGURES:
        raise ValueError(f"unknown figure {name!r}; known: {', '.join(FIGURES)}")
    fig, alt = FIGURES[name]()
    width, height = (round(x * 96) for x in fig.get_size_inches())  # CSS px: 96 per inch
    return Picture(fig, alt, width, height)


def figure_markdown(*args: str) -> str:
    """``<!-- gen:figure NAME -->``: the image line, with alt text and size from the figure.

    The size lets the browser keep the image's room before it loads (no layout shift).
    """
    if len(args) != 1:
        raise ValueError(f"fragment 'figure' takes one figure name, got {args!r}")
    p = picture(args[0])
    return f'![{p.alt}]({ASSET_DIR}/{args[0]}.svg){{ width="{p.width}" height="{p.height}" }}'


# --------------------------------------------------------------------------- the diagram


@dataclass(frozen=True)
class _Flow:
    """What the Visual summary states, from the model and the worked example."""

    token_table: str  # "256 × 4"
    position_table: str
    ids: list[int]  # the token ids of "Hi"
    chars: str  # "H, i"
    positions: list[int]
    shape: list[int]  # of the output, [B, T, C]


def _flow() -> _Flow:
    emb, ex = seeded_embeddings(), hi_example()
    ids = ex["ids"][0].tolist()
    return _Flow(
        token_table=f"{emb.vocab_size} × {emb.n_embd}",
        position_table=f"{emb.block_size} × {emb.n_embd}",
        ids=ids,
        chars=", ".join(chr(i) for i in ids),
        positions=list(range(len(ids))),
        shape=list(ex["out"].shape),
    )


def _text(x: float, y: float, s: str, cls: str = "ee-label") -> str:
    return f'<text x="{x:g}" y="{y:g}" class="{cls}">{escape(s)}</text>'


def _rect(x: float, y: float, w: float, h: float, cls: str = "ee-box") -> str:
    return f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="8" class="{cls}"/>'


def _arrow(d: str, cls: str, layout: str) -> str:
    return f'<path d="{d}" class="{cls}" marker-end="url(#ee-arrow-{layout})"/>'


def _svg_open(layout: str, width: int, height: int, f: _Flow) -> str:
    desc = (
        f"Initialization, once: a token embedding table of {f.token_table} random numbers "
        f"and a position embedding table of {f.position_table} random numbers. Forward "
        f'pass, every call: the input "{HI}" becomes the token ids {f.ids}; those rows are '
        f"looked up in the token table and rows "
        f"{' and '.join(map(str, f.positions))} in the position table; the "
        f"token vectors and the position vectors are added, giving the final embeddings for "
        f'"{HI}" of shape {f.shape}.'
    )
    return (
        f'<svg class="ee-{layout}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="ee-flow-title-{layout} ee-flow-desc-{layout}" '
        f'xmlns="http://www.w3.org/2000/svg">\n'
        f'<title id="ee-flow-title-{layout}">Initialization versus forward pass</title>\n'
        f'<desc id="ee-flow-desc-{layout}">{escape(desc)}</desc>\n'
        f'<defs><marker id="ee-arrow-{layout}" viewBox="0 0 10 10" refX="9" refY="5" '
        f'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" class="ee-head"/></marker></defs>'
    )


def _diagram_wide(f: _Flow) -> str:
    """Two columns (token table | position table), for a laptop: 720 units for ~690 px."""
    ids, positions = f.ids, f.positions
    rows = 26 + 22 * len(ids)  # the lookup boxes grow with the text
    y2 = 240 + rows + 30  # vectors
    y3 = y2 + 75  # result
    parts = [
        _svg_open("wide", 720, y3 + 55, f),
        _text(20, 30, "INITIALIZATION (happens once, in __init__)", "ee-phase"),
        _rect(60, 45, 250, 80, "ee-box ee-table"),
        _text(185, 75, "Token embedding table"),
        _text(185, 97, f"{f.token_table} · random N(0, 1)", "ee-small"),
        _rect(410, 45, 250, 80, "ee-box ee-table"),
        _text(535, 75, "Position embedding table"),
        _text(535, 97, f"{f.position_table} · random N(0, 1)", "ee-small"),
        '<line x1="20" y1="150" x2="700" y2="150" class="ee-rule"/>',
        # the dashed reads cross the heading: drawn first, they pass behind its halo
        _arrow("M185,125 L185,236", "ee-read", "wide"),
        _arrow("M535,125 L535,236", "ee-read", "wide"),
        _text(20, 180, "FORWARD PASS (happens every time text comes in)", "ee-phase"),
        _text(360, 210, f'Input "{HI}" → token ids {ids}'),
        _rect(60, 240, 250, rows),
        _rect(410, 240, 250, rows),
        *(_text(185, 268 + 22 * k, f"Look up row {i}") for k, i in enumerate(ids)),
        *(_text(535, 268 + 22 * k, f"Look up row {t}") for k, t in enumerate(positions)),
        _text(195, 230, "rows read, table unchanged", "ee-note"),
        _rect(60, y2, 250, 50),
        _text(185, y2 + 30, f"Token vectors for {f.chars}"),
        _rect(410, y2, 250, 50),
        _text(535, y2 + 30, f"Position vectors for {', '.join(map(str, positions))}"),
        _text(360, y2 + 34, "+", "ee-plus"),
        _arrow(f"M185,{240 + rows} L185,{y2 - 4}", "ee-flow", "wide"),
        _arrow(f"M535,{240 + rows} L535,{y2 - 4}", "ee-flow", "wide"),
        _rect(190, y3, 340, 44, "ee-box ee-result"),
        _text(360, y3 + 27, f'Final embeddings for "{HI}" · {f.shape}'),
        _arrow(f"M185,{y2 + 50} L300,{y3 - 4}", "ee-flow", "wide"),
        _arrow(f"M535,{y2 + 50} L420,{y3 - 4}", "ee-flow", "wide"),
        "</svg>",
    ]
    return "\n".join(parts)


def _diagram_narrow(f: _Flow) -> str:
    """One column, top to bottom, for a phone: 340 units for ~360 px."""
    ids, positions = f.ids, f.positions
    parts = [
        _svg_open("narrow", 340, 578, f),
        _text(10, 22, "INITIALIZATION", "ee-phase"),
        _text(10, 40, "happens once, in __init__", "ee-note"),
        _rect(10, 52, 320, 58, "ee-box ee-table"),
        _text(170, 76, "Token embedding table"),
        _text(170, 98, f"{f.token_table} · random N(0, 1)", "ee-small"),
        _rect(10, 120, 320, 58, "ee-box ee-table"),
        _text(170, 144, "Position embedding table"),
        _text(170, 166, f"{f.position_table} · random N(0, 1)", "ee-small"),
        '<line x1="10" y1="198" x2="330" y2="198" class="ee-rule"/>',
        _text(10, 224, "FORWARD PASS", "ee-phase"),
        _text(10, 242, "happens every time text comes in", "ee-note"),
        _text(170, 272, f'Input "{HI}" → token ids {ids}'),
        _arrow("M170,280 L170,298", "ee-flow", "narrow"),
        _rect(10, 302, 320, 58),
        _text(170, 326, f"Token table: look up rows {', '.join(map(str, ids))}"),
        _text(170, 348, f"→ token vectors for {f.chars}", "ee-small"),
        _text(170, 386, "+", "ee-plus"),
        _rect(10, 396, 320, 58),
        _text(170, 420, f"Position table: look up rows {', '.join(map(str, positions))}"),
        _text(170, 442, f"→ position vectors for {', '.join(map(str, positions))}", "ee-small"),
        _text(170, 480, "=", "ee-plus"),
        _rect(10, 490, 320, 50, "ee-box ee-result"),
        _text(170, 520, f'Final embeddings for "{HI}" · {f.shape}'),
        _text(10, 566, "rows are read; the tables do not change", "ee-note"),
        "</svg>",
    ]
    return "\n".join(parts)


def diagram() -> str:
    """``<!-- gen:diagram -->``: the flow diagram as inline SVG, one layout per screen.

    Inline, so its colours follow Material's light and dark palettes (extra.css); the
    stylesheet shows the wide layout on a laptop and the narrow one on a phone.
    """
    f = _flow()
    return (
        '<figure class="ee-diagram">\n'
        f"{_diagram_wide(f)}\n{_diagram_narrow(f)}\n"
        "<figcaption>Initialization fills two tables once; each forward pass looks up rows "
        "and adds them.</figcaption>\n</figure>"
    )


def diagram_text() -> str:
    """``<!-- gen:diagram-text -->``: the diagram in words, in a collapsed admonition."""
    f = _flow()
    ids, positions = f.ids, f.positions
    lines = [
        "INITIALIZATION (once, in __init__)",
        f"  token embedding table:    {f.token_table:>7}, random N(0, 1)",
        f"  position embedding table: {f.position_table:>7}, random N(0, 1)",
        "",
        "FORWARD PASS (every call)",
        f'  input "{HI}" -> token ids {ids}',
        f"  token table: look up rows {', '.join(map(str, ids))}",
        f"    -> token vectors for {f.chars}",
        f"  position table: look up rows {', '.join(map(str, positions))}",
        f"    -> position vectors for {', '.join(map(str, positions))}",
        "  token vectors + position vectors",
        f'    -> final embeddings for "{HI}", shape {f.shape}',
    ]
    body = "\n".join(f"    {line}".rstrip() for line in ["```text", *lines, "```"])
    return f'??? info "Text version of the diagram"\n\n{body}'
