"""The argument checks of the package, kept here so that ``model.py`` and ``tokenizer.py``
stay short enough to read in one sitting.

Every check raises a ``TypeError`` (the wrong kind of value) or a ``ValueError`` (the right
kind, a wrong value) whose message names the argument, shows the value (shortened, and
without building the repr of a huge input) and a fix that works for that value. The checks
only read their arguments, so a call that fails changes nothing.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import math
import numbers
import re
import reprlib
import sys
from collections.abc import Collection, Iterator, Sequence, Set
from typing import Any, overload

import torch
from torch import nn
from torch._subclasses.fake_tensor import FakeTensor

ID_DTYPES = (torch.int64, torch.int32)  # the index dtypes nn.Embedding accepts

# A table over this size is refused before anything is allocated. It is more memory than
# any single machine has (the largest hold a few tens of TB), and far below the 2**63 - 1
# elements that a tensor can count, so no product of sizes overflows past this check.
MAX_TABLE_BYTES = 100 * 10**12

# --------------------------------------------------------------------------- showing values


class _ShortRepr(reprlib.Repr):
    """reprlib's repr, which looks at the first few items of a container only."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother, self.maxlong = 3, 40, 40, 40
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = self.maxdict = 6
        self.maxdeque = self.maxarray = 6

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:  # its repr would be long, or raise past 4,300 digits
            return f"<int of {x.bit_length()} bits>"
        return super().repr_int(x, level)

    def repr_bytes(self, x: bytes, level: int) -> str:
        return repr(x[:30])[:-1] + "...'" if len(x) > 30 else repr(x)

    repr_bytearray = repr_bytes

    def repr_set(self, x: set[object], level: int) -> str:
        return self._big(x) or super().repr_set(x, level)  # reprlib sorts a whole set

    def repr_frozenset(self, x: frozenset[object], level: int) -> str:
        return self._big(x) or super().repr_frozenset(x, level)

    def repr_dict(self, x: dict[object, object], level: int) -> str:
        return self._big(x) or super().repr_dict(x, level)

    def _big(self, x: Collection[object]) -> str:
        return f"<{type(x).__name__} of {len(x):,} items>" if len(x) > 1000 else ""

    def repr_instance(self, x: object, level: int) -> str:
        if isinstance(x, torch.Tensor):
            return describe(x)
        with contextlib.suppress(Exception):
            if len(x) > 1000:  # type: ignore[arg-type]
                return f"<{type(x).__name__} of length {len(x):,}>"  # type: ignore[arg-type]
        return super().repr_instance(x, level)


_REPR = _ShortRepr()


def short(value: object) -> str:
    """``repr(value)`` in at most 60 characters, built from the first items only."""
    try:
        text = _REPR.repr(value)
    except Exception:  # a repr that raises
        return f"<{type(value).__name__} object>"
    return text if len(text) <= 60 else text[:57] + "..."


def describe(t: torch.Tensor) -> str:
    """A tensor by its kind, never by its values: ``torch.int64 tensor of shape [1, 2]``."""
    if t.is_nested:
        return f"nested {t.dtype} tensor of {t.size(0)} sequences (layout {t.layout})"
    where = "" if t.device.type == "cpu" else f" on {t.device}"
    layout = "" if t.layout == torch.strided else f" {t.layout}"
    return f"{t.dtype}{layout} tensor of shape {list(t.shape)}{where}"


