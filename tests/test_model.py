"""Embeddings: the two tables, the forward pass, and clear errors that change nothing."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from embeddings_explained import ByteTokenizer, Embeddings
from tests.test_checks import run_fixes


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
        "made by another tokenizer\\? Build the layer with vocab_size=301 or more",
        id="id-too-large",
    ),
    pytest.param(
        torch.tensor([[-1, 5]]),
        ValueError,
        r"token id -1 at position \[0, 0\] is outside",
        id="negative-id",
    ),
    pytest.param(
        torch.tensor([[72, 105, -100]]),
        ValueError,
        r"token id -100 at position \[0, 2\] .*never negative; .*token_ids.clamp\(min=0\)",
        id="ignore-index",
    ),
    pytest.param(
        torch.zeros(1, 9, dtype=torch.long), ValueError, "T=9 exceeds block_size=8", id="too-long"
    ),
    pytest.param(
        torch.tensor([[72.0, 105.0]]),
        TypeError,
        r"dtype torch.float32; convert with token_ids.round\(\).long\(\)",
        id="float-ids",
    ),
    pytest.param(
        torch.tensor([[True, False]]), TypeError, "dtype torch.bool; .*a mask", id="bool-ids"
    ),
    pytest.param(
        torch.tensor([72, 105]),
        ValueError,
        r"got 1-D shape \[2\]; add the batch dimension: token_ids.unsqueeze\(0\)",
        id="missing-batch-dim",
    ),
    pytest.param(
        torch.zeros(1, 1, 2, dtype=torch.long),
        ValueError,
        r"3-D shape \[1, 1, 2\]; give it the shape \[B, T\]: token_ids.flatten\(0, -2\)",
        id="3d",
    ),
    pytest.param(
        [[72, 105]],
        TypeError,
        r"must be a torch.Tensor of shape \[B, T\], got list \[\[72, 105\]\]; convert it: "
        r"torch.tensor\(token_ids\)",
        id="list",
    ),
    pytest.param(
        "Hi",
        TypeError,
        r"got str 'Hi'; text must be encoded first: "
        r"torch.tensor\(\[ByteTokenizer\(\).encode\('Hi'\)\]\)",
        id="str",
    ),
    pytest.param(b"Hi", TypeError, r"bytes are byte ids already", id="bytes"),
    pytest.param(None, TypeError, r"got NoneType None; .*did a function return None", id="None"),
    pytest.param(72, TypeError, r"got int 72; .*torch.tensor\(\[\[token_ids\]\]\)", id="int"),
    pytest.param(
        np.array([[72, 105]]), TypeError, r"got ndarray .*torch.as_tensor\(token_ids\)", id="numpy"
    ),
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
        ({"vocab_size": "256"}, TypeError, r"got str '256'; convert it first: int\('256'\)"),
        ({"n_embd": None}, TypeError, "n_embd must be an int, got NoneType None"),
        ({"n_embd": 2.5}, TypeError, "n_embd must be an int, got float 2.5"),
        # vocab_size=ids.max() + 1 is a tensor: the fix is its value, not an example
        ({"vocab_size": torch.tensor(300)}, TypeError, r"got Tensor tensor\(300\); write 300"),
        ({"vocab_size": torch.tensor([300])}, TypeError, "write 300"),
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
    with torch.device("meta"):
        on_meta = Embeddings()
    with pytest.raises(ValueError, match=r"the tables are on meta; .*token_ids.to\('meta'\)"):
        on_meta(torch.tensor([[72, 105]]))


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


# ----------------------------------------------------------------------------- any input at all


LEARNER_INPUTS = [
    pytest.param("Hi", id="str"),
    pytest.param("x" * 1000, id="long-str"),
    pytest.param(b"Hi", id="bytes"),
    pytest.param(bytearray(b"Hi"), id="bytearray"),
    pytest.param(None, id="None"),
    pytest.param(72, id="int"),
    pytest.param([72, 105], id="flat-list"),
    pytest.param((72, 105), id="tuple"),
    pytest.param([[72, 105], [33]], id="ragged-list"),
    pytest.param([[72, 105]], id="list"),
    pytest.param(torch.tensor([[72.0, 105.4]]), id="float"),
    pytest.param(torch.tensor([[72, 105]], dtype=torch.uint8), id="uint8"),
    pytest.param(torch.tensor([[True, False]]), id="bool"),
    pytest.param(torch.tensor(72), id="0-d"),
    pytest.param(torch.tensor([72, 105]), id="1-d"),
    pytest.param(torch.zeros(2, 3, 4, dtype=torch.long), id="3-d"),
    pytest.param(torch.zeros(1, 12, dtype=torch.long), id="too-long"),
    pytest.param(torch.tensor([[72, -100]]), id="ignore-index"),
    pytest.param([torch.tensor([72, 105]), torch.tensor([33, 33])], id="list-of-rows"),
    pytest.param([torch.tensor([72, 105])], id="list-of-one-row"),
    pytest.param([torch.tensor(72), torch.tensor(105)], id="list-of-0-d"),
]


@pytest.mark.parametrize("value", LEARNER_INPUTS)
def test_every_suggested_fix_runs_on_the_value_and_the_layer_takes_its_result(
    emb: Embeddings, value: object
) -> None:
    before = _params(emb)
    with pytest.raises((TypeError, ValueError)) as info:
        emb(value)
    message = str(info.value)
    assert message.startswith(("token_ids", "sequence length", "token id")), message
    assert len(message) < 400
    results = run_fixes(message, value, emb=emb)
    assert results, f"no fix in {message!r}"
    for result in results:
        try:
            emb(result)  # the fixed ids are taken, or the next error is another one
        except (TypeError, ValueError) as error:
            assert str(error) != message
    after = _params(emb)
    assert all(torch.equal(before[k], after[k]) for k in before)


def _quiet(make: Callable[[], object]) -> Callable[[], object]:
    def made() -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "in beta", "deprecated", "a prototype"
            return make()

    return made


EXOTIC_INPUTS = [
    pytest.param(_quiet(lambda: torch.tensor([[72, 105]]).to_sparse()), id="sparse-coo"),
    pytest.param(_quiet(lambda: torch.tensor([[72, 105]]).to_sparse_csr()), id="sparse-csr"),
    pytest.param(
        _quiet(lambda: torch.nested.nested_tensor([torch.tensor([72, 105]), torch.tensor([33])])),
        id="nested",
    ),
    pytest.param(
        _quiet(
            lambda: torch.quantize_per_tensor(torch.tensor([[72.0, 105.0]]), 1.0, 0, torch.quint8)
        ),
        id="quantized",
    ),
    pytest.param(lambda: torch.tensor([[72.0]]).to(torch.float8_e4m3fn), id="float8"),
    pytest.param(lambda: torch.tensor([[72.0 + 0j]]), id="complex"),
    pytest.param(
        _quiet(lambda: torch.masked.masked_tensor(torch.tensor([[72]]), torch.tensor([[True]]))),
        id="masked",
    ),
    pytest.param(lambda: "\ud800", id="lone-surrogate"),
    pytest.param(lambda: 2**80, id="huge-int"),
    pytest.param(lambda: [[72.0, 105.4]], id="list-of-floats"),
    pytest.param(lambda: np.array([[72, 105]]), id="numpy"),
    pytest.param(lambda: [torch.tensor([72, 105])], id="list-of-tensors"),
]


@pytest.mark.parametrize("make", EXOTIC_INPUTS)
def test_inputs_no_learner_writes_raise_and_change_nothing(
    emb: Embeddings, make: Callable[[], object]
) -> None:
    """PyTorch's or Python's own error is allowed here; a result or a changed table is not."""
    before, state = _params(emb), torch.random.get_rng_state()
    with pytest.raises(Exception), warnings.catch_warnings():  # noqa: B017, PT011 (any error)
        warnings.simplefilter("ignore")  # "aminmax is not implemented for MaskedTensor"
        emb(make())
    after = _params(emb)
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert torch.equal(torch.random.get_rng_state(), state)


# ----------------------------------------------------------------------------- sizes


def test_a_failed_constructor_leaves_the_random_stream_as_it_was() -> None:
    state = torch.random.get_rng_state()
    for bad in [{"n_embd": 0}, {"vocab_size": 2.5}, {"block_size": "8"}, {"n_embd": None}]:
        with pytest.raises((TypeError, ValueError)):
            Embeddings(**bad)  # type: ignore[arg-type]
    assert torch.equal(torch.random.get_rng_state(), state)


def test_sizes_no_machine_can_hold_get_pytorchs_error_at_once() -> None:
    for sizes in [(10**15, 8, 4), (2**40, 8, 2**40)]:
        with pytest.raises(RuntimeError, match="allocate|overflow"):
            Embeddings(*sizes)


def test_the_constructor_takes_numpy_ints_and_builds_int_sized_tables() -> None:
    emb = Embeddings(np.int64(10), np.int32(3), np.int16(2))  # type: ignore[arg-type]
    assert (emb.vocab_size, emb.block_size, emb.n_embd) == (10, 3, 2)
    assert type(emb.token_embedding.num_embeddings) is int


# ----------------------------------------------------------------------------- the tables rule


def test_a_replaced_token_table_sets_the_vocabulary(emb: Embeddings) -> None:
    emb.token_embedding = nn.Embedding(512, 4)
    assert emb.vocab_size == 512
    assert emb(torch.tensor([[300]])).shape == (1, 1, 4)
    with pytest.raises(ValueError, match=r"token id 600 .* outside the vocabulary \[0, 512\)"):
        emb(torch.tensor([[600]]))


def test_a_smaller_token_table_gives_the_clear_error_not_an_index_error(emb: Embeddings) -> None:
    emb.token_embedding = nn.Embedding(100, 4)
    with pytest.raises(ValueError, match=r"token id 200 .* \[0, 100\)"):
        emb(torch.tensor([[200]]))


def test_a_replaced_position_table_sets_block_size(emb: Embeddings) -> None:
    emb.position_embedding = nn.Embedding(16, 4)
    assert emb.block_size == 16
    assert emb(torch.zeros(1, 12, dtype=torch.long)).shape == (1, 12, 4)
    with pytest.raises(ValueError, match="T=17 exceeds block_size=16"):
        emb(torch.zeros(1, 17, dtype=torch.long))


def test_a_size_cannot_be_set_apart_from_its_table(emb: Embeddings) -> None:
    with pytest.raises(AttributeError, match="vocab_size"):
        emb.vocab_size = 300  # type: ignore[misc]
    assert emb.vocab_size == 256


# ----------------------------------------------------------------------------- meta device


def test_meta_ids_on_meta_tables_give_the_shape_as_nn_embedding_does() -> None:
    with torch.device("meta"):
        gpt2 = Embeddings(vocab_size=50_257, block_size=1_024, n_embd=768)  # no memory used
        ids = torch.zeros(8, 1_024, dtype=torch.long)
    out = gpt2(ids)
    assert out.device.type == "meta" and out.shape == (8, 1_024, 768)
    assert nn.Embedding(50_257, 768, device="meta")(ids).shape == (8, 1_024, 768)


# ----------------------------------------------------------------------------- PyTorch's tools


def test_torch_compile_fullgraph_traces_the_checks_without_a_graph_break(emb: Embeddings) -> None:
    torch.compiler.reset()
    # The eager backend: Dynamo traces the checks as the default inductor backend does
    # (where .item() used to break the graph), without seconds of code generation.
    compiled = torch.compile(emb, fullgraph=True, backend="eager")
    ids = torch.tensor([[72, 105], [33, 10]])
    assert torch.equal(compiled(ids), emb(ids))
    with pytest.raises(Exception, match="T=9 exceeds block_size=8"):  # Dynamo reports it
        compiled(torch.zeros(1, 9, dtype=torch.long))


def test_torch_export_keeps_the_length_check_as_a_constraint(emb: Embeddings) -> None:
    from torch.export import Dim

    ids = torch.zeros(2, 3, dtype=torch.long)
    program = torch.export.export(
        emb, (ids,), dynamic_shapes={"token_ids": {0: Dim("B"), 1: Dim("T", max=8)}}
    )
    longest = torch.tensor([[72, 105, 33, 10, 0, 1, 2, 3]])
    assert torch.equal(program.module()(longest), emb(longest))
    with pytest.raises(Exception, match=r"size\(\)\[1\] <= 8"):
        program.module()(torch.zeros(1, 9, dtype=torch.long))


def test_vmap_runs_the_layer_on_each_batch_and_a_bad_id_still_raises(emb: Embeddings) -> None:
    batches = torch.tensor([[[72, 105]], [[33, 10]]])  # (N, B, T)
    out = torch.func.vmap(emb)(batches)
    assert torch.equal(out, torch.stack([emb(b) for b in batches]))
    with pytest.raises(IndexError):  # the ids cannot be read under vmap: PyTorch's lookup says it
        torch.func.vmap(emb)(torch.tensor([[[72, 105]], [[33, 300]]]))


def test_swapped_sizes_are_named_in_the_message() -> None:
    """LLMs-from-scratch #664: a token table with block_size rows; the message says so."""
    swapped = Embeddings(vocab_size=8, block_size=256, n_embd=4)
    with pytest.raises(
        ValueError, match=r"were the sizes swapped\? .*vocab_size=256, block_size=8"
    ):
        swapped(torch.tensor([[72, 105]]))
    with pytest.raises(
        ValueError, match="vocab_size=73 or more"
    ):  # a small vocabulary, not swapped
        Embeddings(vocab_size=8, block_size=8, n_embd=4)(torch.tensor([[72]]))


