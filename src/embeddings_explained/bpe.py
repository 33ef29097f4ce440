"""A tiny byte-pair encoding (BPE), the idea behind GPT-2's subword tokens.

- Start from bytes: ids 0..255, as :class:`~embeddings_explained.ByteTokenizer` gives.
- Training repeats one step: count every pair of neighbouring ids in the text, and give
  the most frequent pair a new id (256, 257, ...), replacing it everywhere. Each merge
  adds one token to the vocabulary, so one row to the token table.
- Encoding a new text replays the merges in the order they were learned.

This is the algorithm of Karpathy's minbpe (``BasicTokenizer``), without its regex
splitting or special tokens. GPT-2's tokenizer is the same idea at scale: 256 bytes,
50,000 merges and one special token, ``<|endoftext|>``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from embeddings_explained import _checks as checks
from embeddings_explained.tokenizer import ByteTokenizer

__all__ = [
    "GPT2_MERGES",
    "GPT2_SPECIAL_TOKENS",
    "BytePairEncoding",
    "merge",
    "pair_counts",
    "train_bpe",
]

# GPT-2's tokenizer (Radford et al., 2019): its encoder.json holds the 256 byte tokens,
# one token per line of its 50,000 merges, and <|endoftext|>.
GPT2_MERGES = 50_000
GPT2_SPECIAL_TOKENS = 1

Pair = tuple[int, int]


def _check_list(ids: object) -> None:
    if not isinstance(ids, list | tuple):  # a tensor's items hash by identity, a str's are chars
        fix = "ids.tolist()" if hasattr(ids, "tolist") else "list(ids)"  # bytes, a range
        fix = "list(ids.encode())" if isinstance(ids, str) else fix
        raise TypeError(f"ids must be a list of ints, got {checks.short(ids)}; use {fix}")


# --8<-- [start:train]
def pair_counts(ids: Sequence[int]) -> Counter[Pair]:
    """How often each pair of neighbours occurs.

    >>> pair_counts([1, 2, 1, 2])
    Counter({(1, 2): 2, (2, 1): 1})
    """
    _check_list(ids)
    return Counter(zip(ids, ids[1:], strict=False))


def merge(ids: Sequence[int], pair: Pair, new_id: int) -> list[int]:
    """Replace every occurrence of ``pair`` in ``ids``, left to right, by ``new_id``."""
    _check_list(ids)
    out, i = [], 0
    while i < len(ids):
        if ids[i] == pair[0] and i + 1 < len(ids) and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def train_bpe(text: str, n_merges: int) -> BytePairEncoding:
    """Learn ``n_merges`` merges on ``text``; the most frequent pair wins each round
    (on a tie, the pair seen first in the text, as ``max`` over a Counter gives)."""
    ids = ByteTokenizer().encode(text)
    why = " (pure Python: a few seconds per 100 merges on the book)"
    checks.check_int("n_merges", n_merges, low=0, high=2_000, example=20, why=why)
    merges: list[tuple[Pair, int]] = []
    for new_id in range(256, 256 + n_merges):
        counts = pair_counts(ids)
        if not counts:
            raise ValueError(
                f"the text ran out of pairs after {len(merges)} merges; "
                f"train on a longer text or ask for fewer than {n_merges}"
            )
        pair = max(counts, key=counts.__getitem__)
        ids = merge(ids, pair, new_id)
        merges.append((pair, new_id))
    return BytePairEncoding(tuple(merges))


# --8<-- [end:train]


@dataclass(frozen=True)
class BytePairEncoding:
    """The merges learned by :func:`train_bpe`, in order: ``((pair, new_id), ...)``.

    >>> bpe = train_bpe("aaab", 1)
    >>> bpe.merges, bpe.vocab_size, bpe.encode("aaab")
    ((((97, 97), 256),), 257, [256, 97, 98])
    """

    merges: tuple[tuple[Pair, int], ...]

    @property
    def vocab_size(self) -> int:
        """256 byte tokens plus one token per merge: the rows a token table needs."""
        return 256 + len(self.merges)

    def encode(self, text: str) -> list[int]:
        """Bytes of ``text``, then every merge replayed in the order it was learned."""
        ids = ByteTokenizer().encode(text)
        for pair, new_id in self.merges:
            ids = merge(ids, pair, new_id)
        return ids

    def token_bytes(self, token_id: int) -> bytes:
        """The bytes a token stands for: ``b'e '`` for a merge of ``e`` and a space."""
        checks.check_int("token_id", token_id, low=-(2**63), example=256)
        if not 0 <= token_id < self.vocab_size:
            raise ValueError(
                f"token id {token_id} is outside this BPE's vocabulary [0, {self.vocab_size})"
            )
        if token_id < 256:
            return bytes([token_id])
        (a, b), _ = self.merges[token_id - 256]
        return self.token_bytes(a) + self.token_bytes(b)

    def decode(self, ids: Sequence[int]) -> str:
        """The text of ``ids``; broken UTF-8 becomes U+FFFD, as in ``ByteTokenizer.decode``."""
        ids = ids.tolist() if hasattr(ids, "tolist") else ids  # a tensor or an array
        if not isinstance(ids, list | tuple | range):
            raise TypeError(f"ids must be a list of token ids, got {checks.short(ids)}; "
                            "e.g. bpe.decode(bpe.encode('the'))")  # fmt: skip
        return b"".join(self.token_bytes(i) for i in ids).decode("utf-8", errors="replace")