def human_bytes(n: int) -> str:
    """``1,024,000,000,000,000 bytes (1.0 PB)``."""
    if n >= 10**30:  # past YB, and maybe past what str() and float() take
        return f"about 10**{int(math.log10(n))} bytes"
    size, unit = float(n), "bytes"
    for unit in ("bytes", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"):
        if size < 1000 or unit == "YB":
            break
        size /= 1000
    return f"{n:,} bytes" + ("" if unit == "bytes" else f" ({size:.1f} {unit})")


# --------------------------------------------------------------------------- plain arguments


def check_int(
    name: str,
    value: object,
    *,
    low: int = 1,
    high: int | None = None,
    example: int = 1,
    why: str = "",
) -> int:
    """``value`` as an int in ``[low, high]``; a bool, a float or a str is refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an int, got {type(value).__name__} {short(value)}"
            f"{_int_hint(name, value, low, high, example)}"
        )
    v = int(value)
    if v < low or (high is not None and v > high):
        if high is not None:
            expected = f"an int in [{low:,}, {high:,}]" + (f" ({why})" if why else "")
        else:
            expected = "a positive int" if low == 1 else f"an int >= {low:,}"
        raise ValueError(f"{name} must be {expected}, got {short(v)}; for example {example}")
    return v


def _int_hint(name: str, value: object, low: int, high: int | None, example: int) -> str:
    """A fix for a value that is not an int but may stand for one."""

    def valid(i: int) -> bool:
        return low <= i and (high is None or i <= high)

    if _finite_number(value):
        x = float(value)  # type: ignore[arg-type]
        near = [i for i in sorted({math.floor(x), math.ceil(x)}) if valid(i)]
        if x.is_integer() and near:
            return f"; write {int(x)}"
        if near:
            return "; round it to a whole number, e.g. " + " or ".join(map(str, near))
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,30}\s*", value) and valid(int(value)):
        return f"; convert it first: int({value.strip()!r})"
    if (
        isinstance(value, torch.Tensor)
        and value.numel() == 1
        and value.device.type != "meta"
        and not (value.is_floating_point() or value.is_complex())
        and valid(int(value.item()))
    ):
        return f"; convert it first: int({name})"
    return f"; pass an int, for example {name}={example}"


def _finite_number(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x)


def check_real(name: str, value: object, *, example: float) -> float:
    """``value`` as a finite positive float (a learning rate, a standard deviation)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        hint = f"; pass a number, for example {name}={example}"
        if isinstance(value, numbers.Number) and not isinstance(value, complex | bool):
            hint = f"; convert it first: float({name})"  # a Decimal
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                if 0 < float(value) < math.inf:
                    hint = f"; convert it first: float({value.strip()!r})"
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {short(value)}{hint}")
    try:
        x = float(value)
    except OverflowError:  # an int or a Fraction beyond a float's range
        x = math.inf
    if not (math.isfinite(x) and x > 0):
        raise ValueError(
            f"{name} must be a finite positive number, got {short(value)}; "
            f"for example {name}={example}"
        )
    return x


def check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        hint = f"; write {value == 1}" if isinstance(value, int) and value in (0, 1) else ""
        raise TypeError(
            f"{name} must be True or False, got {type(value).__name__} {short(value)}{hint}"
        )
    return value


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """One of ``choices``, by its exact name."""
    listed = ", ".join(map(repr, choices))
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a str, one of {listed}; got {type(value).__name__} {short(value)}"
        )
    if value not in choices:
        close = difflib.get_close_matches(re.split(r"[/\\]", value)[-1], choices, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(
            f"{name}={short(value)} is not one of {listed}; {hint}for example {name}={choices[0]!r}"
        )
    return value


def check_bytes(name: str, ids: object) -> list[int]:
    """A collection of byte ids, ints in ``[0, 256)``, as a list."""
    if isinstance(ids, str) or not isinstance(ids, Collection):
        hint = "; its ids: set(ByteTokenizer().encode(text))" if isinstance(ids, str) else ""
        raise TypeError(
            f"{name} must be a collection of byte ids, such as a set of ints, got "
            f"{type(ids).__name__} {short(ids)}{hint}"
        )
    if isinstance(ids, torch.Tensor) and (ids.dim() != 1 or ids.is_floating_point()):
        raise TypeError(f"{name} must be a collection of byte ids, got a {describe(ids)}")
    values = ids.tolist() if isinstance(ids, torch.Tensor) else list(ids)
    for v in values:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral):
            raise TypeError(f"{name} must hold int byte ids, got {type(v).__name__} {short(v)}")
        if not 0 <= int(v) < 256:
            raise ValueError(f"{name} must hold byte ids, in [0, 256), got {short(v)}")
    return [int(v) for v in values]


