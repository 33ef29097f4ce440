"""A tiny next-byte language model, to watch the embedding tables learn.

- ``NextByteModel``: ``Embeddings`` followed by one ``nn.Linear`` to 256 logits, so
  each position predicts the next byte from its own token and position vectors.
- ``fit``: Adam on cross-entropy over random windows of the book's first 90 %, with the
  loss on its last 10 % (held out: no model ever trains on it) every ``eval_every`` steps.
- ``train``: ``fit`` on a fresh ``NextByteModel``, seeded, CPU only, kept (``runcache``).
- ``load_text`` and ``split_ids``: the public-domain texts shipped in ``data/`` (see
  SOURCE.md there): the whole of *Alice's Adventures in Wonderland*, and its opening.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources

import torch
import torch.nn.functional as F
from torch import nn

from embeddings_explained import _checks as checks
from embeddings_explained.model import Embeddings
from embeddings_explained.runcache import RUN_CACHE_ENV, cached_run, one_thread
from embeddings_explained.tokenizer import ByteTokenizer

__all__ = [
    "RUN_CACHE_ENV",  # re-exported: it lives in runcache.py
    "NextByteModel",
    "TrainingRun",
    "byte_groups",
    "byte_map",
    "check_model",
    "evaluate",
    "fit",
    "load_text",
    "pca_2d",
    "split_ids",
    "train",
    "windows",
]

BOOK = "wonderland.txt"  # the whole book; alice.txt is its opening page
HELD_OUT = 0.1  # the last tenth of the book: measured on, never trained on


def load_text(name: str = BOOK) -> str:
    """A text shipped with the package: by default the whole of *Alice's Adventures in
    Wonderland*; ``"alice.txt"`` is its opening page."""
    data = resources.files("embeddings_explained") / "data"
    shipped = sorted(f.name for f in data.iterdir() if f.name.endswith(".txt"))
    if name not in shipped:  # a text of data/, never a path out of it
        raise ValueError(f"name={checks.short(name)} is not a shipped text; use one of {shipped}")
    return (data / name).read_text(encoding="utf-8")


@functools.cache  # encoded once per process (150,000 bytes: 16 ms each time)
def _book_ids() -> torch.Tensor:
    return torch.tensor(ByteTokenizer().encode(load_text()), device="cpu")  # (N,)


def split_ids() -> tuple[torch.Tensor, torch.Tensor]:
    """The book as byte ids, cut in two: the first 90 % to train on, the last 10 % held out."""
    data = _book_ids()
    n = round(len(data) * (1 - HELD_OUT))
    return data[:n].clone(), data[n:].clone()  # copies: a caller may change its own


def check_model(model: object, kind: type[nn.Module] = nn.Module, example: str = "train().model"
                ) -> None:  # fmt: skip
    """``model`` a ``kind``; a run (``TrainingRun``, ``GPTRun``...) gets "run.model"."""
    if not isinstance(model, kind):
        run = isinstance(getattr(model, "model", None), kind)
        fix = "pass the run's model: run.model" if run else f"e.g. {example}"
        raise TypeError(f"model must be a {kind.__name__}, got {type(model).__name__}; {fix}")


def windows(ids: torch.Tensor, block_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every non-overlapping window of ``ids``, no randomness: inputs and targets ``[N, T]``."""
    if not isinstance(ids, torch.Tensor) or ids.dim() != 1 or ids.is_floating_point():
        fixes = {str: "torch.tensor(ByteTokenizer().encode(ids))", list: "torch.tensor(ids)"}
        fix = "ids.flatten().long()" if isinstance(ids, torch.Tensor) else fixes.get(type(ids))
        got = f"shape {list(ids.shape)}" if isinstance(ids, torch.Tensor) else checks.short(ids)
        raise TypeError(
            f"ids must be a 1-D tensor of byte ids, got {got}; {fix or 'e.g. split_ids()[1]'}"
        )
    if len(ids) < 2:
        raise ValueError(f"ids hold {len(ids)} byte(s): a window and its next byte need 2 or "
                         "more; pass more text, e.g. split_ids()[1]")  # fmt: skip
    fits = f" (a window and its next byte fit in the {len(ids):,} ids)"
    example = min(16, len(ids) - 1)
    checks.check_int("block_size", block_size, high=len(ids) - 1, example=example, why=fits)
    n = (len(ids) - 1) // block_size
    x = ids[: n * block_size].view(n, block_size)  # (N, T)
    y = ids[1 : n * block_size + 1].view(n, block_size)  # (N, T): each the byte after x
    return x, y


