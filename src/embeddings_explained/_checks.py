"""A learner's real mistakes, caught at the boundary: a TypeError or ValueError naming the argument,
the value and a fix that works. Checks only read (a failed call changes nothing); inputs no learner
writes (sparse tensors, petabyte sizes) get PyTorch's errors."""

from __future__ import annotations

import math
import numbers
import reprlib

import torch


def short(value: object) -> str:
    """``repr(value)`` in at most 60 characters, made from its first few items only."""
    try:
        text = reprlib.repr(value)  # the first few items of a container only
    except Exception:  # an int of more than 4,300 digits, a repr that raises
        return f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."


def check_int(name: str, value: object, *, example: int, low: int = 1, high: int | None = None,
              why: str = "") -> int:  # fmt: skip
    """``value`` as an int in ``[low, high]``; a bool, a float, a tensor or a str is refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        fix = f"pass an int, for example {name}={example}"
        x = value.item() if isinstance(value, torch.Tensor) and value.numel() == 1 else value
        if (isinstance(x, float) or type(x) is int) and float(x).is_integer() and low <= x < 2**63:
            fix = f"write {int(x)}"  # a float, or a tensor such as ids.max() + 1
        elif isinstance(value, str) and value.strip().isdecimal() and len(value) < 20:
            fix = f"convert it first: int({value!r})"
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {short(value)}; {fix}")
    if (v := int(value)) < low or (high is not None and v > high):
        expected = f"an int in [{low:,}, {high:,}]{why}" if high is not None else f"an int >= {low}"
        expected = "a positive int" if (low, high) == (1, None) else expected
        raise ValueError(f"{name} must be {expected}, got {short(v)}; for example {example}")
    return v


def check_real(name: str, value: object, *, example: float, high: float = math.inf) -> float:
    """``value`` as a finite positive float, at most ``high`` (a learning rate, a std)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {short(value)}; e.g. {name}={example}")
    if not 0 < (v := float(value)) <= high or v == math.inf:
        within = "finite and positive" if high == math.inf else f"in (0, {high:g}]"
        raise ValueError(f"{name} must be {within}, got {value}; e.g. {name}={example}")
    return float(value)


def check_model_options(init_std: object, **flags: object) -> None:
    """``init_std`` None or a positive number; each flag (``tie_weights=...``) True or False."""
    if bad := [name for name, value in flags.items() if not isinstance(value, bool)]:
        raise TypeError(f"{bad[0]} must be True or False, got {short(flags[bad[0]])}")
    if init_std is not None:
        check_real("init_std", init_std, example=0.02)


