"""Every notebook of the site executes without error and shows the package's real numbers."""

from __future__ import annotations

import functools
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from embeddings_explained.showcase import fmt, hi_example

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "docs").rglob("*.ipynb"))


@functools.cache
def _execute(path: Path) -> str:
    """Execute a notebook once per test run; return the text of all its outputs."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            texts.append(out.get("text", "") or str(out.get("data", {}).get("text/plain", "")))
    return "".join(texts)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.name for n in NOTEBOOKS])
def test_notebook_executes_without_error(notebook: Path) -> None:
    _execute(notebook)  # nbclient raises CellExecutionError naming the cell


def test_complete_flow_prints_the_real_shape_and_values() -> None:
    output = _execute(ROOT / "docs" / "complete-flow.ipynb")
    assert "torch.Size([1, 2, 4])" in output
    for value in hi_example()["out"].flatten().tolist():
        assert fmt(value) in output, f"{fmt(value)} (package) is missing from the notebook output"


def test_built_notebook_page_shows_outputs_and_a_download(built_site: Path) -> None:
    html = (built_site / "complete-flow" / "index.html").read_text(encoding="utf-8")
    assert "torch.Size([1, 2, 4])" in html
    for value in hi_example()["out"].flatten().tolist():
        assert fmt(value) in html
    assert (built_site / "complete-flow" / "complete-flow.ipynb").is_file()
