"""A byte-level tokenizer: every UTF-8 byte is one token.

- The vocabulary is the 256 possible byte values, so any text can be encoded
  and nothing is ever "unknown".
- ``encode`` turns ``str`` into a ``list[int]`` of UTF-8 bytes; ``decode`` turns
  ids back into text, replacing broken UTF-8 with U+FFFD by default (as
  tiktoken and minbpe do), since a model can generate any byte sequence.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = ["ByteTokenizer"]


class ByteTokenizer:
    """Text <-> UTF-8 byte ids, a vocabulary of 256.

    >>> tok = ByteTokenizer()
    >>> tok.encode("Hi")
    [72, 105]
    >>> tok.encode("é")
    [195, 169]
    >>> tok.decode([72, 105])
    'Hi'
    """

    vocab_size: int = 256

    def encode(self, text: str) -> list[int]:
        """Return the UTF-8 bytes of ``text`` as a list of ints in ``[0, 256)``, length ``T``."""
        if not isinstance(text, str):
            hint = (
                " bytes are already byte ids: use list(data)"
                if isinstance(text, bytes | bytearray)
                else " convert it first, e.g. str(value)"
            )
            raise TypeError(
                f"encode() expects a str, got {type(text).__name__} {text!r:.60};{hint}"
            )
        return list(text.encode("utf-8"))

    def decode(self, ids: Sequence[int] | torch.Tensor, errors: str = "replace") -> str:
        """Return the text whose UTF-8 bytes are ``ids`` (a list of ints or a 1-D integer tensor).

        ``errors`` is passed to :meth:`bytes.decode`: ``"replace"`` (default) puts U+FFFD where
        the bytes are not valid UTF-8, ``"strict"`` raises :class:`UnicodeDecodeError`.
        """
        if isinstance(ids, torch.Tensor):
            if ids.dtype.is_floating_point or ids.dtype.is_complex or ids.dtype == torch.bool:
                raise TypeError(
                    f"decode() expects integer ids, got a tensor of dtype {ids.dtype}; "
                    "convert with ids.long()"
                )
            if ids.dim() != 1:
                raise ValueError(
                    f"decode() expects a 1-D tensor of ids, got shape {list(ids.shape)}; "
                    "decode one sequence at a time, e.g. decode(ids[0])"
                )
            values: list[int] = ids.tolist()
        elif isinstance(ids, str | bytes | bytearray) or not isinstance(ids, Sequence):
            raise TypeError(
                f"decode() expects a list of ints or a 1-D integer tensor, "
                f"got {type(ids).__name__} {ids!r:.60}"
            )
        else:
            values = list(ids)
        for i, v in enumerate(values):
            if isinstance(v, bool) or not isinstance(v, int):
                raise TypeError(
                    f"decode() expects int ids, got {type(v).__name__} {v!r} at index {i}"
                )
            if not 0 <= v < 256:
                raise ValueError(
                    f"id {v} at index {i} is not a byte: ByteTokenizer ids are in [0, 256); "
                    "were these ids made by another tokenizer?"
                )
        return bytes(values).decode("utf-8", errors=errors)
