"""GPT-2 small on the meta device has the real sizes, and measuring it allocates nothing."""

from __future__ import annotations

import re

import pytest
import torch

from embeddings_explained.scale import (
    GPT2Parameters,
    gpt2_parameter_count,
    gpt2_small,
    one_hot_multiply_adds,
    parameter_count,
    table_bytes,
    table_share,
)
from embeddings_explained.showcase import GPT2_SMALL


def test_gpt2_small_has_the_published_124m_parameters() -> None:
    # Hugging Face's GPT2Model("gpt2").num_parameters(), the released checkpoint's count
    assert parameter_count(gpt2_small()) == 124_439_808


def test_the_tables_have_gpt2s_shapes_and_live_on_meta() -> None:
    model = gpt2_small()
    assert model.wte.weight.shape == (GPT2_SMALL["vocab_size"], GPT2_SMALL["n_embd"])
    assert model.wpe.weight.shape == (GPT2_SMALL["block_size"], GPT2_SMALL["n_embd"])
    assert all(p.device.type == "meta" for p in model.parameters())


def test_the_tied_head_adds_no_parameters() -> None:
    model = gpt2_small()
    assert model.lm_head.weight is model.wte.weight
    untied = sum(p.numel() for _, p in model.named_parameters(remove_duplicate=False))
    assert untied - parameter_count(model) == model.wte.weight.numel()


def test_meta_counts_equal_real_counts() -> None:
    with torch.device("cpu"):
        real = GPT2Parameters(vocab_size=256, block_size=8, n_embd=4, n_layer=2)
    with torch.device("meta"):
        meta = GPT2Parameters(vocab_size=256, block_size=8, n_embd=4, n_layer=2)
    assert parameter_count(real) == parameter_count(meta)
    assert table_bytes(real.wte) == real.wte.weight.nelement() * real.wte.weight.element_size()


def test_bytes_per_number_follow_the_dtype() -> None:
    wte = gpt2_small().wte
    n = GPT2_SMALL["vocab_size"] * GPT2_SMALL["n_embd"]
    assert table_bytes(wte) == 4 * n
    assert table_bytes(wte, torch.bfloat16) == 2 * n


def test_one_hot_costs_a_whole_table_per_token() -> None:
    wte = gpt2_small().wte
    assert one_hot_multiply_adds(wte, n_tokens=3) == 3 * wte.weight.numel()


def test_table_share_is_the_tables_over_the_whole_model() -> None:
    model = gpt2_small()
    tables = model.wte.weight.numel() + model.wpe.weight.numel()
    assert table_share() == tables / gpt2_parameter_count()
    assert 0.3 < table_share() < 0.33  # the tables are about a third of GPT-2 small


@pytest.mark.parametrize(
    ("sizes", "says"),
    [
        ((8.0, 8, 4, 1), "vocab_size must be an int, got float 8.0; write 8"),
        (("8", 8, 4, 1), "vocab_size must be an int, got str '8'"),
        ((-1, 8, 4, 1), "vocab_size must be a positive int, got -1"),
        ((8, 8, 4, 1.5), "n_layer must be an int, got float 1.5"),
        # a stack built one block at a time: 2**50 of them filled the memory, never failed
        ((8, 8, 4, 2**50), "n_layer must be an int in [1, 1,000]"),
    ],
)
def test_the_sizes_of_gpt2s_shape_are_checked_before_anything_is_built(
    sizes: tuple[object, ...], says: str
) -> None:
    with pytest.raises((TypeError, ValueError), match=re.escape(says)):
        GPT2Parameters(*sizes)  # type: ignore[arg-type]
