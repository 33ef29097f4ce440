"""The steps before the build (tools/prebuild.py) and the MkDocs hooks that run them: a
mistake stops the build with a message naming the page and line, SITE_URL is checked,
and `mkdocs serve` keeps answering through a failed rebuild."""

from __future__ import annotations

import importlib.util
import io
import logging
import shutil
import zipfile
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from mkdocs.livereload import LiveReloadServer

from embeddings_explained.runcache import RUN_CACHE_ENV
from tests.project import DOCS, ROOT, mkdocs_config
from tools import prebuild
from tools.page_notebook import notebook_cells
from tools.serve import keep_last_good

TYPO = '--8<-- "src/embeddings_explained/model.py:forwardd"'


def test_a_missing_snippet_section_names_the_page_the_line_and_the_sections() -> None:
    page = f"# Title\n\nProse.\n\n```{{.python notest}}\n{TYPO}\n```\n"
    with pytest.raises(ValueError) as e:
        notebook_cells(page, ROOT, "https://example.org/", where="docs/x.md")
    message = str(e.value)
    assert message.startswith("docs/x.md:6: snippet section 'forwardd' is not in ")
    assert "(its sections: forward, init)" in message  # what it could have meant


def test_a_missing_snippet_file_names_the_page_and_line() -> None:
    with pytest.raises(ValueError, match=r"^docs/x.md:3: snippet file 'src/nope.py' does not"):
        notebook_cells('A\n\n--8<-- "src/nope.py"\n', ROOT, "https://example.org/", "docs/x.md")


def _copy_docs(tmp_path: Path, page: str, old: str, new: str) -> Path:
    docs = tmp_path / "docs"
    shutil.copytree(DOCS, docs)
    text = (docs / page).read_text(encoding="utf-8")
    assert old in text
    (docs / page).write_text(text.replace(old, new, 1), encoding="utf-8")
    return docs


def _build(tmp_path: Path, docs: Path | None = None) -> None:
    config = load_config(
        str(ROOT / "mkdocs.yml"),
        site_dir=str(tmp_path / "site"),
        **({"docs_dir": str(docs)} if docs else {}),
    )
    build(config)


def test_mkdocs_build_with_a_snippet_typo_fails_naming_page_and_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """It was a bare StopIteration from the hook, naming no page."""
    right = '--8<-- "src/embeddings_explained/model.py:forward"'
    docs = _copy_docs(tmp_path, "forward-pass.md", right, TYPO)
    line = 1 + (docs / "forward-pass.md").read_text().split("\n").index(TYPO)
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        _build(tmp_path, docs)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(f"forward-pass.md:{line}: snippet section 'forwardd'" in m for m in errors), errors


