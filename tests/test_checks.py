"""The shared checks: short reprs, ints and numbers, and fixes in messages that really work.

``fixes_in`` and ``run_fixes`` are used by the property tests too: every piece of code that
an error message suggests is run on the very value that caused the error.
"""

from __future__ import annotations

import ast
import math
import pathlib
import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from embeddings_explained import ByteTokenizer
from embeddings_explained._checks import check_int, check_real, short

# ----------------------------------------------------------------------------- fixes in messages

_START = re.compile(r"(?<![\w.'])(?:torch\.\w+\(|token_ids\b|emb\(|tokenizer\.\w+\(|\[tokenizer\.)")
_START_TEXT = re.compile(r"(?<![\w.'])(?:text\.|ids\.|list\(|decode\(|''\.join\()")


def fixes_in(message: str, *, text_fixes: bool = False) -> list[str]:
    """The pieces of code in an error message: a call or an index starting at a known name,
    up to the first space, comma or semicolon outside brackets and quotes."""
    found, end = [], 0
    for m in sorted(
        [*_START.finditer(message), *(_START_TEXT.finditer(message) if text_fixes else [])],
        key=lambda m: m.start(),
    ):
        if m.start() < end or m.start() == 0:
            continue  # inside the previous piece of code, or the call the message is about
        depth, quote, j = 0, "", m.start()
        while j < len(message):
            c = message[j]
            if quote:
                quote = "" if c == quote else quote
            elif c in "'\"":
                quote = c
            elif c in "([{":
                depth += 1
            elif c in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and c in " ;,":
                break
            j += 1
        code = message[m.start() : j].rstrip(".:")
        if "(" in code or "[" in code:
            found.append(code)
            end = j
    return found


def run_fixes(message: str, value: object, **names: object) -> list[object]:
    """Run each piece of code in ``message`` with the bad value bound to the argument names;
    a fix that raises fails the test."""
    env = {
        "torch": torch,
        "nn": nn,
        "math": math,
        "pathlib": pathlib,
        "ByteTokenizer": ByteTokenizer,
        "tokenizer": ByteTokenizer(),
        "token_ids": value,
        "ids": value,
        "text": value,
        **names,
    }
    results = []
    for code in fixes_in(message, text_fixes=True):
        if code.startswith("emb(") and code.endswith(")"):
            code = code[4:-1]  # the layer's input; the caller runs the layer on it
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                results.append(eval(code, env))  # noqa: S307 (the package's own messages)
            except Exception as error:
                raise AssertionError(f"the fix {code!r} in {message!r} raises {error!r}") from None
    return results


def test_fixes_in_finds_each_piece_of_code_once() -> None:
    message = (
        "token_ids must be a torch.Tensor, got list [[1]]; convert it: "
        "torch.tensor(token_ids, dtype=torch.long), or crop: token_ids[:, -8:]; ids are ints"
    )
    assert fixes_in(message) == ["torch.tensor(token_ids, dtype=torch.long)", "token_ids[:, -8:]"]
    assert fixes_in("use [tokenizer.decode(row) for row in ids]") == [
        "[tokenizer.decode(row) for row in ids]"
    ]


def test_run_fixes_fails_on_a_fix_that_raises() -> None:
    with pytest.raises(AssertionError, match="raises"):
        run_fixes("convert it: torch.tensor(token_ids)", [[1, 2], [3]])


# ----------------------------------------------------------------------------- short values


@pytest.mark.parametrize(
    "value",
    [list(range(10**6)), "x" * 10**7, 10**5000, -(10**5000), [[0] * 10**6] * 3, np.zeros(10**6)],
    ids=lambda v: type(v).__name__,
)
def test_short_stays_short_for_huge_values(value: object) -> None:
    assert len(short(value)) <= 60


def test_short_looks_at_the_first_few_items_only() -> None:
    seen = []

    class Item:
        def __repr__(self) -> str:
            seen.append(self)
            return "item"

    assert short([Item()] * 10**6) == "[item, item, item, item, item, item, ...]"
    assert len(seen) == 6


def test_short_survives_a_repr_that_raises() -> None:
    class Broken:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    assert short(Broken()).startswith("<Broken")


