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


def test_loss_starts_near_ln256_and_falls_clearly() -> None:
    losses = train().losses
    assert abs(losses[0] - uniform_loss()) < 0.5
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
