"""Two other ways to tell positions apart: fixed sinusoids and rotary embeddings.

- ``sinusoidal_table``: the original Transformer's positions (Vaswani et al., 2017), a
  ``block_size x n_embd`` table computed from a formula, with no parameters. Column pair
  ``(2i, 2i + 1)`` holds ``sin(p * w_i)`` and ``cos(p * w_i)`` with ``w_i = base**(-2i / n_embd)``.
- ``shift_matrix``: the fixed rotation that takes position p's row to position p + k's,
  for every p (the property that makes the sinusoids useful: an offset is a linear map).
- ``apply_rope``: rotary position embeddings (RoFormer, Su et al., 2021; Llama). Nothing is
  added to the input; queries and keys are rotated by an angle proportional to their
  position, pair by pair, so that ``q . k`` depends only on the offset ``m - n``.

Pairs are adjacent columns ``(2i, 2i + 1)`` here, as in the RoFormer paper and Meta's
Llama code; GPT-NeoX and Hugging Face's Llama pair column i with column ``i + C/2``
instead, the same idea with the columns in another order.
"""

from __future__ import annotations

import math

import torch

from embeddings_explained import _checks as checks

__all__ = ["BASE", "apply_rope", "frequencies", "rope_score", "shift_matrix", "sinusoidal_table"]

BASE = 10_000.0  # the base of the wavelengths, in the Transformer paper and in RoFormer


def _check_even(n_embd: int, base: float) -> None:
    checks.check_int("n_embd", n_embd, high=2**16, example=4, why=" (a CPU demo)")
    checks.check_real("base", base, example=BASE)
    if n_embd % 2:
        raise ValueError(f"n_embd must be even (columns go in sin/cos pairs), got {n_embd}; "
                         f"e.g. n_embd={n_embd + 1}")  # fmt: skip


def frequencies(n_embd: int, base: float = BASE) -> torch.Tensor:
    """The angular frequency of each column pair, ``base**(-2i / n_embd)``: shape ``(n_embd/2,)``.

    >>> frequencies(4)
    tensor([1.0000, 0.0100])
    """
    _check_even(n_embd, base)
    i = torch.arange(0, n_embd, 2, dtype=torch.float64)  # (C/2,) the even column indices 2i
    return (base ** (-i / n_embd)).float()


def _check_rope(x: object, positions: object) -> None:
    """``apply_rope``'s arguments: float rows ``[..., T, C]``, C even, and T integer positions."""
    wanted = "x must be a float tensor [..., T, C]"
    if not isinstance(x, torch.Tensor):
        got = f"{type(x).__name__} {checks.short(x)}"
        raise TypeError(f"{wanted}, got {got}; e.g. torch.as_tensor(x, dtype=torch.float32)")
    if not x.is_floating_point():
        raise TypeError(f"{wanted}, got dtype {x.dtype}; e.g. x.float()")
    if x.dim() < 2:
        raise ValueError(f"{wanted}, got shape {list(x.shape)}; one row at position 0: x[None]")
    if x.shape[-1] % 2:
        raise ValueError(f"x's last dimension must be even (RoPE turns pairs of columns), got "
                         f"shape {list(x.shape)}; make the head size even")  # fmt: skip
    T = x.shape[-2]
    if not isinstance(positions, torch.Tensor) or positions.is_floating_point() or (
            positions.dtype == torch.bool or positions.shape != (T,)):  # fmt: skip
        got = checks.short(positions)
        raise ValueError(f"positions must hold T={T} integer positions, one per row of x, "
                         f"got {got}; e.g. torch.arange({T})")  # fmt: skip


