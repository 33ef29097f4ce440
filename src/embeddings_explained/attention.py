"""A tiny GPT, one block of causal self-attention on ``Embeddings``: where positions matter.

- ``CausalSelfAttention``: nanoGPT's, written out (no fused kernel): each position mixes
  the value vectors of itself and the positions before it, weighted by a softmax of
  query-key scores.
- ``MLP`` and ``Block``: ``x = x + attn(ln_1(x)); x = x + mlp(ln_2(x))``, nanoGPT's block.
- ``TinyGPT``: ``Embeddings`` (token + position rows), ``n_layer`` blocks, a final
  LayerNorm and ``lm_head`` to ``vocab_size`` logits; ``tie_weights=True`` makes
  ``lm_head.weight`` the token table itself, as GPT-2 and nanoGPT do.
- ``train_attention``: Adam on next-byte prediction over the shipped text, seeded, cached.
- The measurements the pages show: the loss with the learned position rows, with their
  mean, shuffled (``position_ablation``); the prediction for reordered text
  (``next_byte_probs``); the cosine similarity of the position rows (``position_cosines``).

Links: GPT-2 (Radford et al. 2019), nanoGPT's ``model.py`` (Karpathy).
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from embeddings_explained import _checks as checks
from embeddings_explained.model import Embeddings
from embeddings_explained.runcache import cached_run, one_thread
from embeddings_explained.tokenizer import ByteTokenizer
from embeddings_explained.training import (
    NextByteModel,
    check_model,
    fit,
    float64,
    split_ids,
    windows,
)

# GPT-2's initial scale: N(0, 0.02) for the token table and the weights (nanoGPT's
# _init_weights too), N(0, 0.01) for the position table in OpenAI's src/model.py.
GPT2_INIT_STD = 0.02
GPT2_POSITION_INIT_STD = 0.01


# --8<-- [start:attention]
class CausalSelfAttention(nn.Module):
    """``n_head`` heads of causal self-attention: ``[B, T, C] -> [B, T, C]``."""

    def __init__(self, n_embd: int, n_head: int, block_size: int) -> None:
        super().__init__()
        if n_embd % n_head:
            raise ValueError(f"n_embd={n_embd} must be a multiple of n_head={n_head}")
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)  # query, key, value in one matrix
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.mask: torch.Tensor
        mask = torch.tril(torch.ones(block_size, block_size, dtype=torch.bool))
        self.register_buffer("mask", mask, persistent=False)  # (block_size, block_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)  # 3 x (B, T, C)
        q, k, v = (z.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for z in (q, k, v))
        att = q @ k.transpose(-2, -1) / math.sqrt(k.shape[-1])  # (B, nh, T, T)
        att = att.masked_fill(~self.mask[:T, :T], float("-inf"))  # no looking ahead
        y = F.softmax(att, dim=-1) @ v  # (B, nh, T, hs)
        out: torch.Tensor = self.c_proj(y.transpose(1, 2).reshape(B, T, C))  # (B, T, C)
        return out


# --8<-- [end:attention]


class MLP(nn.Module):
    """Two linear layers with GELU between, 4x wide in the middle, as in GPT-2."""

    def __init__(self, n_embd: int) -> None:
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd)
        self.c_proj = nn.Linear(4 * n_embd, n_embd)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out: torch.Tensor = self.c_proj(F.gelu(self.c_fc(x)))  # (B, T, C)
        return out


class Block(nn.Module):
    """One transformer block, pre-LayerNorm: ``x + attn(ln_1(x))``, then ``x + mlp(ln_2(x))``."""

    def __init__(self, n_embd: int, n_head: int, block_size: int) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, block_size)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = MLP(n_embd)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))  # (B, T, C)
        out: torch.Tensor = x + self.mlp(self.ln_2(x))  # (B, T, C)
        return out


class TinyGPT(nn.Module):
    """``Embeddings`` -> ``n_layer`` blocks -> LayerNorm -> ``lm_head``: ids ``[B, T]`` ->
    logits ``[B, T, vocab_size]``. The defaults are the site's tiny model (one head, one block).

    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> TinyGPT()(torch.tensor([[72, 105]])).shape
    torch.Size([1, 2, 256])
    """

    def __init__(
        self,
        vocab_size: int = 256,
        block_size: int = 16,
        n_embd: int = 32,
        n_head: int = 1,
        n_layer: int = 1,
        tie_weights: bool = False,
        init_std: float | None = None,
    ) -> None:
        super().__init__()
        checks.check_gpt("learned", n_layer, n_embd, n_head, block_size, known=("learned",))
        checks.check_model_options(init_std, tie_weights=tie_weights)  # before any draw
        self.embeddings = Embeddings(vocab_size, block_size, n_embd)
        self.blocks = nn.ModuleList(Block(n_embd, n_head, block_size) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)  # no bias, as in GPT-2
        if tie_weights:  # nanoGPT: self.transformer.wte.weight = self.lm_head.weight
            self.lm_head.weight = self.embeddings.token_embedding.weight
        if init_std is not None:  # nanoGPT's _init_weights: N(0, 0.02) weights, zero biases
            for m in self.modules():
                if isinstance(m, (nn.Linear, nn.Embedding)):
                    nn.init.normal_(m.weight, std=init_std)
                if isinstance(m, nn.Linear) and m.bias is not None:
                    nn.init.zeros_(m.bias)

    def forward(self, token_ids: torch.Tensor) -> torch.Tensor:
        x = self.embeddings(token_ids)  # (B, T, C): token rows + position rows
        for block in self.blocks:
            x = block(x)  # (B, T, C)
        logits: torch.Tensor = self.lm_head(self.ln_f(x))  # (B, T, vocab_size)
        return logits


@dataclass(frozen=True)
class AttentionRun:
    """A trained ``TinyGPT``, its position table before training, and the loss curves."""

    model: TinyGPT
    position_table_before: torch.Tensor  # (block_size, C)
    losses: tuple[float, ...]  # the training loss at every step
    held_out: tuple[tuple[int, float], ...]  # (step, loss on the held-out text)


# --8<-- [start:train]
@cached_run  # one run shared by pages, figures and tests; each caller gets a copy
def train_attention(
    steps: int = 400,
    batch_size: int = 32,
    block_size: int = 16,
    n_embd: int = 32,
    lr: float = 0.01,
    seed: int = 0,
    init_std: float | None = GPT2_INIT_STD,
) -> AttentionRun:
    """Train a one-head, one-block ``TinyGPT`` on the shipped text; deterministic per seed."""
    n = len(split_ids()[1])  # a window and its next byte must fit in the held-out text
    checks.check_train_args(steps, batch_size, block_size, lr, n, n_embd=n_embd, seed=seed)
    checks.check_model_options(init_std)
    with one_thread(), float64():  # the same numbers for any threads and CPU kernels
        torch.manual_seed(seed)
        model = TinyGPT(256, block_size, n_embd, init_std=init_std)
        pos_before = model.embeddings.position_embedding.weight.detach().clone()
        losses, held_out = fit(model, steps, batch_size, block_size, lr)  # train()'s loop
    model.eval()
    return AttentionRun(model, pos_before, tuple(losses), tuple(held_out))


# --8<-- [end:train]


def eval_windows(block_size: int = 16) -> tuple[torch.Tensor, torch.Tensor]:
    """Every non-overlapping window of the held-out text: inputs and targets ``[N, T]``."""
    return windows(split_ids()[1], block_size)


@contextlib.contextmanager
def positions_replaced(model: TinyGPT | NextByteModel, rows: torch.Tensor) -> Iterator[None]:
    """Lend ``model`` (a ``TinyGPT`` or a ``NextByteModel``) with its position table
    overwritten by ``rows`` (on one thread, no gradients), and put the learned rows back
    afterwards, bit for bit."""
    check_model(model, example="train_attention().model")
    table = model.embeddings.position_embedding.weight
    kept = table.detach().clone()
    with torch.no_grad(), one_thread():
        table.copy_(rows)
        try:
            yield
        finally:
            table.copy_(kept)


def eval_loss(model: TinyGPT | NextByteModel) -> float:
    """Mean loss of ``model`` on :func:`eval_windows` (its own position rows, one thread)."""
    check_model(model, example="train_attention().model")
    rows = model.embeddings.position_embedding.weight.detach().clone()
    x, y = eval_windows(rows.shape[0])
    with positions_replaced(model, rows):
        return float(F.cross_entropy(model(x).transpose(1, 2), y))


def _mean_rows(rows: torch.Tensor) -> torch.Tensor:
    return rows.mean(dim=0).expand_as(rows)  # every position gets the same row


@functools.cache
def position_ablation() -> dict[str, torch.Tensor]:
    """Per-position loss ``[T]`` of the trained model on :func:`eval_windows`, with its
    ``learned`` position rows, with their ``mean`` in every row, and ``shuffled`` rows
    (a fixed permutation)."""
    model = train_attention().model
    rows = model.embeddings.position_embedding.weight.detach().clone()
    perm = torch.randperm(rows.shape[0], generator=torch.Generator().manual_seed(0))
    x, y = eval_windows(rows.shape[0])
    result = {}
    for name, new in (("learned", rows), ("mean", _mean_rows(rows)), ("shuffled", rows[perm])):
        with positions_replaced(model, new):
            loss = F.cross_entropy(model(x).transpose(1, 2), y, reduction="none")  # (N, T)
        result[name] = loss.mean(dim=0)  # (T,)
    return result


def next_byte_probs(text: str, positions: str = "learned") -> torch.Tensor:
    """The trained model's probabilities ``[256]`` for the byte after ``text``, with its
    ``learned`` position rows or with their ``mean`` in every row."""
    if positions not in ("learned", "mean"):
        raise ValueError(f"positions must be 'learned' or 'mean', got {positions!r}")
    if not isinstance(text, str) or not 0 < len(text.encode()) <= 16:  # before any training
        raise ValueError(f"text must be a str of 1 to 16 bytes (the model's block_size), got "
                         f"{checks.short(text)}; e.g. next_byte_probs('Alic')")  # fmt: skip
    model = train_attention().model
    rows = model.embeddings.position_embedding.weight.detach().clone()
    ids = torch.tensor([ByteTokenizer().encode(text)])  # (1, T)
    with positions_replaced(model, rows if positions == "learned" else _mean_rows(rows)):
        return F.softmax(model(ids)[0, -1], dim=-1)  # (256,)


def position_cosines(rows: torch.Tensor | None = None) -> torch.Tensor:
    """Cosine similarity of every pair of position rows, ``[T, T]`` (the trained model's
    rows unless ``rows`` is given)."""
    if rows is None:
        rows = train_attention().model.embeddings.position_embedding.weight.detach()
    if not isinstance(rows, torch.Tensor) or rows.dim() != 2 or not rows.is_floating_point():
        got = f"shape {list(rows.shape)}" if isinstance(rows, torch.Tensor) else checks.short(rows)
        table = "train_attention().model.embeddings.position_embedding.weight"
        raise TypeError(f"rows must be a float table [T, C], got {got}; e.g. {table}.detach()")
    unit = F.normalize(rows, dim=1)  # (T, C), each row of length 1
    return unit @ unit.T  # (T, T)
