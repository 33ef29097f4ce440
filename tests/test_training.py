"""The training demo: the claims the training page makes, proved on the real run."""

from __future__ import annotations

import torch

from embeddings_explained import Embeddings
from embeddings_explained.training import (
    NextByteModel,
    byte_groups,
    load_text,
    pca_2d,
    train,
    uniform_loss,
)


def test_shipped_text_is_a_few_kilobytes_of_ascii() -> None:
    text = load_text()
    assert 2_000 < len(text.encode()) < 10_000
    assert text.isascii()


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
    pc1 = dict(zip(ids, pca_2d(w[ids])[:, 0].tolist(), strict=True))

    def mean(name: str) -> float:
        return sum(pc1[i] for i in groups[name]) / len(groups[name])

    assert mean("punctuation") > mean("vowels") > mean("capitals")
    assert mean("punctuation") > mean("consonants") > mean("capitals")


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
    assert ord("z") not in set(run.text_ids)


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
