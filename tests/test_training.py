"""The training demo: the claims the training page makes, proved on the real run."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import torch
from torch import nn

from embeddings_explained import Embeddings
from embeddings_explained.training import (
    NextByteModel,
    byte_groups,
    byte_map,
    evaluate,
    fit,
    load_text,
    pca_2d,
    split_ids,
    train,
    uniform_loss,
    windows,
)


def test_shipped_texts_are_ascii_the_opening_and_the_whole_book() -> None:
    opening, book = load_text("alice.txt"), load_text()
    assert 2_000 < len(opening.encode()) < 10_000 < 140_000 < len(book.encode())
    assert opening.isascii() and book.isascii()
    assert book.startswith("Alice's Adventures in Wonderland") and book.endswith("THE END")
    assert "Gutenberg" not in book  # no distributor's boilerplate (data/SOURCE.md)


def test_the_held_out_tenth_is_the_end_of_the_book_and_never_trained_on() -> None:
    train_ids, held_out_ids = split_ids()
    book = torch.tensor(list(load_text().encode()))
    assert torch.equal(torch.cat([train_ids, held_out_ids]), book)
    assert len(held_out_ids) == round(0.1 * len(book))
    assert train().text_ids == tuple(train_ids.tolist())  # what the run trained on


def test_a_caller_that_changes_its_ids_changes_no_one_elses() -> None:
    """split_ids encodes the book once per process: each caller gets its own copy."""
    train_ids, held_out_ids = split_ids()
    train_ids[0], held_out_ids[0] = 999, 999
    assert split_ids()[0][0] == ord("A") and split_ids()[1][0] != 999


def test_fit_samples_windows_only_from_the_training_part(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []

    class Recorder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(256))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            seen.append(x.clone())
            return self.w.expand(*x.shape, 256)

    train_ids, held_out_ids = split_ids()
    losses, held_out = fit(Recorder(), steps=30, batch_size=64, block_size=16, lr=0.01)
    assert len(losses) == 30 and [s for s, _ in held_out] == [30]
    n_eval = len(held_out_ids) // 16  # the evaluation: all held-out windows, in one batch
    training_batches = [x for x in seen if x.shape[0] != n_eval]
    assert len(training_batches) == 30
    train_windows = {tuple(train_ids[s : s + 16].tolist()) for s in range(len(train_ids) - 16)}
    assert all(tuple(w.tolist()) in train_windows for x in training_batches for w in x)


def test_loss_starts_worse_than_uniform_and_falls_clearly() -> None:
    losses = train().losses
    assert uniform_loss() < losses[0] < uniform_loss() + 0.5  # N(0, 1) tables: spread scores
    assert sum(losses[-100:]) / 100 < 0.5 * uniform_loss()


def test_training_is_deterministic() -> None:
    assert train.__wrapped__(steps=20).losses == train.__wrapped__(steps=20).losses


def test_rows_of_unseen_bytes_are_bit_for_bit_unchanged_and_seen_rows_moved() -> None:
    run = train()
    after = run.model.embeddings.token_embedding.weight.detach()
    seen = set(run.text_ids)
    for i in range(256):
        assert torch.equal(after[i], run.token_table_before[i]) == (i not in seen), i


def test_every_position_row_moved() -> None:
    run = train()
    after = run.model.embeddings.position_embedding.weight.detach()
    assert ((after - run.position_table_before).norm(dim=1) > 0).all()


def test_the_model_uses_the_unchanged_embeddings_class() -> None:
    model = NextByteModel()
    assert type(model.embeddings) is Embeddings
    assert model(torch.zeros(2, 16, dtype=torch.long)).shape == (2, 16, 256)


def test_pca_places_punctuation_apart_from_lowercase_as_the_page_says() -> None:
    run = train()
    w = run.model.embeddings.token_embedding.weight.detach()
    groups = byte_groups(set(run.text_ids))
    ids = [i for g in groups.values() for i in g]
    pc1: dict[int, float] = dict(zip(ids, pca_2d(w[ids])[:, 0].tolist(), strict=True))

    def mean(name: str) -> float:
        return sum(pc1[i] for i in groups[name]) / len(groups[name])

    # the page: punctuation left, vowels near the middle, capitals right of it, consonants right
    assert mean("punctuation") < mean("vowels") < mean("capitals") < mean("consonants")
    assert mean("punctuation") < -1 and abs(mean("vowels")) < 0.5 < mean("capitals")


def test_pca_orientation_does_not_depend_on_the_svd_sign() -> None:
    rows = torch.randn(10, 5, generator=torch.Generator().manual_seed(1))
    xy = pca_2d(rows)
    assert torch.allclose(pca_2d(rows), xy)
    for k in range(2):
        assert xy[xy[:, k].abs().argmax(), k] > 0


# --- tied weights, initial scale, positions: the claims of the training and positions pages


def test_tied_head_is_the_token_table_and_untied_is_not() -> None:
    tied, untied = NextByteModel(tie_weights=True), NextByteModel()
    assert tied.head.weight is tied.embeddings.token_embedding.weight
    assert untied.head.weight is not untied.embeddings.token_embedding.weight
    assert (
        sum(p.numel() for p in untied.parameters()) - sum(p.numel() for p in tied.parameters())
        == untied.head.weight.numel()
    )


def test_with_tied_weights_every_row_moves_even_for_unseen_bytes() -> None:
    run = train(steps=100, tie_weights=True)  # the training page's tied run
    after = run.model.embeddings.token_embedding.weight.detach()
    assert not (after == run.token_table_before).all(dim=1).any()
    assert ord("#") not in set(run.text_ids)  # the byte the page shows


def test_init_std_draws_both_tables_small() -> None:
    torch.manual_seed(0)
    model = NextByteModel(init_std=0.02)
    for table in (model.embeddings.token_embedding, model.embeddings.position_embedding):
        assert 0.015 < float(table.weight.detach().std()) < 0.025


def test_small_tables_start_near_uniform_and_train_as_well() -> None:
    small, default = train(init_std=0.02), train()
    assert abs(small.losses[0] - uniform_loss()) < 0.1 < default.losses[0] - uniform_loss()
    assert abs(sum(small.losses[-100:]) - sum(default.losses[-100:])) / 100 < 0.05


def test_the_next_byte_model_cannot_use_its_position_rows() -> None:
    from embeddings_explained.attention import eval_loss, positions_replaced

    model = train().model
    rows = model.embeddings.position_embedding.weight.detach().clone()
    learned = eval_loss(model)
    with positions_replaced(model, rows.mean(dim=0).expand_as(rows)):
        assert eval_loss(model) <= learned


# ----------------------------------------------------------------------------- arguments
# Every argument is checked before train() seeds or builds anything, so these tests never train.


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"steps": 0}, ValueError, r"steps must be an int in \[1, 1,000,000\] \(a CPU demo\)"),
        ({"steps": -5}, ValueError, "got -5"),
        ({"steps": 10**100}, ValueError, "a CPU demo"),
        ({"steps": 100.0}, TypeError, "steps must be an int, got float 100.0; write 100"),
        ({"steps": "100"}, TypeError, r"convert it first: int\('100'\)"),
        ({"steps": [1]}, TypeError, r"steps must be an int, got list \[1\]"),
        ({"batch_size": 0}, ValueError, r"batch_size must be an int in \[1, 16,384\]"),
        # its logits alone: 2**18 bytes x 256 scores; 2**24 (16 GiB of logits) was allowed
        ({"batch_size": 10**6}, ValueError, "2\\*\\*18 bytes a step"),
        ({"block_size": 20_000}, ValueError, r"block_size must be an int in \[1, 14,806\]"),
        ({"n_embd": 10**12}, ValueError, r"n_embd must be an int in \[1, 65,536\]"),
        ({"n_embd": None}, TypeError, "n_embd must be an int, got NoneType None"),
        ({"lr": math.inf}, ValueError, r"lr must be in \(0, 10\], got inf"),
        ({"lr": 1e30}, ValueError, "got 1e"),  # trained to nan losses, without an error
        ({"lr": math.nan}, ValueError, "got nan"),
        ({"lr": -0.02}, ValueError, "got -0.02"),
        ({"lr": "0.02"}, TypeError, "lr must be a number, got '0.02'"),
        ({"seed": 1.5}, TypeError, "seed must be an int, got float 1.5; pass an int"),
        ({"seed": True}, TypeError, "seed must be an int, got bool True"),
        ({"seed": 2**64}, ValueError, r"seed must be an int in \[-9,223,372,036,854,775,808"),
        ({"tie_weights": 1}, TypeError, "tie_weights must be True or False, got 1"),
        ({"init_std": 0}, ValueError, "init_std must be finite and positive, got 0"),
    ],
)
def test_train_refuses_bad_arguments_before_any_work(
    kwargs: dict[str, object], exc: type[Exception], message: str
) -> None:
    state = torch.random.get_rng_state()
    with pytest.raises(exc, match=message):
        train(**kwargs)  # type: ignore[arg-type]
    assert torch.equal(torch.random.get_rng_state(), state)  # not even seeded


def test_each_caller_of_train_gets_its_own_copy_of_the_run() -> None:
    first = train(steps=5)
    with torch.no_grad():
        first.model.embeddings.token_embedding.weight.add_(1.0)  # a caller trains it further
    second = train(steps=5)
    assert second.model is not first.model
    assert not torch.equal(
        second.model.embeddings.token_embedding.weight,
        first.model.embeddings.token_embedding.weight,
    )
    assert torch.equal(
        second.model.embeddings.token_embedding.weight,
        train(steps=5).model.embeddings.token_embedding.weight,
    )
    assert second.losses is first.losses  # the immutable parts are shared, not copied


@pytest.mark.parametrize("name", ["../model.py", "/etc/passwd", "alice", None])
def test_load_text_reads_only_the_texts_shipped_in_data(name: object) -> None:
    with pytest.raises(
        ValueError, match=r"is not a shipped text; use one of \['alice.txt', 'wonderland.txt'\]"
    ):
        load_text(name)  # type: ignore[arg-type]


def test_pca_2d_of_two_rows_has_the_documented_shape() -> None:
    assert pca_2d(torch.tensor([[0.0, 1.0], [2.0, 3.0]])).shape == (2, 2)


def test_byte_groups_of_a_list_with_repeats_lists_each_byte_once() -> None:
    groups = byte_groups([97, 97, 65])
    assert groups["vowels"] == [97] and groups["capitals"] == [65]
    assert byte_groups(i for i in b"aA")["capitals"] == [65]


@pytest.mark.parametrize(
    ("model", "message", "scored"),
    [
        (Embeddings(block_size=16), r"the layer alone.*NextByteModel\(block_size=16\)", True),
        (NextByteModel().requires_grad_(False), r"nothing to train.*requires_grad_\(True\)", False),
        (NextByteModel(block_size=16).to("meta"), r"meta device.*NextByteModel\(", True),
    ],
    ids=["embeddings-layer", "frozen", "meta"],
)
def test_fit_refuses_what_cannot_train_before_it_draws(
    model: nn.Module, message: str, scored: bool
) -> None:
    """They failed inside PyTorch after a batch was drawn: the global random state moved.
    A frozen model can still be scored; the others cannot."""
    state = torch.random.get_rng_state()
    with pytest.raises((TypeError, ValueError), match=message):
        fit(model, 2, 4, 16, 0.01)
    assert torch.equal(torch.random.get_rng_state(), state)
    if scored:
        with pytest.raises((TypeError, ValueError), match=message):
            evaluate(model, split_ids()[1], 16)


_MODEL = NextByteModel(block_size=8)
_TEN_BYTES = NextByteModel(vocab_size=10, block_size=8)  # built here: a failed call draws nothing
_RUN = type("Run", (), {"model": _MODEL})()  # a TrainingRun's shape: the model is run.model


@pytest.mark.parametrize(
    ("call", "exc", "message"),
    [
        (lambda: byte_groups({300}), ValueError, r"ids must be byte ids, ints in \[0, 256\)"),
        (lambda: byte_groups({1.5}), ValueError, "ids must be byte ids"),  # type: ignore[arg-type]
        (lambda: byte_groups([True, 97]), ValueError, "ids must be byte ids"),
        (lambda: byte_map(_MODEL), TypeError, r"run must be a TrainingRun.*train\(\)"),  # type: ignore[arg-type]
        (lambda: uniform_loss(0), ValueError, "vocab_size must be a positive int, got 0"),
        (lambda: pca_2d(torch.zeros(1, 1, 1)), ValueError, r"rows must be \[N, C\].*\[1, 1, 1\]"),
        (lambda: pca_2d(torch.zeros(1, 4)), ValueError, r"N >= 2 and C >= 2, got shape \[1, 4\]"),
        (lambda: NextByteModel(init_std="x"), TypeError, "init_std must be a number"),  # type: ignore[arg-type]
        (lambda: NextByteModel(tie_weights="no"), TypeError, "tie_weights must be True or"),  # type: ignore[arg-type]
        (lambda: NextByteModel(n_embd=0), ValueError, "n_embd must be a positive int"),
        # the run where its model belongs, and ids that are not yet a tensor of bytes
        (lambda: evaluate(_RUN, split_ids()[1], 8), TypeError, r"pass the run's model: run\.model"),
        (lambda: fit(_RUN, 1, 4, 8, 0.01), TypeError, r"pass the run's model: run\.model"),
        (
            lambda: windows([104, 105, 33], 1),  # type: ignore[arg-type]
            TypeError,
            r"ids must be a 1-D tensor.*torch\.tensor\(ids\)",
        ),
        (lambda: windows("hello", 1), TypeError, r"ByteTokenizer\(\)\.encode\(ids\)"),  # type: ignore[arg-type]
        (
            lambda: windows(split_ids()[1][None], 8),
            TypeError,
            r"got shape \[1, \d+\]; .*ids\.flatten\(\)",
        ),
        (lambda: evaluate(_MODEL, 16, split_ids()[1]), TypeError, "ids must be a 1-D tensor"),  # type: ignore[arg-type]
        # a model without a row for every byte of the book, before a window is drawn
        (lambda: fit(_TEN_BYTES, 1, 4, 8, 0.01), ValueError, "vocab_size=256"),
        (lambda: evaluate(_TEN_BYTES, split_ids()[1], 8), ValueError, "10 token rows"),
    ],
)
def test_the_helpers_check_their_arguments(
    call: Callable[[], object], exc: type[Exception], message: str
) -> None:
    state = torch.random.get_rng_state()
    with pytest.raises(exc, match=message):
        call()
    assert torch.equal(torch.random.get_rng_state(), state)


def test_train_and_train_attention_share_one_training_loop() -> None:
    import inspect

    from embeddings_explained import attention, training

    for module in (training, attention):
        assert inspect.getsource(module).count("optimizer.step()") == (module is training)


def test_windows_longer_than_the_ids_are_refused_not_a_nan_loss() -> None:
    """evaluate(model, five_ids, 16) returned nan: there is no window of 16 in 5 ids."""
    model = NextByteModel(block_size=16)
    with pytest.raises(ValueError, match=r"block_size must be an int in \[1, 4\] \(a window"):
        evaluate(model, torch.arange(5), 16)
    with pytest.raises(ValueError, match="block_size must be an int in"):
        windows(torch.arange(5), 0)  # was a ZeroDivisionError
    x, y = windows(torch.arange(5), 4)  # the largest that fits: one window
    assert x.tolist() == [[0, 1, 2, 3]] and y.tolist() == [[1, 2, 3, 4]]


def test_evaluate_builds_no_graph() -> None:
    """Regression: a check placed between ``@torch.no_grad()`` and ``def evaluate`` took the
    decorator, so every evaluation kept a graph of the whole forward pass."""
    model, graphs = NextByteModel(block_size=8), []
    model.register_forward_hook(lambda module, args, out: graphs.append(out.requires_grad))
    evaluate(model, split_ids()[1][:100], 8)
    assert graphs == [False]
