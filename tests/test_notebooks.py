"""The notebooks of the site as readers get them.

Their code cells are run and their ``#>`` lines checked by the docs harness
(tests/docs_harness.py, like a page's blocks); the strict build executes them in a
Jupyter kernel with errors fatal. Here: the built page shows those real outputs.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from embeddings_explained.showcase import fmt, hi_example

OUTPUT = re.compile(r'class="jp-RenderedText jp-OutputArea-output"[^>]*>\s*<pre>(.*?)</pre>', re.S)


def test_built_notebook_page_shows_outputs_and_a_download(built_site: Path) -> None:
    page = (built_site / "complete-flow" / "index.html").read_text(encoding="utf-8")
    # the output areas only: the code cells carry the same text in their #> lines
    outputs = "".join(html.unescape(re.sub(r"<[^>]+>", "", o)) for o in OUTPUT.findall(page))
    assert "torch.Size([1, 2, 4])" in outputs
    for value in hi_example()["out"].flatten().tolist():
        assert fmt(value) in outputs, f"{fmt(value)} (package) is missing from the outputs"
    assert (built_site / "complete-flow" / "complete-flow.ipynb").is_file()