@pytest.mark.parametrize(
    ("sizes", "ids"),
    [
        pytest.param((8, 256, 4), [[72, 105]], id="swapped"),
        pytest.param((8, 16, 4), [[72]], id="both-too-small"),
        pytest.param((4, 8, 256), [[72]], id="n_embd-and-vocab-swapped"),
        pytest.param((8, 256, 4), [[72] * 12], id="longer-than-the-swapped-block"),
        pytest.param((8, 8, 4), [[72]], id="small-vocabulary"),
        pytest.param((256, 8, 4), [[15496]], id="another-tokenizer"),
    ],
)
def test_the_sizes_a_message_suggests_take_the_ids(
    sizes: tuple[int, int, int], ids: list[list[int]]
) -> None:
    """The swap was suggested for ids that the swapped table could not hold either."""
    vocab_size, block_size, n_embd = sizes
    emb = Embeddings(vocab_size=vocab_size, block_size=block_size, n_embd=n_embd)
    with pytest.raises(ValueError, match="outside the vocabulary") as info:
        emb(torch.tensor(ids))
    suggested = dict(re.findall(r"\b(vocab_size|block_size)=(\d+)", str(info.value)))
    assert "vocab_size" in suggested, str(info.value)
    sizes_now = {"vocab_size": vocab_size, "block_size": block_size, "n_embd": n_embd}
    fixed = Embeddings(**{**sizes_now, **{k: int(v) for k, v in suggested.items()}})
    assert fixed(torch.tensor(ids)).shape == (1, len(ids[0]), n_embd)


