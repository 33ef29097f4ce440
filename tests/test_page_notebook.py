"""Each page's downloadable notebook (tools/page_notebook.py): made from the
page, it runs from top to bottom in one namespace and prints what the page shows."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import typing
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

from tests.project import DOCS, ROOT, mkdocs_config, nav_pages
from tests.test_run_it_yourself import _run_with_package_from
from tools.fences import fences, runs
from tools.page_notebook import install_cell, notebook_cells, notebook_json, notebook_uri
from tools.prebuild import COLAB_BRANCH

SITE = "https://example.org/ee/"
WHEEL = "https://example.org/ee/downloads/embeddings_explained-0.1.0-py3-none-any.whl"


PAGES = [
    p
    for p in nav_pages()
    if p.endswith(".md") and notebook_json((DOCS / p).read_text(), ROOT, SITE, WHEEL)
]


SAMPLE = """# Title

Some prose with a <!-- gen:n vocab_size -->256<!-- /gen --> and a [link](forward-pass.md#step-1).

![A picture](assets/generated/a.svg){ width="4" }

```python
x = 1
print(x)
#> 1
```

```{.python notest title="model.py"}
--8<-- "src/embeddings_explained/model.py:forward"
```

??? success "Solution"
    Indented prose.

    ```{.python continuation}
    print(x + 1)
    #> 2
    ```

After.
"""


def test_cells_keep_prose_and_code_in_page_order() -> None:
    cells = notebook_cells(SAMPLE, ROOT, SITE)
    kinds = [kind for kind, _ in cells]
    assert kinds == ["markdown", "code", "markdown", "code", "markdown"]
    first, code, middle, solution, last = (source for _, source in cells)
    assert "a 256 and a [link](https://example.org/ee/forward-pass/#step-1)" in first
    assert "gen:" not in first
    assert "![A picture](https://example.org/ee/assets/generated/a.svg)\n" in first + "\n"
    assert code == "x = 1\nprint(x)\n#> 1"
    assert "def forward(self, token_ids: torch.Tensor)" in middle  # the snippet, resolved
    assert "--8<--" not in middle
    assert "**Solution**\n\nIndented prose." in middle
    assert solution == "print(x + 1)\n#> 2"  # dedented out of the admonition
    assert last == "After."


@pytest.mark.parametrize("page", [*PAGES, "sample"])
def test_the_code_cells_are_the_blocks_the_tests_run(page: str) -> None:
    """One fence reader: indented code that shows a fence, or a fence inside HTML, runs
    nowhere, so the notebook holds it as prose."""
    text = SAMPLE + HIDDEN if page == "sample" else (DOCS / page).read_text()
    code = [source for kind, source in notebook_cells(text, ROOT, SITE) if kind == "code"]
    assert code == ["\n".join(f.body).strip("\n") for f in fences(text) if runs(f.info)]


HIDDEN = """
    ```python
    print("indented code, not a fence")
    ```

<div>
```python
print("inside HTML")
```
</div>
"""


def test_a_page_without_code_gets_no_notebook_and_uris_are_flat() -> None:
    assert notebook_json("# Only prose\n", ROOT, SITE, WHEEL) is None
    assert notebook_uri("initialization.md") == "notebooks/initialization.ipynb"


@pytest.mark.parametrize("page", PAGES)
def test_page_notebook_runs_and_prints_what_the_page_shows(page: str) -> None:
    text = notebook_json((DOCS / page).read_text(), ROOT, SITE, WHEEL) or "{}"
    notebook = nbformat.reads(text, as_version=4)  # type: ignore[no-untyped-call]
    nbformat.validate(notebook)  # opens in Jupyter as it is
    nb = json.loads(text)
    namespace: dict[str, object] = {"__name__": "__main__"}
    for k, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(source, f"{page} (notebook cell {k + 1})", "exec"), namespace)
        shown = [
            ln.strip()[2:].removeprefix(" ")
            for ln in source.split("\n")
            if ln.strip().startswith("#>")
        ]
        printed = out.getvalue().rstrip("\n").split("\n") if out.getvalue() else []
        assert [ln.rstrip() for ln in printed] == [ln.rstrip() for ln in shown], (
            f"{page}, notebook cell {k + 1}, prints other lines than its #> comments"
        )


def test_built_pages_link_their_notebook(built_site: Path) -> None:
    html = (built_site / "initialization" / "index.html").read_text(encoding="utf-8")
    assert 'href="../notebooks/initialization.ipynb" download' in html
    notebook = json.loads((built_site / "notebooks" / "initialization.ipynb").read_text())
    assert any("Embeddings(vocab_size=256" in "".join(c["source"]) for c in notebook["cells"])


MD_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def test_the_notebooks_links_are_absolute_and_resolve_on_the_built_site(built_site: Path) -> None:
    """Downloaded, a notebook has no site around it: its links name the site in full, and
    each one leads to a file (and anchor) of the site as built."""
    site_url = mkdocs_config()["site_url"]
    notebooks = sorted((built_site / "notebooks").glob("*.ipynb"))
    assert len(notebooks) > 5
    dead, checked = [], 0
    for path in notebooks:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        for target in (m["target"] for m in MD_LINK.finditer(text)):
            if target.startswith(("#", "mailto:")) or (
                target.startswith(("http://", "https://")) and not target.startswith(site_url)
            ):
                continue  # within the notebook, or another site
            inside, _, anchor = target.removeprefix(site_url).partition("#")
            file = (
                built_site / inside / "index.html" if inside.endswith("/") or not inside else None
            )
            file = file or built_site / inside
            checked += 1
            if not target.startswith(site_url) or not file.is_file():
                dead.append(f"{path.name}: {target}")
            elif anchor and f'id="{anchor}"' not in file.read_text(encoding="utf-8"):
                dead.append(f"{path.name}: {target} (no such anchor)")
    assert checked > 20
    assert not dead, f"links of the notebooks that lead nowhere on the site: {dead}"


COLAB = re.compile(
    r'href="https://colab\.research\.google\.com/github/(?P<repo>[\w.-]+/[\w.-]+)/blob/'
    r'(?P<branch>[\w.-]+)/(?P<path>notebooks/[\w-]+\.ipynb)"'
)


def test_every_page_with_a_notebook_opens_it_in_colab(built_site: Path) -> None:
    """The link names the repository, the branch the Pages workflow publishes the built
    notebooks/ to (tests/test_repository.py), and the notebook the build made, which the
    page's download button gives too."""
    repo = urlsplit(mkdocs_config()["repo_url"]).path.strip("/")
    with_notebook = 0
    for page in sorted(built_site.rglob("index.html")):
        text = page.read_text(encoding="utf-8")
        links = list(COLAB.finditer(text))
        if 'download class="md-content__button' not in text:
            assert not links, f"{page}: a Colab link without a notebook to download"
            continue
        with_notebook += 1
        assert len(links) == 1, f"{page}: {len(links)} Colab links, one expected"
        link = links[0]
        assert link["repo"] == repo and link["branch"] == COLAB_BRANCH
        assert (built_site / link["path"]).is_file(), f"{page}: {link['path']} was not built"
        (download,) = re.findall(r'href="([^"]+)" download class="md-content__button', text)
        downloaded = (page.parent / download).resolve().relative_to(built_site.resolve())
        assert downloaded.as_posix() == link["path"], f"{page}: downloads another notebook"
    assert with_notebook == len(PAGES) + 1  # every page with code, and the notebook page


def _code_and_shown(cells: list[dict[str, object]]) -> tuple[str, list[str]]:
    code = ["".join(typing.cast(list[str], c["source"])) for c in cells if c["cell_type"] == "code"]
    shown = [
        ln.strip()[2:].removeprefix(" ")
        for source in code
        for ln in source.split("\n")
        if ln.strip().startswith("#>")
    ]
    return "\n\n".join(code), shown


def test_the_install_cell_installs_the_sites_wheel_and_the_notebooks_then_match(
    built_site: Path, tmp_path: Path
) -> None:
    """As in Colab: the package missing, the first cell installs the wheel built with the
    site (here from the built site's folder, not its address), and the rest prints what
    the #> lines show, with the package imported from there; for a page's notebook and
    the complete flow."""
    site_url = mkdocs_config()["site_url"]
    notebooks = {
        name: json.loads((built_site / "notebooks" / name).read_text(encoding="utf-8"))["cells"]
        for name in ("initialization.ipynb", "complete-flow.ipynb")
    }
    firsts = {"".join(cells[0]["source"]) for cells in notebooks.values()}
    assert len(firsts) == 1, "the notebooks install the package in different ways"
    (first,) = firsts
    wheel = re.search(r'wheel = "([^"]+)"', first)
    assert wheel and first == install_cell(wheel[1])
    assert wheel[1].startswith(f"{site_url}downloads/embeddings_explained-")
    local = first.replace(site_url, built_site.as_uri() + "/")
    target = tmp_path / "target"
    pip_env = {"PIP_TARGET": str(target), "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1"}
    # -S: no site-packages, so the package is missing (torch comes from this environment)
    subprocess.run([sys.executable, "-S", "-c", local], check=True, env={**os.environ, **pip_env})
    assert (target / "embeddings_explained" / "model.py").is_file()

    for name, cells in notebooks.items():
        code, shown = _code_and_shown(cells[1:])
        printed, module_file = _run_with_package_from(target, code)
        assert module_file.startswith(str(target)), f"{name} imported {module_file}"
        assert [ln.rstrip() for ln in printed] == [ln.rstrip() for ln in shown], name
