"""Property-based tests (hypothesis): the package's guarantees hold for any valid input,
and any invalid input gets a ValueError/TypeError that leaves the tables unchanged."""

from __future__ import annotations

import functools
import math
import numbers
import pathlib
import warnings
from collections.abc import Callable, Collection
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from embeddings_explained import ByteTokenizer, Embeddings
from embeddings_explained.attention import (
    TinyGPT,
    eval_loss,
    next_byte_probs,
    position_cosines,
    positions_replaced,
    train_attention,
)
from embeddings_explained.bpe import pair_counts
from embeddings_explained.positional import apply_rope, rope_score, shift_matrix, sinusoidal_table
from embeddings_explained.scale import GPT2Parameters, one_hot_multiply_adds
from embeddings_explained.scaled import ScaledNextByte, train_scaled
from embeddings_explained.showcase import byte_label, dim_labels, seeded_embeddings
from embeddings_explained.small_gpt import (
    GPT,
    POSITIONS,
    byte_kind,
    chance_share,
    held_out_loss,
    nearest,
    order_gap,
    same_kind_share,
    sample,
    train_gpt,
)
from embeddings_explained.training import (
    NextByteModel,
    byte_groups,
    byte_map,
    fit,
    load_text,
    pca_2d,
    train,
    uniform_loss,
)
from tests.test_checks import run_fixes

settings.register_profile("default", deadline=None, max_examples=60)
settings.load_profile("default")

tok = ByteTokenizer()


@given(st.text())  # any str hypothesis draws; it never draws lone surrogates
@example("Hi")
@example("👋🏽 emoji with a skin tone")
@example("e\u0301 combining acute accent")
@example("\x00 NUL")
@example("\U0010ffff the last code point")
def test_decode_inverts_encode(text: str) -> None:
    ids = tok.encode(text)
    assert all(isinstance(i, int) and 0 <= i < 256 for i in ids)
    assert tok.decode(ids) == text
    assert tok.decode(torch.tensor(ids, dtype=torch.long)) == text


@given(st.lists(st.integers(0, 255)))
def test_decode_never_fails_on_bytes_by_default(ids: list[int]) -> None:
    assert isinstance(tok.decode(ids), str)


@st.composite
def model_and_ids(draw: st.DrawFn) -> tuple[Embeddings, torch.Tensor]:
    vocab = draw(st.integers(1, 40))
    block = draw(st.integers(1, 12))
    n_embd = draw(st.integers(1, 6))
    batch = draw(st.integers(0, 4))
    T = draw(st.integers(0, block))
    ids = draw(st.lists(st.integers(0, vocab - 1), min_size=batch * T, max_size=batch * T))
    dtype = draw(st.sampled_from([torch.int64, torch.int32]))
    torch.manual_seed(draw(st.integers(0, 2**16)))
    return Embeddings(vocab, block, n_embd), torch.tensor(ids, dtype=dtype).reshape(batch, T)


def _snapshot(emb: Embeddings) -> list[torch.Tensor]:
    return [p.detach().clone() for p in emb.parameters()]


def _unchanged(emb: Embeddings, before: list[torch.Tensor]) -> bool:
    return all(torch.equal(a, b) for a, b in zip(emb.parameters(), before, strict=True))


@given(model_and_ids())
def test_output_is_exactly_token_row_plus_position_row(
    case: tuple[Embeddings, torch.Tensor],
) -> None:
    emb, ids = case
    before = _snapshot(emb)
    out = emb(ids)
    B, T = ids.shape
    assert out.shape == (B, T, emb.n_embd)
    W, P = emb.token_embedding.weight, emb.position_embedding.weight
    for b in range(B):
        for t in range(T):
            assert torch.equal(out[b, t], W[ids[b, t]] + P[t])
    assert _unchanged(emb, before)


@given(model_and_ids())
def test_a_batch_equals_its_rows_run_one_at_a_time(case: tuple[Embeddings, torch.Tensor]) -> None:
    emb, ids = case
    out = emb(ids)
    for b in range(ids.shape[0]):
        assert torch.equal(out[b], emb(ids[b : b + 1])[0])


