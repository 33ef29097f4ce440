"""A tiny next-byte language model, to watch the embedding tables learn.

- ``NextByteModel``: ``Embeddings`` followed by one ``nn.Linear`` to 256 logits, so
  each position predicts the next byte from its own token and position vectors.
- ``train``: Adam on cross-entropy over random windows of a text, seeded, CPU only.
- ``load_text``: the small public-domain text shipped in ``data/`` (see SOURCE.md there).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import inspect
import math
import os
import platform
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import ParamSpec, Protocol, TypeVar, cast

import torch
import torch.nn.functional as F
from torch import nn

from embeddings_explained import _checks as checks
from embeddings_explained.model import Embeddings
from embeddings_explained.tokenizer import ByteTokenizer

try:
    import fcntl
except ImportError:  # Windows: runs are still kept, two processes may both compute one
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "NextByteModel",
    "TrainingRun",
    "byte_groups",
    "byte_map",
    "load_text",
    "pca_2d",
    "train",
]


def load_text(name: str = "alice.txt") -> str:
    """A text shipped with the package: the opening of *Alice's Adventures in Wonderland*."""
    data = resources.files("embeddings_explained") / "data"
    shipped = sorted(f.name for f in data.iterdir() if f.name.endswith(".txt"))
    checks.check_choice("name", name, shipped)  # a text of data/, never a path out of it
    return (data / name).read_text(encoding="utf-8")


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
        _check_options(tie_weights, init_std)  # the sizes are checked by Embeddings
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
    text_ids: tuple[int, ...]  # the training text as byte ids


P = ParamSpec("P")
R = TypeVar("R")


class _Once(Protocol[P, R]):
    __wrapped__: Callable[P, R]  # the function itself: a fresh run, bypassing the cache

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...


RUN_CACHE_ENV = "EMBEDDINGS_EXPLAINED_RUN_CACHE"
"""A folder where finished runs are kept between processes (unset: nothing is kept).

The project's ``make`` targets and test suite point it at ``.cache/runs``, so that the site
build and the tests, which run the same trainings, do each one once per change of the
package. A kept run is used only for the same function, the same arguments, the same
package files (every byte of them), the same PyTorch version, the same CPU kernels and
the same number of threads.
"""


