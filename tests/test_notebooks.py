"""The notebooks of the site as readers get them.

Their code cells are run and their ``#>`` lines checked by the docs harness
(tests/docs_harness.py, like a page's blocks); the strict build executes them in a
Jupyter kernel with errors fatal. Here: the built page shows the real outputs.
"""

from __future__ import annotations

from pathlib import Path

from embeddings_explained.showcase import fmt, hi_example


def test_built_notebook_page_shows_outputs_and_a_download(built_site: Path) -> None:
    html = (built_site / "complete-flow" / "index.html").read_text(encoding="utf-8")
    assert "torch.Size([1, 2, 4])" in html
    for value in hi_example()["out"].flatten().tolist():
        assert fmt(value) in html, f"{fmt(value)} (package) is missing from the built page"
    assert (built_site / "complete-flow" / "complete-flow.ipynb").is_file()
