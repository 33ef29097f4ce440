"""Writing files so that a reader never sees one half written, nor half of a set."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

# The signals that stop a run besides Ctrl-C and SIGTERM: a closed terminal (not on Windows)
STOPPING = [signal.SIGHUP] if hasattr(signal, "SIGHUP") else []


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write ``content`` (``str`` as UTF-8, no newline translation) whole or not at all."""
    write_all({path: content.encode("utf-8") if isinstance(content, str) else content})


def write_all(contents: Mapping[Path, bytes]) -> None:
    """Write every file whole: each to a temporary file beside it (an existing file's mode
    kept), then, all on disk, renamed over the originals with SIGINT, SIGTERM and SIGHUP
    held until the last. A failure before the renames writes none; a rename that fails (a
    full disk) raises after the ones before it, which the caller can tell by reading back."""
    temps: dict[Path, str] = {}
    try:
        for path, data in contents.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temps[path] = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
            )
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temps[path], path.stat().st_mode & 0o7777 if path.exists() else 0o644)
        with _signals_held():
            for path, temp in temps.items():
                os.replace(temp, path)
            temps.clear()
    finally:
        for temp in temps.values():
            Path(temp).unlink(missing_ok=True)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP (a closed terminal) wait for the block, then act (a signal
    mask would not hold them: another thread may take the signal). Only the main thread can
    set handlers; a build in another thread (``mkdocs serve``) renames without them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    wanted = [signal.SIGINT, signal.SIGTERM, *STOPPING]
    old = {s: signal.signal(s, lambda signum, frame: held.append(signum)) for s in wanted}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        if held:
            signal.raise_signal(held[0])