def check_rows(name: str, rows: object) -> None:
    """Points to project: a float tensor ``[N, C]`` of finite numbers, ``N >= 2``, ``C >= 2``."""
    if not isinstance(rows, torch.Tensor):
        hint = ""
        with contextlib.suppress(Exception):
            if torch.as_tensor(rows, dtype=torch.float32).dim() == 2:
                hint = f"; convert it: torch.as_tensor({name}, dtype=torch.float32)"
        raise TypeError(
            f"{name} must be a tensor [N, C], got {type(rows).__name__} {short(rows)}{hint}"
        )
    if rows.is_nested or rows.layout != torch.strided or rows.is_quantized:
        fix = f"{name}.dequantize()" if rows.is_quantized else f"{name}.to_dense()"
        raise TypeError(
            f"{name} must be a plain tensor, got a {describe(rows)}"
            + ("" if rows.is_nested else f"; convert with {fix}")
        )
    if rows.dtype not in (torch.float32, torch.float64):  # what the CPU's SVD takes
        fix = f"{name}.real" if rows.dtype.is_complex else f"{name}.float()"
        raise TypeError(
            f"{name} must hold float32 or float64 numbers, got dtype {rows.dtype}; "
            f"convert with {fix}"
        )
    if rows.dim() != 2 or rows.shape[0] < 2 or rows.shape[1] < 2:
        raise ValueError(
            f"{name} must be a 2-D tensor [N, C] with N >= 2 rows and C >= 2 columns (two "
            f"principal components of N points), got shape {list(rows.shape)}"
            + (f"; merge the leading dimensions: {name}.flatten(0, -2)" if rows.dim() > 2 else "")
        )
    if rows.device.type == "meta" or isinstance(rows, FakeTensor):
        raise ValueError(f"{name} holds no values (a {describe(rows)}); pass real numbers")
    if not bool(torch.isfinite(rows).all()):
        where = (~torch.isfinite(rows)).nonzero()[0].tolist()
        raise ValueError(f"{name} must be finite, got {rows[tuple(where)].item()} at {where}")


# --------------------------------------------------------------------------- the layer's sizes


def check_sizes(vocab_size: object, block_size: object, n_embd: object) -> tuple[int, int, int]:
    """The three sizes as ints; refused when a table could not fit in any machine."""
    v = check_int("vocab_size", vocab_size, example=256)
    b = check_int("block_size", block_size, example=8)
    c = check_int("n_embd", n_embd, example=4)
    dtype = torch.get_default_dtype()
    for table, rows_name, rows in (("token", "vocab_size", v), ("position", "block_size", b)):
        need = rows * c * dtype.itemsize
        if need > MAX_TABLE_BYTES:
            culprit, value = (rows_name, rows) if rows >= c else ("n_embd", c)
            raise ValueError(
                f"{culprit}={short(value)} is too large: the {table} table, {rows_name} x "
                f"n_embd = {short(rows)} x {short(c)} {dtype} numbers, would need "
                f"{human_bytes(need)}, more than any machine has (tables over "
                f"{human_bytes(MAX_TABLE_BYTES)} are refused); choose a smaller {culprit}"
            )
    return v, b, c


@contextlib.contextmanager
def allocation_errors(vocab_size: int, block_size: int, n_embd: int) -> Iterator[None]:
    """Turn the allocator's failure into a ValueError that names the size and the bytes,
    and put the random state back, so that the failed constructor changed nothing."""
    state = torch.random.get_rng_state()
    try:
        yield
    except (RuntimeError, MemoryError) as error:
        torch.random.set_rng_state(state)
        if not (isinstance(error, MemoryError | torch.OutOfMemoryError) or "alloc" in str(error)):
            raise
        sizes = {"vocab_size": vocab_size, "block_size": block_size, "n_embd": n_embd}
        culprit = max(sizes, key=sizes.__getitem__)
        dtype = torch.get_default_dtype()
        need = (vocab_size + block_size) * n_embd * dtype.itemsize
        reason = str(error).strip().splitlines()[0][:200]
        raise ValueError(
            f"{culprit}={sizes[culprit]} is too large for this machine: the two tables, "
            f"(vocab_size + block_size) x n_embd = ({vocab_size:,} + {block_size:,}) x "
            f"{n_embd:,} {dtype} numbers, need {human_bytes(need)}, which "
            f"{torch.get_default_device()} could not allocate ({reason}); "
            f"choose a smaller {culprit}"
        ) from error