class NextByteModel(nn.Module):
    """Embeddings plus a linear head: ids ``[B, T]`` -> logits ``[B, T, vocab_size]``.

    ``tie_weights=True`` makes ``head.weight`` the token table itself, as GPT-2 and nanoGPT
    do (``lm_head.weight = wte.weight``). ``init_std`` redraws both tables from
    N(0, init_std) (GPT-2 uses 0.02) instead of the layer's N(0, 1).
    """

    def __init__(
        self,
        vocab_size: int = 256,
        block_size: int = 16,
        n_embd: int = 16,
        tie_weights: bool = False,
        init_std: float | None = None,
    ) -> None:
        super().__init__()
        checks.check_model_options(init_std, tie_weights=tie_weights)  # sizes: Embeddings
        self.embeddings = Embeddings(vocab_size, block_size, n_embd)
        self.head = nn.Linear(n_embd, vocab_size)
        if tie_weights:  # one tensor, two uses: rows for the lookup, rows for the scores
            self.head.weight = self.embeddings.token_embedding.weight
        if init_std is not None:
            nn.init.normal_(self.embeddings.token_embedding.weight, std=init_std)
            nn.init.normal_(self.embeddings.position_embedding.weight, std=init_std)

    def forward(self, token_ids: torch.Tensor) -> torch.Tensor:
        x = self.embeddings(token_ids)  # (B, T, C)
        logits: torch.Tensor = self.head(x)  # (B, T, vocab_size)
        return logits


@dataclass(frozen=True)
class TrainingRun:
    """What a training run leaves behind: the model, the tables before, the loss curve."""

    model: NextByteModel
    token_table_before: torch.Tensor  # (vocab_size, C), a copy taken before training
    position_table_before: torch.Tensor  # (block_size, C)
    forward_before: object  # the class's forward function, taken before training
    losses: tuple[float, ...]  # the training loss at every step
    held_out: tuple[tuple[int, float], ...]  # (step, loss on the held-out text)
    text_ids: tuple[int, ...]  # the training text (the book's first 90 %) as byte ids


@contextlib.contextmanager
def float64() -> Iterator[None]:
    """Build and train in float64: another CPU's kernels change the last bits of float32
    sums, and thousands of steps grow those bits into the second decimal of a loss; in
    float64 they stay far below anything a page prints."""
    dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        torch.set_default_dtype(dtype)


def _check_fits(model: nn.Module, block_size: int, verb: str) -> None:
    """A model (not its run, nor the Embeddings layer alone) with numbers to compute with
    (and to train), a token row for every byte, windows no longer than a position table."""
    check_model(model)
    if isinstance(model, Embeddings):
        raise TypeError(
            "model must give next-byte scores, got Embeddings, the layer alone (its output is "
            f"vectors); wrap it in a model: NextByteModel(block_size={model.block_size})"
        )
    if any(p.device.type == "meta" for p in model.parameters()):
        raise ValueError(f"the model is on the meta device (shapes, no numbers); build it on "
                         f"the CPU: {type(model).__name__}(...)")  # fmt: skip
    if verb == "train" and not any(p.requires_grad for p in model.parameters()):
        raise ValueError("the model has nothing to train: no parameter requires a gradient; "
                         "unfreeze it first: model.requires_grad_(True)")  # fmt: skip
    for m in (m for m in model.modules() if isinstance(m, Embeddings)):
        if m.vocab_size < 256:
            raise ValueError(
                f"the model has {m.vocab_size} token rows, but the book's bytes go up to "
                "255; build it with vocab_size=256"
            )
        if block_size > m.block_size:
            raise ValueError(
                f"block_size={block_size} exceeds the model's block_size={m.block_size}: its "
                f"position table has {m.block_size} rows; {verb} with block_size <= {m.block_size}"
            )


# --8<-- [start:train]
@torch.no_grad()
def evaluate(model: nn.Module, ids: torch.Tensor, block_size: int) -> float:
    """The mean loss of ``model`` over every window of ``ids``: the same number every time."""
    x, y = windows(ids, block_size)  # (N, T) each
    _check_fits(model, block_size, "score")
    device = next(model.parameters()).device
    x, y = x.to(device), y.to(device)
    return F.cross_entropy(model(x).flatten(0, 1), y.flatten()).item()


