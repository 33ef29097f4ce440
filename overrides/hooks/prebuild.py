"""MkDocs hook: the steps of ``tools/prebuild.py``, before MkDocs builds the pages.

- ``on_config``: ``SITE_URL`` is an absolute http(s) URL ending in ``/``, or the build stops.
- ``on_files``: the figures, the explorer's data, the notebooks and the wheel are added as
  generated files (never written into docs/, so ``mkdocs serve`` does not rebuild in a loop).
- ``on_pre_page``: a notebook page is rendered by mkdocs-jupyter (``execute: false``) from
  the notebook as ``tools.prebuild.run_notebook`` executed it (kept in the run cache).
- ``on_page_content``: a page with a notebook knows it (``page.meta.notebook``) and its
  Colab link (``page.meta.colab``); ``overrides/main.html`` shows both.

A failure stops the build with the message of ``tools``, which names the page and line.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

# tools/ sits at the root of the repository, which is not on sys.path under `mkdocs build`
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tools import prebuild  # noqa: E402
from tools.page_notebook import notebook_uri  # noqa: E402

_PUBLISHED: set[str] = set()  # the notebooks of this build


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    try:
        prebuild.check_site_url(config.site_url)
    except ValueError as e:
        raise PluginError(str(e)) from None
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    try:
        generated = prebuild.generated_files(Path(config.docs_dir), config.site_url or "")
    except ValueError as e:
        raise PluginError(str(e)) from None
    _PUBLISHED.clear()
    for uri, content in generated.items():
        files.append(File.generated(config, uri, content=content))
        _PUBLISHED.add(uri)
    return files


def on_pre_page(page: Page, config: MkDocsConfig, files: Files) -> Page:
    if not page.file.src_uri.endswith(".ipynb"):
        return page
    render = page.render  # mkdocs-jupyter's: it reads the notebook at page.file.abs_src_path

    def render_executed(config: MkDocsConfig, files: Files) -> None:
        source = page.file.abs_src_path or ""
        try:
            executed = prebuild.run_notebook(Path(source))
        except ValueError as e:
            raise PluginError(str(e)) from None
        with tempfile.TemporaryDirectory(prefix="embeddings-explained-nb-") as tmp:
            page.file.abs_src_path = str(Path(tmp, Path(source).name))
            Path(page.file.abs_src_path).write_text(executed, encoding="utf-8")
            try:
                render(config, files)
            finally:
                page.file.abs_src_path = source

    page.render = render_executed  # type: ignore[method-assign]
    return page


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    uri = notebook_uri(page.file.src_uri)
    if uri in _PUBLISHED:
        page.meta["notebook"] = uri
        page.meta["colab"] = prebuild.colab_url(config.repo_url or "", uri)
    return html