def table(name: str, value: object) -> nn.Embedding:
    """One of the layer's tables, or a TypeError if it was replaced by something else."""
    if not isinstance(value, nn.Embedding):
        raise TypeError(
            f"{name} must be an nn.Embedding, got {type(value).__name__} {short(value)}; "
            f"give the layer a table again, e.g. emb.{name} = nn.Embedding(256, 4)"
        )
    return value


class TableSize:
    """A size read from a table: ``TableSize("token_embedding", 0)`` is the number of rows
    of ``token_embedding`` (1: of columns). The tables are the truth, so the size cannot
    disagree with them; setting it raises an error that says how to change the table."""

    def __init__(self, table_name: str, dim: int) -> None:
        self.table_name, self.dim = table_name, dim

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> TableSize: ...
    @overload
    def __get__(self, obj: nn.Module, owner: type | None = None) -> int: ...
    def __get__(self, obj: nn.Module | None, owner: type | None = None) -> TableSize | int:
        if obj is None:
            return self
        return int(table(self.table_name, obj._modules.get(self.table_name)).weight.shape[self.dim])

    def __set__(self, obj: nn.Module, value: object) -> None:
        tok = table("token_embedding", obj._modules.get("token_embedding"))
        pos = table("position_embedding", obj._modules.get("position_embedding"))
        now = {
            "vocab_size": tok.num_embeddings,
            "block_size": pos.num_embeddings,
            "n_embd": tok.embedding_dim,
        }
        new = dict(now)
        if isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) > 0:
            new[self.name] = int(value)
        v, b, c = new.values()
        tables = {
            "vocab_size": f"emb.token_embedding = nn.Embedding({v}, {c})",
            "block_size": f"emb.position_embedding = nn.Embedding({b}, {c})",
        }
        tables["n_embd"] = f"{tables['vocab_size']}; {tables['block_size']}"
        raise AttributeError(
            f"{self.name} cannot be set: it is read from the tables ({self.name}="
            f"{now[self.name]}); to change it, replace the table: {tables[self.name]}, or "
            f"build a new layer: Embeddings(vocab_size={v}, block_size={b}, n_embd={c})"
        )


NOT_SCRIPTABLE = (
    "torch.jit.script cannot compile Embeddings: its checks are Python, and PyTorch deprecates "
    "TorchScript; use torch.compile(emb) or torch.export.export(emb, (token_ids,)), which keep "
    "the checks (see the Reference page: what each mode checks)"
)

# --------------------------------------------------------------------------- the layer's ids


def too_long_message(T: int | str, block_size: int) -> str:
    """The error for a sequence longer than ``block_size`` (the site's explorer shows it too)."""
    if isinstance(T, bool) or not isinstance(T, int | str):
        raise TypeError(f"T must be an int or a str, got {type(T).__name__} {short(T)}")
    block_size = check_int("block_size", block_size, example=8)
    return (
        f"sequence length T={T} exceeds block_size={block_size}: there are only "
        f"{block_size} position rows; crop the input to its last "
        f"{block_size} tokens, token_ids[:, -{block_size}:]"
    )


