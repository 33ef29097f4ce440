"""The √d_model model: the factor multiplies the token rows only, never the positions."""

from __future__ import annotations

import math

import pytest
import torch

from embeddings_explained.positional import sinusoidal_table
from embeddings_explained.scaled import ScaledNextByte, train_scaled


def test_scale_multiplies_the_token_rows_and_leaves_the_positions_as_they_are() -> None:
    torch.manual_seed(0)
    model = ScaledNextByte(n_embd=8, block_size=4, init_std=0.02, scale=math.sqrt(8))
    ids = torch.tensor([[72, 105, 33]])  # (1, 3)
    x = model.token_embedding(ids) * math.sqrt(8) + sinusoidal_table(4, 8)[:3]  # (1, 3, 8)
    assert torch.equal(model(ids), model.head(x))
    assert model(ids).shape == (1, 3, 256)


def test_train_scaled_is_deterministic_and_refuses_a_width_that_is_not_an_int() -> None:
    a = train_scaled.__wrapped__(0.02, True, n_embd=8, steps=3)
    b = train_scaled.__wrapped__(0.02, True, n_embd=8, steps=3)
    assert a == b and len(a.losses) == 3
    with pytest.raises(TypeError, match="n_embd must be an int, got float 64.0; write 64"):
        train_scaled(0.02, True, n_embd=64.0)  # type: ignore[arg-type]
