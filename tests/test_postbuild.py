"""The steps after the build (tools/postbuild.py) and the atomic writes of tools/files.py."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tools.files import write_atomic
from tools.postbuild import fix_page, fix_site

BUNDLE = '<script src="assets/javascripts/bundle.0123abcd.min.js"></script>'
PAGE = f'<div class="highlight"><pre><code><span class="n">x</span></code></pre></div>{BUNDLE}'


def test_fix_site_fixes_every_page_once_and_leaves_other_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    for path in (tmp_path / "index.html", tmp_path / "a" / "index.html"):
        path.write_text(PAGE)
    (tmp_path / "a" / "data.json").write_text(PAGE)
    assert len(fix_site(tmp_path)) == 2
    assert (tmp_path / "a" / "index.html").read_text() == fix_page(PAGE, notebook=False)
    assert '<span class="n">' not in (tmp_path / "index.html").read_text()
    assert (tmp_path / "a" / "data.json").read_text() == PAGE
    assert fix_site(tmp_path) == []  # fixed already: nothing rewritten


def test_fix_site_refuses_a_folder_without_a_site(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no index.html, so no built site; build it first"):
        fix_site(tmp_path)


def test_write_atomic_keeps_the_mode_and_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("old")
    os.chmod(path, 0o600)
    write_atomic(path, "new\r\nline")
    assert path.read_bytes() == b"new\r\nline"  # no newline translation
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]  # no temporary file left


def test_write_atomic_leaves_the_old_file_when_writing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "page.html"
    path.write_text("old")

    def no_space(src: str, dst: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"]  # the temporary file removed


def test_write_atomic_works_outside_the_main_thread(tmp_path: Path) -> None:
    """mkdocs serve rebuilds in a thread, where no signal handler can be set."""
    path, errors = tmp_path / "new" / "page.html", []

    def write() -> None:
        try:
            write_atomic(path, "new")
        except Exception as error:  # noqa: BLE001  (reported by the assert below)
            errors.append(error)

    thread = threading.Thread(target=write)
    thread.start()
    thread.join()
    assert not errors and path.read_text() == "new"
    assert path.stat().st_mode & 0o777 == 0o644  # a new file: readable by a web server
