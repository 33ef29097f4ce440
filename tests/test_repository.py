"""The repository's own machinery: workflows, CI entry point, README, notebook source."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.project import ROOT, mkdocs_config, rel
from tools.prebuild import COLAB_BRANCH

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=[w.name for w in WORKFLOWS])
def test_workflow_matches_the_github_workflow_schema(workflow: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(workflow),
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ci_workflow_runs_make_test_and_the_kernels_with_cpu_torch() -> None:
    ci = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    steps = [s.get("run", "") for job in ci["jobs"].values() for s in job["steps"]]
    assert any(r.strip() == "make test" for r in steps)
    assert any(r.strip() == "make kernels" for r in steps)  # on the runner's own CPU too
    assert "download.pytorch.org/whl/cpu" in json.dumps(ci)


def test_pages_workflow_deploys_with_least_privilege() -> None:
    pages = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text())
    assert pages["permissions"] == {"contents": "read"}
    deploy = pages["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    uses = [s.get("uses", "") for job in pages["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    builds = [s.get("run", "") for s in pages["jobs"]["build"]["steps"]]
    assert "make build" in builds


def test_pages_workflow_publishes_the_notebooks_the_colab_links_name() -> None:
    """The Colab links open ``notebooks/NAME.ipynb`` on the ``colab`` branch
    (tools/prebuild.py): the built site's notebooks/, pushed there after each deploy."""
    pages = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text())
    (upload,) = [s for s in pages["jobs"]["build"]["steps"] if s.get("name", "").endswith("Colab")]
    assert upload["uses"].startswith("actions/upload-artifact@")
    assert upload["with"] == {"name": "notebooks", "path": "site/notebooks"}
    colab = pages["jobs"]["colab"]
    assert colab["needs"] == "deploy"  # the wheel their first cell installs is live first
    assert colab["permissions"] == {"contents": "write"}
    download, publish = colab["steps"]
    assert download["uses"].startswith("actions/download-artifact@")
    assert download["with"] == {"name": "notebooks", "path": "notebooks"}
    script = publish["run"].split()
    assert script[:5] == ["git", "init", "-q", "-b", COLAB_BRANCH]
    assert script[5:8] == ["git", "add", "notebooks"]
    assert script[-4:-1] == ["push", "-f", script[-2]] and script[-1] == COLAB_BRANCH


def test_ci_entry_point_runs_make_test() -> None:
    lines = (ROOT / ".ci/run").read_text().splitlines()
    assert "make test" in [ln.strip() for ln in lines]


def test_readme_shows_the_two_commands_first() -> None:
    readme = (ROOT / "README.md").read_text()
    first_code = readme.split("```")[1]
    assert "make serve" in first_code and "make test" in first_code


NOTEBOOKS = sorted((ROOT / "docs").rglob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.name for n in NOTEBOOKS])
def test_notebooks_are_committed_without_outputs(notebook: Path) -> None:
    """Reviewable source: outputs come from the build's execution, never from a commit."""
    nb = json.loads(notebook.read_text())
    dirty = [
        i
        for i, c in enumerate(nb["cells"])
        if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))
    ]
    assert not dirty, f"{notebook.name}: cells {dirty} carry outputs; clear them before committing"


def test_notebooks_are_rendered_as_the_prebuild_executed_them() -> None:
    """tools.prebuild.run_notebook executes them (errors fatal), kept under a key that holds
    the package; mkdocs-jupyter's own cache is keyed by the notebook alone (src/ changes
    would hide behind it) and its execution would run them twice."""
    jupyter = mkdocs_config()["plugins"]["mkdocs-jupyter"].config
    assert jupyter["execute"] is False
    assert jupyter["allow_errors"] is False
    assert jupyter["cache"] is False


def test_site_loads_no_google_fonts() -> None:
    assert mkdocs_config()["theme"]["font"] is False


def test_only_the_shared_browser_fixture_starts_playwright() -> None:
    """Playwright's sync API runs one instance at a time: a second, started by a test module
    while the session's ``browser`` (tests/conftest.py) is open, fails every test after it."""
    starts = [
        rel(path)
        for path in sorted((ROOT / "tests").glob("*.py"))
        if re.search(r"sync_playwright\(\) as", path.read_text(encoding="utf-8"))
    ]
    assert starts == ["tests/conftest.py"]


