"""A small GPT with a choice of positions: what trained rows mean, and a bench of methods.

- ``GPT``: nanoGPT's shape on bytes: token rows, ``n_layer`` pre-LayerNorm blocks of causal
  self-attention and an MLP, a final LayerNorm, and a head tied to the token table. Its
  ``positions`` is one of ``POSITIONS``:

  - ``"learned"``: a trained table of ``block_size`` rows added to the token rows (GPT-2);
    the package's ``Embeddings``, so a longer input gets its error;
  - ``"sinusoidal"``: the fixed sin/cos table added instead, to token rows drawn with
    std 1/√n_embd and multiplied by √n_embd, as in the Transformer (2017): rows of
    std 0.02 would drown in it;
  - ``"rope"``: nothing added; queries and keys rotated by their position (RoFormer, Llama);
  - ``"alibi"``: nothing added; each attention score lowered in proportion to the distance
    between the two positions, by a slope per head (Press et al., 2022);
  - ``"none"``: no positions at all; only the causal mask knows about order.

- ``train_gpt``: ``training.fit`` (the site's one loop) on a fresh ``GPT``, seeded, on one
  thread, kept by the run cache.
- ``sample``: bytes drawn from a trained model, one at a time, from a seeded generator.
- ``byte_kind``, ``nearest``, ``same_kind_share``: what the trained token rows learned.
- ``order_gap`` and ``held_out_loss`` at any length: the bench of position methods.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from embeddings_explained import _checks as checks
from embeddings_explained.attention import MLP
from embeddings_explained.model import Embeddings
from embeddings_explained.positional import apply_rope, sinusoidal_table
from embeddings_explained.runcache import cached_run, one_thread
from embeddings_explained.tokenizer import ByteTokenizer
from embeddings_explained.training import check_model, evaluate, fit, float64, split_ids

__all__ = [
    "BENCH_STEPS",
    "GPT",
    "KINDS",
    "POSITIONS",
    "GPTRun",
    "byte_kind",
    "chance_share",
    "held_out_loss",
    "nearest",
    "order_gap",
    "sample",
    "same_kind_share",
    "train_gpt",
]

POSITIONS = ("learned", "sinusoidal", "rope", "alibi", "none")


# --8<-- [start:attention]
class Attention(nn.Module):
    """Causal self-attention, ``[B, T, C] -> [B, T, C]``, with RoPE or ALiBi if asked."""

    def __init__(self, n_embd: int, n_head: int, positions: str) -> None:
        super().__init__()
        self.n_head, self.positions = n_head, positions
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)  # query, key, value in one matrix
        self.c_proj = nn.Linear(n_embd, n_embd)
        slopes = torch.tensor([2 ** (-8 * (h + 1) / n_head) for h in range(n_head)])
        self.slopes: torch.Tensor  # ALiBi's, one per head: 2^(-8/n_head) down to 2^(-8)
        self.register_buffer("slopes", slopes, persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)  # 3 x (B, T, C)
        q, k, v = (z.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for z in (q, k, v))
        t = torch.arange(T, device=x.device)  # the positions 0 .. T-1
        if self.positions == "rope":  # rotate queries and keys; the values stay as they are
            q, k = apply_rope(q, t), apply_rope(k, t)
        att = q @ k.transpose(-2, -1) / math.sqrt(k.shape[-1])  # (B, nh, T, T)
        distance = t[:, None] - t[None, :]  # (T, T): how far back key j is from query i
        if self.positions == "alibi":  # the further back, the lower the score
            att = att - self.slopes[:, None, None] * distance
        att = att.masked_fill(distance < 0, float("-inf"))  # no looking ahead
        y = F.softmax(att, dim=-1) @ v  # (B, nh, T, hs)
        out: torch.Tensor = self.c_proj(y.transpose(1, 2).reshape(B, T, C))  # (B, T, C)
        return out


# --8<-- [end:attention]


class Block(nn.Module):
    """nanoGPT's block: ``x + attn(ln_1(x))``, then ``x + mlp(ln_2(x))``."""

    def __init__(self, n_embd: int, n_head: int, positions: str) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = Attention(n_embd, n_head, positions)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = MLP(n_embd)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        out: torch.Tensor = x + self.mlp(self.ln_2(x))
        return out


