"""MkDocs hook: add the files that are computed from the package at build time.

- ``assets/generated/*.svg``: the figures of ``embeddings_explained.figures``.
- ``assets/generated/embeddings-seed0.json``: the seeded tables, for the explorer page.

They are added as generated files (never written into docs/), so `mkdocs serve`
does not rebuild in a loop and nothing generated is committed.
"""

from __future__ import annotations

import json

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files


def on_files(files: Files, config: MkDocsConfig) -> Files:
    from embeddings_explained.figures import FIGURES
    from embeddings_explained.showcase import explorer_data

    for name, make in FIGURES.items():
        files.append(File.generated(config, f"assets/generated/{name}", content=make()))
    data = json.dumps(explorer_data(), separators=(",", ":"))
    files.append(File.generated(config, "assets/generated/embeddings-seed0.json", content=data))
    return files