def test_init_and_forward_read_like_nanogpt_with_one_checking_call_each() -> None:
    source = (Path(__file__).parent.parent / "src/embeddings_explained/model.py").read_text()
    for section in ("init", "forward"):
        body = source.split(f"[start:{section}]")[1].split(f"[end:{section}]")[0]
        assert body.count("check") == 1, section
        assert not re.search(r"^\s*with .*:$", body, re.M), section  # no context manager
        assert len(body.strip().splitlines()) <= 10, section


@pytest.mark.parametrize(
    "ids",
    [
        [torch.tensor([[72, 105]]), torch.tensor([[33, 10]])],  # batches [1, T]: torch.cat
        [torch.tensor([72, 105]), torch.tensor([33, 10])],  # rows [T]: torch.stack
        [torch.tensor([72, 105]), torch.tensor([33])],  # rows of two lengths: one at a time
    ],
    ids=["batches", "rows", "ragged"],
)
def test_the_fix_for_a_list_of_tensors_works_when_applied(ids: list[torch.Tensor]) -> None:
    """It said torch.tensor([token_ids]), which raises for tensors (a learner's probe)."""
    emb = Embeddings()
    with pytest.raises(TypeError) as e:
        emb(ids)
    fix = str(e.value).rsplit(": ", 1)[1]
    assert emb(eval(fix, {"torch": torch, "token_ids": ids})).shape[-1] == emb.n_embd
