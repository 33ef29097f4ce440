"""Embeddings: the two tables, the forward pass, and clear errors that change nothing."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from embeddings_explained import ByteTokenizer, Embeddings


@pytest.fixture
def emb() -> Embeddings:
    torch.manual_seed(0)
    return Embeddings(vocab_size=256, block_size=8, n_embd=4)


def test_tables_have_the_documented_shapes(emb: Embeddings) -> None:
    assert isinstance(emb.token_embedding, nn.Embedding)
    assert emb.token_embedding.weight.shape == (256, 4)
    assert emb.position_embedding.weight.shape == (8, 4)
    assert [name for name, _ in emb.named_children()] == ["token_embedding", "position_embedding"]


def test_tables_are_default_normal_draws_token_table_first(emb: Embeddings) -> None:
    torch.manual_seed(0)
    assert torch.equal(emb.token_embedding.weight, torch.randn(256, 4))
    assert torch.equal(emb.position_embedding.weight, torch.randn(8, 4))


def test_forward_is_token_rows_plus_position_rows(emb: Embeddings) -> None:
    ids = torch.tensor([ByteTokenizer().encode("Hi")])
    out = emb(ids)
    assert out.shape == (1, 2, 4)
    w, p = emb.token_embedding.weight, emb.position_embedding.weight
    assert torch.equal(out[0, 0], w[72] + p[0])
    assert torch.equal(out[0, 1], w[105] + p[1])


def test_forward_accepts_int32_and_a_full_block(emb: Embeddings) -> None:
    ids = torch.arange(8, dtype=torch.int32).unsqueeze(0)
    assert torch.equal(emb(ids), emb(ids.long()))


def test_forward_accepts_an_empty_sequence(emb: Embeddings) -> None:
    assert emb(torch.zeros(1, 0, dtype=torch.long)).shape == (1, 0, 4)


def _params(m: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in m.state_dict().items()}


BAD_INPUTS = [
    pytest.param(
        torch.tensor([[72, 300]]),
        ValueError,
        r"token id 300 at position \[0, 1\] is outside the vocabulary \[0, 256\); "
        "was the text tokenized with another tokenizer",
        id="id-too-large",
    ),
    pytest.param(
        torch.tensor([[-1, 5]]),
        ValueError,
        r"token id -1 at position \[0, 0\] is outside",
        id="negative-id",
    ),
    pytest.param(
        torch.zeros(1, 9, dtype=torch.long), ValueError, "T=9 exceeds block_size=8", id="too-long"
    ),
    pytest.param(
        torch.tensor([[72.0, 105.0]]),
        TypeError,
        r"dtype torch.float32; convert with token_ids.long\(\)",
        id="float-ids",
    ),
    pytest.param(torch.tensor([[True, False]]), TypeError, "dtype torch.bool", id="bool-ids"),
    pytest.param(
        torch.tensor([72, 105]),
        ValueError,
        r"got 1-D shape \[2\]; add the batch dimension: token_ids.unsqueeze\(0\)",
        id="missing-batch-dim",
    ),
    pytest.param(
        torch.zeros(1, 1, 2, dtype=torch.long), ValueError, r"3-D shape \[1, 1, 2\]", id="3d"
    ),
    pytest.param(
        [[72, 105]],
        TypeError,
        r"must be a torch.Tensor of shape \[B, T\], got list .*torch.tensor",
        id="list",
    ),
    pytest.param("Hi", TypeError, "got str", id="str"),
]


@pytest.mark.parametrize(("ids", "exc", "message"), BAD_INPUTS)
def test_bad_input_gets_a_clear_error_and_changes_nothing(
    emb: Embeddings, ids: object, exc: type[Exception], message: str
) -> None:
    before = _params(emb)
    with pytest.raises(exc, match=message):
        emb(ids)
    after = _params(emb)
    assert all(torch.equal(before[k], after[k]) for k in before)


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"vocab_size": 0}, ValueError, "vocab_size must be a positive int, got 0"),
        ({"block_size": -3}, ValueError, "block_size must be a positive int, got -3"),
        ({"n_embd": 0}, ValueError, "n_embd must be a positive int, got 0"),
        ({"n_embd": 4.0}, TypeError, "n_embd must be an int, got float 4.0"),
        ({"block_size": True}, TypeError, "block_size must be an int, got bool"),
    ],
)
def test_constructor_rejects_bad_sizes(
    kwargs: dict[str, object], exc: type[Exception], message: str
) -> None:
    with pytest.raises(exc, match=message):
        Embeddings(**kwargs)  # type: ignore[arg-type]


def test_error_never_is_pytorch_index_error(emb: Embeddings) -> None:
    with pytest.raises(ValueError) as info:
        emb(torch.tensor([[256]]))
    assert not isinstance(info.value, IndexError)
    assert "index out of range in self" not in str(info.value)


def test_same_output_in_train_eval_and_no_grad(emb: Embeddings) -> None:
    ids = torch.tensor([[72, 105, 33]])
    out_train = emb.train()(ids)
    out_eval = emb.eval()(ids)
    with torch.no_grad():
        out_no_grad = emb(ids)
    assert torch.equal(out_train, out_eval) and torch.equal(out_eval, out_no_grad)
    assert out_train.requires_grad and not out_no_grad.requires_grad


def test_int32_and_int64_ids_give_identical_output(emb: Embeddings) -> None:
    ids = torch.tensor([[0, 72, 105, 255]])
    assert torch.equal(emb(ids.int()), emb(ids.long()))


def test_ids_on_another_device_get_a_clear_error(emb: Embeddings) -> None:
    ids = torch.zeros(1, 2, dtype=torch.long, device="meta")
    with pytest.raises(ValueError, match=r"token_ids are on meta but the tables are on cpu"):
        emb(ids)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU found; parity needs one")
def test_cuda_matches_cpu_and_positions_follow_the_input_device(emb: Embeddings) -> None:
    ids = torch.tensor([[72, 105], [0, 255]])
    expected = emb(ids)
    gpu = emb.to("cuda")
    out = gpu(ids.to("cuda"))
    assert out.device.type == "cuda"
    torch.testing.assert_close(out.cpu(), expected, rtol=0, atol=0)
    with pytest.raises(ValueError, match="token id 300 at position"):
        gpu(torch.tensor([[300]], device="cuda"))
