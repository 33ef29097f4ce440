"""The shared checks: short reprs of huge values, and fixes in messages that really work.

``fixes_in`` and ``run_fixes`` are used by the property tests too: every piece of code that
an error message suggests is run on the very value that caused the error.
"""

from __future__ import annotations

import math
import pathlib
import re
import time
import warnings
from collections.abc import Callable

import numpy as np
import pytest
import torch
from torch import nn

from embeddings_explained import ByteTokenizer, Embeddings
from embeddings_explained._checks import (
    MAX_TABLE_BYTES,
    TableSize,
    allocation_errors,
    check_bool,
    check_choice,
    check_int,
    check_real,
    human_bytes,
    short,
)

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
    [
        list(range(10**6)),
        tuple(range(10**6)),
        set(range(10**6)),
        {i: i for i in range(10**5)},
        "x" * 10**7,
        b"x" * 10**7,
        bytearray(10**7),
        10**5000,
        -(10**5000),
        torch.zeros(10**7),
        np.zeros(10**6),
        [[0] * 10**6] * 3,
    ],
    ids=lambda v: type(v).__name__,
)
def test_short_stays_short_and_fast_for_huge_values(value: object) -> None:
    start = time.perf_counter()
    text = short(value)
    assert len(text) <= 60
    assert time.perf_counter() - start < 0.5  # a whole repr would take seconds on a busy CPU


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

    assert short(Broken()).startswith("<Broken ")


def test_short_describes_tensors_without_their_values() -> None:
    assert short(torch.zeros(2, 3, dtype=torch.long)) == "torch.int64 tensor of shape [2, 3]"
    meta = torch.zeros(1, 2, device="meta")
    assert short(meta) == "torch.float32 tensor of shape [1, 2] on meta"
    assert short(torch.tensor([[1, 2]]).to_sparse()).startswith("torch.int64 torch.sparse_coo")


def test_human_bytes_names_the_unit() -> None:
    assert human_bytes(999) == "999 bytes"
    assert human_bytes(1_024_000_000_000_000) == "1,024,000,000,000,000 bytes (1.0 PB)"
    assert human_bytes(MAX_TABLE_BYTES) == "100,000,000,000,000 bytes (100.0 TB)"


# ----------------------------------------------------------------------------- plain arguments


@pytest.mark.parametrize(
    ("value", "exc", "message"),
    [
        (4.0, TypeError, "n_embd must be an int, got float 4.0; write 4"),
        (4.5, TypeError, "got float 4.5; round it to a whole number, e.g. 4 or 5"),
        (0.5, TypeError, "e.g. 1$"),
        ("16", TypeError, r"got str '16'; convert it first: int\('16'\)"),
        (torch.tensor(16), TypeError, r"convert it first: int\(n_embd\)"),
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
    assert check_int("steps", np.int32(7)) == 7
    with pytest.raises(ValueError, match=r"steps must be an int in \[1, 10\] \(why\), got 11"):
        check_int("steps", 11, high=10, why="why")


@pytest.mark.parametrize(
    ("value", "exc", "message"),
    [
        (math.inf, ValueError, "lr must be a finite positive number, got inf"),
        (-0.1, ValueError, "got -0.1"),
        (0, ValueError, "got 0"),
        pytest.param(10**400, ValueError, "got <int of 1329 bits>", id="10**400"),
        ("0.02", TypeError, r"got str '0.02'; convert it first: float\('0.02'\)"),
        (True, TypeError, "lr must be a number, got bool"),
    ],
)
def test_check_real_refuses_what_is_not_a_finite_positive_number(
    value: object, exc: type[Exception], message: str
) -> None:
    with pytest.raises(exc, match=message):
        check_real("lr", value, example=0.02)


def test_check_bool_and_check_choice() -> None:
    with pytest.raises(TypeError, match="tie_weights must be True or False, got int 1; write True"):
        check_bool("tie_weights", 1)
    with pytest.raises(ValueError, match=r"name='\.\./alice\.text' .*did you mean 'alice\.txt'"):
        check_choice("name", "../alice.text", ["alice.txt"])
    with pytest.raises(TypeError, match="name must be a str"):
        check_choice("name", pathlib.Path("alice.txt"), ["alice.txt"])


# ----------------------------------------------------------------------------- the layer's sizes


def test_allocation_failure_names_the_size_and_restores_the_random_state(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = torch.random.get_rng_state()

    def fail(step: Callable[[], object]) -> None:
        with allocation_errors(256, 8, 10**10):
            torch.randn(3)  # the token table's draws, taken before the position table failed
            step()

    def no_memory() -> None:
        raise RuntimeError("DefaultCPUAllocator: can't allocate memory: you tried to allocate")

    message = (
        r"n_embd=10000000000 is too large for this machine: .* 10,560,000,000,000 bytes "
        r"\(10.6 TB\), which cpu could not allocate \(DefaultCPUAllocator"
    )
    with pytest.raises(ValueError, match=message):
        fail(no_memory)
    assert torch.equal(torch.random.get_rng_state(), state)

    def other() -> None:
        raise RuntimeError("something else")

    with pytest.raises(RuntimeError, match="something else"):  # other errors pass through
        fail(other)


# ----------------------------------------------------------------------------- the tables


def test_sizes_are_read_from_the_tables_and_cannot_be_set() -> None:
    emb = Embeddings()
    emb.token_embedding = nn.Embedding(300, 4)
    assert (emb.vocab_size, emb.block_size, emb.n_embd) == (300, 8, 4)
    with pytest.raises(AttributeError, match="vocab_size cannot be set") as info:
        emb.vocab_size = 512
    assert emb.vocab_size == 300
    assert "or build a new layer: Embeddings(vocab_size=512, block_size=8, n_embd=4)" in str(
        info.value
    )
    exec(str(info.value).split("replace the table: ")[1].split(", or")[0], {"emb": emb, "nn": nn})
    assert emb.vocab_size == 512
    with pytest.raises(AttributeError, match=r"emb.position_embedding = nn.Embedding\(8, 6\)"):
        emb.n_embd = 6
    assert isinstance(Embeddings.vocab_size, TableSize)  # the descriptor itself, on the class