@st.composite
def invalid_input(draw: st.DrawFn) -> tuple[Embeddings, object]:
    emb, ids = draw(model_and_ids())
    vocab, block = emb.vocab_size, emb.block_size
    kind = draw(st.sampled_from(["id-high", "id-negative", "dtype", "rank", "too-long", "type"]))
    if kind in ("id-high", "id-negative"):
        if ids.numel() == 0:
            ids = torch.zeros(1, 1, dtype=torch.long)
        bad = draw(
            st.integers(vocab, vocab + 10**6) if kind == "id-high" else st.integers(-(10**6), -1)
        )
        flat = ids.flatten().clone()
        flat[draw(st.integers(0, flat.numel() - 1))] = bad
        return emb, flat.reshape(ids.shape)
    if kind == "dtype":
        dtype = draw(
            st.sampled_from(
                [torch.float32, torch.float64, torch.bool, torch.int16, torch.uint8, torch.float16]
            )
        )
        return emb, ids.to(dtype)
    if kind == "rank":
        return emb, draw(
            st.sampled_from(
                [ids.flatten(), ids.unsqueeze(0), ids[0, 0] if ids.numel() else ids.sum()]
            )
        )
    if kind == "too-long":
        T = draw(st.integers(block + 1, block + 5))
        return emb, torch.zeros(ids.shape[0], T, dtype=torch.long)
    return emb, draw(st.sampled_from([ids.tolist(), None, "Hi", 3, b"Hi"]))


@given(invalid_input())
def test_invalid_input_gets_a_clear_error_and_changes_nothing(
    case: tuple[Embeddings, object],
) -> None:
    emb, bad = case
    before = _snapshot(emb)
    try:
        emb(bad)
    except (ValueError, TypeError) as error:
        message = str(error)
        assert "index out of range in self" not in message
        assert ("token_ids" in message or "token id" in message) and len(message) < 400
        for fixed in run_fixes(message, bad, emb=emb):  # every suggested fix runs
            try:
                emb(fixed)
            except (ValueError, TypeError) as next_error:
                assert str(next_error) != message  # and makes progress
    else:
        raise AssertionError(f"no error for {bad!r}")
    assert _unchanged(emb, before)


@given(model_and_ids(), st.data())
def test_any_input_at_all_raises_or_is_right_and_changes_nothing(
    case: tuple[Embeddings, torch.Tensor], data: st.DataObject
) -> None:
    """Exotic inputs may get PyTorch's own error, never a result of another shape."""
    emb, _ = case
    bad = data.draw(HOSTILE)
    before = _snapshot(emb)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = emb(bad)
    except Exception:  # noqa: BLE001, S110 (any error is allowed; a silent result is not)
        pass
    else:
        assert isinstance(bad, torch.Tensor) and out.shape == (*bad.shape, emb.n_embd)
    assert _unchanged(emb, before)


# ----------------------------------------------------------------------------- every entry point
# Bad values for every argument of every public function and class: each raises. A value a
# learner may pass by mistake gets a TypeError or ValueError that names the argument, in a
# short message, and changes nothing (the random stream included: no call seeds, builds or
# trains before its checks pass); an exotic one may get PyTorch's or Python's own error.


def _quiet(make: Callable[[], torch.Tensor]) -> torch.Tensor:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "in beta", "deprecated", "a prototype"
        return make()


def _quantized() -> torch.Tensor:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.quantize_per_tensor(torch.tensor([[1.0, 2.0]]), 1.0, 0, torch.quint8)


def _nested() -> torch.Tensor:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # strided: a jagged one is the same kind to the checks, but imports Dynamo (seconds)
        return torch.nested.nested_tensor([torch.tensor([1, 2]), torch.tensor([3])])


_TENSOR_KINDS: list[Callable[[], torch.Tensor]] = [
    lambda: torch.tensor([[1, 2]]).to_sparse(),
    lambda: _quiet(torch.tensor([[1, 2]]).to_sparse_csr),
    _nested,
    _quantized,
    lambda: torch.zeros(1, 2, dtype=torch.long, device="meta"),
    lambda: torch.tensor([[1.0, 2.0]]).to(torch.float8_e5m2),
]

HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(max_value=0),
    st.integers(min_value=2**50, max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.complex_numbers(max_magnitude=10),
    st.text(max_size=4),
    st.sampled_from(["\ud800", "a\udcff", "../model.py", "16", "0.02"]),
    st.binary(max_size=4),
    st.lists(st.integers(-3, 300), max_size=3),
    st.lists(st.lists(st.integers(0, 9), max_size=3), max_size=3),
    st.sampled_from(
        [
            Fraction(1, 3),
            Decimal("1.5"),
            np.float64(2.5),
            np.int64(-1),
            np.array([[1.5, 2.0]]),
            range(3),
            pathlib.Path("alice.txt"),
            {1: 2},
            {1, 2},
            object(),
        ]
    ),
    st.builds(lambda f: f(), st.sampled_from(_TENSOR_KINDS)),
    st.sampled_from([torch.tensor(3), torch.tensor([1.5]), torch.zeros(1, 1, 1)]),
)


def _int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _position_int(v: Any) -> bool:  # larger ints: torch.tensor's own overflow error
    return _int(v) and 0 <= v < 2**63


def _byte(v: Any) -> bool:
    return _int(v) and 0 <= v < 256


def _distinct_bytes(v: Any) -> bool:  # HOSTILE draws no list of 2 or more distinct bytes
    return (
        isinstance(v, list | tuple | range)
        and len(set(v)) == len(v) >= 1
        and all(_byte(i) for i in v)
    )


def _size(v: Any) -> bool:  # positive and small enough to build (HOSTILE draws no such int)
    return _int(v) and 1 <= v < 2**40


def _seed(v: Any) -> bool:
    return _int(v) and -(2**63) <= v < 2**64


