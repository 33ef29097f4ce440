"""MkDocs hook: add the files that are computed from the package at build time.

- ``assets/generated/*.svg``: the figures of ``embeddings_explained.figures``.

They are added as generated files (never written into docs/), so `mkdocs serve`
does not rebuild in a loop and nothing generated is committed.
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files


def on_files(files: Files, config: MkDocsConfig) -> Files:
    from embeddings_explained.figures import FIGURES

    for name, make in FIGURES.items():
        files.append(File.generated(config, f"assets/generated/{name}", content=make()))
    return files
