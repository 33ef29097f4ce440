"""A rebuild that fails leaves the last good site in place, for a development server."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("mkdocs.tools.serve")


def keep_last_good(build: Callable[[], None], site: Path) -> Callable[[], None]:
    """``build`` (which writes ``site``), made to put back the site as it was when it fails.

    The failure is logged, not raised: a server that waits for a good build before it
    answers (MkDocs') answers at once, with the last good pages, and the next change of a
    file rebuilds again.
    """

    def guarded() -> None:
        with tempfile.TemporaryDirectory(prefix="last-good-site-") as tmp:
            backup = Path(tmp, "site")
            shutil.copytree(site, backup)
            try:
                build()
            except Exception as e:  # noqa: BLE001  (every failure; MkDocs' Abort included)
                for entry in list(site.iterdir()):
                    shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
                shutil.copytree(backup, site, dirs_exist_ok=True)
                log.error(
                    "The rebuild failed (%s: %s); still serving the last good build. Fix the "
                    "error and save: the site rebuilds.",
                    type(e).__name__,
                    e,
                )

    return guarded
