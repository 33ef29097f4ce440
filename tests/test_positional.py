"""The sinusoidal table and rotary embeddings do what the "Other ways" page claims."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from embeddings_explained.positional import (
    apply_rope,
    frequencies,
    rope_score,
    shift_matrix,
    sinusoidal_table,
)


def test_sinusoidal_table_follows_the_formula() -> None:
    table = sinusoidal_table(8, 4)
    p = torch.arange(8, dtype=torch.float64)
    for i, w in enumerate([1.0, 10_000.0 ** (-2 / 4)]):
        assert torch.allclose(table[:, 2 * i].double(), torch.sin(p * w), atol=1e-6)
        assert torch.allclose(table[:, 2 * i + 1].double(), torch.cos(p * w), atol=1e-6)


def test_sinusoidal_rows_do_not_depend_on_the_table_length() -> None:
    assert torch.equal(sinusoidal_table(64, 4)[:8], sinusoidal_table(8, 4))


@pytest.mark.parametrize("k", [0, 1, 3, 10])
@pytest.mark.parametrize("n_embd", [4, 16])
def test_offset_k_is_one_rotation_for_every_position(k: int, n_embd: int) -> None:
    table = sinusoidal_table(64, n_embd)
    m = shift_matrix(k, n_embd)
    assert torch.allclose(table[k:], table[: 64 - k] @ m.T, atol=1e-5)
    assert torch.allclose(m @ m.T, torch.eye(n_embd), atol=1e-6)  # a rotation: no stretching


@pytest.mark.parametrize("shift", [1, 5, 20])
def test_rope_scores_depend_only_on_the_offset(shift: int) -> None:
    torch.manual_seed(0)
    q, k = torch.randn(8), torch.randn(8)
    for m, n in [(0, 0), (3, 1), (1, 3), (6, 2)]:
        rq = apply_rope(q[None], torch.tensor([m]))[0]
        rk = apply_rope(k[None], torch.tensor([n]))[0]
        sq = apply_rope(q[None], torch.tensor([m + shift]))[0]
        sk = apply_rope(k[None], torch.tensor([n + shift]))[0]
        assert torch.allclose(rq @ rk, sq @ sk, atol=1e-5)


def test_rope_changes_scores_when_the_offset_changes() -> None:
    torch.manual_seed(0)
    q, k = torch.randn(4), torch.randn(4)
    scores = {
        float(apply_rope(q[None], torch.tensor([m]))[0] @ apply_rope(k[None], torch.tensor([0]))[0])
        for m in range(4)
    }
    assert len(scores) == 4


def test_rope_keeps_position_zero_and_lengths() -> None:
    torch.manual_seed(0)
    x = torch.randn(2, 5, 8)  # (B, T, C)
    out = apply_rope(x, torch.arange(5))
    assert out.shape == x.shape
    assert torch.equal(out[:, 0], x[:, 0])
    assert torch.allclose(out.norm(dim=-1), x.norm(dim=-1), atol=1e-5)


def test_odd_widths_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match=r"n_embd must be even .*; e.g. n_embd=6"):
        frequencies(5)


def test_rope_score_is_the_dot_product_of_the_rotated_vectors() -> None:
    torch.manual_seed(0)
    q, k = torch.randn(6), torch.randn(6)
    rq = apply_rope(q[None], torch.tensor([4]))[0]
    rk = apply_rope(k[None], torch.tensor([1]))[0]
    assert rope_score(q, k, 4, 1) == float(rq @ rk)
    assert rope_score(q, k, 0, 0) == pytest.approx(float(q @ k))


def test_tables_too_big_for_memory_are_refused_before_any_allocation() -> None:
    """sinusoidal_table(10**9, 4) was killed for memory (16 GB), not refused."""
    with pytest.raises(ValueError, match=r"block_size must be an int in \[1, 4,194,304\]"):
        sinusoidal_table(10**9, 4)
    with pytest.raises(ValueError, match=r"n_embd must be an int in \[1, 65,536\]"):
        frequencies(10**12)


def test_apply_rope_names_the_mistake_and_its_fix_works() -> None:
    positions = torch.arange(3)
    x = np.zeros((3, 4))  # NumPy rows: the fix converts them
    with pytest.raises(TypeError, match=r"torch.as_tensor\(x, dtype=torch.float32\)"):
        apply_rope(x, positions)  # type: ignore[arg-type]
    assert apply_rope(torch.as_tensor(x, dtype=torch.float32), positions).shape == (3, 4)
    with pytest.raises(TypeError, match=r"got dtype torch.int64; e.g. x.float\(\)"):
        apply_rope(torch.zeros(3, 4, dtype=torch.long), positions)
    one = torch.randn(4)  # one vector, no position axis
    with pytest.raises(ValueError, match=r"got shape \[4\]; .*x\[None\]"):
        apply_rope(one, torch.arange(1))
    assert apply_rope(one[None], torch.arange(1)).shape == (1, 4)
    with pytest.raises(ValueError, match=r"x's last dimension must be even .*got shape \[3, 5\]"):
        apply_rope(torch.zeros(3, 5), positions)
    with pytest.raises(ValueError, match="positions must hold T=3 integer positions"):
        apply_rope(torch.zeros(3, 4), torch.ones(3, dtype=torch.bool))
