"""Before the build: every file the site needs that docs/ does not hold, and the checks.

- :func:`generated_files`: the figures (``assets/generated/*.svg``), the explorer's data
  (``showcase.EXPLORER_DATA``), a notebook of every page with code (``notebooks/*.ipynb``,
  each opening with a cell that installs the package) and the package's wheel
  (``downloads/*.whl``, what those cells install), as ``{path in the site: content}``.
  The MkDocs hook (``overrides/hooks/prebuild.py``) adds them as generated files: nothing is
  written into docs/, so ``mkdocs serve`` does not rebuild in a loop.
- :func:`check_site_url`: ``SITE_URL`` is an absolute http(s) URL ending in ``/``.
- ``python -m tools.prebuild`` stages the same site for Zensical, which runs no hooks and
  no mkdocs-jupyter: docs/ and the generated files in ``.cache/zensical/docs``, each notebook
  page executed and rendered to Markdown, and ``mkdocs.zensical.yml`` derived from
  ``mkdocs.yml`` (``make build-zensical``).

Every failure is a ``ValueError`` that names the page and line it concerns:
``docs/initialization.md:40: snippet section 'forwardd' is not in src/...``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import typing
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from embeddings_explained.runcache import cached_run
from tools.files import write_atomic
from tools.page_notebook import install_cell, notebook_json, notebook_uri

ROOT = Path(__file__).resolve().parents[1]
WHEEL_DIR = "downloads"
COLAB_BRANCH = "colab"  # .github/workflows/pages.yml publishes the built notebooks/ there
STAGE = ".cache/zensical"  # the Zensical build's docs/ and overrides/ (never committed)
ZENSICAL_CONFIG = "mkdocs.zensical.yml"  # derived from mkdocs.yml (never committed)
ZENSICAL_SITE = "site-zensical"
# Partials of overrides/ copied from Material that Zensical has in another form: it keeps
# its own (its search markup is new, and already labels the dialog as ours does). The others
# are Material's as Zensical has them too (tests/test_zensical.py checks both).
ZENSICAL_OWN = ["partials/search.html"]

_UNSAFE = re.compile(r"[\s\"'<>\\`{}|^]")


def check_site_url(value: object) -> str:
    """``value`` if it is an absolute http(s) URL ending in ``/``, else a ``ValueError``.

    The notebooks' links are made from it, and every page's ``<head>`` shows it: a quote or
    a bracket would be markup there.
    """
    fix = (
        "set SITE_URL to the address the site is served from, ending in '/' (for example "
        "SITE_URL=https://embeddings-explained.github.io/embeddings-explained/), or unset it "
        "for the default in mkdocs.yml"
    )
    if not isinstance(value, str) or not value:
        raise ValueError(f"SITE_URL is empty ({value!r}): the notebooks' links need it; {fix}")
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or not value.endswith("/")
        or _UNSAFE.search(value)
    ):
        raise ValueError(
            f"SITE_URL={value!r} is not an absolute http(s) URL ending in '/' with no quotes, "
            f"spaces or brackets; {fix}"
        )
    return value


def colab_url(repo_url: str, uri: str) -> str:
    """Where Google Colab opens the published notebook ``uri`` (``notebooks/x.ipynb``): from
    the ``colab`` branch of the repository, which the Pages workflow keeps up to date."""
    parts = urlsplit(repo_url)
    if parts.hostname != "github.com" or len(parts.path.strip("/").split("/")) != 2:
        raise ValueError(f"repo_url={repo_url!r} in mkdocs.yml is not github.com/OWNER/REPO")
    owner_repo = parts.path.strip("/").removesuffix(".git")
    return f"https://colab.research.google.com/github/{owner_repo}/blob/{COLAB_BRANCH}/{uri}"


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def _shown_at(docs: Path, needle: str) -> str:
    """``docs/a.md:3, docs/b.md:9``: the lines of the pages that contain ``needle``."""
    places = [
        f"{_rel(page)}:{n}"
        for page in sorted(docs.rglob("*.md"))
        for n, line in enumerate(page.read_text(encoding="utf-8").split("\n"), 1)
        if needle in line
    ]
    return ", ".join(places) or "(no page shows it)"


@cached_run
def figure_svg(name: str, drawn_with: str) -> str:
    """The figure ``name`` as SVG, kept in the run cache: drawn again when the package,
    PyTorch, the CPU or ``drawn_with`` (the versions of what draws it) changes."""
    from embeddings_explained.figures import picture

    return picture(name).svg


DRAWN_WITH = ("matplotlib", "numpy", "pillow")  # what draws the figures
RUN_WITH = ("nbclient", "ipykernel", "ipython")  # what runs the notebooks


def versions(distributions: tuple[str, ...]) -> str:
    """``"matplotlib 3.11.2, numpy ..."``: for the keys of :func:`figure_svg` and
    :func:`executed_notebook`, which the run cache's own key does not cover."""
    from importlib.metadata import version

    return ", ".join(f"{d} {version(d)}" for d in distributions)


