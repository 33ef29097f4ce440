"""MkDocs hook: add the files that are computed from the package at build time.

- ``assets/generated/*.svg``: the figures of ``embeddings_explained.figures``.
- ``showcase.EXPLORER_DATA`` (a JSON file): the seeded tables, for the explorer page.

They are added as generated files (never written into docs/), so `mkdocs serve`
does not rebuild in a loop and nothing generated is committed.
"""

from __future__ import annotations

import json

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files


def on_files(files: Files, config: MkDocsConfig) -> Files:
    from embeddings_explained.figures import ASSET_DIR, FIGURES, picture
    from embeddings_explained.showcase import EXPLORER_DATA, explorer_data

    for name in FIGURES:
        svg = picture(name).svg  # pages show it with <!-- gen:figure NAME -->, alt text included
        files.append(File.generated(config, f"{ASSET_DIR}/{name}.svg", content=svg))
    data = json.dumps(explorer_data(), separators=(",", ":"))
    files.append(File.generated(config, EXPLORER_DATA, content=data))
    return files