# --8<-- [start:gpt]
class GPT(nn.Module):
    """Byte ids ``[B, T]`` -> logits ``[B, T, 256]``, with one of the ``POSITIONS``."""

    def __init__(
        self,
        positions: str = "learned",
        n_layer: int = 2,
        n_embd: int = 32,
        n_head: int = 4,
        block_size: int = 32,
    ) -> None:
        super().__init__()
        checks.check_gpt(positions, n_layer, n_embd, n_head, block_size, known=POSITIONS)
        self.positions, self.block_size = positions, block_size  # the context sample() keeps
        if positions == "learned":
            # token rows + position rows, as on every other page
            self.embeddings: nn.Module = Embeddings(256, block_size, n_embd)
            self.wte = self.embeddings.token_embedding
        else:
            # token rows only: the position, if any, enters elsewhere
            self.embeddings = self.wte = nn.Embedding(256, n_embd)
        self.blocks = nn.ModuleList(Block(n_embd, n_head, positions) for _ in range(n_layer))
        self.ln_f = nn.LayerNorm(n_embd)
        self.lm_head = nn.Linear(n_embd, 256, bias=False)
        # nanoGPT's _init_weights: N(0, 0.02), zero biases
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.zeros_(m.bias)
        if positions == "sinusoidal":
            # the Transformer's rows: std 1/√C, times √C in forward
            nn.init.normal_(self.wte.weight, std=n_embd**-0.5)
        # tied, as in GPT-2 and nanoGPT
        self.lm_head.weight = self.wte.weight

    def forward(self, token_ids: torch.Tensor) -> torch.Tensor:
        if self.positions != "learned":
            # Embeddings checks its own ids; here T may be any length
            checks.check_ids(token_ids, 256, None, self.wte.weight.device)
        x = self.embeddings(token_ids)  # (B, T, C)
        if self.positions == "sinusoidal":
            # the Transformer's: rows times √C, plus a formula for any T
            T, C = x.shape[1:]
            x = x * math.sqrt(C) + sinusoidal_table(T, C).to(x)
        for block in self.blocks:
            x = block(x)
        logits: torch.Tensor = self.lm_head(self.ln_f(x))  # (B, T, 256)
        return logits


# --8<-- [end:gpt]


@dataclass(frozen=True)
class GPTRun:
    """A trained ``GPT``, its token table before training, and both loss curves."""

    model: GPT
    token_table_before: torch.Tensor  # (256, C), a copy taken before step 1
    losses: tuple[float, ...]  # the training loss at every step
    held_out: tuple[tuple[int, float], ...]  # (step, loss on the held-out text)


# --8<-- [start:train]
@cached_run  # trained once per change of the package, PyTorch or CPU; each caller a copy
def train_gpt(
    positions: str = "learned", n_layer: int = 2, n_embd: int = 32, block_size: int = 32,
    steps: int = 1000, batch_size: int = 16, lr: float = 3e-3, seed: int = 0,
) -> GPTRun:  # fmt: skip
    """Train a ``GPT`` (in float64) on the book's first 90 %, on one thread."""
    n = len(split_ids()[1])  # a window and its next byte must fit in the held-out text
    checks.check_train_args(steps, batch_size, block_size, lr, n, n_embd=n_embd, seed=seed)
    checks.check_gpt(positions, n_layer, n_embd, 4, block_size, known=POSITIONS)
    with one_thread(), float64():  # the same numbers for any threads and CPU kernels
        torch.manual_seed(seed)
        model = GPT(positions, n_layer, n_embd, n_head=4, block_size=block_size)
        before = model.wte.weight.detach().clone()
        losses, held_out = fit(model, steps, batch_size, block_size, lr, eval_every=100)
    model.eval()
    return GPTRun(model, before, tuple(losses), tuple(held_out))


# --8<-- [end:train]


def _check_model(model: object) -> None:
    check_model(model, GPT, example="train_gpt().model")  # a GPTRun gets "run.model"


def held_out_loss(model: GPT, block_size: int) -> float:
    """The loss over every window of ``block_size`` bytes of the held-out text."""
    _check_model(model)
    why = " (every window at once: scores grow as the text times block_size)"
    checks.check_int("block_size", block_size, high=2048, example=64, why=why)
    with one_thread():  # a learned table has no row past the model's block_size: an error
        return evaluate(model, split_ids()[1], block_size)


# --8<-- [start:sample]
@torch.no_grad()
def sample(model: GPT, prompt: str, n_bytes: int, seed: int = 0) -> str:
    """``prompt`` and ``n_bytes`` more, each drawn from the model's probabilities, each
    seeing at most the model's ``block_size`` bytes before it."""
    _check_model(model)
    if not isinstance(prompt, str) or not prompt:  # the model needs a byte to follow
        error = ValueError if isinstance(prompt, str) else TypeError
        raise error(f"prompt must be a non-empty str, got {checks.short(prompt)}; e.g. 'Alice'")
    checks.check_int("n_bytes", n_bytes, low=0, high=10**5, example=100, why=" (a CPU demo)")
    checks.check_int("seed", seed, low=-(2**63), high=2**64 - 1, example=0)
    generator = torch.Generator().manual_seed(seed)  # its own: the global stream stays
    ids, device = ByteTokenizer().encode(prompt), model.lm_head.weight.device
    with one_thread():
        for _ in range(n_bytes):
            context = torch.tensor([ids[-model.block_size :]], device=device)  # (1, T)
            probs = F.softmax(model(context)[0, -1], dim=-1)  # (256,) the next byte
            ids.append(int(torch.multinomial(probs.cpu(), 1, generator=generator)))
    return bytes(ids).decode("utf-8", errors="replace")