@functools.cache
def _package_digest() -> str:
    """SHA-256 of every file of the package (code and data): any edit makes new runs."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _kept_path(fn: Callable[..., object], key: tuple[object, ...]) -> Path | None:
    folder = os.environ.get(RUN_CACHE_ENV)
    if not folder:
        return None
    ident = repr(
        (
            fn.__module__, fn.__qualname__, key, _package_digest(), torch.__version__,
            platform.machine(), torch.backends.cpu.get_cpu_capability(),
            torch.get_num_threads(),  # how sums are split over threads moves last bits
        )
    )  # fmt: skip
    # named by package too, so that runs of an earlier package can be told and dropped
    run = hashlib.sha256(ident.encode()).hexdigest()[:32]
    return Path(folder) / f"{fn.__name__}-{_package_digest()[:12]}-{run}.pt"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold ``path``.lock: a second process asking for the same run waits, then reads it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    name = path.with_suffix(".lock")
    with open(name, "w") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:  # a process that waited on it then finds the run kept (or computes it)
            name.unlink(missing_ok=True)


def _kept_or_run(
    fn: Callable[P, R], key: tuple[object, ...], *args: P.args, **kwargs: P.kwargs
) -> tuple[R, torch.Tensor]:
    """``fn(*args, **kwargs)`` and the global RNG state it leaves, from the folder of
    :data:`RUN_CACHE_ENV` when it holds this run, else computed (and kept there)."""
    path = _kept_path(fn, key)
    if path is None:
        return fn(*args, **kwargs), torch.get_rng_state()
    with _locked(path):
        try:
            kept: tuple[R, torch.Tensor] = torch.load(path, weights_only=False)
            return kept
        except Exception:  # not kept yet, or unreadable (an interrupted write): run it
            pass
        done = fn(*args, **kwargs), torch.get_rng_state()
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        torch.save(done, partial)
        os.replace(partial, path)  # whole or absent, never half-written
        package = path.name.split("-")[-2]
        for old in path.parent.glob(f"{fn.__name__}-*.pt"):
            if old.name.split("-")[-2] != package:  # kept for a package since edited
                old.unlink(missing_ok=True)
        return done


def _run_once(fn: Callable[P, R]) -> _Once[P, R]:
    """Like ``functools.cache``, but every caller gets its own copy of the run, so that
    what one caller does to its model (train it further, say) never reaches the next.

    A call that finds its run kept (in this process, or in the folder of
    :data:`RUN_CACHE_ENV`) leaves the global RNG state as running it would have left it,
    so what a page draws afterwards never depends on whether the run was kept.
    """
    runs: dict[tuple[object, ...], tuple[R, torch.Tensor]] = {}
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def cached(*args: P.args, **kwargs: P.kwargs) -> R:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        key = tuple((type(v), v) for v in bound.arguments.values())  # seed=True is not 1
        try:
            found = runs.get(key)
        except TypeError:  # an unhashable argument: the function's checks say what is wrong
            return fn(*args, **kwargs)
        if found is None:
            found = runs[key] = _kept_or_run(fn, key, *args, **kwargs)
        run, rng_after = found
        torch.set_rng_state(rng_after)
        shared = {id(v): v for v in vars(run).values() if isinstance(v, tuple)}  # immutable
        return copy.deepcopy(run, shared)

    return cast(_Once[P, R], cached)


def _check_options(tie_weights: object, init_std: object) -> None:
    checks.check_bool("tie_weights", tie_weights)
    if init_std is not None:
        checks.check_real("init_std", init_std, example=0.02)


def _check_train_args(
    steps: object,
    batch_size: object,
    block_size: object,
    n_embd: object,
    lr: object,
    seed: object,
    tie_weights: object,
    init_std: object,
) -> None:
    """All of ``train``'s arguments, before it seeds or builds anything."""
    hours = "a CPU demo: a million steps take over an hour"
    checks.check_int("steps", steps, high=10**6, example=1500, why=hours)
    n = len(load_text().encode("utf-8"))
    fit = f"a window and its next byte must fit in the {n:,}-byte text"
    T = checks.check_int("block_size", block_size, high=n - 1, example=16, why=fit)
    per_step = "a step reads batch_size x block_size bytes, at most 2**24"
    checks.check_int("batch_size", batch_size, high=2**24 // T, example=32, why=per_step)
    checks.check_sizes(256, T, n_embd)
    checks.check_real("lr", lr, example=0.02)
    checks.check_int("seed", seed, low=-(2**63), high=2**64 - 1, example=0)
    _check_options(tie_weights, init_std)


# --8<-- [start:train]
@_run_once  # same arguments, same run: pages and figures share one training (each a copy)
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
    """Train a ``NextByteModel`` on :func:`load_text`; deterministic for a given seed."""
    _check_train_args(steps, batch_size, block_size, n_embd, lr, seed, tie_weights, init_std)
    torch.manual_seed(seed)
    model = NextByteModel(256, block_size, n_embd, tie_weights, init_std)
    data = torch.tensor(ByteTokenizer().encode(load_text()))  # (N,)
    tok_before = model.embeddings.token_embedding.weight.detach().clone()
    pos_before = model.embeddings.position_embedding.weight.detach().clone()
    forward_before = type(model.embeddings).forward
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)  # no weight decay
    losses = []
    for _ in range(steps):
        starts = torch.randint(0, len(data) - block_size, (batch_size,))
        x = torch.stack([data[s : s + block_size] for s in starts])  # (B, T) inputs
        y = torch.stack([data[s + 1 : s + 1 + block_size] for s in starts])  # (B, T) next bytes
        logits = model(x)  # (B, T, 256)
        loss = F.cross_entropy(logits.view(-1, 256), y.view(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return TrainingRun(
        model, tok_before, pos_before, forward_before, tuple(losses), tuple(data.tolist())
    )


# --8<-- [end:train]


def uniform_loss(vocab_size: int = 256) -> float:
    """The loss of a model that knows nothing: ln(vocab_size)."""
    return math.log(checks.check_int("vocab_size", vocab_size, example=256))


def pca_2d(rows: torch.Tensor) -> torch.Tensor:
    """Project rows ``[N, C]`` on their first two principal components: ``[N, 2]``."""
    checks.check_rows("rows", rows)  # a finite float tensor [N, C], N >= 2 and C >= 2
    centered = rows - rows.mean(dim=0)
    _, _, v = torch.linalg.svd(centered, full_matrices=False)
    xy = centered @ v[:2].T  # (N, 2)
    # An SVD fixes each direction only up to its sign; choose the sign that makes the
    # largest coordinate positive (as scikit-learn's svd_flip does), so that the picture
    # does not flip between LAPACK builds.
    signs = torch.sign(xy.gather(0, xy.abs().argmax(dim=0, keepdim=True)))
    flipped: torch.Tensor = xy * signs
    return flipped


def byte_groups(ids: set[int]) -> dict[str, list[int]]:
    """Sort the bytes of a text into the groups a plot shows."""
    groups: dict[str, list[int]] = {
        "vowels": [],
        "consonants": [],
        "capitals": [],
        "space and newline": [],
        "punctuation": [],
    }
    for i in sorted(checks.check_bytes("ids", ids)):
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
    if not isinstance(run, TrainingRun):
        raise TypeError(
            f"run must be a TrainingRun, the result of train(), got {type(run).__name__} "
            f"{checks.short(run)}; for example byte_map(train())"
        )
    w = run.model.embeddings.token_embedding.weight.detach()
    groups = byte_groups(set(run.text_ids))
    ids = [i for members in groups.values() for i in members]
    xy = {i: (float(x), float(y)) for i, (x, y) in zip(ids, pca_2d(w[ids]).tolist(), strict=True)}
    return groups, xy