def check_ids(token_ids: object, token_embedding: object, position_embedding: object) -> None:
    """Everything that ``nn.Embedding`` would trip over, checked before the lookup.

    Under torch.compile and torch.export only the checks of kind, dtype, shape and device
    run (as guards, at trace time): there are no numbers to read. Ids on the meta device
    have none either; under torch.func.vmap the numbers are read from the whole batch.
    """
    tok = table("token_embedding", token_embedding)
    pos = table("position_embedding", position_embedding)
    if tok.embedding_dim != pos.embedding_dim:
        raise ValueError(
            f"the tables disagree on n_embd: token_embedding has {tok.embedding_dim} columns, "
            f"position_embedding {pos.embedding_dim}; replace one so that they match, e.g. "
            f"emb.position_embedding = nn.Embedding({pos.num_embeddings}, {tok.embedding_dim})"
        )
    if not isinstance(token_ids, torch.Tensor):
        raise TypeError(
            f"token_ids must be a torch.Tensor of shape [B, T], got {type(token_ids).__name__} "
            f"{short(token_ids)}{_tensor_hint(token_ids)}"
        )
    if token_ids.is_nested or token_ids.layout != torch.strided or token_ids.is_quantized:
        raise TypeError(f"token_ids must be a plain tensor, got a {_kind_fix(token_ids)}")
    if token_ids.dtype not in ID_DTYPES:
        raise TypeError(
            f"token_ids must hold integer ids (torch.int64 or torch.int32), got dtype "
            f"{token_ids.dtype}; convert with {_dtype_fix('token_ids', token_ids.dtype)}"
        )
    if token_ids.dim() != 2:
        raise ValueError(
            f"token_ids must be 2-D [B, T], got {token_ids.dim()}-D shape "
            f"{list(token_ids.shape)}; {_rank_fix(token_ids)}"
        )
    T = token_ids.shape[1]
    if pos.num_embeddings < T:
        raise ValueError(too_long_message(T, pos.num_embeddings))
    if tok.weight.device != pos.weight.device:
        raise ValueError(
            f"the tables are on two devices, token_embedding on {tok.weight.device} and "
            f"position_embedding on {pos.weight.device}; move the layer to one: "
            f"emb.to('{tok.weight.device}')"
        )
    if token_ids.device != tok.weight.device:
        fix = f"move one of them, e.g. token_ids.to('{tok.weight.device}')"
        if token_ids.device.type == "meta":  # which has no numbers to move
            fix = "make the ids there, or, for shapes only, use a meta copy of the layer: "
            fix += "copy.deepcopy(emb).to('meta')"
        raise ValueError(
            f"token_ids are on {token_ids.device} but the tables are on {tok.weight.device}; " + fix
        )
    if torch.compiler.is_compiling() or token_ids.device.type == "meta":
        return  # no numbers to read (see the Reference page: what each mode checks)
    if isinstance(token_ids, FakeTensor) or token_ids.numel() == 0:
        return
    _check_range(token_ids, tok.num_embeddings, pos.num_embeddings)


def _check_range(token_ids: torch.Tensor, vocab_size: int, block_size: int) -> None:
    # Under torch.func.vmap the ids arrive one slice at a time, in a wrapper whose numbers
    # cannot be read; the tensor underneath holds them all.
    ids, under_vmap = token_ids, False
    while torch._C._functorch.is_batchedtensor(ids):
        ids, under_vmap = torch._C._functorch.get_unwrapped(ids), True
    try:
        low, high = torch.stack(torch.aminmax(ids)).tolist()  # one pass, one device sync
    except (TypeError, RuntimeError, NotImplementedError) as error:
        if type(ids) is torch.Tensor:
            raise
        fix = "token_ids.get_data()" if type(ids).__name__ == "MaskedTensor" else "a plain one"
        raise TypeError(
            f"token_ids must be a plain tensor, got a {type(ids).__name__}, whose ids cannot be "
            f"read ({str(error).splitlines()[0].split(';')[0][:80]}); pass {fix}"
        ) from None
    if low >= 0 and high < vocab_size:
        return
    where = ((ids < 0) | (ids >= vocab_size)).nonzero()[0].tolist()
    value = int(ids[tuple(where)])
    if value < 0:
        hint = "ids are never negative"
    elif vocab_size < block_size:  # a vocabulary smaller than the context: LLMs-from-scratch #664
        hint = (
            f"the token table has {vocab_size} rows, fewer than the position table's "
            f"{block_size}; were the sizes swapped? Pass them by name: "
            f"vocab_size={block_size}, block_size={vocab_size}"
        )
    else:
        hint = "was the text tokenized with another tokenizer?"
    of = " of the tensor given to vmap" if under_vmap else ""
    raise ValueError(
        f"token id {value} at position {where}{of} is outside the vocabulary "
        f"[0, {vocab_size}); {hint}"
    )