def check_train_args(steps: object, batch_size: object, block_size: object, lr: object,
                     text_bytes: int, *, n_embd: object = 16, seed: object = 0,
                     eval_every: object = 100) -> None:  # fmt: skip
    """A training function's arguments, before it seeds, builds or trains anything."""
    check_int("steps", steps, high=10**6, example=1500, why=" (a CPU demo)")
    fits = f" (a window and its next byte fit in the {text_bytes:,}-byte held-out text)"
    T = check_int("block_size", block_size, high=text_bytes - 1, example=16, why=fits)
    check_int("batch_size", batch_size, high=2**18 // T, example=32, why=" (2**18 bytes a step)")
    check_real("lr", lr, example=0.02, high=10)  # larger steps only diverge (to nan)
    check_int("n_embd", n_embd, high=2**16, example=16, why=" (a CPU demo)")
    check_int("seed", seed, low=-(2**63), high=2**64 - 1, example=0)
    check_int("eval_every", eval_every, example=100)


def check_sizes(vocab_size: object, block_size: object, n_embd: object) -> tuple[int, ...]:
    sizes = (("vocab_size", vocab_size, 256), ("block_size", block_size, 8), ("n_embd", n_embd, 4))
    return tuple(check_int(name, value, example=e) for name, value, e in sizes)


def check_gpt(positions: object, n_layer: object, n_embd: object, n_head: object,
              block_size: object, known: tuple[str, ...]) -> None:  # fmt: skip
    """``small_gpt.GPT``'s arguments: a known position method, and heads that split n_embd."""
    if not isinstance(positions, str) or positions not in known:
        raise ValueError(f"positions={short(positions)} is not one of {known}")
    sizes = (("n_embd", n_embd, 32), ("n_head", n_head, 4), ("n_layer", n_layer, 2),
             ("block_size", block_size, 32))  # fmt: skip
    c, h, _, _ = (check_int(n, v, high=2**16, example=e, why=" (a CPU demo)") for n, v, e in sizes)
    step = 2 * h if positions == "rope" else h  # RoPE turns pairs of each head's dimensions
    if c % step:
        why = f"n_head={h}" + (", each head's size even for RoPE" if positions == "rope" else "")
        raise ValueError(f"n_embd={c} must be a multiple of {step} ({why}), e.g. n_embd={4 * step}")


def too_long_message(T: int | str, block_size: int) -> str:
    """The error for a sequence longer than ``block_size`` (the site's explorer shows it too)."""
    return (f"sequence length T={T} exceeds block_size={block_size}: there are only {block_size} "
            f"position rows; crop the input to its last {block_size} tokens, "
            f"token_ids[:, -{block_size}:]")  # fmt: skip


def check_ids(token_ids: object, vocab_size: int, block_size: int | None, device: object) -> None:
    """What ``nn.Embedding`` would trip over or accept silently (block_size None: any T)."""
    if not isinstance(token_ids, torch.Tensor):
        got, fix = f"{type(token_ids).__name__} {short(token_ids)}", _tensor_fix(token_ids)
        raise TypeError(f"token_ids must be a torch.Tensor of shape [B, T], got {got}; {fix}")
    dtype = token_ids.dtype
    if dtype not in (torch.int64, torch.int32):
        fix = "token_ids.round().long()" if dtype.is_floating_point else "token_ids.long()"
        fix += " (but a bool tensor is usually a mask, not ids)" if dtype == torch.bool else ""
        raise TypeError(f"token_ids must hold integer ids (torch.int64 or torch.int32), got dtype "
                        f"{dtype}; convert with {fix}")  # fmt: skip
    if (dim := token_ids.dim()) != 2:  # 1-D, the common case: no batch dimension
        extra = "squeeze(-1)" if token_ids.shape[-1:] == (1,) else "flatten(0, -2)"  # [B, T, 1]
        how = {0: "reshape(1, 1)", 1: "unsqueeze(0)"}.get(dim, extra)
        fix = "add the batch dimension" if dim == 1 else "give it the shape [B, T]"
        raise ValueError(f"token_ids must be 2-D [B, T], got {dim}-D shape "
                         f"{list(token_ids.shape)}; {fix}: token_ids.{how}")  # fmt: skip
    if block_size is not None and token_ids.shape[1] > block_size:
        raise ValueError(too_long_message(token_ids.shape[1], block_size))
    if token_ids.device != device:
        on = f"token_ids are on {token_ids.device} but the tables are on {device}"
        raise ValueError(f"{on}; move one of them, e.g. token_ids.to('{device}')")
    if torch.compiler.is_compiling() or token_ids.device.type == "meta" or not token_ids.numel():
        return  # no numbers to read; a compiled lookup reports a bad id itself
    try:
        low, high = torch.stack(torch.aminmax(token_ids)).tolist()  # one pass, one sync
    except RuntimeError:  # ids whose numbers cannot be read here (under vmap): the lookup's error
        return
    if low >= 0 and high < vocab_size:
        return
    where = ((token_ids < 0) | (token_ids >= vocab_size)).nonzero()[0].tolist()
    value = int(token_ids[tuple(where)])
    hint = f"made by another tokenizer? Build the layer with vocab_size={high + 1} or more"
    if value < 0:  # padding, or cross_entropy's ignore_index -100
        hint = "ids are never negative; replace padding with a real id: token_ids.clamp(min=0)"
    elif high < (block_size or 0) and token_ids.shape[1] <= vocab_size:  # LLMs-from-scratch #664
        hint = (f"{vocab_size} token rows but {block_size} position rows; were the sizes swapped? "
                f"Name them: vocab_size={block_size}, block_size={vocab_size}")  # fmt: skip
    found = f"token id {value} at position {where}"
    raise ValueError(f"{found} is outside the vocabulary [0, {vocab_size}); {hint}")


def _tensor_fix(value: object) -> str:
    if isinstance(value, str):
        text = repr(value) if len(value) <= 30 else "text"
        return f"text must be encoded first: torch.tensor([ByteTokenizer().encode({text})])"
    if isinstance(value, bytes | bytearray):
        return "bytes are byte ids already: torch.tensor([list(token_ids)])"
    if isinstance(value, int) and not isinstance(value, bool):
        return "a single id is one sequence of one token: torch.tensor([[token_ids]])"
    if isinstance(value, list | tuple) and value:
        rows = [r for r in value if isinstance(r, list | tuple) or getattr(r, "ndim", 0) == 1]
        if len({len(r) for r in rows}) > 1:
            return ("its rows differ in length: pad them to one length (and mask the padding), "
                    "or run one at a time: torch.as_tensor(token_ids[0]).view(1, -1)")  # fmt: skip
        if all(isinstance(r, torch.Tensor) for r in value):  # [T] rows stacked, [1, T] joined
            return f"join them: torch.{'cat' if value[0].ndim > 1 else 'stack'}(token_ids)"
        return f"convert it: torch.tensor({'token_ids' if rows else '[token_ids]'})"
    if hasattr(value, "__array__"):  # a NumPy array
        return "convert it: torch.as_tensor(token_ids)"
    none = " (did a function return None?)" if value is None else ""
    return f"pass the ids as a tensor of shape [B, T], e.g. torch.tensor([[72, 105]]){none}"


def check_text(text: object) -> None:
    if not isinstance(text, str):
        fix = "pass the text itself (did a function return None?)" if text is None else "pass a str"
        if isinstance(text, bytes | bytearray):
            fix = "bytes are byte ids already: list(text)"
        elif isinstance(text, list | tuple) and all(isinstance(s, str) for s in text):
            fix = "to encode the strings as one text, join them: ''.join(text)"
        raise TypeError(f"encode(text) expects a str, got {type(text).__name__} "
                        f"{short(text)}; {fix}")  # fmt: skip


def byte_values(ids: object) -> bytes:
    """The ids as bytes, each checked to be an int in ``[0, 256)``."""
    expects = "decode(ids) expects a list of ints or a 1-D integer tensor"
    if isinstance(ids, torch.Tensor):
        if ids.dtype.is_floating_point or ids.dtype == torch.bool:
            fix = "ids.long()" if ids.dtype == torch.bool else "ids.round().long()"
            raise TypeError(f"{expects}, got dtype {ids.dtype}; convert with {fix}")
        if ids.dim() != 1:
            fix = "ids.reshape(1)" if ids.dim() == 0 else "[tokenizer.decode(row) for row in ids]"
            raise ValueError(f"{expects}, got shape {list(ids.shape)}; decode each row: {fix}")
        ids = ids.tolist()
    if not isinstance(ids, list | tuple | range):
        fix = "this is text already" if isinstance(ids, str) else "e.g. decode([72, 105])"
        if isinstance(ids, bytes | bytearray):
            fix = "bytes are ids already: decode(list(ids))"
        elif hasattr(ids, "tolist"):  # a NumPy array
            fix = "convert it: decode(ids.tolist())"
        raise TypeError(f"{expects}, got {type(ids).__name__} {short(ids)}; {fix}")
    for i, v in enumerate(ids):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            convert = isinstance(v, float | torch.Tensor)  # a tensor: a sampling loop's
            fix = "; convert them: [round(float(i)) for i in ids]" if convert else ""
            raise TypeError(f"decode(ids) expects int ids, got {short(v)} at index {i}{fix}")
        if not 0 <= int(v) < 256:
            raise ValueError(f"id {short(v)} at index {i} is not a byte: ByteTokenizer ids are in "
                             "[0, 256); were these ids made by another tokenizer?")  # fmt: skip
    return bytes(ids)
