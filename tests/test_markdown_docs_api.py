"""pytest-markdown-docs' private API, as tests/docs_harness.py (the one module that touches
it) uses it. pyproject.toml pins the version; when someone moves the pin, this says what
changed, instead of every page failing with an AttributeError. That the blocks still run
at their page's line numbers, the harness's own tests prove (page.md:8 in their messages).
"""

from __future__ import annotations

import dataclasses
import inspect
from importlib import metadata


def test_the_private_api_the_harness_uses_is_unchanged() -> None:
    from pytest_markdown_docs import _runners, definitions, plugin

    from tests.docs_harness import CheckedOutputRunner

    used = [(_runners, "DefaultRunner"), (_runners, "register_runner"), (_runners, "get_runner")]
    problems = [f"{m.__name__}.{name} is gone" for m, name in used if not hasattr(m, name)]
    if not hasattr(plugin, "MarkdownDocstringCodeModule"):
        problems.append("plugin.MarkdownDocstringCodeModule is gone")
    fields = {f.name for f in dataclasses.fields(definitions.FenceTestDefinition)}
    if not {"source", "start_line", "source_path"} <= fields:
        problems.append(f"FenceTestDefinition's fields are now {sorted(fields)}")
    runtest = list(inspect.signature(_runners.DefaultRunner.runtest).parameters)
    if runtest != ["self", "test", "args", "asyncio_runner"]:
        problems.append(f"DefaultRunner.runtest takes {runtest}")
    if not problems and type(_runners.get_runner(None)) is not CheckedOutputRunner:
        problems.append("register_runner(default=True) no longer makes it run every block")
    version = metadata.version("pytest-markdown-docs")
    assert not problems, (
        f"pytest-markdown-docs {version} changed what tests/docs_harness.py uses: "
        f"{'; '.join(problems)}. Go back to the version pyproject.toml pins, or adapt the "
        "harness and move the pin with it."
    )