def test_a_failing_figure_names_the_pages_that_show_it(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = prebuild.figure_svg

    def figure_svg(name: str, drawn_with: str) -> str:
        if name == "token-table":
            raise RuntimeError("no data")
        return drawn(name, drawn_with)

    monkeypatch.setattr(prebuild, "figure_svg", figure_svg)
    with pytest.raises(ValueError) as e:
        prebuild.figures(DOCS)
    line = next(
        n
        for n, text in enumerate((DOCS / "initialization.md").read_text().split("\n"), 1)
        if "assets/generated/token-table.svg" in text
    )
    assert str(e.value).startswith(f"docs/initialization.md:{line}: the figure 'token-table'")
    assert str(e.value).endswith("RuntimeError: no data")


def test_a_failing_notebook_names_itself_and_is_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build renders each notebook as run_notebook executed it: errors are fatal."""
    import nbformat

    monkeypatch.setenv(RUN_CACHE_ENV, str(tmp_path / "runs"))
    path = tmp_path / "flow.ipynb"
    cells = [nbformat.v4.new_code_cell("print(1 / 0)")]  # type: ignore[no-untyped-call]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)  # type: ignore[no-untyped-call]
    failed = r"(?s)flow.ipynb: the notebook failed: .*\nZeroDivisionError: division"
    with pytest.raises(ValueError, match=failed):
        prebuild.run_notebook(path)
    assert not list(tmp_path.rglob("executed_notebook-*")), "a failed run was kept"


def test_the_figures_and_notebooks_are_kept_under_the_versions_that_make_them() -> None:
    """Their run-cache keys hold the package, PyTorch and the CPU (runcache.cached_run);
    the versions of what draws and runs them come as an argument."""
    from importlib.metadata import version

    for name in ("matplotlib", "numpy", "pillow"):
        assert f"{name} {version(name)}" in prebuild.versions(prebuild.DRAWN_WITH)
    for name in ("nbclient", "ipykernel", "ipython"):
        assert f"{name} {version(name)}" in prebuild.versions(prebuild.RUN_WITH)


@pytest.mark.parametrize(
    "url",
    [
        "https://embeddings-explained.github.io/embeddings-explained/",
        "http://127.0.0.1:8000/",
        "https://example.org/a/b/",
    ],
)
def test_site_url_accepts_absolute_http_urls_ending_in_a_slash(url: str) -> None:
    assert prebuild.check_site_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        None,
        "/embeddings-explained/",
        "example.org/",
        "https://example.org",
        "https://example.org/ee",
        "ftp://example.org/",
        "file:///tmp/site/",
        "https:///",
        'https://example.org/"><script>alert(1)</script>/',
        "https://example.org/it's/",
        "https://example.org/a b/",
        "https://example.org/?x=1/",
        "https://example.org/#top/",
    ],
)
def test_site_url_refuses_anything_else_with_a_fix(url: str | None) -> None:
    with pytest.raises(ValueError) as e:
        prebuild.check_site_url(url)
    assert "SITE_URL" in str(e.value) and repr(url) in str(e.value)
    assert "SITE_URL=https://embeddings-explained.github.io/embeddings-explained/" in str(e.value)


@pytest.mark.parametrize("url", ["", 'https://example.org/"><b>x</b>/'])
def test_mkdocs_build_stops_on_a_bad_site_url(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An empty value built with exit 0 and dead links in the notebooks; a quote put markup
    into every page's <head>."""
    monkeypatch.setenv("SITE_URL", url)
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        _build(tmp_path)
    assert any("SITE_URL" in r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    assert not (tmp_path / "site" / "index.html").exists()


def test_a_failed_rebuild_keeps_the_last_good_site(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("good")

    def failing() -> None:
        (site / "index.html").write_text("half")
        (site / "new.html").write_text("half")
        raise Abort("Aborted with a BuildError!")

    with caplog.at_level(logging.ERROR):
        keep_last_good(failing, site)()  # no exception: the server answers again
    assert sorted(p.name for p in site.iterdir()) == ["index.html"]
    assert (site / "index.html").read_text() == "good"
    assert any("still serving the last good build" in r.getMessage() for r in caplog.records)

    def working() -> None:
        (site / "index.html").write_text("better")

    keep_last_good(working, site)()
    assert (site / "index.html").read_text() == "better"


def test_the_serve_hook_guards_the_servers_builder(tmp_path: Path) -> None:
    path = ROOT / "overrides" / "hooks" / "serve.py"
    spec = importlib.util.spec_from_file_location("serve_hook", path)
    assert spec and spec.loader
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    (tmp_path / "index.html").write_text("good")

    def failing() -> None:
        raise RuntimeError("docs/x.md:3: snippet section 'forwardd' is not in ...")

    server = LiveReloadServer(builder=failing, host="127.0.0.1", port=0, root=str(tmp_path))
    try:
        server = hook.on_serve(server, config=None, builder=failing)
        server.builder()  # MkDocs' build loop calls this; raising made every request wait
    finally:
        server.server_close()
    assert (tmp_path / "index.html").read_text() == "good"


def test_the_wheel_is_the_same_bytes_from_the_same_source() -> None:
    """Its bytes are part of the site's, under which the browser tests keep what they
    measured: a wheel stamped with the time of each build made every run measure again.
    Its files carry one fixed time instead (so two builds a second apart agree too)."""
    name, data = prebuild.wheel()
    assert name.startswith("embeddings_explained-") and name.endswith("-py3-none-any.whl")
    with zipfile.ZipFile(io.BytesIO(data)) as wheel:
        times = {info.date_time for info in wheel.infolist()}
    assert times == {(1980, 1, 1, 0, 0, 0)}


def test_mkdocs_yml_is_read_with_site_url_as_mkdocs_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SITE_URL", raising=False)
    default = prebuild.load_mkdocs_yml(ROOT / "mkdocs.yml")["site_url"]
    assert default == mkdocs_config()["site_url"]
    monkeypatch.setenv("SITE_URL", "http://127.0.0.1:8000/")
    assert prebuild.load_mkdocs_yml(ROOT / "mkdocs.yml")["site_url"] == "http://127.0.0.1:8000/"
    monkeypatch.setenv("SITE_URL", "")  # set, though empty: refused, never the default
    config = prebuild.load_mkdocs_yml(ROOT / "mkdocs.yml")
    with pytest.raises(ValueError, match="SITE_URL is empty"):
        prebuild.zensical_config(config, ".cache/zensical", "site-zensical")


def test_the_zensical_config_is_mkdocs_yml_without_hooks_or_notebook_plugin() -> None:
    config = prebuild.load_mkdocs_yml(ROOT / "mkdocs.yml")
    z = prebuild.zensical_config(config, "stage", "out")
    assert (z["docs_dir"], z["site_dir"]) == ("stage/docs", "out")
    assert z["theme"]["variant"] == "classic" and z["theme"]["custom_dir"] == "stage/overrides"
    assert z["theme"]["font"] is False  # no request to Google Fonts
    assert "hooks" not in z and z["plugins"] == ["search"]
    assert "complete-flow.md" in str(z["nav"]) and ".ipynb" not in str(z["nav"])
    assert z["markdown_extensions"] == config["markdown_extensions"]


def test_front_matter_is_added_or_merged() -> None:
    assert prebuild.with_front_matter("# T\n", {"a": "b"}) == "---\na: b\n---\n# T\n"
    merged = prebuild.with_front_matter("---\nscripts:\n- x.js\n---\n# T\n", {"a": "b"})
    assert merged == "---\nscripts:\n- x.js\na: b\n---\n# T\n"
