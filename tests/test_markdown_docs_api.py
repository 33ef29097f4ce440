"""pytest-markdown-docs' private API, exactly as tests/docs_harness.py uses it.

The harness subclasses its runner (``_runners`` is private), reads its fence definitions,
and lets its extractor and markdown-it hook decide which blocks are Python and at which
page lines they sit. pyproject.toml pins the version for that reason. When someone moves
the pin, these tests say what changed, instead of every page failing with an
AttributeError or, worse, with outputs checked against the wrong lines.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import inspect
import tomllib
import typing
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from tests.docs_harness import ROOT

PIN = next(
    dep
    for dep in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]["dev"]
    if dep.startswith("pytest-markdown-docs")
)


def changed(what: str) -> str:
    return (
        f"pytest-markdown-docs {metadata.version('pytest-markdown-docs')} changed the private "
        f"API that tests/docs_harness.py uses: {what}. pyproject.toml pins {PIN!r}: go back "
        "to that version, or adapt the harness to the new API and move the pin with it."
    )


USED = [
    ("pytest_markdown_docs._runners", "DefaultRunner"),
    ("pytest_markdown_docs._runners", "register_runner"),
    ("pytest_markdown_docs._runners", "get_runner"),
    ("pytest_markdown_docs._runners", "_registered_runners"),
    ("pytest_markdown_docs.definitions", "FenceTestDefinition"),
    ("pytest_markdown_docs.plugin", "extract_fence_tests"),
    ("pytest_markdown_docs.plugin", "FenceSyntax"),
    ("pytest_markdown_docs.hooks", "pytest_markdown_docs_markdown_it"),
]


@pytest.mark.parametrize(("module", "name"), USED, ids=[f"{m}.{n}" for m, n in USED])
def test_the_names_the_harness_imports_exist(module: str, name: str) -> None:
    try:
        found = hasattr(importlib.import_module(module), name)
    except ImportError as error:
        pytest.fail(changed(f"module {module} cannot be imported ({error})"))
    assert found, changed(f"{module} has no {name}")


def _params(func: Any) -> list[tuple[str, str, object]]:
    """(name, kind, default) of each parameter; an enum default as its name, for the message."""
    return [
        (p.name, p.kind.name, str(p.default) if isinstance(p.default, enum.Enum) else p.default)
        for p in inspect.signature(func).parameters.values()
    ]


E = inspect.Parameter.empty
SIGNATURES: dict[str, list[tuple[str, str, object]]] = {
    "_runners.register_runner": [("default", "KEYWORD_ONLY", False)],
    "_runners.DefaultRunner.runtest": [
        ("self", "POSITIONAL_OR_KEYWORD", E),
        ("test", "POSITIONAL_OR_KEYWORD", E),
        ("args", "POSITIONAL_OR_KEYWORD", E),
        ("asyncio_runner", "KEYWORD_ONLY", None),
    ],
    "_runners.DefaultRunner.repr_failure": [
        ("self", "POSITIONAL_OR_KEYWORD", E),
        ("test", "POSITIONAL_OR_KEYWORD", E),
        ("excinfo", "POSITIONAL_OR_KEYWORD", E),
        ("style", "POSITIONAL_OR_KEYWORD", None),
    ],
    "plugin.extract_fence_tests": [
        ("markdown_it_parser", "POSITIONAL_OR_KEYWORD", E),
        ("markdown_string", "POSITIONAL_OR_KEYWORD", E),
        ("start_line_offset", "POSITIONAL_OR_KEYWORD", E),
        ("source_path", "POSITIONAL_OR_KEYWORD", E),
        ("markdown_type", "POSITIONAL_OR_KEYWORD", "md"),
        ("fence_syntax", "POSITIONAL_OR_KEYWORD", "FenceSyntax.default"),
    ],
    "hooks.pytest_markdown_docs_markdown_it": [],
}


def _resolve(dotted: str) -> Any:
    module, *attrs = dotted.split(".")
    obj: Any = importlib.import_module(f"pytest_markdown_docs.{module}")
    for attr in attrs:
        obj = getattr(obj, attr)
    return obj


@pytest.mark.parametrize("dotted", sorted(SIGNATURES))
def test_the_signatures_the_harness_calls_are_unchanged(dotted: str) -> None:
    func = _resolve(dotted)
    assert _params(func) == SIGNATURES[dotted], changed(
        f"the signature of {dotted} is now {inspect.signature(func)}"
    )


def test_the_markdown_it_hook_returns_the_first_result() -> None:
    """The harness's hook returns one parser, used instead of the plugin's own: that holds
    only while the hook spec is ``firstresult`` (otherwise pytest hands over a list)."""
    from pytest_markdown_docs.hooks import pytest_markdown_docs_markdown_it

    spec = getattr(pytest_markdown_docs_markdown_it, "pytest_spec", {})
    assert spec.get("firstresult") is True, changed(
        f"pytest_markdown_docs_markdown_it is no longer a firstresult hook (spec: {spec})"
    )


def test_fence_definitions_carry_the_fields_the_harness_reads() -> None:
    from pytest_markdown_docs.definitions import FenceTestDefinition

    assert dataclasses.is_dataclass(FenceTestDefinition), changed(
        "FenceTestDefinition is no longer a dataclass"
    )
    hints = typing.get_type_hints(FenceTestDefinition)
    fields = {f.name: hints.get(f.name) for f in dataclasses.fields(FenceTestDefinition)}
    expected = {"source": str, "start_line": int, "source_path": Path}
    actual = {name: fields.get(name) for name in expected}
    assert actual == expected, changed(
        f"FenceTestDefinition's fields are now {fields}; the harness reads {expected}"
    )


PAGE = """\
# A page

```python
x = 1
```

Some prose.

```{.python continuation}
print(x)
```

```{.python notest}
not run
```

```text
not Python
```
"""


def test_extracted_blocks_keep_their_page_line_numbers() -> None:
    """The harness maps output lines back to the page by ``test.source``'s line numbers and
    ``test.start_line`` (0-based line of the first code line): both must stay page lines."""
    from markdown_it import MarkdownIt
    from pytest_markdown_docs.plugin import FenceSyntax, extract_fence_tests

    tests = list(
        extract_fence_tests(
            MarkdownIt("commonmark"), PAGE, 0, Path("page.md"), fence_syntax=FenceSyntax.superfences
        )
    )
    page = PAGE.split("\n")
    got = [(t.start_line, t.source.split("\n")[t.start_line], t.source_path) for t in tests]
    expected = [(3, "x = 1", Path("page.md")), (9, "print(x)", Path("page.md"))]
    assert got == expected, changed(
        "extract_fence_tests no longer yields the Python blocks (notest and other languages "
        f"left out) with start_line at their first code line: got {got}, expected {expected}"
    )
    continued = tests[1].source.split("\n")
    assert all(continued[n] == page[n] for n in (3, 9)), changed(
        "a continuation block's source no longer keeps the earlier block at its page lines"
    )


def test_the_harness_runner_is_the_default_for_every_block() -> None:
    """``register_runner(default=True)`` must still make pytest-markdown-docs run every
    block (none names a runner) through the harness's runner."""
    from pytest_markdown_docs._runners import get_runner

    runner = get_runner(None)
    assert type(runner).__module__ == "tests.docs_harness", changed(
        f"the default runner is {type(runner).__module__}.{type(runner).__qualname__}, not "
        "the one tests/docs_harness.py registers with register_runner(default=True)"
    )
