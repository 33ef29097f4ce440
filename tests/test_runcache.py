"""The run cache: a kept run is the run itself, or it is not used.

Each test keeps runs in a folder of its own; a new ``cached_run`` wrapper over the same
folder is what another process would see.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from embeddings_explained import runcache
from embeddings_explained.positional import sinusoidal_table
from embeddings_explained.runcache import RUN_CACHE_ENV, cached_run
from embeddings_explained.training import TrainingRun, train
from tests.project import ROOT


@pytest.fixture
def run_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(RUN_CACHE_ENV, str(tmp_path))
    return tmp_path


def _counted(calls: list[int]) -> Callable[..., TrainingRun]:
    def train_counted(steps: int = 5, seed: int = 0) -> TrainingRun:
        calls.append(steps)
        return train.__wrapped__(steps=steps, seed=seed)

    return train_counted


def _same(a: TrainingRun, b: TrainingRun) -> bool:
    state = b.model.state_dict()
    return a.losses == b.losses and all(
        torch.equal(v, state[k]) for k, v in a.model.state_dict().items()
    )


def test_a_kept_run_is_bit_identical_and_leaves_the_same_rng_state(run_folder: Path) -> None:
    calls: list[int] = []
    fresh = cached_run(_counted(calls))(steps=5)  # computed, then kept in run_folder
    rng_after_fresh = torch.get_rng_state()
    assert calls == [5] and len(list(run_folder.glob("*.pt"))) == 1
    torch.manual_seed(123)  # another state: the kept run must restore the one above
    kept = cached_run(_counted(calls))(steps=5)
    assert calls == [5], "the run was computed again instead of read"
    assert torch.equal(torch.get_rng_state(), rng_after_fresh)
    assert _same(kept, fresh) and _same(kept, train.__wrapped__(steps=5))
    assert torch.equal(kept.token_table_before, fresh.token_table_before)


def _corrupt(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    if how == "flipped-bit":
        data[middle] ^= 0x01
    elif how == "zeroed-block":
        data[middle : middle + 4096] = bytes(len(data[middle : middle + 4096]))
    else:  # cut short, as by a full disk
        del data[middle:]
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["flipped-bit", "zeroed-block", "truncated"])
def test_a_damaged_kept_run_is_a_miss_recomputed_and_replaced(run_folder: Path, how: str) -> None:
    calls: list[int] = []
    fresh = cached_run(_counted(calls))(steps=3)
    (kept_file,) = run_folder.glob("*.pt")
    _corrupt(kept_file, how)
    again = cached_run(_counted(calls))(steps=3)
    assert calls == [3, 3], "a damaged run was returned instead of recomputed"
    assert _same(again, fresh)
    cached_run(_counted(calls))(steps=3)  # replaced: read again, whole
    assert calls == [3, 3]


def test_a_run_kept_under_another_runs_name_is_a_miss(run_folder: Path) -> None:
    """A file copied or renamed over another run's (by hand, by a sync tool) is whole and
    matches its own digest, but not the key it is read for: it is recomputed, not returned."""
    calls: list[int] = []
    three = cached_run(_counted(calls))(steps=3)
    (three_file,) = run_folder.glob("*.pt")
    four = cached_run(_counted(calls))(steps=4)
    (four_file,) = set(run_folder.glob("*.pt")) - {three_file}
    four_file.write_bytes(three_file.read_bytes())
    again = cached_run(_counted(calls))(steps=4)
    assert calls == [3, 4, 4], "the run of steps=3 was returned for steps=4"
    assert _same(again, four) and not _same(again, three)


@pytest.fixture
def default_dtype() -> Iterator[None]:
    yield
    torch.set_default_dtype(torch.float32)


def test_a_float64_process_does_not_share_the_key(run_folder: Path, default_dtype: None) -> None:
    calls: list[int] = []
    torch.set_default_dtype(torch.float64)
    wide = cached_run(_counted(calls))(steps=2)
    torch.set_default_dtype(torch.float32)
    narrow = cached_run(_counted(calls))(steps=2)  # an ordinary process: computed
    assert calls == [2, 2]
    assert wide.model.embeddings.token_embedding.weight.dtype == torch.float64
    assert narrow.model.embeddings.token_embedding.weight.dtype == torch.float32
    assert len(list(run_folder.glob("*.pt"))) == 2


def test_a_run_is_kept_only_for_the_same_arguments_and_package(
    run_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    cached_run(_counted(calls))(steps=3)
    cached_run(_counted(calls))(steps=4)  # other arguments: computed
    assert calls == [3, 4]
    monkeypatch.setattr(runcache, "package_digest", lambda: "an edited package")
    cached_run(_counted(calls))(steps=3)  # the same arguments, another package: computed
    assert calls == [3, 4, 3]


def test_runs_kept_for_an_edited_package_are_dropped(
    run_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    cached_run(_counted(calls))(steps=2)
    cached_run(_counted(calls))(steps=3)
    assert len(list(run_folder.glob("*.pt"))) == 2
    monkeypatch.setattr(runcache, "package_digest", lambda: "e" * 64)
    cached_run(_counted(calls))(steps=2)
    after = [p.name for p in run_folder.iterdir()]
    assert len(after) == 1 and after[0].startswith(f"train_counted-{'e' * 12}-"), after


def test_a_run_is_computed_on_one_thread_and_kept_for_any_thread_count(
    run_folder: Path,
) -> None:
    """The build runs with torch's threads, the tests with one: both read the same runs."""
    calls: list[int] = []

    def threads_inside(steps: int = 2) -> SimpleNamespace:
        calls.append(steps)
        return SimpleNamespace(threads=torch.get_num_threads())

    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        assert cached_run(threads_inside)().threads == 1  # pinned: the same sums for any setting
        assert torch.get_num_threads() == 2  # and given back
        torch.set_num_threads(1)
        assert cached_run(threads_inside)().threads == 1
    finally:
        torch.set_num_threads(threads)
    assert calls == [2], "a run was computed again for another thread count"