def _kind_fix(t: torch.Tensor) -> str:
    """What kind of tensor ``t`` is, and how to make a plain one of it."""
    if t.is_quantized:
        return f"quantized tensor ({t.dtype}); convert with token_ids.dequantize().round().long()"
    if not t.is_nested:
        return f"{describe(t)}; convert with token_ids.to_dense()"
    fixes = []
    if t.dim() == 2:
        fixes.append("pad the sequences to one length, token_ids.to_padded_tensor(0), and mask")
    if t.size(0):
        one = "token_ids[0]" if t.dim() == 3 else "token_ids[0].unsqueeze(0)"
        fixes.append(f"run one sequence at a time, emb({one})")
    return f"{describe(t)}; the layer takes one [B, T] tensor: " + (
        " the padding, or ".join(fixes) if fixes else "pass one"
    )


def _dtype_fix(name: str, dtype: torch.dtype) -> str:
    if dtype.is_complex:
        return f"{name}.real.round().long()"
    if dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        return f"{name}.round().long()"
    if dtype.is_floating_point:  # the float8 kinds cannot round
        return f"{name}.float().round().long()"
    if dtype == torch.bool:
        return f"{name}.long() (but a bool tensor is usually a mask, not ids)"
    return f"{name}.long()"


def _rank_fix(t: torch.Tensor) -> str:
    if t.dim() == 1:
        return "add the batch dimension: token_ids.unsqueeze(0)"
    if t.dim() == 0:
        return "a single id is one sequence of one token: token_ids.reshape(1, 1)"
    if t.dim() == 3 and t.shape[-1] == 1:
        return "drop the last dimension: token_ids.squeeze(-1)"
    return "merge the leading dimensions into the batch: token_ids.flatten(0, -2)"


def _tensor_hint(value: object) -> str:
    """How to make the tensor of ids out of ``value``: a fix that works for this value."""
    if value is None:
        return "; pass the ids, e.g. torch.tensor([[72, 105]]) (did a function return None?)"
    if isinstance(value, str):
        arg = repr(value) if len(value) <= 30 else "text"
        fix = f"torch.tensor([ByteTokenizer().encode({arg})])"
        if _SURROGATE.search(value):
            fix = "ByteTokenizer().encode(text) (and read its error: text has a lone surrogate)"
        return f"; text must be encoded first: {fix}"
    if isinstance(value, bytes | bytearray | memoryview):
        return "; bytes are byte ids already: torch.tensor([list(token_ids)], dtype=torch.long)"
    if _finite_number(value) and not -(2**63) <= value < 2**63:  # type: ignore[operator]
        return f"; {short(value)} cannot be an id: ids count the rows of the token table"
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return "; a single id is one sequence of one token: torch.tensor([[token_ids]])"
    if _finite_number(value):
        return "; ids are whole numbers: torch.tensor([[round(token_ids)]])"
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray):
        return _array_hint(value)
    if isinstance(value, Sequence):
        return _sequence_hint(value)
    return "; pass the ids as a tensor of shape [B, T], e.g. torch.tensor([[72, 105]])"


def _array_hint(a: Any) -> str:
    if a.dtype.kind not in "biuf" or a.ndim > 2:
        return f"; pass a 2-D array of integer ids [B, T], not dtype {a.dtype} in {a.ndim}-D"
    fix = f"torch.as_tensor(token_ids{'.round()' if a.dtype.kind == 'f' else ''}, dtype=torch.long)"
    return "; convert it: " + fix + {0: ".reshape(1, 1)", 1: ".unsqueeze(0)", 2: ""}[a.ndim]


