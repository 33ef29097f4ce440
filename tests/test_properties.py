"""Property-based tests (hypothesis): the package's guarantees hold for any valid input,
and any invalid input gets a ValueError/TypeError that leaves the tables unchanged."""

from __future__ import annotations

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from embeddings_explained import ByteTokenizer, Embeddings

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
    return emb, draw(st.sampled_from([ids.tolist(), None, "Hi", 3, ids.numpy()]))


@given(invalid_input())
def test_invalid_input_gets_a_clear_error_and_changes_nothing(
    case: tuple[Embeddings, object],
) -> None:
    emb, bad = case
    before = _snapshot(emb)
    try:
        emb(bad)
    except (ValueError, TypeError) as error:
        assert "index out of range in self" not in str(error)
    else:
        raise AssertionError(f"no error for {bad!r}")
    assert _unchanged(emb, before)
