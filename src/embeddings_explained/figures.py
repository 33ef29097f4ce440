"""Pictures of the real tables, drawn with matplotlib at site build time.

Every figure is computed from the package (seed 0) and returned as SVG text; the site's
build hook (overrides/hooks/generated.py) writes them under ``assets/generated/``.
Figures are drawn on white so that they read the same in light and dark mode.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import torch

from embeddings_explained.showcase import fmt, hi_example, seeded_embeddings

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

__all__ = ["FIGURES"]


def _figure(width: float, height: float) -> Figure:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    matplotlib.rcParams.update(
        {"svg.fonttype": "none", "svg.hashsalt": "embeddings-explained", "font.size": 10}
    )
    return Figure(figsize=(width, height), facecolor="white", layout="constrained")


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return buf.getvalue()


def _char(i: int) -> str:
    c = chr(i)
    return {" ": "SP", "\n": "NL"}.get(c, c if c.isprintable() and i < 127 else f"{i}")


def token_table_heatmap(first: int = 64, last: int = 127) -> str:
    w = seeded_embeddings().token_embedding.weight.detach()[first : last + 1]  # (rows, 4)
    fig = _figure(10, 2.6)
    ax = fig.subplots()
    im = ax.imshow(w.T.numpy(), cmap="RdBu_r", vmin=-3, vmax=3, aspect="auto")
    ax.set_xticks(range(last - first + 1), [_char(i) for i in range(first, last + 1)], fontsize=7)
    ax.set_yticks(range(w.shape[1]), [f"dim {j}" for j in range(w.shape[1])])
    for i in (72, 105):
        ax.add_patch(_box(i - first - 0.5, -0.5, 1, w.shape[1]))
    ax.set_title(
        f"Token table, rows {first}–{last} (of 256), seed 0; rows 72 'H' and 105 'i' framed"
    )
    fig.colorbar(im, ax=ax, shrink=0.8)
    return _svg(fig)


def _box(x: float, y: float, w: float, h: float) -> Rectangle:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, fill=False, edgecolor="black", linewidth=2)


def position_table_heatmap() -> str:
    p = seeded_embeddings().position_embedding.weight.detach()  # (8, 4)
    fig = _figure(4.2, 3.6)
    ax = fig.subplots()
    im = ax.imshow(p.numpy(), cmap="RdBu_r", vmin=-3, vmax=3)
    _annotate(ax, p)
    ax.set_yticks(range(p.shape[0]), [f"position {i}" for i in range(p.shape[0])])
    ax.set_xticks(range(p.shape[1]), [f"dim {j}" for j in range(p.shape[1])])
    ax.set_title("Position table, all 8 rows, seed 0")
    fig.colorbar(im, ax=ax, shrink=0.8)
    return _svg(fig)


def _annotate(ax: Axes, values: torch.Tensor) -> None:
    for (r, c), v in zip(
        torch.cartesian_prod(torch.arange(values.shape[0]), torch.arange(values.shape[1])).tolist(),
        values.flatten().tolist(),
        strict=True,
    ):
        ax.text(
            c,
            r,
            fmt(v),
            ha="center",
            va="center",
            fontsize=8,
            color="white" if abs(v) > 1.8 else "black",
        )


def hi_lookup() -> str:
    ex = hi_example()
    panels = [
        ("token rows 72 'H', 105 'i'", ex["tok"][0], ["row 72 'H'", "row 105 'i'"]),
        ("position rows 0, 1", ex["pos"], ["row 0", "row 1"]),
        ("sum = output [0]", ex["out"][0], ["'H' @ 0", "'i' @ 1"]),
    ]
    fig = _figure(10, 2.2)
    axes = fig.subplots(1, 3)
    for ax, (title, values, labels) in zip(axes, panels, strict=True):
        ax.imshow(values.numpy(), cmap="RdBu_r", vmin=-3, vmax=3)
        _annotate(ax, values)
        ax.set_title(title)
        ax.set_yticks([0, 1], labels)
        ax.set_xticks(range(values.shape[1]), [f"dim {j}" for j in range(values.shape[1])])
    fig.suptitle('"Hi": two token rows + two position rows = two output vectors')
    return _svg(fig)


def loss_curve() -> str:
    from embeddings_explained.training import train, uniform_loss

    run = train()
    fig = _figure(7, 3.4)
    ax = fig.subplots()
    every = 10  # one point per 10 steps keeps the picture light; each is their mean
    kept = len(run.losses) // every * every
    means = torch.tensor(run.losses[:kept]).reshape(-1, every).mean(dim=1)
    steps = torch.arange(len(means)) * every + every / 2
    label = f"training loss, mean of {every} steps"
    ax.plot(steps, means, linewidth=1.2, color="#3f51b5", label=label)
    ax.axhline(uniform_loss(), color="#c62828", linestyle="--", label="ln 256: knowing nothing")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (nats)")
    ax.set_ylim(bottom=0)
    ax.legend()
    ax.set_title("Next-byte model on the opening of Alice in Wonderland, seed 0")
    return _svg(fig)


def trained_pca() -> str:
    from embeddings_explained.training import byte_map, train

    groups, xy = byte_map(train())
    fig = _figure(7, 5.2)
    ax = fig.subplots()
    colors = ["#c62828", "#1565c0", "#6a1b9a", "#2e7d32", "#ef6c00"]
    for (name, members), color in zip(groups.items(), colors, strict=True):
        pts = [xy[i] for i in members]
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], color=color, label=name, s=18)
        for i, (x, y) in zip(members, pts, strict=True):
            ax.annotate(
                _char(i), (x, y), xytext=(3, 3), textcoords="offset points", fontsize=9, color=color
            )
    ax.set_xlabel("principal component 1")
    ax.set_ylabel("principal component 2")
    ax.legend(fontsize=8)
    ax.set_title("Trained token rows of the bytes in the text, PCA to 2-D")
    return _svg(fig)


FIGURES = {
    "token-table.svg": token_table_heatmap,
    "position-table.svg": position_table_heatmap,
    "hi-lookup.svg": hi_lookup,
    "loss-curve.svg": loss_curve,
    "trained-pca.svg": trained_pca,
}
