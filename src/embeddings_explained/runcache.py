"""Finished runs (trainings, the site's figures), kept in memory and between processes,
verified on every read.

- ``cached_run(fn)``: like ``functools.cache``, but each caller gets its own copy of the
  run, and the global RNG state the run left, so that nothing afterwards depends on
  whether the run was kept.
- ``RUN_CACHE_ENV``: the variable naming a folder where runs are kept between processes
  (unset or empty: none are). ``make`` and the test suite set it to ``.cache/runs``.
- A kept run is a file: a line with the SHA-256 of its key and content, then the content.
  The digest is checked on every read; a file that does not match (damaged, or another
  run's) is a miss, computed again and replaced, never a result.
- Every run is computed on one CPU thread (``one_thread``), so the build (torch's threads)
  and the tests (one) share the same runs. The key is everything else that changes the
  numbers: the function, its arguments, every byte of the package, the PyTorch version,
  the CPU and its kernels, the default dtype and the default device.
- A folder that is read-only is read and never written; one that cannot be used at all
  gets an error that names ``RUN_CACHE_ENV``.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import functools
import hashlib
import inspect
import os
import pickle
import platform
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ParamSpec, Protocol, TypeVar, cast

import torch

try:
    import fcntl
except ImportError:  # Windows: runs are still kept, two processes may both compute one
    fcntl = None  # type: ignore[assignment]

__all__ = ["RUN_CACHE_ENV", "CachedRun", "cached_run", "one_thread", "package_digest"]

RUN_CACHE_ENV = "EMBEDDINGS_EXPLAINED_RUN_CACHE"
_MAGIC = b"embeddings-explained run sha256="
_READ_ONLY = (errno.EACCES, errno.EPERM, errno.EROFS)

P = ParamSpec("P")
R = TypeVar("R")


class CachedRun(Protocol[P, R]):
    __wrapped__: Callable[P, R]  # the function itself: a fresh run, bypassing the cache

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run on one CPU thread: how a matrix product is split over threads changes the last
    bits of its sums, so pinning it makes a run bit-identical for any number of threads
    (and, on a busy machine, faster)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


@functools.cache
def package_digest() -> str:
    """SHA-256 of every file of the package (code and data): any edit makes new runs."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _unusable(folder: str, error: OSError) -> OSError:
    return OSError(
        f"the run cache {folder!r} cannot be used ({error.strerror or error}); set "
        f"{RUN_CACHE_ENV} to a folder this process can read and write, or to empty to keep no runs"
    )


def _header(key: str, content: bytes) -> bytes:
    """The first line of a kept run: the SHA-256 of its key and content, so that a file
    copied or renamed over another run's is a miss, not that run."""
    return _MAGIC + hashlib.sha256(key.encode() + b"\0" + content).hexdigest().encode()


def _read(path: Path, key: str) -> bytes | None:
    """The content of a kept run, or None when it is absent or its digest does not match."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError as error:  # one entry, not the folder: the fix is to remove it
        raise OSError(f"the kept run {str(path)!r} is a folder; remove it") from error
    except OSError as error:
        raise _unusable(str(path.parent), error) from error
    header, _, content = data.partition(b"\n")
    return content if header == _header(key, content) else None


def _write(path: Path, key: str, content: bytes) -> None:
    """Keep a run: a temporary file renamed over the old one, so it is whole or absent."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(_header(key, content) + b"\n" + content)
    except OSError as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)  # a disk that filled up: no half-written file
        if error.errno in _READ_ONLY:
            return  # a read-only cache: read, never written
        raise _unusable(str(path.parent), error) from error
    os.replace(partial, path)
    for old in path.parent.glob(f"{path.name.split('-')[0]}-*"):  # runs of an edited package
        if old.name.split("-")[1] != package_digest()[:12]:
            old.unlink(missing_ok=True)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold ``path``.lock: a second process asking for the same run waits, then reads it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(path.with_suffix(".lock"), "a")  # noqa: SIM115 (closed below)
    except OSError:  # a read-only cache: nothing will be written there to wait for
        yield
        return
    with lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:  # a process that waited on it then finds the run kept (or computes it)
            Path(lock.name).unlink(missing_ok=True)


def _kept_or_run(fn: Callable[[], R], path: Path | None, key: str) -> tuple[R, torch.Tensor]:
    """``fn()`` and the RNG state it leaves, read from ``path`` when it holds them."""
    if path is None:
        return fn(), torch.get_rng_state()
    content = _read(path, key)
    if content is None:
        with _locked(path):
            content = _read(path, key)  # kept meanwhile by the process that held the lock?
            if content is None:
                done = fn(), torch.get_rng_state()
                # pickle, not torch.save: the same tensors back, without a Python call per
                # object (a run's text is 133,259 ints); both trust the file as much
                _write(path, key, pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL))
                return done
    kept: tuple[R, torch.Tensor] = pickle.loads(content)  # noqa: S301 (our own digest-checked file)
    return kept


def _path(fn: Callable[..., object], key: str) -> Path | None:
    folder = os.environ.get(RUN_CACHE_ENV)
    if not folder:
        return None
    run = hashlib.sha256(key.encode()).hexdigest()[:32]
    # named by package too, so that runs of an earlier package can be told and dropped
    return Path(folder) / f"{fn.__name__}-{package_digest()[:12]}-{run}.pt"


def cached_run(fn: Callable[P, R]) -> CachedRun[P, R]:
    """Same arguments, same run: computed once, kept, and copied for each caller.

    ``cached_run(fn).__wrapped__`` is ``fn`` itself, a fresh run.
    """
    runs: dict[str, tuple[R, torch.Tensor]] = {}
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def cached(*args: P.args, **kwargs: P.kwargs) -> R:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        key = repr(
            (
                fn.__module__, fn.__qualname__,
                [(type(v), v) for v in bound.arguments.values()],  # seed=True is not 1
                package_digest(), torch.__version__, platform.machine(),
                torch.backends.cpu.get_cpu_capability(),
                torch.get_default_dtype(), torch.get_default_device(),
            )
        )  # fmt: skip
        if key not in runs:
            with one_thread():  # the same sums for any torch.set_num_threads
                runs[key] = _kept_or_run(lambda: fn(*args, **kwargs), _path(fn, key), key)
        run, rng_after = runs[key]
        torch.set_rng_state(rng_after)
        attrs = getattr(run, "__dict__", {}).values()
        shared = {id(v): v for v in attrs if isinstance(v, tuple)}  # immutable
        return copy.deepcopy(run, shared)

    return cast(CachedRun[P, R], cached)