# ----------------------------------------------------------------------------- plain arguments


@pytest.mark.parametrize(
    ("value", "exc", "message"),
    [
        (4.0, TypeError, "n_embd must be an int, got float 4.0; write 4$"),
        (4.5, TypeError, "got float 4.5; pass an int, for example n_embd=4$"),
        ("16", TypeError, r"got str '16'; convert it first: int\('16'\)"),
        (True, TypeError, "got bool True; pass an int, for example n_embd=4"),
        (None, TypeError, "got NoneType None; pass an int"),
        (math.nan, TypeError, "got float nan; pass an int"),
        (0, ValueError, "n_embd must be a positive int, got 0; for example 4"),
        (np.int64(-3), ValueError, "got -3"),
    ],
)
def test_check_int_names_the_value_and_a_fix(
    value: object, exc: type[Exception], message: str
) -> None:
    with pytest.raises(exc, match=message):
        check_int("n_embd", value, example=4)


def test_check_int_accepts_numpy_ints_and_states_its_range() -> None:
    assert check_int("steps", np.int32(7), example=1) == 7
    assert type(check_int("steps", np.int32(7), example=1)) is int
    with pytest.raises(ValueError, match=r"steps must be an int in \[1, 10\] \(why\), got 11"):
        check_int("steps", 11, example=1, high=10, why=" (why)")


@pytest.mark.parametrize(
    ("value", "exc", "message"),
    [
        (math.inf, ValueError, "lr must be finite and positive, got inf"),
        (math.nan, ValueError, "got nan"),
        (-0.1, ValueError, "got -0.1"),
        (0, ValueError, "got 0"),
        ("0.02", TypeError, "lr must be a number, got '0.02'"),
        (True, TypeError, "lr must be a number, got True"),
    ],
)
def test_check_real_refuses_what_is_not_a_finite_positive_number(
    value: object, exc: type[Exception], message: str
) -> None:
    with pytest.raises(exc, match=message):
        check_real("lr", value, example=0.02)


def test_check_real_states_its_upper_bound() -> None:
    assert check_real("lr", 10, example=0.02, high=10) == 10.0
    with pytest.raises(ValueError, match=r"lr must be in \(0, 10\], got 10.5; e.g. lr=0.02"):
        check_real("lr", 10.5, example=0.02, high=10)


# ----------------------------------------------------------------------------- proportions

SRC = Path(__file__).parent.parent / "src" / "embeddings_explained"


def test_all_argument_checking_fits_in_200_lines_and_uses_no_private_pytorch() -> None:
    text = (SRC / "_checks.py").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    for path in SRC.glob("*.py"):
        code = path.read_text(encoding="utf-8")
        assert not re.search(r"torch\._(?!_)|FakeTensor|reprlib\.Repr\b", code), path.name


def _imports(path: Path) -> set[str]:
    """The package modules that ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "embeddings_explained":
            found |= {f"embeddings_explained.{a.name}" for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("embeddings_"):
            found.add(str(node.module))
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("embeddings_explained.")}
    return {m for m in found if (SRC / f"{m.split('.')[-1]}.py").exists()}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of ``graph`` (module -> the modules it imports), or []."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str]:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return []
        for imported in sorted(graph.get(module, ())):
            if found := visit(imported, [*path, module]):
                return found
        done.add(module)
        return []

    for module in sorted(graph):
        if found := visit(module, []):
            return found
    return []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_the_package_has_no_import_cycle() -> None:
    graph = {
        f"embeddings_explained.{p.stem}": _imports(p) - {"embeddings_explained.__init__"}
        for p in SRC.glob("*.py")
        if p.stem != "__init__"
    }
    assert graph["embeddings_explained.showcase"], "the walk must see the imports"
    assert _cycle(graph) == []


def test_only_showcase_imports_showcase_and_gpt2_sizes_are_written_once() -> None:
    for path in SRC.glob("*.py"):
        if path.stem != "showcase":
            assert "embeddings_explained.showcase" not in _imports(path), path.name
        assert path.stem == "scale" or "50_257" not in path.read_text(encoding="utf-8")
