"""The "Run it yourself" page: its commands name this repository, and the package as a
reader installs it (the built wheel, nothing else of the repository) runs its example."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.docs_harness import DOCS, ROOT, fences, is_python, mkdocs_config

PAGE = DOCS / "run-it-yourself.md"


def _blocks(kind: str) -> list[list[str]]:
    text = PAGE.read_text(encoding="utf-8")
    return [body for _, _, info, body in fences(text) if info.split()[:1] == [kind]]


def test_the_commands_install_and_clone_this_repository() -> None:
    repo = mkdocs_config()["repo_url"]
    install, clone = (" ".join(body) for body in _blocks("sh"))
    assert f'pip install "embeddings-explained @ git+{repo}"' in install
    assert f"git clone {repo}" in clone and "make test" in clone


def test_the_built_wheel_alone_runs_the_pages_example(tmp_path: Path) -> None:
    # Build from a copy of what the wheel is made of, so no build/ lands in the checkout.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT / "src",
        source / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
    )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"]
    env = {**os.environ, "PIP_NO_INDEX": "1"}  # offline: torch comes from this environment
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", tmp_path / "dist", source],
        check=True,
        env=env,
    )
    (wheel,) = (tmp_path / "dist").glob("embeddings_explained-*.whl")
    target = tmp_path / "target"
    subprocess.run([*pip, "install", "--no-deps", "--target", target, wheel], check=True, env=env)

    (code,) = [body for _, _, info, body in fences(PAGE.read_text()) if is_python(info)]
    expected = [line.lstrip()[3:] for line in code if line.lstrip().startswith("#>")]
    script = (
        f"import sys; sys.path.insert(0, {str(target)!r})\n"
        + "\n".join(code)
        + "\nimport embeddings_explained\nprint(embeddings_explained.__file__)\n"
    )
    run = subprocess.run(
        [sys.executable, "-I", "-c", script], capture_output=True, text=True, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    *printed, module_file = run.stdout.rstrip("\n").split("\n")
    assert module_file.startswith(str(target)), f"imported {module_file}, not the wheel's copy"
    assert [line.rstrip() for line in printed] == expected