def _real(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _positive(v: Any) -> bool:
    return _real(v) and math.isfinite(float(v)) and float(v) > 0


def _positive_or_none(v: Any) -> bool:
    return v is None or _positive(v)


def _byte_ids(v: Any) -> bool:  # a list, a set, bytes, a dict's keys... of bytes
    if isinstance(v, torch.Tensor):
        return v.dim() == 1 and not v.is_floating_point() and bool(((v >= 0) & (v < 256)).all())
    return (
        isinstance(v, Collection)
        and not isinstance(v, str)
        and all(_int(i) and 0 <= i < 256 for i in v)
    )


def _position(v: Any) -> bool:
    return isinstance(v, str) and v in POSITIONS


def _with(fn: Callable[..., object], name: str) -> Callable[[Any], object]:
    return lambda v: fn(**{name: v})


def _with_others(
    fn: Callable[..., object], others: dict[str, Any], name: str
) -> Callable[[Any], object]:
    return lambda v: fn(**{**others, name: v})


_SMALL_GPT = GPT("rope", n_layer=1, n_embd=8, n_head=2, block_size=8)
_NEXT_BYTE = NextByteModel(block_size=8)
_TABLE = torch.nn.Embedding(4, 2)
_FIT: dict[str, Any] = {"steps": 1, "batch_size": 4, "block_size": 8, "lr": 0.01, "eval_every": 100}
_SCALED: dict[str, Any] = {"n_embd": 8, "block_size": 4, "init_std": 0.02, "scale": 1.0}
_SCALED_RUN: dict[str, Any] = {"init_std": 0.02, "sqrt_d_model": False}
_GPT2: dict[str, Any] = {"vocab_size": 8, "block_size": 4, "n_embd": 4, "n_layer": 1}
_TRAIN = ("steps", "batch_size", "block_size", "n_embd", "seed")


def _even(v: Any) -> bool:
    return _size(v) and v % 2 == 0


def _bool(v: Any) -> bool:
    return isinstance(v, bool)


def _three_bytes(v: Any) -> bool:  # as long as "Hi!"
    return isinstance(v, str) and len(v.encode()) == 3


# entry point and argument: (a call with that argument, whether a value is valid for it)
ARGUMENTS: dict[str, tuple[Callable[[Any], object], Callable[[Any], bool]]] = {
    **{
        f"Embeddings {n}": (_with(Embeddings, n), _size)
        for n in ("vocab_size", "block_size", "n_embd")
    },
    **{
        f"NextByteModel {n}": (_with(NextByteModel, n), valid)
        for n, valid in (
            ("vocab_size", _size),
            ("block_size", _size),
            ("n_embd", _size),
            ("tie_weights", lambda v: isinstance(v, bool)),
            ("init_std", _positive_or_none),
        )
    },
    **{
        f"seeded_embeddings {n}": (_with(seeded_embeddings, n), valid)
        for n, valid in (
            ("vocab_size", _size),
            ("block_size", _size),
            ("n_embd", _size),
            ("seed", _seed),
        )
    },
    **{
        f"train {n}": (_with(train, n), valid)
        for n, valid in (
            ("steps", _size),
            ("batch_size", _size),
            ("block_size", _size),
            ("n_embd", _size),
            ("lr", _positive),
            ("seed", _seed),
            ("tie_weights", lambda v: isinstance(v, bool)),
            ("init_std", _positive_or_none),
        )
    },
    **{
        f"GPT {n}": (_with(GPT, n), valid)
        for n, valid in (
            ("positions", _position),
            ("n_layer", _size),
            ("n_embd", _size),
            ("n_head", _size),
            ("block_size", _size),
        )
    },
    **{
        f"train_gpt {n}": (_with(train_gpt.__wrapped__, n), valid)
        for n, valid in (
            ("positions", _position),
            ("n_layer", _size),
            ("n_embd", _size),
            ("block_size", _size),
            ("steps", _size),
            ("batch_size", _size),
            ("lr", _positive),
            ("seed", _seed),
        )
    },
    **{
        f"TinyGPT {n}": (_with(TinyGPT, n), valid)
        for n, valid in (
            *((n, _size) for n in ("vocab_size", "block_size", "n_embd", "n_head", "n_layer")),
            ("tie_weights", _bool),
            ("init_std", _positive_or_none),
        )
    },
    **{
        f"train_attention {n}": (_with(train_attention.__wrapped__, n), valid)
        for n, valid in (
            *((n, _seed if n == "seed" else _size) for n in _TRAIN),
            ("lr", _positive),
            ("init_std", _positive_or_none),
        )
    },
    **{
        f"train_scaled {n}": (_with_others(train_scaled.__wrapped__, _SCALED_RUN, n), valid)
        for n, valid in (
            ("init_std", _positive),
            ("sqrt_d_model", _bool),
            ("n_embd", _even),
            ("steps", _size),
            ("seed", _seed),
        )
    },
    **{
        f"fit {n}": (
            _with_others(functools.partial(fit, _NEXT_BYTE), _FIT, n),
            {"lr": _positive, "eval_every": lambda v: _int(v) and v >= 1}.get(n, _size),
        )
        for n in _FIT
    },
    **{
        f"ScaledNextByte {n}": (_with_others(ScaledNextByte, _SCALED, n), valid)
        for n, valid in (
            ("n_embd", _even),
            ("block_size", _size),
            ("init_std", _positive),
            ("scale", _positive),
        )
    },
    "ScaledNextByte token_ids": (ScaledNextByte(**_SCALED), lambda v: False),
    **{
        f"sinusoidal_table {n}": (_with(sinusoidal_table, n), valid)
        for n, valid in (("block_size", _size), ("n_embd", _even), ("base", _positive))
    },
    "shift_matrix k": (shift_matrix, _int),
    "apply_rope x": (lambda v: apply_rope(v, torch.arange(2)), lambda v: False),
    "apply_rope positions": (lambda v: apply_rope(torch.zeros(2, 4), v), lambda v: False),
    "rope_score q": (lambda v: rope_score(v, torch.ones(4), 1, 0), lambda v: False),
    "rope_score k": (lambda v: rope_score(torch.ones(4), v, 1, 0), lambda v: False),
    "rope_score m": (lambda v: rope_score(torch.ones(4), torch.ones(4), v, 0), _position_int),
    "rope_score n": (lambda v: rope_score(torch.ones(4), torch.ones(4), 0, v), _position_int),
    "next_byte_probs text": (
        next_byte_probs,
        lambda v: isinstance(v, str) and 0 < len(v.encode()) <= 16,
    ),
    "order_gap a": (lambda v: order_gap(_SMALL_GPT, v, "iH!"), _three_bytes),
    "order_gap b": (lambda v: order_gap(_SMALL_GPT, "Hi!", v), _three_bytes),
    "one_hot_multiply_adds n_tokens": (
        lambda v: one_hot_multiply_adds(_TABLE, v),
        lambda v: _int(v) and v >= 0,
    ),
    "byte_kind i": (byte_kind, _byte),
    "sample seed": (lambda v: sample(_SMALL_GPT, "Hi", 1, seed=v), _seed),
    "sample prompt": (lambda v: sample(_SMALL_GPT, v, 1), lambda v: isinstance(v, str) and v != ""),
    "sample n_bytes": (lambda v: sample(_SMALL_GPT, "Hi", v), lambda v: _int(v) and v >= 0),
    "held_out_loss block_size": (lambda v: held_out_loss(_SMALL_GPT, v), _size),
    "held_out_loss model": (lambda v: held_out_loss(v, 8), lambda v: False),
    "order_gap model": (order_gap, lambda v: False),
    "sample model": (lambda v: sample(v, "Hi", 1), lambda v: False),
    "nearest rows": (lambda v: nearest(v, [72, 105], 72), lambda v: False),
    "nearest ids": (lambda v: nearest(torch.zeros(256, 2), v, 72), _distinct_bytes),
    "nearest i": (lambda v: nearest(torch.zeros(256, 2), [72, 105], v), _byte),
    "same_kind_share ids": (
        lambda v: same_kind_share(torch.zeros(256, 2), v),
        lambda v: _distinct_bytes(v) and len(v) >= 2,
    ),
    "chance_share ids": (chance_share, lambda v: _distinct_bytes(v) and len(v) >= 2),
    "eval_loss model": (eval_loss, lambda v: False),
    "position_cosines rows": (position_cosines, lambda v: v is None),
    "positions_replaced model": (
        lambda v: positions_replaced(v, torch.zeros(8, 16)).__enter__(),
        lambda v: False,
    ),
    "pair_counts ids": (pair_counts, lambda v: isinstance(v, list | tuple)),
    **{
        f"GPT2Parameters {n}": (_with_others(GPT2Parameters, _GPT2, n), _size)
        for n in ("vocab_size", "block_size", "n_embd", "n_layer")
    },
    "load_text name": (load_text, lambda v: v in ("alice.txt", "wonderland.txt")),
    "uniform_loss vocab_size": (uniform_loss, lambda v: _int(v) and v >= 1),
    "byte_label token_id": (byte_label, _byte),
    "dim_labels n_embd": (dim_labels, _size),
    "encode text": (ByteTokenizer().encode, lambda v: isinstance(v, str)),
    "decode ids": (
        ByteTokenizer().decode,
        lambda v: isinstance(v, list | tuple | range | torch.Tensor) and _byte_ids(v),
    ),
    # helpers of the pages: any error will do, as long as one comes
    "pca_2d rows": (pca_2d, lambda v: False),
    "byte_groups ids": (byte_groups, _byte_ids),
    "byte_map run": (byte_map, lambda v: False),
}
ANY_ERROR = {"pca_2d rows", "byte_groups ids", "byte_map run"}


def _learner_writes(value: object) -> bool:
    """A value a learner may pass by mistake: it must get the package's own message."""
    if isinstance(value, str):
        return not any("\ud800" <= c <= "\udfff" for c in value)  # lone surrogates: Python's
    if type(value) is int:
        return abs(value) < 2**50  # larger sizes: PyTorch's allocator says no
    return type(value) in (type(None), bool, float, list, tuple, bytes)


def _holds(valid: Callable[[Any], bool], value: object) -> bool:
    try:
        return bool(valid(value))
    except Exception:  # an array's ==, say
        return False


@pytest.mark.parametrize("entry", list(ARGUMENTS))
@settings(max_examples=8)  # about 8 bad values per argument a run
@given(data=st.data())
def test_every_argument_of_every_entry_point_refuses_bad_values_clearly(
    entry: str, data: st.DataObject
) -> None:
    call, valid = ARGUMENTS[entry]
    value = data.draw(HOSTILE.filter(lambda v: not _holds(valid, v)), label=entry)
    name = entry.split()[-1]
    state = torch.random.get_rng_state()
    with pytest.raises(Exception) as info, warnings.catch_warnings():  # noqa: PT011
        warnings.simplefilter("ignore")
        call(value)
    if entry in ANY_ERROR or not _learner_writes(value):
        return
    message = str(info.value)
    assert info.type in (TypeError, ValueError), message
    assert name in message, message
    assert len(message) < 500
    if entry in ("encode text", "decode ids"):
        run_fixes(message, value, decode=ByteTokenizer().decode)
    assert torch.equal(torch.random.get_rng_state(), state)
