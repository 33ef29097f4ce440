"""Shared fixtures: the strictly built site, made once per test run, in the background.

`mkdocs build --strict` is the slowest single step of the suite (it draws the figures and
executes the notebooks; the trainings it needs are kept in .cache/runs). It starts in its
own process as soon as pytest knows it will be needed (at configuration when the paths
given include the site's tests, else after collection), and the tests that need the site
run last, so on two cores the build overlaps with collection and the unit and docs tests
instead of adding to them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from tests.project import CHROMIUM, ROOT, missing

# The tests' tensors are tiny, and the site build runs beside them on the other core:
# one thread each avoids oversubscribing two cores (results are the same either way).
torch.set_num_threads(1)


@dataclass
class _Build:
    site: Path
    proc: subprocess.Popen[str]
    log: typing.IO[str]
    config: pytest.Config  # the run that started it: a run inside a test stops only its own


_build: list[_Build] = []  # the one background build of this run, if any


def _needs_site(item: pytest.Item) -> bool:
    return "built_site" in getattr(item, "fixturenames", ())


# What the site's process runs while the build runs (tests/run_suite.py), chosen so that
# make test's two processes take about as long: measured warm on 2 cores (AVX-512), 22-24 s
# each, 27-29 s in all.
BESIDE_THE_BUILD = tuple(
    ROOT / "tests" / f"test_{name}.py" for name in ("docs_harness", "figures", "page_notebook")
)


def _site_process(item: pytest.Item) -> bool:
    """Which of make test's two processes runs ``item``: the site's, which waits for the
    build, or the rest."""
    path = Path(item.path)
    return _needs_site(item) or path in BESIDE_THE_BUILD


SITE_TESTS = [
    ROOT / "tests" / f"test_{name}.py"
    for name in ("site_browser", "site_static", "build", "zensical", "glossary")
]


def _start_build(config: pytest.Config) -> None:
    site_dir = Path(tempfile.mkdtemp(prefix="embeddings-explained-site-"))
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115  (closed with the session)
    proc = subprocess.Popen(
        # not niced: the build is the longest chain of make test (the site's tests wait on
        # it), and what runs beside it (the other tests, make kernels) can wait instead
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        # one thread: the build shares the two cores with the tests that run meanwhile
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "OMP_NUM_THREADS": "1"},
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _build.append(_Build(site_dir, proc, log, config))


def _stop_builds(config: pytest.Config) -> None:
    for build in [b for b in _build if b.config is config]:
        if build.proc.poll() is None:
            build.proc.kill()
            build.proc.wait()
        build.log.close()
        shutil.rmtree(build.site, ignore_errors=True)
        _build.remove(build)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--site",
        choices=("all", "only", "none"),
        default="all",
        help="run the tests that need the built site too (all), only them and the tests run "
        "beside the build (BESIDE_THE_BUILD), or none of those: `make test` runs "
        "`--site=only` and `--site=none` side by side (tests/run_suite.py)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """A run whose paths include the site's tests (``make test``: all of them) starts the
    build at once, so that it overlaps collection too; it stops if none is selected."""
    if config.getoption("--update-outputs") or config.getoption("collectonly"):
        return
    if config.getoption("--site") == "none":
        return
    paths = [
        Path(config.invocation_params.dir, arg.split("::")[0]).resolve() for arg in config.args
    ]
    if any(path == test or path in test.parents for path in paths for test in SITE_TESTS):
        _start_build(config)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    outputs = config.getoption("--update-outputs")  # make outputs: the pages, not the site
    # otherwise --site: one of make test's two processes (the site's tests, or the rest)
    keep = {"only": True, "none": False}.get(config.getoption("--site"))
    wrong = _needs_site if outputs else (lambda i: keep is not None and _site_process(i) != keep)
    if dropped := [i for i in items if wrong(i)]:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [i for i in items if not wrong(i)]
    if outputs:
        return
    items.sort(key=_needs_site)  # stable: the site's tests go last, in their usual order
    wanted = any(_needs_site(i) for i in items) and not config.getoption("collectonly")
    if wanted and not _build:
        _start_build(config)
    elif not wanted:
        _stop_builds(config)  # started for a run that then selected no site test (-k ...)


def pytest_sessionfinish(session: pytest.Session) -> None:
    _stop_builds(session.config)


@pytest.fixture(scope="session")
def built_site() -> Path:
    """The site from ``mkdocs build --strict``; the test fails with mkdocs' own log if it did."""
    assert _build, "build not started"
    build = _build[0]
    try:
        rc = build.proc.wait(timeout=600)
    except subprocess.TimeoutExpired:
        build.proc.kill()
        pytest.fail("mkdocs build --strict took over 600 s")
    if rc != 0:
        build.log.seek(0)
        pytest.fail(f"mkdocs build --strict failed (exit {rc}):\n{build.log.read()}")
    return build.site


@pytest.fixture(scope="session")
def base_url(built_site: Path) -> Iterator[str]:
    """The built site, served on a local port (benchmarks/site_serving.py)."""
    from site_serving import serving  # benchmarks/, on pytest's pythonpath

    with serving(built_site) as url:
        yield url + "/"


@pytest.fixture(scope="session")
def browser() -> Iterator[typing.Any]:
    """Headless Chromium, one for the whole run: Playwright's sync API allows one at a time."""
    if not Path(CHROMIUM).exists():
        missing("Chromium (/usr/bin/chromium; apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-dev-shm-usage", "--disable-component-update", "--no-first-run"]  # fmt: skip
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=flags)
        yield browser
        browser.close()
