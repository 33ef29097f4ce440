"""GPT-2 small's embedding tables at their real size, measured without allocating them.

- ``gpt2_small``: the whole GPT-2 small (the 124M model) built on PyTorch's ``meta``
  device: every parameter has its shape and dtype, and no memory behind it.
- Its two tables are ``wte`` (``vocab_size x n_embd``) and ``wpe`` (``block_size x
  n_embd``), the names of nanoGPT and of the released checkpoint.
- ``table_bytes``: what a table would take in memory in a given dtype.
- The output head shares ``wte``'s weight (weight tying, as in GPT-2), so it adds no
  parameters of its own.

The sizes are ``GPT2_SMALL``, written here once; the layout of a block
(layer norm, attention, layer norm, MLP four times wider) is nanoGPT's ``model.py``.
"""

from __future__ import annotations

import torch
from torch import nn

from embeddings_explained import _checks as checks

# GPT-2 small's sizes (Radford et al. 2019; nanoGPT's GPTConfig), the one place they are written.
GPT2_SMALL = {"vocab_size": 50_257, "block_size": 1_024, "n_embd": 768, "n_layer": 12}
N_LAYER = GPT2_SMALL["n_layer"]  # transformer blocks


class _Block(nn.Module):
    """One transformer block's parameters, named as in nanoGPT (forward is not needed)."""

    def __init__(self, n_embd: int) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = nn.ModuleDict(
            {"c_attn": nn.Linear(n_embd, 3 * n_embd), "c_proj": nn.Linear(n_embd, n_embd)}
        )
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = nn.ModuleDict(
            {"c_fc": nn.Linear(n_embd, 4 * n_embd), "c_proj": nn.Linear(4 * n_embd, n_embd)}
        )


class GPT2Parameters(nn.Module):
    """GPT-2's parameters: ``wte``, ``wpe``, ``h`` (the blocks), ``ln_f``, ``lm_head`` (tied)."""

    def __init__(self, vocab_size: int, block_size: int, n_embd: int, n_layer: int) -> None:
        super().__init__()
        vocab_size, block_size, n_embd = checks.check_sizes(vocab_size, block_size, n_embd)
        checks.check_int("n_layer", n_layer, high=1_000, example=12, why=" (GPT-3 has 96)")
        # _weight skips the N(0, 1) fill: on meta there is nothing to fill, and the fill
        # would load torch's meta kernels for normal_ (seconds, once per process).
        self.wte = nn.Embedding(vocab_size, n_embd, _weight=torch.empty(vocab_size, n_embd))
        self.wpe = nn.Embedding(block_size, n_embd, _weight=torch.empty(block_size, n_embd))
        self.h = nn.ModuleList(_Block(n_embd) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # tied: one tensor, counted once


def gpt2_small(device: str | torch.device = "meta") -> GPT2Parameters:
    """GPT-2 small with its real sizes, on ``device`` (``meta``: shapes only, no memory)."""
    with torch.device(device):
        return GPT2Parameters(**GPT2_SMALL)


def parameter_count(module: nn.Module) -> int:
    """Numbers in a module's parameters; a shared (tied) tensor is counted once."""
    return sum(p.numel() for p in module.parameters())  # parameters() yields each tensor once


def table_bytes(table: nn.Embedding, dtype: torch.dtype = torch.float32) -> int:
    """Bytes the table's weight takes in ``dtype``: rows x columns x bytes per number."""
    return table.weight.numel() * torch.empty((), dtype=dtype, device="meta").element_size()


def one_hot_multiply_adds(table: nn.Embedding, n_tokens: int = 1) -> int:
    """Multiply-adds of ``one_hot(ids) @ table`` for ``n_tokens`` ids: the lookup does none."""
    return checks.check_int("n_tokens", n_tokens, low=0, example=1) * table.weight.numel()


def gpt2_parameter_count() -> int:
    """All of GPT-2 small's parameters, the tied head counted once: about 124M."""
    return parameter_count(gpt2_small())


def table_share() -> float:
    """The fraction of GPT-2 small's parameters in its two embedding tables."""
    model = gpt2_small()
    return (parameter_count(model.wte) + parameter_count(model.wpe)) / parameter_count(model)
