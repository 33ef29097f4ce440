"""The built site served as GitHub Pages serves it, and the pages of its nav.

Shared by the browser tests (tests/test_site_browser.py) and ``make lighthouse``
(benchmarks/lighthouse.py), so that both measure the same bytes over the same kind of server.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Text compressed with gzip when the browser asks for it; quiet."""

    COMPRESSED = (".html", ".css", ".js", ".json", ".svg", ".xml", ".ipynb", ".txt")

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.suffix in self.COMPRESSED and path.is_file()):
            return super().send_head()  # also redirects /page to /page/, and sends 404s
        data = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextmanager
def serving(directory: Path) -> Iterator[str]:
    """``directory`` served by a :class:`GzipHandler` on a free local port, in a thread; the
    base URL, without a trailing slash."""
    handler = functools.partial(GzipHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def nav_paths(nav: list[Any]) -> list[str]:
    """URL paths of every page in a mkdocs nav, as mkdocs lays them out ("" for the home page).

    ``nav_paths(["index.md", {"Part 1": [{"A": "a.md"}, "b/index.md"]}])`` is
    ``["", "a/", "b/"]``; links to other sites are left out.
    """
    paths: list[str] = []
    for entry in nav:
        target = next(iter(entry.values())) if isinstance(entry, dict) else entry
        if isinstance(target, list):
            paths += nav_paths(target)
        elif not target.startswith(("http:", "https:")):
            stem = target.rsplit(".", 1)[0]
            paths.append("" if stem == "index" else stem.removesuffix("/index") + "/")
    return paths