def _sequence_hint(value: Sequence[object]) -> str:
    """For a list (or tuple) of ids, of rows of ids, or of tensors."""
    items = list(value)
    if items and all(isinstance(r, torch.Tensor) for r in items):
        shapes = {tuple(r.shape) for r in items}  # type: ignore[attr-defined]
        if len(shapes) == 1 and len(shape := shapes.pop()) in (1, 2):
            return f"; join the tensors: torch.{'stack' if len(shape) == 1 else 'cat'}(token_ids)"
        return "; the tensors differ in shape: pad them to one length, or run one at a time"
    flat = not any(_is_row(r) or isinstance(r, torch.Tensor) for r in items)
    arg = "[token_ids]" if flat else "token_ids"
    try:  # the same conversion as the fix, so the fix is known to work
        probe = torch.tensor([items] if flat else items)
    except Exception:
        lengths = sorted({len(r) for r in items if _is_row(r)})  # type: ignore[arg-type]
        if len(lengths) > 1:
            return (
                f"; its rows differ in length ({', '.join(map(str, lengths[:5]))}): pad them "
                "to one length (and mask the padding), or run one row at a time: "
                "torch.tensor([token_ids[0]], dtype=torch.long)"
            )
        return "; ids are a table of ints [B, T], e.g. torch.tensor([[72, 105]])"
    if probe.is_complex():
        return "; ids are a table of ints [B, T], e.g. torch.tensor([[72, 105]])"
    fix = f"torch.tensor({arg}, dtype=torch.long)"
    if probe.is_floating_point() and probe.numel():
        fix = f"torch.tensor({arg}, dtype=torch.float64).round().long()"
    if probe.dim() != 2:
        return f"; it makes a {probe.dim()}-D tensor, and the ids are [B, T]: {fix}.flatten(0, -2)"
    return f"; convert it: {fix}"


def _is_row(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes | bytearray)


# --------------------------------------------------------------------------- the tokenizer

_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(text: object) -> None:
    """A str that UTF-8 can encode: no lone surrogates."""
    if not isinstance(text, str):
        raise TypeError(
            f"encode(text) expects a str, got {type(text).__name__} {short(text)}; "
            + _text_hint(text)
        )
    if text.isascii():  # O(1) for a str, and the common case
        return
    found = _SURROGATE.search(text)
    if found is None:
        return
    fix = (
        "replace it with U+FFFD first (a surrogate pair becomes its character): "
        "tokenizer.encode(text.encode('utf-16', 'surrogatepass').decode('utf-16', 'replace'))"
    )
    if all("\udc80" <= c <= "\udcff" for c in _SURROGATE.findall(text)):
        fix += (
            "; or, if it stands for a byte of a file name (os.fsdecode), take the original "
            "bytes: list(text.encode('utf-8', 'surrogateescape'))"
        )
    raise ValueError(
        f"text has a lone surrogate {found.group()!r} at index {found.start()}, which UTF-8 "
        f"cannot encode (such characters come from os.fsdecode, surrogateescape or broken "
        f"UTF-16); {fix}"
    )


def _text_hint(value: object) -> str:
    if value is None:
        return "pass the text itself (did a function return None?)"
    if isinstance(value, bytes | bytearray | memoryview):
        return "bytes are byte ids already: list(text)"
    if hasattr(value, "__fspath__"):
        return "to encode a file, read it first: pathlib.Path(text).read_text(encoding='utf-8')"
    if isinstance(value, list | tuple) and value and all(isinstance(s, str) for s in value):
        return "to encode the strings as one text, join them: ''.join(text)"
    if isinstance(value, numbers.Number):
        return "to encode the digits of a number, write them as text: str(text)"
    return "pass the text as a str"


