"""The byte-pair encoding merges, shortens and round-trips as the subwords page says."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import torch

from embeddings_explained.bpe import (
    GPT2_MERGES,
    GPT2_SPECIAL_TOKENS,
    BytePairEncoding,
    merge,
    pair_counts,
    train_bpe,
)
from embeddings_explained.showcase import GPT2_SMALL
from embeddings_explained.training import load_text


def test_pair_counts_counts_neighbours() -> None:
    assert pair_counts([1, 2, 1, 2]) == {(1, 2): 2, (2, 1): 1}


def test_merge_replaces_left_to_right_without_overlap() -> None:
    assert merge([97, 97, 97], (97, 97), 256) == [256, 97]
    assert merge([1, 2, 3, 1, 2], (1, 2), 300) == [300, 3, 300]


def test_each_merge_adds_one_token_and_the_most_frequent_pair_goes_first() -> None:
    text = load_text("alice.txt")
    bpe = train_bpe(text, 5)
    assert bpe.vocab_size == 256 + 5
    assert [new for _, new in bpe.merges] == [256, 257, 258, 259, 260]
    first_pair = max(pair_counts(list(text.encode())).values())
    assert pair_counts(list(text.encode()))[bpe.merges[0][0]] == first_pair


def test_more_merges_never_lengthen_the_text() -> None:
    text = load_text("alice.txt")
    lengths = [len(train_bpe(text, n).encode(text)) for n in (0, 5, 10, 20)]
    assert lengths[0] == len(text.encode("utf-8"))
    assert lengths == sorted(lengths, reverse=True) and lengths[-1] < lengths[0]


@pytest.mark.parametrize("text", ["", "Hi", "the queen", "Zwölf Boxkämpfer", "🙂 and 漢字"])
def test_decode_inverts_encode_even_for_unseen_text(text: str) -> None:
    bpe = train_bpe(load_text("alice.txt"), 20)
    assert bpe.decode(bpe.encode(text)) == text
    assert all(0 <= i < bpe.vocab_size for i in bpe.encode(text))


def test_token_bytes_spell_out_merges() -> None:
    bpe = train_bpe("the the the", 3)
    assert b"".join(bpe.token_bytes(i) for i in bpe.encode("the the")) == b"the the"
    with pytest.raises(ValueError, match="outside this BPE's vocabulary"):
        bpe.token_bytes(bpe.vocab_size)


def test_bad_merge_counts_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="n_merges must be an int in"):
        train_bpe("abc", -1)
    with pytest.raises(ValueError, match="ran out of pairs"):
        train_bpe("ab", 2)


def test_gpt2_vocabulary_is_bytes_plus_merges_plus_one_special_token() -> None:
    assert GPT2_SMALL["vocab_size"] == 256 + GPT2_MERGES + GPT2_SPECIAL_TOKENS


def test_counts_of_a_tensor_are_refused_rather_than_all_ones() -> None:
    with pytest.raises(TypeError, match=r"ids.tolist\(\)"):
        pair_counts(torch.tensor([1, 2, 1, 2]))  # type: ignore[arg-type]
    assert pair_counts(torch.tensor([1, 2, 1, 2]).tolist())[(1, 2)] == 2  # the fix


def test_merge_of_a_str_or_a_tensor_is_refused_rather_than_mixed() -> None:
    """merge("abab", ...) returned the characters, a tensor's unmerged items stayed tensors."""
    fix = r"ids must be a list of ints, got 'abab'; use list\(ids\.encode\(\)\)"
    with pytest.raises(TypeError, match=fix):
        merge("abab", (97, 98), 256)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"ids\.tolist\(\)"):
        merge(torch.tensor([1, 2, 3]), (1, 2), 256)  # type: ignore[arg-type]
    assert merge(torch.tensor([1, 2, 3]).tolist(), (1, 2), 256) == [256, 3]  # the fix


def test_more_merges_than_a_cpu_demo_makes_are_refused_before_training() -> None:
    with pytest.raises(ValueError, match="n_merges must be an int in"):
        train_bpe("the the the", GPT2_MERGES)


def test_a_float_or_bool_count_is_refused_even_after_the_same_int_count() -> None:
    """The cache answered train_bpe("aaab", 1.0) and (.., True) with the run of 1 (1 == 1.0)."""
    assert train_bpe("aaab", 1).vocab_size == 257
    with pytest.raises(TypeError, match="n_merges must be an int, got float 1.0; write 1"):
        train_bpe("aaab", 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="n_merges must be an int, got bool True"):
        train_bpe("aaab", True)


def test_lines_of_text_get_the_join_hint_not_a_cache_error() -> None:
    with pytest.raises(TypeError, match=r"join them: ''.join\(text\)"):
        train_bpe(["aaab", "ab"], 1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "error", "says"),
    [
        (lambda bpe: bpe.decode("the"), TypeError, "ids must be a list of token ids, got 'the'"),
        (lambda bpe: bpe.decode(None), TypeError, "ids must be a list of token ids, got None"),
        (lambda bpe: bpe.decode([72.0]), TypeError, "token_id must be an int, got float 72.0"),
        (lambda bpe: bpe.token_bytes(True), TypeError, "token_id must be an int, got bool"),
        (lambda bpe: bpe.token_bytes(-1), ValueError, "outside this BPE's vocabulary [0, 257)"),
    ],
)
def test_decode_and_token_bytes_refuse_what_is_not_a_token_id(
    call: Callable[[BytePairEncoding], object], error: type[Exception], says: str
) -> None:
    with pytest.raises(error, match=re.escape(says)):
        call(train_bpe("aaab", 1))


def test_decode_takes_the_ids_of_a_tensor() -> None:
    bpe = train_bpe("aaab", 1)
    assert bpe.decode(torch.tensor(bpe.encode("aaab"))) == "aaab"  # type: ignore[arg-type]


@pytest.mark.parametrize("ids", [b"abab", range(4), "abab", torch.tensor([97, 98, 97, 98])])
def test_the_fix_for_ids_that_are_not_a_list_works_when_applied(ids: object) -> None:
    with pytest.raises(TypeError) as e:
        pair_counts(ids)  # type: ignore[arg-type]
    fix = str(e.value).rsplit("use ", 1)[1]
    assert pair_counts(eval(fix, {"ids": ids}))  # bytes were told list(ids.encode())
