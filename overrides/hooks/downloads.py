"""MkDocs hook: every page with code can be downloaded as a notebook made from the page.

``on_files`` writes ``notebooks/<page>.ipynb`` for each Markdown page that has executed
Python blocks (``page_notebook.py`` does the conversion); ``on_page_markdown`` tells the
page where its notebook is (``page.meta["notebook"]``), and ``overrides/main.html``
shows the download button, as it does for the notebook pages of mkdocs-jupyter.
Nothing is written into docs/; the notebooks exist only in the built site.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from page_notebook import notebook_json, notebook_uri  # beside this file, on mkdocs' sys.path

_NOTEBOOKS: set[str] = set()  # src_uri of the pages that got one, in this build


def on_files(files: Files, config: MkDocsConfig) -> Files:
    root = Path(config.config_file_path).parent
    install = f"embeddings-explained @ git+{config.repo_url}"
    _NOTEBOOKS.clear()
    for file in list(files.documentation_pages()):
        if not file.src_uri.endswith(".md") or file.abs_src_path is None:
            continue
        markdown = Path(file.abs_src_path).read_text(encoding="utf-8")
        notebook = notebook_json(markdown, root, config.site_url or "", install)
        if notebook is not None:
            files.append(File.generated(config, notebook_uri(file.src_uri), content=notebook))
            _NOTEBOOKS.add(file.src_uri)
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if page.file.src_uri in _NOTEBOOKS:
        page.meta["notebook"] = notebook_uri(page.file.src_uri)
    return markdown