def check_errors(errors: object) -> None:
    """An error handler that ``bytes.decode`` can use, checked before any byte arrives."""
    known = ["replace", "strict", "ignore", "backslashreplace", "surrogateescape"]
    use = f"use one of {', '.join(map(repr, known))}"
    if not isinstance(errors, str):
        raise TypeError(
            f"errors must be the name of an error handler, got {type(errors).__name__} "
            f"{short(errors)}; {use}"
        )
    try:
        codecs.lookup_error(errors)
    except (LookupError, ValueError):  # ValueError: a NUL or a lone surrogate in the name
        close = difflib.get_close_matches(errors.lower(), known, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(f"errors={short(errors)} is not an error handler; {hint}{use}") from None
    if errors in ("xmlcharrefreplace", "namereplace"):
        raise ValueError(
            f"errors={errors!r} only works for encoding; to see broken bytes when decoding, "
            "use errors='backslashreplace'"
        )


def byte_values(ids: object) -> bytes:
    """The ids as bytes, each checked to be an int in ``[0, 256)``."""
    expects = "decode(ids) expects a list of ints or a 1-D integer tensor"
    numpy = sys.modules.get("numpy")
    if isinstance(ids, torch.Tensor):
        values: Sequence[object] = _tensor_values(ids)
    elif numpy is not None and isinstance(ids, numpy.ndarray):
        values = _array_values(ids)
    elif isinstance(ids, str):
        raise TypeError(f"{expects}, got str {short(ids)}: text already; its ids: encode(ids)")
    elif isinstance(ids, bytes | bytearray | memoryview):
        raise TypeError(
            f"{expects}, got {type(ids).__name__} {short(ids)}; "
            "bytes are ids already: decode(list(ids))"
        )
    elif isinstance(ids, Sequence):
        values = ids
    else:
        hint = ""
        if isinstance(ids, numbers.Integral) and not isinstance(ids, bool) and 0 <= int(ids) < 256:
            hint = "; a single id is a list of one: decode([ids])"
        elif isinstance(ids, Iterator):
            hint = "; make a list of it first: decode(list(ids))"
        elif isinstance(ids, Set):
            hint = "; a set has no order, so its bytes make no text: pass a list"
        raise TypeError(f"{expects}, got {type(ids).__name__} {short(ids)}{hint}")
    for i, v in enumerate(values):
        if type(v) is not int and (isinstance(v, bool) or not isinstance(v, numbers.Integral)):
            roundable = all(_finite_number(x) for x in values)
            raise TypeError(
                f"decode(ids) expects int ids, got {type(v).__name__} {short(v)} at index {i}"
                + ("; round them: decode([round(i) for i in ids])" if roundable else "")
            )
        if not 0 <= int(v) < 256:
            raise ValueError(
                f"id {short(v)} at index {i} is not a byte: ByteTokenizer ids are in [0, 256); "
                "were these ids made by another tokenizer?"
            )
    return bytes(values)  # type: ignore[arg-type]


def _tensor_values(t: torch.Tensor) -> list[int]:
    if t.device.type == "meta" or isinstance(t, FakeTensor):
        raise ValueError(
            f"decode(ids) needs the values of the ids, but they are a {describe(t)}, which "
            "holds shapes only; compute the ids on a real device, e.g. 'cpu'"
        )
    if t.is_nested:
        raise TypeError(
            f"decode(ids) expects a 1-D tensor of ids, got a {describe(t)}; decode one "
            "sequence at a time: [tokenizer.decode(seq) for seq in ids.unbind()]"
        )
    if t.layout != torch.strided or t.is_quantized:
        fix = "ids.dequantize().round().long()" if t.is_quantized else "ids.to_dense()"
        raise TypeError(f"decode(ids) expects a plain tensor, got a {describe(t)}; use {fix}")
    if t.dtype.is_floating_point or t.dtype.is_complex or t.dtype == torch.bool:
        raise TypeError(
            f"decode(ids) expects integer ids, got a tensor of dtype {t.dtype}; "
            f"convert with {_dtype_fix('ids', t.dtype)}"
        )
    if t.dim() != 1:
        fix = {
            0: "tokenizer.decode(ids.reshape(1))",
            2: "[tokenizer.decode(row) for row in ids]",
        }.get(t.dim(), "[tokenizer.decode(row) for row in ids.flatten(0, -2)]")
        raise ValueError(
            f"decode(ids) expects a 1-D tensor of ids, got shape {list(t.shape)}; "
            f"decode one sequence at a time, e.g. {fix}"
        )
    values: list[int] = t.tolist()
    return values


def _array_values(a: Any) -> list[int]:
    if a.dtype.kind not in "iu":
        fix = {"f": "ids.round().astype(int)", "b": "ids.astype(int)"}.get(a.dtype.kind)
        raise TypeError(
            f"decode(ids) expects integer ids, got an array of dtype {a.dtype}"
            + (f"; convert with {fix}" if fix else "")
        )
    if a.ndim != 1:
        rows = f"ids.reshape({math.prod(a.shape[:-1])}, {a.shape[-1]})" if a.ndim > 2 else "ids"
        fix = f"[tokenizer.decode(row) for row in {rows}]"
        if a.ndim == 0:
            fix = "tokenizer.decode(ids.reshape(1))"
        raise ValueError(
            f"decode(ids) expects a 1-D array of ids, got shape {list(a.shape)}; "
            f"decode one sequence at a time, e.g. {fix}"
        )
    values: list[int] = a.tolist()
    return values