def _check_score(q: torch.Tensor, k: torch.Tensor, m: object, n: object) -> None:
    """``rope_score``'s arguments: a query and a key row of one even size, whole positions."""
    for name, row in (("q", q), ("k", k)):
        if not isinstance(row, torch.Tensor):
            raise TypeError(f"{name} must be one float row (C,), got {checks.short(row)}; "
                            f"e.g. torch.tensor({name}, dtype=torch.float32)")  # fmt: skip
        if row.dim() != 1 or not row.is_floating_point():
            fix = f"{name}.float()" if row.dim() == 1 else f"pick one row: {name}[0]"
            raise TypeError(f"{name} must be one float row (C,), got {row.dtype} shape "
                            f"{list(row.shape)}; {fix}")  # fmt: skip
    if q.shape != k.shape or q.shape[0] % 2:
        raise ValueError(f"q and k must be rows of one even size, got {list(q.shape)} and "
                         f"{list(k.shape)}; RoPE turns pairs of columns")  # fmt: skip
    checks.check_int("m", m, low=0, example=3)
    checks.check_int("n", n, low=0, example=1)


# --8<-- [start:sinusoidal]
def sinusoidal_table(block_size: int = 8, n_embd: int = 4, base: float = BASE) -> torch.Tensor:
    """Row p: ``[sin(p w_0), cos(p w_0), sin(p w_1), cos(p w_1), ...]``, shape ``(block_size, C)``.

    >>> sinusoidal_table(8, 4).shape
    torch.Size([8, 4])
    """
    w = frequencies(n_embd, base)  # (C/2,), n_embd and base checked
    checks.check_int("block_size", block_size, high=2**24 // n_embd, example=8, why=" (a CPU demo)")
    angles = torch.arange(block_size, dtype=torch.float32)[:, None] * w  # (T, C/2)
    table = torch.empty(block_size, n_embd)  # (T, C)
    table[:, 0::2] = torch.sin(angles)
    table[:, 1::2] = torch.cos(angles)
    return table


# --8<-- [end:sinusoidal]


def shift_matrix(k: int, n_embd: int = 4, base: float = BASE) -> torch.Tensor:
    """The ``(C, C)`` matrix ``M`` with ``table[p + k] == M @ table[p]`` for every position p.

    Block diagonal, one 2 x 2 rotation by ``k * w_i`` per column pair; it depends on k, not
    on p (sin(a + b) = sin a cos b + cos a sin b, and the same for cos).
    """
    w = frequencies(n_embd, base).tolist()  # (C/2,), n_embd and base checked
    checks.check_int("k", k, low=-(2**63), example=1)
    m = torch.zeros(n_embd, n_embd, dtype=torch.float64)  # (C, C)
    for i, wi in enumerate(w):
        c, s = math.cos(k * wi), math.sin(k * wi)
        m[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = torch.tensor([[c, s], [-s, c]])
    m = m.float()
    return m


# --8<-- [start:rope]
def apply_rope(x: torch.Tensor, positions: torch.Tensor, base: float = BASE) -> torch.Tensor:
    """Rotate each column pair of ``x[..., t, :]`` by ``positions[t] * w_i``; same shape as x.

    ``x`` is ``(..., T, C)`` (queries or keys), ``positions`` holds T integers.
    """
    _check_rope(x, positions)
    w = frequencies(x.shape[-1], base).to(x.device)  # (C/2,)
    angles = positions.to(torch.float32)[:, None] * w  # (T, C/2)
    cos, sin = torch.cos(angles), torch.sin(angles)  # (T, C/2) each
    even, odd = x[..., 0::2], x[..., 1::2]  # (..., T, C/2) each: the two halves of every pair
    out = torch.empty_like(x)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out


def rope_score(q: torch.Tensor, k: torch.Tensor, m: int, n: int) -> float:
    """Attention's score of query ``q`` at position m against key ``k`` at position n."""
    _check_score(q, k, m, n)
    rq = apply_rope(q[None], torch.tensor([m]))[0]  # (C,)
    rk = apply_rope(k[None], torch.tensor([n]))[0]  # (C,)
    return float(rq @ rk)


# --8<-- [end:rope]
