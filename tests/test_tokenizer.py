"""ByteTokenizer: UTF-8 bytes in, UTF-8 bytes out, and clear errors."""

from __future__ import annotations

import os
import pathlib

import numpy as np
import pytest
import torch

from embeddings_explained import ByteTokenizer
from tests.test_checks import run_fixes

tok = ByteTokenizer()


def test_vocab_is_the_256_byte_values() -> None:
    assert ByteTokenizer.vocab_size == 256


@pytest.mark.parametrize(
    ("text", "ids"),
    [("Hi", [72, 105]), ("é", [195, 169]), ("", []), ("\x00", [0]), ("€", [226, 130, 172])],
)
def test_encode_gives_utf8_bytes(text: str, ids: list[int]) -> None:
    assert tok.encode(text) == ids
    assert tok.decode(ids) == text


def test_decode_accepts_a_1d_integer_tensor() -> None:
    assert tok.decode(torch.tensor([72, 105])) == "Hi"
    assert tok.decode(torch.tensor([195, 169], dtype=torch.int32)) == "é"


def test_broken_utf8_decodes_with_replacement_by_default() -> None:
    assert tok.decode([72, 195]) == "H\ufffd"


def test_errors_argument_is_passed_through() -> None:
    with pytest.raises(UnicodeDecodeError):
        tok.decode([72, 195], errors="strict")
    assert tok.decode([72, 195], errors="ignore") == "H"


@pytest.mark.parametrize("value", [b"Hi", 42, None, ["H", "i"]])
def test_encode_rejects_non_str_naming_the_type(value: object) -> None:
    with pytest.raises(TypeError, match=f"expects a str, got {type(value).__name__}"):
        tok.encode(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(("ids", "bad"), [([72, 256], "256"), ([-1], "-1"), ([0, 1, 1000], "1000")])
def test_decode_rejects_ids_outside_0_255_naming_id_and_index(ids: list[int], bad: str) -> None:
    with pytest.raises(
        ValueError, match=rf"id {bad} at index {len(ids) - 1} is not a byte.*\[0, 256\)"
    ):
        tok.decode(ids)


@pytest.mark.parametrize(
    ("ids", "exc", "message"),
    [
        ([72.0, 105.0], TypeError, "expects int ids, got float 72.0 at index 0"),
        ([True], TypeError, "expects int ids, got bool"),
        ("Hi", TypeError, "got str"),
        (b"Hi", TypeError, "got bytes"),
        (torch.tensor([72.0]), TypeError, "dtype torch.float32"),
        (
            torch.tensor([[72, 105]]),
            ValueError,
            r"1-D tensor of ids, got shape \[1, 2\].*for row in ids\]",
        ),
        (torch.tensor([300]), ValueError, "id 300 at index 0"),
    ],
)
def test_decode_rejects_bad_ids_clearly(ids: object, exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=message):
        tok.decode(ids)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- any input at all


def test_decode_accepts_numpy_ids_and_numpy_arrays() -> None:
    assert tok.decode([np.int64(72), np.uint8(105)]) == "Hi"  # type: ignore[list-item]
    assert tok.decode(np.array([72, 105], dtype=np.int32)) == "Hi"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, r"got NoneType None; pass the text itself \(did a function return None\?\)"),
        (42, r"got int 42; to encode the digits of a number, write them as text: str\(text\)"),
        (["H", "i"], r"join them: ''.join\(text\)"),
        (pathlib.Path(__file__), r"read it first: pathlib.Path\(text\).read_text"),
        (b"Hi", r"bytes are byte ids already: list\(text\)"),
        (list(range(10**6)), r"got list \[0, 1, 2, 3, 4, 5, \.\.\.\]; pass the text as a str"),
    ],
    ids=["None", "int", "list-of-str", "path", "bytes", "huge-list"],
)
def test_encode_names_text_and_a_fix_for_its_kind(text: object, message: str) -> None:
    with pytest.raises(TypeError, match=r"encode\(text\) expects a str, .*" + message) as info:
        tok.encode(text)  # type: ignore[arg-type]
    run_fixes(str(info.value), text)


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("\ud800", "\ufffd"),  # a lone high surrogate
        ("a\udcff", "a\ufffd"),  # os.fsdecode's stand-in for the byte 0xff
        ("\ud83d\ude00 ok \ud800", "😀 ok \ufffd"),  # a pair becomes its character
    ],
)
def test_a_lone_surrogate_gets_a_fix_that_encodes(text: str, fixed: str) -> None:
    with pytest.raises(ValueError, match=r"text has a lone surrogate .* at index \d+") as info:
        tok.encode(text)
    results = run_fixes(str(info.value), text)
    assert results[0] == tok.encode(fixed)