def figures(docs: Path) -> dict[str, str]:
    """Every figure of ``embeddings_explained.figures.FIGURES``, as SVG, by its site path."""
    from embeddings_explained.figures import ASSET_DIR, FIGURES

    out, drawn_with = {}, versions(DRAWN_WITH)
    for name in FIGURES:
        uri = f"{ASSET_DIR}/{name}.svg"
        try:
            out[uri] = figure_svg(name, drawn_with)
        except Exception as e:
            raise ValueError(
                f"{_shown_at(docs, uri)}: the figure {name!r} (figures.FIGURES) failed: "
                f"{type(e).__name__}: {e}"
            ) from e
    return out


def explorer_json(docs: Path) -> tuple[str, str]:
    """The explorer's data: (its site path, compact JSON)."""
    from embeddings_explained.showcase import EXPLORER_DATA, explorer_data

    try:
        return EXPLORER_DATA, json.dumps(explorer_data(), separators=(",", ":"))
    except Exception as e:
        raise ValueError(
            f"{_shown_at(docs, EXPLORER_DATA)}: the explorer's data (showcase.explorer_data) "
            f"failed: {type(e).__name__}: {e}"
        ) from e


def wheel(root: Path = ROOT) -> tuple[str, bytes]:
    """The package's wheel: (file name, bytes), built from a copy of what it is made of, so
    that no ``build/`` or ``*.egg-info`` lands in the checkout."""
    with tempfile.TemporaryDirectory(prefix="embeddings-explained-wheel-") as tmp:
        source, dist = Path(tmp, "source"), Path(tmp, "dist")
        shutil.copytree(
            root / "src",
            source / "src",
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
        )
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(root / name, source / name)
        # The PEP 517 backend pip would call, called directly: pip's start-up costs more.
        build = "import sys; from setuptools import build_meta; build_meta.build_wheel(sys.argv[1])"
        # the same bytes from the same source (fixed file times), so that what is kept under
        # a key of the site's bytes (.cache/browser) stays valid from one build to the next
        env = {**os.environ, "SOURCE_DATE_EPOCH": "315532800"}
        proc = subprocess.run(
            [sys.executable, "-c", build, str(dist)],
            cwd=source,
            env=env,
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise ValueError(f"pyproject.toml: the package's wheel did not build:\n{proc.stderr}")
        (path,) = dist.glob("*.whl")
        return path.name, path.read_bytes()


def page_notebooks(docs: Path, site_url: str, wheel_url: str) -> dict[str, str]:
    """The notebook of every page with code, and of every notebook page (with the install
    cell first), by site path."""
    out = {}
    for page in sorted(docs.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        notebook = notebook_json(text, ROOT, site_url, wheel_url, where=_rel(page))
        if notebook is not None:
            out[notebook_uri(page.relative_to(docs).as_posix())] = notebook
    for page in sorted(docs.rglob("*.ipynb")):
        nb = json.loads(page.read_text(encoding="utf-8"))
        nb["cells"].insert(0, _code_cell(install_cell(wheel_url)))
        out[notebook_uri(page.relative_to(docs).as_posix())] = json.dumps(
            nb, indent=1, ensure_ascii=False
        )
    return out


def _code_cell(source: str) -> dict[str, object]:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": source.splitlines(keepends=True),
    }


def generated_files(docs: Path, site_url: str) -> dict[str, str | bytes]:
    """Every file of the site that docs/ does not hold, by its path in the site."""
    site_url = check_site_url(site_url)
    name, data = wheel()
    # the notebooks first: they read every include, and a typo there shows before the
    # figures take their time
    files: dict[str, str | bytes] = dict(
        page_notebooks(docs, site_url, f"{site_url}{WHEEL_DIR}/{name}")
    )
    files.update(figures(docs))
    uri, content = explorer_json(docs)
    files[uri] = content
    files[f"{WHEEL_DIR}/{name}"] = data
    return files


# ----------------------------------------------------------------------------- Zensical


class _Loader(yaml.SafeLoader):
    """mkdocs.yml as MkDocs reads it: ``!ENV [NAME, ..., default]`` is the first of the
    variables that is set (even to an empty value), else the default."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    names = (
        loader.construct_sequence(node)
        if isinstance(node, yaml.SequenceNode)
        else [loader.construct_scalar(node)]  # type: ignore[arg-type]
    )
    *variables, default = names if len(names) > 1 else [*names, None]
    return next((os.environ[v] for v in variables if v in os.environ), default)


_Loader.add_constructor("!ENV", _env)


def load_mkdocs_yml(path: Path) -> dict[str, typing.Any]:
    config: dict[str, typing.Any] = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    return config


def zensical_config(config: dict[str, typing.Any], stage: str, site: str) -> dict[str, typing.Any]:
    """``mkdocs.yml``'s settings for Zensical: the docs and overrides staged in ``stage``,
    the site in ``site`` (both relative to the config file), Material's classic look, the
    notebook pages as the Markdown pages they are rendered to, and no hooks or
    mkdocs-jupyter (Zensical runs neither)."""

    def md(item: typing.Any) -> typing.Any:
        if isinstance(item, list):
            return [md(i) for i in item]
        if isinstance(item, dict):
            return {k: md(v) for k, v in item.items()}
        return item.removesuffix(".ipynb") + ".md" if str(item).endswith(".ipynb") else item

    out = {k: v for k, v in config.items() if k != "hooks"}
    out["site_url"] = check_site_url(config.get("site_url"))
    out["docs_dir"] = f"{stage}/docs"
    out["site_dir"] = site
    out["theme"] = {**config["theme"], "custom_dir": f"{stage}/overrides", "variant": "classic"}
    out["nav"] = md(config["nav"])
    out["plugins"] = [p for p in config.get("plugins", []) if p == "search"]
    return out


@cached_run
def executed_notebook(where: str, source: str, run_with: str) -> str:
    """The notebook ``source`` (JSON, from the file ``where`` relative to the repository)
    executed in a Jupyter kernel (nbclient, errors fatal), as JSON. Kept in the run cache:
    run again when the notebook, the package, PyTorch, the CPU or ``run_with`` (the
    versions of what runs it) changes. Both builders render it (the MkDocs hook and
    :func:`notebook_markdown`), so a build runs each notebook at most once."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.reads(source, as_version=4)  # type: ignore[no-untyped-call]
    try:
        folder = str((ROOT / where).parent)  # the kernel runs where the notebook is
        NotebookClient(nb, timeout=600, resources={"metadata": {"path": folder}}).execute()
    except Exception as e:
        plain = re.sub(r"\x1b\[[0-9;]*m", "", str(e))  # the traceback without its colours
        raise ValueError(f"{where}: the notebook failed: {plain}") from e
    return str(nbformat.writes(nb))  # type: ignore[no-untyped-call]


def run_notebook(path: Path) -> str:
    """:func:`executed_notebook` of the notebook file ``path``."""
    return executed_notebook(_rel(path), path.read_text(encoding="utf-8"), versions(RUN_WITH))


def notebook_markdown(path: Path) -> str:
    """The notebook executed (:func:`run_notebook`) and rendered as Markdown (nbconvert),
    outputs included, as mkdocs-jupyter renders it to HTML for MkDocs."""
    import nbformat
    from nbconvert import MarkdownExporter
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    nb = nbformat.reads(run_notebook(path), as_version=4)  # type: ignore[no-untyped-call]
    # one output per print, however the kernel's stdout was flushed (on a busy machine it
    # can send "True" and its newline apart, which would be two boxes)
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})  # type: ignore[no-untyped-call]
    body, _ = MarkdownExporter().from_notebook_node(nb)  # type: ignore[no-untyped-call]
    return str(body)