# --8<-- [end:sample]

KINDS = ("vowels", "consonants", "capitals", "digits", "punctuation", "space")


def byte_kind(i: int) -> str:
    """The kind of byte ``i``: one of ``KINDS``."""
    c = chr(checks.check_int("i", i, low=0, high=255, example=72, why=" (a byte)"))
    if c in "aeiou":
        return "vowels"
    if c.islower():
        return "consonants"
    if c.isupper():
        return "capitals"
    if c.isdigit():
        return "digits"
    return "space" if c in " \n" else "punctuation"


def _check_bytes(ids: object, at_least: int) -> None:
    """``ids``: a list of at least ``at_least`` bytes, each once (a text's bytes repeat)."""
    if not isinstance(ids, list | tuple | range):
        fix = "sorted(set(ids.tolist()))" if hasattr(ids, "tolist") else "sorted(set(ids))"
        fix = "sorted(set(ids.encode()))" if isinstance(ids, str) else fix  # bytes, not chars
        got = f"{type(ids).__name__} {checks.short(ids)}"
        raise TypeError(f"ids must be a list of byte values, got {got}; convert it: {fix}")
    if not all(type(i) is int and 0 <= i < 256 for i in ids) or len(ids) < at_least:
        raise ValueError(f"ids must hold at least {at_least} bytes (ints in [0, 255]), got "
                         f"{checks.short(ids)}; e.g. [97, 101, 105]")  # fmt: skip
    counts = Counter(ids)
    if repeats := [f"byte {i} {n} times" for i, n in counts.items() if n > 1]:
        raise ValueError(f"ids must hold each byte once, got {', '.join(repeats[:3])}; "
                         "pass each once: sorted(set(ids))")  # fmt: skip


def nearest(rows: torch.Tensor, ids: list[int], i: int, k: int = 4) -> list[int]:
    """The ``k`` bytes of ``ids`` whose rows are the most similar (cosine) to byte ``i``'s."""
    if not isinstance(rows, torch.Tensor) or rows.dim() != 2 or len(rows) != 256:
        error = ValueError if isinstance(rows, torch.Tensor) else TypeError
        got = f"shape {list(rows.shape)}" if error is ValueError else checks.short(rows)
        raise error(f"rows must be the token table [256, C], got {got}; "
                    "e.g. run.model.wte.weight.detach()")  # fmt: skip
    _check_bytes(ids, at_least=1)
    checks.check_int("i", i, low=0, high=255, example=72, why=" (a byte)")
    checks.check_int("k", k, example=4)
    sims = F.cosine_similarity(rows[i][None], rows[ids], dim=1)  # (len(ids),)
    order = [ids[j] for j in sims.argsort(descending=True).tolist()]
    return [j for j in order if j != i][:k]


def same_kind_share(rows: torch.Tensor, ids: list[int]) -> float:
    """The share of the bytes ``ids`` whose nearest row (among ``ids``) is of the same kind."""
    _check_bytes(ids, at_least=2)  # a byte's nearest row is another byte's
    same = [byte_kind(nearest(rows, ids, i, k=1)[0]) == byte_kind(i) for i in ids]
    return sum(same) / len(same)


def chance_share(ids: list[int]) -> float:
    """The same share if each byte's nearest row were another byte drawn at random."""
    _check_bytes(ids, at_least=2)
    n = len(ids)
    sizes = [sum(byte_kind(i) == kind for i in ids) for kind in KINDS]
    return sum(s * (s - 1) for s in sizes) / (n * (n - 1))


BENCH_STEPS = 200  # each model of the bench: the same sizes, steps, seed and windows


@torch.no_grad()
def order_gap(model: GPT, a: str = "Hi!", b: str = "iH!") -> float:
    """The largest difference between the model's next-byte probabilities after ``a`` and
    after ``b`` (texts of one byte length): 0 when the model cannot tell the orders apart."""
    _check_model(model)
    if not (isinstance(a, str) and isinstance(b, str) and a and len(a.encode()) == len(b.encode())):
        raise ValueError(
            f"a and b must be non-empty texts of one byte length, got {checks.short(a)} "
            f"and {checks.short(b)}; reorder one text's bytes: order_gap(model, 'Hi!', 'iH!')"
        )
    if model.positions == "learned" and (T := len(a.encode())) > (rows := model.block_size):
        raise ValueError(f"a and b must be at most {rows} bytes (the rows of the model's "
                         f"position table), got {T}; keep their ends: a[-{rows}:]")  # fmt: skip
    tok, device = ByteTokenizer(), model.lm_head.weight.device
    ids = torch.tensor([tok.encode(a), tok.encode(b)], device=device)  # (2, T)
    with one_thread():
        probs = F.softmax(model(ids)[:, -1], dim=-1)  # (2, 256)
    return float((probs[0] - probs[1]).abs().max())