def fit(
    model: nn.Module, steps: int, batch_size: int, block_size: int, lr: float,
    eval_every: int = 100,
) -> tuple[list[float], list[tuple[int, float]]]:  # fmt: skip
    """Adam on next-byte prediction over random windows of the book's first 90 %.

    Returns the training loss of every step, and ``(step, loss)`` on the held-out last
    10 % every ``eval_every`` steps and after the last.
    """
    train_ids, held_out_ids = split_ids()
    n = len(held_out_ids)  # a window and its next byte must fit in the held-out text
    checks.check_train_args(steps, batch_size, block_size, lr, n, eval_every=eval_every)
    _check_fits(model, block_size, "train")
    device = next(model.parameters()).device  # where the model is: the CPU here
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)  # no weight decay
    losses, held_out = [], []
    for step in range(1, steps + 1):
        starts = torch.randint(0, len(train_ids) - block_size, (batch_size,))  # (B,)
        index = starts[:, None] + torch.arange(block_size)  # (B, T): B windows of T bytes
        x, y = train_ids[index].to(device), train_ids[index + 1].to(device)  # (B, T) each
        logits = model(x)  # (B, T, 256)
        loss = F.cross_entropy(logits.flatten(0, 1), y.flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if step % eval_every == 0 or step == steps:  # the held-out text: measured, not learned
            held_out.append((step, evaluate(model, held_out_ids, block_size)))
    return losses, held_out


@cached_run  # same arguments, same run: pages and figures share one training (each a copy)
def train(
    steps: int = 1500,
    batch_size: int = 32,
    block_size: int = 16,
    n_embd: int = 16,
    lr: float = 0.02,
    seed: int = 0,
    tie_weights: bool = False,
    init_std: float | None = None,
) -> TrainingRun:
    """Train a ``NextByteModel`` on the book's first 90 %; deterministic for a given seed."""
    n = len(split_ids()[1])  # a window and its next byte must fit in the held-out text
    checks.check_train_args(steps, batch_size, block_size, lr, n, n_embd=n_embd, seed=seed)
    checks.check_model_options(init_std, tie_weights=tie_weights)
    torch.manual_seed(seed)
    model = NextByteModel(256, block_size, n_embd, tie_weights, init_std)
    tok_before = model.embeddings.token_embedding.weight.detach().clone()
    pos_before = model.embeddings.position_embedding.weight.detach().clone()
    forward_before = type(model.embeddings).forward
    with one_thread():  # the same bits for any torch.set_num_threads
        losses, held_out = fit(model, steps, batch_size, block_size, lr)
    text_ids = tuple(split_ids()[0].tolist())
    return TrainingRun(
        model, tok_before, pos_before, forward_before, tuple(losses), tuple(held_out), text_ids
    )


# --8<-- [end:train]


def uniform_loss(vocab_size: int = 256) -> float:
    """The loss of a model that knows nothing: ln(vocab_size)."""
    return math.log(checks.check_int("vocab_size", vocab_size, example=256))


def pca_2d(rows: torch.Tensor) -> torch.Tensor:
    """Project rows ``[N, C]`` on their first two principal components: ``[N, 2]``."""
    if not isinstance(rows, torch.Tensor) or not rows.is_floating_point():
        raise TypeError(f"rows must be a float tensor [N, C], got {checks.short(rows)}")
    if rows.dim() != 2 or min(rows.shape) < 2:
        raise ValueError(f"rows must be [N, C], N >= 2 and C >= 2, got shape {list(rows.shape)}")
    centered = rows - rows.mean(dim=0)
    _, _, v = torch.linalg.svd(centered, full_matrices=False)
    xy = centered @ v[:2].T  # (N, 2)
    # An SVD fixes each direction only up to its sign; choose the sign that makes the
    # largest coordinate positive (as scikit-learn's svd_flip does), so that the picture
    # does not flip between LAPACK builds.
    signs = torch.sign(xy.gather(0, xy.abs().argmax(dim=0, keepdim=True)))
    flipped: torch.Tensor = xy * signs
    return flipped


def byte_groups(ids: Iterable[int]) -> dict[str, list[int]]:
    """Sort the bytes of a text into the groups a plot shows."""
    groups: dict[str, list[int]] = {
        "vowels": [],
        "consonants": [],
        "capitals": [],
        "space and newline": [],
        "punctuation": [],
    }
    ids = ids if isinstance(ids, str) else list(ids)  # a generator is read once
    if isinstance(ids, str) or not all(type(i) is int and 0 <= i < 256 for i in ids):
        raise ValueError(f"ids must be byte ids, ints in [0, 256), got {checks.short(ids)}")
    for i in sorted(set(ids)):
        c = chr(i)
        if c in "aeiou":
            groups["vowels"].append(i)
        elif c.islower():
            groups["consonants"].append(i)
        elif c.isupper():
            groups["capitals"].append(i)
        elif c in " \n":
            groups["space and newline"].append(i)
        else:
            groups["punctuation"].append(i)
    return groups


def byte_map(run: TrainingRun) -> tuple[dict[str, list[int]], dict[int, tuple[float, float]]]:
    """The trained token rows of the bytes in the text, grouped and projected to 2-D.

    Returns the groups of :func:`byte_groups` and each byte's (x, y) from :func:`pca_2d`.
    """
    if not isinstance(run, TrainingRun):  # a model, or the small GPT's run (no text_ids)
        raise TypeError(f"run must be a TrainingRun, got {type(run).__name__}; e.g. train()")
    w = run.model.embeddings.token_embedding.weight.detach()
    groups = byte_groups(set(run.text_ids))
    ids = [i for members in groups.values() for i in members]
    xy = {i: (float(x), float(y)) for i, (x, y) in zip(ids, pca_2d(w[ids]).tolist(), strict=True)}
    return groups, xy
