"""The small GPT and the bench of position methods: the claims its pages make, on the runs."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import torch

from embeddings_explained.scaled import ScaledNextByte
from embeddings_explained.small_gpt import (
    BENCH_STEPS,
    GPT,
    KINDS,
    POSITIONS,
    GPTRun,
    byte_kind,
    chance_share,
    held_out_loss,
    nearest,
    order_gap,
    same_kind_share,
    sample,
    train_gpt,
)
from embeddings_explained.training import evaluate, fit, split_ids


def test_one_layer_without_positions_is_blind_to_order_and_two_layers_are_not() -> None:
    torch.manual_seed(0)
    one, two = GPT("none", n_layer=1), GPT("none", n_layer=2)  # untrained is enough
    assert order_gap(one, "Hi!", "iH!") < 1e-6
    assert order_gap(two, "Hi!", "iH!") > 1e-6
    for positions in POSITIONS[:-1]:  # every method with positions tells them apart
        model = train_gpt(positions, 1, steps=BENCH_STEPS).model
        assert order_gap(model, "Hi!", "iH!") > 1e-3


def test_the_learned_table_refuses_a_longer_input_and_the_others_run() -> None:
    torch.manual_seed(0)
    with pytest.raises(ValueError, match="exceeds block_size=32"):
        GPT("learned", block_size=32)(torch.zeros(1, 33, dtype=torch.long))
    for positions in POSITIONS[1:]:
        assert GPT(positions, block_size=32)(torch.zeros(1, 64, dtype=torch.long)).shape == (
            1, 64, 256,
        )  # fmt: skip


@pytest.mark.parametrize("positions", POSITIONS)
def test_the_model_runs_where_its_parameters_are(positions: str) -> None:
    """Positions, masks and sinusoids are made on the input's device and in its dtype: on
    ``meta`` (as on a GPU) no tensor may come from the CPU, and in float64 none in float32."""
    torch.manual_seed(0)
    on_meta, in_float64 = (
        GPT(positions, n_layer=1, n_embd=8, n_head=2, block_size=8) for _ in "ab"
    )
    ids = torch.zeros(2, 5, dtype=torch.long)
    assert on_meta.to("meta")(ids.to("meta")).shape == (2, 5, 256)
    assert in_float64.to(torch.float64)(ids).dtype == torch.float64


def test_unknown_positions_are_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"positions='rotary' is not one of \('learned'"):
        GPT("rotary")


def test_the_held_out_loss_is_the_last_evaluation_and_never_trained_on() -> None:
    run = train_gpt()
    assert run.held_out[-1][0] == len(run.losses)
    assert held_out_loss(run.model, 32) == pytest.approx(run.held_out[-1][1], abs=1e-9)
    assert len(split_ids()[1]) > 10 * 32


def test_sampling_keeps_the_models_own_context() -> None:
    """The default works for a model of any block_size: each byte sees at most that many."""
    torch.manual_seed(0)
    short = GPT("learned", n_layer=1, n_embd=8, n_head=2, block_size=4)
    assert len(sample(short, "Alice", 6)) == len("Alice") + 6


def test_sampling_is_seeded_and_starts_with_the_prompt() -> None:
    model = train_gpt().model
    a, b = sample(model, "Alice ", 40), sample(model, "Alice ", 40)
    assert a == b and a.startswith("Alice ") and len(a.encode()) == 46
    assert sample(model, "Alice ", 40, seed=1) != a


def test_kinds_and_the_same_kind_share() -> None:
    assert [byte_kind(ord(c)) for c in "aTt3. \n"] == [
        "vowels", "capitals", "consonants", "digits", "punctuation", "space", "space",
    ]  # fmt: skip
    assert set(KINDS) == {byte_kind(i) for i in range(256)}
    ids = [ord(c) for c in "aeTS"]
    rows = torch.zeros(256, 2)
    rows[ord("a")], rows[ord("e")] = torch.tensor([1.0, 0.0]), torch.tensor([0.9, 0.1])
    rows[ord("T")], rows[ord("S")] = torch.tensor([0.0, 1.0]), torch.tensor([0.1, 0.9])
    assert nearest(rows, ids, ord("a"), k=1) == [ord("e")]
    assert same_kind_share(rows, ids) == 1.0
    assert chance_share(ids) == pytest.approx(4 / 12)  # one same-kind byte among the 3 others


_MODELS = {p: GPT(p, n_layer=1) for p in POSITIONS}  # built once: a failed call draws nothing
_RUN = GPTRun(_MODELS["rope"], torch.zeros(256, 32), (), ())
_ROWS = torch.zeros(256, 2)


@pytest.mark.parametrize(
    ("call", "error", "says"),
    [
        (lambda: GPT(n_embd=30, n_head=4), ValueError, "n_embd=30 must be a multiple of 4"),
        (lambda: GPT("rope", n_embd=36, n_head=4), ValueError, "n_embd=36 must be a multiple of 8"),
        (lambda: GPT(n_layer=0), ValueError, "n_layer must be"),
        (lambda: _MODELS["rope"](torch.tensor([1, 2])), ValueError, "token_ids.unsqueeze(0)"),
        (lambda: _MODELS["alibi"](torch.tensor([[256]])), ValueError, "outside the vocabulary"),
        (lambda: _MODELS["none"](torch.tensor([[1.0]])), TypeError, "token_ids.round().long()"),
        (lambda: _MODELS["sinusoidal"]("Hi"), TypeError, "ByteTokenizer().encode('Hi')"),
        (lambda: _MODELS["learned"](torch.zeros(1, 33, dtype=torch.long)), ValueError, "T=33"),
        (lambda: train_gpt.__wrapped__(steps=0), ValueError, "steps must be"),
        (lambda: train_gpt.__wrapped__(block_size=10**5), ValueError, "block_size must be"),
        (lambda: train_gpt.__wrapped__(n_embd=30), ValueError, "n_embd=30 must be a multiple"),
        (lambda: sample(_MODELS["rope"], "", 5), ValueError, "prompt"),
        (lambda: sample(_MODELS["rope"], "Hi", -1), ValueError, "n_bytes"),
        (lambda: sample(_MODELS["rope"], "Hi", 10**9), ValueError, "n_bytes must be an int in"),
        (lambda: held_out_loss(_MODELS["rope"], 0), ValueError, "block_size"),
        (lambda: held_out_loss(_MODELS["learned"], 64), ValueError, "block_size <= 32"),
        # every window at once: its scores grow as the text times block_size (8192: 8 GB)
        (
            lambda: held_out_loss(_MODELS["rope"], 8192),
            ValueError,
            "block_size must be an int in [1, 2,048]",
        ),
        # the loop itself, before it draws a window: not "crop token_ids", which is not the fix
        (lambda: fit(_MODELS["learned"], 1, 4, 64, 0.01), ValueError, "train with block_size <="),
        (lambda: evaluate(_MODELS["learned"], split_ids()[1], 33), ValueError, "block_size <= 32"),
        (lambda: sample(_MODELS["rope"], "Hi", 5, seed=1.5), TypeError, "seed"),  # type: ignore[arg-type]
        (lambda: order_gap(_MODELS["none"], "Hi", "Hello"), ValueError, "one byte length"),
        (lambda: order_gap(_MODELS["none"], "", ""), ValueError, "non-empty"),
        (lambda: same_kind_share(torch.zeros(256, 2), [97]), ValueError, "at least 2 bytes"),
        (lambda: chance_share([]), ValueError, "at least 2 bytes"),
        (lambda: byte_kind(300), ValueError, "i must be an int in [0, 255] (a byte)"),
        # the run where its model belongs: every function that takes a model says so
        (lambda: sample(_RUN, "Hi", 5), TypeError, "pass the run's model: run.model"),  # type: ignore[arg-type]
        (lambda: held_out_loss(_RUN, 8), TypeError, "pass the run's model: run.model"),  # type: ignore[arg-type]
        (lambda: order_gap(_RUN), TypeError, "pass the run's model: run.model"),  # type: ignore[arg-type]
        # ids from a text repeat bytes, which would count twice
        (lambda: nearest(_ROWS, [97, 98, 97], 98), ValueError, "sorted(set(ids))"),
        (lambda: same_kind_share(_ROWS, list(b"banana")), ValueError, "byte 97 3 times"),
        (lambda: chance_share([97, 97, 98]), ValueError, "sorted(set(ids))"),
        (lambda: nearest(_ROWS, torch.tensor([97, 98]), 98), TypeError, "ids.tolist()"),  # type: ignore[arg-type]
        (lambda: nearest(_ROWS, [97, 98], "a"), TypeError, "i must be an int, got str 'a'"),  # type: ignore[arg-type]
        (lambda: nearest(_ROWS, [97, 300], 98), ValueError, "(ints in [0, 255]), got [97, 300]"),
        (lambda: nearest(_RUN, [97, 98], 98), TypeError, "run.model.wte.weight.detach()"),  # type: ignore[arg-type]
        (lambda: nearest(torch.zeros(32, 2), [97, 98], 98), ValueError, "got shape [32, 2]"),
        (lambda: nearest(_ROWS.T, [97, 98], 98), ValueError, "the token table [256, C]"),
        (lambda: nearest(_ROWS, "aei", 97), TypeError, "sorted(set(ids.encode()))"),  # type: ignore[arg-type]
        (lambda: chance_share(torch.tensor([97, 98])), TypeError, "sorted(set(ids.tolist()))"),  # type: ignore[arg-type]
        (lambda: order_gap(_MODELS["learned"], "a" * 40, "b" * 40), ValueError, "at most 32 bytes"),
        (lambda: ScaledNextByte(5, 16, 0.02, 1.0), ValueError, "n_embd must be even"),
    ],
)
def test_a_learners_mistake_with_the_small_gpt_gets_a_clear_error(
    call: Callable[[], object], error: type[Exception], says: str
) -> None:
    state = torch.random.get_rng_state()
    with pytest.raises(error, match=re.escape(says)):
        call()
    assert torch.equal(torch.random.get_rng_state(), state)