def test_a_file_name_from_fsdecode_gets_its_bytes_back() -> None:
    name = os.fsdecode(b"caf\xe9.txt")  # Latin-1 bytes, not UTF-8: '\udce9' stands for 0xe9
    with pytest.raises(ValueError, match="surrogateescape") as info:
        tok.encode(name)
    assert run_fixes(str(info.value), name)[-1] == list(b"caf\xe9.txt")


@pytest.mark.parametrize(
    ("errors", "exc", "message"),
    [
        ("foo", ValueError, "errors='foo' is not an error handler; use one of 'replace'"),
        ("Replace", ValueError, "did you mean 'replace'"),
        ("namereplace", ValueError, "only works for encoding"),
        (None, TypeError, "errors must be the name of an error handler, got NoneType"),
    ],
)
def test_an_unknown_error_handler_is_refused_before_any_byte_arrives(
    errors: object, exc: type[Exception], message: str
) -> None:
    with pytest.raises(exc, match=message):
        tok.decode([72, 105], errors=errors)  # type: ignore[arg-type]


def _meta_ids() -> torch.Tensor:
    return torch.zeros(2, dtype=torch.long, device="meta")


@pytest.mark.parametrize(
    ("ids", "exc", "message"),
    [
        (_meta_ids(), ValueError, "on meta, which holds shapes only"),
        (torch.tensor([72, 105]).to_sparse(), TypeError, r"sparse_coo .*use ids.to_dense\(\)"),
        (torch.tensor([72.0, 105.4]), TypeError, r"convert with ids.round\(\).long\(\)"),
        (torch.tensor(72), ValueError, r"got a 0-D|tokenizer.decode\(ids.reshape\(1\)\)"),
        (torch.zeros(2, 3, 0, dtype=torch.long), ValueError, r"ids.flatten\(0, -2\)"),
        (np.array([[72, 105]]), ValueError, r"\[tokenizer.decode\(row\) for row in ids\]"),
        (np.zeros((2, 3, 0), dtype=int), ValueError, r"ids.reshape\(6, 0\)"),
        (np.array([72.0]), TypeError, r"ids.round\(\).astype\(int\)"),
        ([72.0, 105.2], TypeError, r"round them: decode\(\[round\(i\) for i in ids\]\)"),
        (iter([72, 105]), TypeError, r"decode\(list\(ids\)\)"),
        ({72, 105}, TypeError, "a set has no order"),
        (72, TypeError, r"decode\(\[ids\]\)"),
        (b"Hi", TypeError, r"decode\(list\(ids\)\)"),
    ],
    ids=lambda v: type(v).__name__ if not isinstance(v, str) else None,
)
def test_decode_gets_a_fix_that_works_for_the_ids_given(
    ids: object, exc: type[Exception], message: str
) -> None:
    with pytest.raises(exc, match=message) as info:
        tok.decode(ids)  # type: ignore[arg-type]
    assert "ids" in str(info.value)
    env = {"decode": tok.decode}
    if not isinstance(ids, torch.Tensor) or ids.device.type != "meta":
        run_fixes(str(info.value), ids, **env)
