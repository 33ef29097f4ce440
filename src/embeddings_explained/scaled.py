"""The Transformer paper's √d_model: token rows multiplied by it before the sinusoids are added.

- ``ScaledNextByte``: token table times ``scale``, plus the fixed sinusoid table, then a
  linear head: ids ``[B, T]`` -> logits ``[B, T, 256]``.
- ``train_scaled``: that model trained by ``training.fit`` (Adam), the losses kept.

Vaswani et al. (2017), section 3.4: "In the embedding layers, we multiply those weights by
√d_model"; the annotated transformer writes it ``self.lut(x) * math.sqrt(self.d_model)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from embeddings_explained import _checks as checks
from embeddings_explained.positional import sinusoidal_table
from embeddings_explained.runcache import cached_run, one_thread
from embeddings_explained.training import fit

__all__ = ["ScaledNextByte", "ScaledRun", "train_scaled"]


class ScaledNextByte(nn.Module):
    positions: torch.Tensor  # a buffer: moves with the model, never trained

    def __init__(self, n_embd: int, block_size: int, init_std: float, scale: float) -> None:
        super().__init__()
        checks.check_sizes(256, block_size, n_embd)
        checks.check_real("init_std", init_std, example=0.02)
        checks.check_real("scale", scale, example=1.0)
        # the table first: it checks n_embd is even before a random row is drawn
        self.register_buffer("positions", sinusoidal_table(block_size, n_embd))  # (T, C)
        self.token_embedding = nn.Embedding(256, n_embd)  # (256, C)
        nn.init.normal_(self.token_embedding.weight, std=init_std)
        self.scale = scale
        self.head = nn.Linear(n_embd, 256)

    def forward(self, token_ids: torch.Tensor) -> torch.Tensor:
        checks.check_ids(token_ids, 256, len(self.positions), self.positions.device)
        T = token_ids.shape[1]
        x = self.token_embedding(token_ids) * self.scale + self.positions[:T]  # (B, T, C)
        logits: torch.Tensor = self.head(x)  # (B, T, 256)
        return logits


@dataclass(frozen=True)
class ScaledRun:
    losses: tuple[float, ...]  # the training loss at every step
    held_out: tuple[tuple[int, float], ...]  # (step, loss on the held-out text)


@cached_run
def train_scaled(
    init_std: float, sqrt_d_model: bool, n_embd: int = 64, steps: int = 300, seed: int = 0
) -> ScaledRun:
    """Train ``ScaledNextByte`` with rows from N(0, init_std), times √n_embd or not."""
    checks.check_train_args(steps, 32, 16, 0.01, 10**6, n_embd=n_embd, seed=seed)  # before the seed
    checks.check_real("init_std", init_std, example=0.02)
    checks.check_model_options(init_std, sqrt_d_model=sqrt_d_model)
    if n_embd % 2:  # the sinusoids come in sin/cos pairs
        raise ValueError(f"n_embd must be even, got {n_embd}; e.g. n_embd={n_embd + 1}")
    torch.manual_seed(seed)
    scale = math.sqrt(n_embd) if sqrt_d_model else 1.0
    model = ScaledNextByte(n_embd, block_size=16, init_std=init_std, scale=scale)
    with one_thread():
        losses, held_out = fit(model, steps, batch_size=32, block_size=16, lr=0.01)
    return ScaledRun(tuple(losses), tuple(held_out))