def with_front_matter(markdown: str, meta: dict[str, str]) -> str:
    """``markdown`` with ``meta`` added to its front matter (made if it has none)."""
    old: dict[str, object] = {}
    m = re.match(r"---\n(.*?\n)---\n", markdown, re.S)
    if m:
        old, markdown = yaml.safe_load(m.group(1)) or {}, markdown[m.end() :]
    return f"---\n{yaml.safe_dump({**old, **meta}, sort_keys=False)}---\n{markdown}"


_MD_LINK = re.compile(r"(\]\()(?P<target>[^)\s#]+\.ipynb)(?=[#)\s])")


def _links_to_notebook_pages_as_md(markdown: str, page: Path, docs: Path) -> str:
    """``[the notebook](complete-flow.ipynb)`` -> ``(complete-flow.md)``: the page it names is
    rendered to Markdown for Zensical."""

    def md(m: re.Match[str]) -> str:
        target = m["target"]
        file = (page.parent / target).resolve()
        if urlsplit(target).scheme or not file.is_relative_to(docs.resolve()) or not file.is_file():
            return m.group()
        return m.group(1) + target.removesuffix(".ipynb") + ".md"

    return _MD_LINK.sub(md, markdown)


def stage_zensical(
    config_path: Path = ROOT / ZENSICAL_CONFIG,
    stage: Path = ROOT / STAGE,
    site: Path = ROOT / ZENSICAL_SITE,
    root: Path = ROOT,
) -> None:
    """Stage the site in ``stage`` for Zensical and write its config to ``config_path``, for
    a site in ``site``. Zensical wants ``stage`` and ``site`` inside the config's folder;
    it is run from ``root`` (the includes' paths start there)."""
    config = load_mkdocs_yml(root / "mkdocs.yml")
    home = config_path.parent
    zconfig = zensical_config(
        config, stage.relative_to(home).as_posix(), site.relative_to(home).as_posix()
    )
    docs = root / config.get("docs_dir", "docs")
    files = generated_files(docs, zconfig["site_url"])
    stage.parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix="zensical-", dir=stage.parent))  # becomes stage at the end
    try:
        _stage(config, docs, files, new, root)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)  # the last staged site stays as it was
        raise
    if stage.exists():
        shutil.rmtree(stage)
    new.rename(stage)
    header = "# Made from mkdocs.yml by `python -m tools.prebuild` (make build-zensical)\n"
    write_atomic(config_path, header + yaml.safe_dump(zconfig, sort_keys=False, allow_unicode=True))


