"""The "Run it yourself" page: it says how to run each page (Colab, or locally), its
commands name this repository, and the package as a reader installs it (the built wheel,
nothing else of the repository) runs its example."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

from tests.project import DOCS, ROOT, mkdocs_config
from tools.fences import fences, is_python
from tools.prebuild import wheel

PAGE = DOCS / "run-it-yourself.md"


def _blocks(kind: str) -> list[list[str]]:
    text = PAGE.read_text(encoding="utf-8")
    return [f.body for f in fences(text) if f.info.split()[:1] == [kind]]


def test_the_commands_install_and_clone_this_repository() -> None:
    repo = mkdocs_config()["repo_url"]
    install, clone = (" ".join(body) for body in _blocks("sh"))
    assert f'pip install "embeddings-explained @ git+{repo}"' in install
    assert f"git clone {repo}" in clone and "make test" in clone and "make serve" in clone


def test_the_page_says_how_to_run_each_page_in_colab_or_locally() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert '=== "In Google Colab"' in text and '=== "On your computer"' in text
    # the two buttons it describes, on every page with a notebook (tests/test_page_notebook.py)
    assert "Colab logo" in text and "download arrow" in text
    main = (ROOT / "overrides" / "main.html").read_text(encoding="utf-8")
    assert '{% include ".icons/simple/googlecolab.svg" %}' in main
    assert '{% include ".icons/material/download.svg" %}' in main


def test_the_built_wheel_alone_runs_the_pages_example(tmp_path: Path) -> None:
    name, data = wheel()  # as the site build makes it (tools/prebuild.py)
    (tmp_path / name).write_bytes(data)
    target = tmp_path / "target"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"]
    env = {**os.environ, "PIP_NO_INDEX": "1"}  # offline: torch comes from this environment
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", target, tmp_path / name], check=True, env=env
    )

    (code,) = [f.body for f in fences(PAGE.read_text()) if is_python(f.info)]
    expected = [line.lstrip()[3:] for line in code if line.lstrip().startswith("#>")]
    printed, module_file = _run_with_package_from(target, "\n".join(code))
    assert module_file.startswith(str(target)), f"imported {module_file}, not the wheel's copy"
    assert [line.rstrip() for line in printed] == expected


def _run_with_package_from(folder: Path, code: str) -> tuple[list[str], str]:
    """Run ``code`` with ``embeddings_explained`` imported afresh from ``folder``; return
    what it printed and the file the package came from. In this process, not a new one:
    a new Python would spend most of this test importing torch again."""
    ours = [m for m in sys.modules if m.split(".")[0] == "embeddings_explained"]
    saved = {m: sys.modules.pop(m) for m in ours}
    sys.path.insert(0, str(folder))
    try:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(PAGE), "exec"), {"__name__": "__main__"})
        import embeddings_explained

        return out.getvalue().rstrip("\n").split("\n"), str(embeddings_explained.__file__)
    finally:
        sys.path.remove(str(folder))
        for m in [m for m in sys.modules if m.split(".")[0] == "embeddings_explained"]:
            del sys.modules[m]
        sys.modules.update(saved)
