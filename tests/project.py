"""The repository's paths and its mkdocs.yml, as every test reads them."""

from __future__ import annotations

import functools
import os
import shutil
import typing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# Debian's chromium here and in .ci/run; CHROMIUM_PATH picks another (GitHub's runners have Chrome).
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
UNDER_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def rel(path: Path) -> str:
    """``path`` relative to the repository, for messages."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


@functools.cache  # read once per run (loading its plugins imports nbconvert: ~1 s)
def mkdocs_config() -> typing.Any:
    """mkdocs.yml as mkdocs reads it (``!ENV``, plugins); one shared object, not to change."""
    from mkdocs.config import load_config

    return load_config(str(ROOT / "mkdocs.yml"))


def nav_pages() -> list[str]:
    """The docs/ file of every page in the nav, in order (``site_serving.nav_files``)."""
    from site_serving import nav_files  # benchmarks/, on pytest's pythonpath only

    return nav_files(mkdocs_config()["nav"])


def missing(what: str) -> None:
    """A browser test without ``what``: skipped, or failed under CI=true."""
    if UNDER_CI:
        pytest.fail(f"{what} is missing, and under CI=true the browser tests must run")
    pytest.skip(f"{what} not found: the browser tests need it (CI installs it)")
