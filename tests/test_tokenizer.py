"""ByteTokenizer: UTF-8 bytes in, UTF-8 bytes out, and clear errors."""

from __future__ import annotations

import pytest
import torch

from embeddings_explained import ByteTokenizer

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
        (torch.tensor([[72, 105]]), ValueError, r"1-D tensor of ids, got shape \[1, 2\].*ids\[0\]"),
        (torch.tensor([300]), ValueError, "id 300 at index 0"),
    ],
)
def test_decode_rejects_bad_ids_clearly(ids: object, exc: type[Exception], message: str) -> None:
    with pytest.raises(exc, match=message):
        tok.decode(ids)  # type: ignore[arg-type]