def _make_with(tmp_path: Path, target: str, stand_in: str, script: str,
               env: dict[str, str]) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """``make target`` of this Makefile, run in ``tmp_path`` with an up-to-date venv whose
    ``stand_in`` (mkdocs, python) is ``script``."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / stand_in).write_text(script)
    (tmp_path / "bin" / stand_in).chmod(0o755)
    for name, mtime in [("pyproject.toml", 1), ("stamp", 2)]:  # the venv is up to date
        (tmp_path / name).touch()
        os.utime(tmp_path / name, (mtime, mtime))
    make = ["make", "-s", "-f", str(ROOT / "Makefile"), "-C", str(tmp_path), target]
    return subprocess.run([*make, f"BIN={tmp_path / 'bin'}", "STAMP=stamp"], capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin", **env})  # fmt: skip


# A stand-in for mkdocs build: empties its site dir first, as mkdocs does, then writes a
# page and fails if told to.
_FAKE_MKDOCS = """#!/bin/sh
dir=site
while [ $# -gt 0 ]; do [ "$1" = --site-dir ] && dir=$2; shift; done
rm -rf "$dir" && mkdir -p "$dir" && echo new > "$dir/index.html"
exit "${FAKE_MKDOCS_EXIT:-0}"
"""


@pytest.mark.parametrize("exit_code", [0, 1, 130], ids=["built", "failed", "interrupted"])
def test_make_build_replaces_site_only_when_it_finished(tmp_path: Path, exit_code: int) -> None:
    """MkDocs empties its site dir first: a build that failed or was stopped (Ctrl-C) left
    no site at all. The previous site/ stays until a build has finished."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("old\n")
    env = {"FAKE_MKDOCS_EXIT": str(exit_code)}
    result = _make_with(tmp_path, "build", "mkdocs", _FAKE_MKDOCS, env)
    assert (result.returncode == 0) == (exit_code == 0), result.stderr
    shown = (tmp_path / "site" / "index.html").read_text()
    assert shown == ("new\n" if exit_code == 0 else "old\n")
    left = sorted(p.name for p in tmp_path.iterdir() if p.name != ".cache")
    assert left == ["bin", "pyproject.toml", "site", "stamp"]


# A stand-in for the venv's python: `-c` prints the kernel torch would use (ATEN_CPU_CAPABILITY
# if set, as torch reports it even on a CPU that lacks it, else the CPU's own); `-m pytest`
# notes the kernel it ran under.
_FAKE_PYTHON = """#!/bin/sh
if [ "$1" = -c ]; then
  if [ -n "$ATEN_CPU_CAPABILITY" ]; then echo "$ATEN_CPU_CAPABILITY" | tr a-z A-Z
  else echo "$OWN"; fi
else echo "$ATEN_CPU_CAPABILITY" >> "$RAN"; echo "1 passed"; fi
"""


@pytest.mark.parametrize(
    ("own", "ran"),
    [
        ("AVX2", ["default"]),
        ("AVX512", ["avx2", "default"]),
        ("DEFAULT", []),
        ("SVE256", ["default"]),
    ],  # fmt: skip
)
def test_make_kernels_runs_only_kernels_this_cpu_has(
    tmp_path: Path, own: str, ran: list[str]
) -> None:
    """Regression: on a CPU without AVX-512, ATEN_CPU_CAPABILITY=avx512 reports AVX512 and
    then dies of an illegal instruction, which failed CI. Kernels above the CPU's own (and
    the x86 ones on another CPU) are skipped; its own is make test's."""
    env = {"OWN": own, "RAN": str(tmp_path / "ran")}
    result = _make_with(tmp_path, "kernels", "python", _FAKE_PYTHON, env)
    assert result.returncode == 0, result.stdout + result.stderr
    done = (tmp_path / "ran").read_text().split() if (tmp_path / "ran").exists() else []
    assert sorted(done) == ran, result.stdout
