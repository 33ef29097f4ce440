"""MkDocs hook: ``mkdocs serve`` keeps serving the last good build when a rebuild fails.

MkDocs' server answers no request until a rebuild succeeds ("The server will appear stuck
until build errors are resolved"): a typo in an include made every page hang. With this
hook the error is reported as the build gives it (page and line) and the last good site is
served meanwhile; ``tools/serve.py`` does it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer

# tools/ sits at the root of the repository, which is not on sys.path under `mkdocs serve`
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tools.serve import keep_last_good  # noqa: E402


def on_serve(server: LiveReloadServer, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
    server.builder = keep_last_good(server.builder, Path(server.root))
    return server
