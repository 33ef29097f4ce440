"""ByteTokenizer: UTF-8 bytes in, UTF-8 bytes out, and clear errors."""

from __future__ import annotations

import os

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
        ([72.0, 105.0], TypeError, "expects int ids, got 72.0 at index 0"),
        ([True], TypeError, "expects int ids, got True"),
        ("Hi", TypeError, "got str 'Hi'; this is text already"),
        (b"Hi", TypeError, r"got bytes b'Hi'; bytes are ids already: decode\(list\(ids\)\)"),
        (None, TypeError, r"got NoneType None; e.g. decode\(\[72, 105\]\)"),
        (72, TypeError, "got int 72"),
        (np.array([72, 105]), TypeError, r"got ndarray .*; convert it: decode\(ids.tolist\(\)\)"),
        (torch.tensor([72.0]), TypeError, r"dtype torch.float32; convert with ids.round\(\).long"),
        (torch.tensor([[72, 105]]), ValueError, r"shape \[1, 2\].*for row in ids\]"),
        (torch.tensor(72), ValueError, r"shape \[\]; decode each row: ids.reshape\(1\)"),
        (torch.tensor([300]), ValueError, "id 300 at index 0"),
    ],
)
def test_decode_rejects_bad_ids_clearly(ids: object, exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=message) as info:
        tok.decode(ids)  # type: ignore[arg-type]
    assert str(info.value).startswith(("decode(ids)", "id "))
    run_fixes(str(info.value), ids, decode=tok.decode)


def test_decode_accepts_numpy_ids() -> None:
    assert tok.decode([np.int64(72), np.uint8(105)]) == "Hi"  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, r"got NoneType None; pass the text itself \(did a function return None\?\)"),
        (42, r"got int 42; pass a str"),
        (["H", "i"], r"join them: ''.join\(text\)"),
        (b"Hi", r"bytes are byte ids already: list\(text\)"),
        (list(range(10**6)), r"got list \[0, 1, 2, 3, 4, 5, \.\.\.\]; pass a str"),
    ],
    ids=["None", "int", "list-of-str", "bytes", "huge-list"],
)
def test_encode_names_text_and_a_fix_for_its_kind(text: object, message: str) -> None:
    with pytest.raises(TypeError, match=r"encode\(text\) expects a str, .*" + message) as info:
        tok.encode(text)  # type: ignore[arg-type]
    run_fixes(str(info.value), text)


@pytest.mark.parametrize("text", ["\ud800", "a\udcff", os.fsdecode(b"caf\xe9.txt")])
def test_a_lone_surrogate_gets_pythons_own_error(text: str) -> None:
    with pytest.raises(UnicodeEncodeError, match="surrogates not allowed"):
        tok.encode(text)


def test_an_unknown_error_handler_gets_pythons_own_error() -> None:
    with pytest.raises(LookupError, match="unknown error handler name 'foo'"):
        tok.decode([72, 195], errors="foo")


def test_decoding_a_list_of_tensors_says_how_to_convert_them() -> None:
    """A sampling loop collects tensor(72), tensor(105), ...: the fix must decode them."""
    ids = [torch.tensor(72), torch.tensor(105)]
    with pytest.raises(TypeError, match="convert them") as e:
        ByteTokenizer().decode(ids)  # type: ignore[arg-type]
    fix = str(e.value).rsplit(": ", 1)[1]
    assert ByteTokenizer().decode(eval(fix, {"ids": ids})) == "Hi"