def test_a_result_without_attributes_is_kept_too(run_folder: Path) -> None:
    """The site's figures are kept as SVG text (tools/prebuild.py): a str, not a run."""
    calls: list[str] = []

    def svg(name: str) -> str:
        calls.append(name)
        return f"<svg>{name}</svg>"

    assert cached_run(svg)("a") == "<svg>a</svg>"
    assert cached_run(svg)("a") == "<svg>a</svg>"  # another process's wrapper: read
    assert calls == ["a"]


def test_without_the_folder_nothing_is_written_and_a_failed_call_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(RUN_CACHE_ENV, raising=False)
    cwd_before = sorted(Path.cwd().iterdir())
    calls: list[int] = []
    cached_run(_counted(calls))(steps=2)
    cached_run(_counted(calls))(steps=2)
    assert calls == [2, 2] and sorted(Path.cwd().iterdir()) == cwd_before
    monkeypatch.setenv(RUN_CACHE_ENV, str(tmp_path))
    with pytest.raises(ValueError, match="steps"):
        cached_run(train.__wrapped__)(steps=-1)
    assert list(tmp_path.iterdir()) == []


def test_a_cache_that_cannot_be_used_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "runs"
    not_a_folder.write_text("a file where the folder should be")
    monkeypatch.setenv(RUN_CACHE_ENV, str(not_a_folder))
    with pytest.raises(OSError, match=f"cannot be used .*set {RUN_CACHE_ENV} to a folder"):
        cached_run(_counted([]))(steps=2)


TABLES: list[int] = []  # the block sizes table() computed in this process


def table(block_size: int) -> torch.Tensor:
    """A run as cheap as a run gets (a read-only cache is the same for any function), and
    one a second process can import."""
    TABLES.append(block_size)
    return sinusoidal_table(block_size, 4)


_READ_ONLY_RUN = """
import torch
from embeddings_explained.positional import sinusoidal_table
from embeddings_explained.runcache import cached_run
from tests.test_runcache import TABLES, table
kept = cached_run(table)(8)  # kept in the folder: read, not computed
other = cached_run(table)(16)  # not kept: computed, and not written
print(TABLES, torch.equal(kept, sinusoidal_table(8, 4)), len(other))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="Windows has no read-only folders to test")
def test_a_read_only_cache_is_read_and_never_written(run_folder: Path) -> None:
    cached_run(table)(8)
    files = {p: p.stat().st_mtime_ns for p in run_folder.iterdir()}
    for path in [run_folder, *files]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    # root ignores file modes; without CAP_DAC_OVERRIDE it is held to them like anyone
    as_root = ["setpriv", "--bounding-set=-dac_override", "--inh-caps=-dac_override"]
    try:
        result = subprocess.run(
            [*(as_root if os.geteuid() == 0 else []), sys.executable, "-c", _READ_ONLY_RUN],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
    finally:
        run_folder.chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[16]", "True", "16"]
    assert {p: p.stat().st_mtime_ns for p in run_folder.iterdir()} == files