def _stage(
    config: dict[str, typing.Any], docs: Path, files: dict[str, str | bytes], new: Path, root: Path
) -> None:
    """docs/, overrides/ (without the hooks) and the generated files, copied into ``new``;
    the pages with a notebook told so in their front matter, the notebook pages rendered."""
    shutil.copytree(docs, new / "docs", ignore=shutil.ignore_patterns("*.ipynb"))
    overrides = root / config["theme"]["custom_dir"]
    shutil.copytree(
        overrides,
        new / "overrides",
        ignore=shutil.ignore_patterns("hooks", "__pycache__"),
    )
    for name in ZENSICAL_OWN:
        (new / "overrides" / name).unlink()
    for uri, content in files.items():
        write_atomic(new / "docs" / uri, content)
    for page in sorted(docs.rglob("*.md")):
        staged = new / "docs" / page.relative_to(docs)
        text = _links_to_notebook_pages_as_md(page.read_text(encoding="utf-8"), page, docs)
        uri = notebook_uri(page.relative_to(docs).as_posix())
        if uri in files:
            text = with_front_matter(
                text, {"notebook": uri, "colab": colab_url(config["repo_url"], uri)}
            )
        staged.write_text(text, encoding="utf-8")
    for page in sorted(docs.rglob("*.ipynb")):
        rel = page.relative_to(docs)
        uri = notebook_uri(rel.as_posix())  # with the install cell, as in the MkDocs build
        meta = {"notebook": uri, "colab": colab_url(config["repo_url"], uri)}
        write_atomic(
            new / "docs" / rel.with_suffix(".md"),
            with_front_matter(notebook_markdown(page), meta),
        )


def main() -> int:
    try:
        stage_zensical()
    except ValueError as e:
        print(f"tools.prebuild: {e}", file=sys.stderr)
        return 1
    print(f"tools.prebuild: staged {STAGE}/ and wrote {ZENSICAL_CONFIG}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
