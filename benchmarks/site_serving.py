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
    # it looks for shutdown() every 0.05 s (the default, 0.5 s, is what each stop waited)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def nav_files(nav: list[Any]) -> list[str]:
    """The docs/ file of every page in a mkdocs nav, in order: the one place the nav's pages
    are read (the tests, the browser tests and Lighthouse all take them from here).

    ``nav_files(["index.md", {"Part 1": [{"A": "a.md"}, "b/index.md"]}])`` is
    ``["index.md", "a.md", "b/index.md"]``; links to other sites are left out.
    """
    files: list[str] = []
    for entry in nav:
        target = next(iter(entry.values())) if isinstance(entry, dict) else entry
        if isinstance(target, list):
            files += nav_files(target)
        elif not target.startswith(("http:", "https:")):
            files.append(target)
    return files


def url_path(file: str) -> str:
    """Where mkdocs puts the page of a docs/ file, as a URL path ("" for the home page)."""
    stem = file.rsplit(".", 1)[0]
    return "" if stem == "index" else stem.removesuffix("/index") + "/"


def nav_paths(nav: list[Any]) -> list[str]:
    """URL paths of every page in a mkdocs nav, as mkdocs lays them out."""
    return [url_path(f) for f in nav_files(nav)]
