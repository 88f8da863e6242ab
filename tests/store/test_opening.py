"""Opening the history the command line asks for (shared by the window and headless)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from inspector.store import CaptureStore, StoreDamaged
from inspector.store.opening import move_aside, open_history
from tests.records import make_record


def test_no_db_is_memory(tmp_path: Path) -> None:
    store, problem = open_history(tmp_path / "unused.sqlite3", no_db=True)
    with store:
        assert store.path is None and problem is None
    assert not (tmp_path / "unused.sqlite3").exists()


def test_a_file_and_its_limit(tmp_path: Path) -> None:
    store, problem = open_history(tmp_path / "h.sqlite3", max_records=5)
    with store:
        assert problem is None and store.path == tmp_path / "h.sqlite3" and store.max_records == 5


def test_unusable_file_falls_back_to_memory_with_a_reason(tmp_path: Path) -> None:
    bad = tmp_path / "corrupt.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    store, problem = open_history(bad)
    with store:
        assert store.path is None
        assert problem is not None and str(bad) in problem



def damage(path: Path, *, keep: int) -> None:
    """Overwrite everything after the first ``keep`` bytes with noise (the SQLite
    header stays: a file damaged past its header)."""
    size = path.stat().st_size
    rng = random.Random(7)
    with open(path, "r+b") as handle:
        handle.seek(keep)
        handle.write(bytes(rng.getrandbits(8) for _ in range(size - keep)))


def filled(path: Path, count: int = 300) -> None:
    with CaptureStore(path) as store:
        store.add_many(make_record(id=i, body=os.urandom(200), raw_body=None) for i in range(1, count + 1))


@pytest.mark.parametrize("keep", [4096, 100], ids=["pages-after-the-first", "all-but-the-header"])
def test_a_damaged_file_is_moved_aside_and_a_new_one_started(tmp_path: Path, keep: int) -> None:
    path = tmp_path / "history.sqlite3"
    filled(path)
    damage(path, keep=keep)
    damaged_bytes = path.read_bytes()
    with pytest.raises(StoreDamaged):
        CaptureStore(path)
    store, notice = open_history(path)
    with store:
        assert store.path == path and store.count() == 0
        store.add(make_record(id=1))
        assert store.flush(5) and store.count() == 1
    asides = list(tmp_path.glob("history.sqlite3.damaged-*"))
    assert len(asides) == 1 and asides[0].read_bytes() == damaged_bytes
    assert notice is not None and "\n" not in notice
    assert str(path) in notice and asides[0].name in notice and "new history file" in notice


def test_move_aside_takes_the_side_files_along(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    for name, data in (("h.sqlite3", b"db"), ("h.sqlite3-wal", b"wal"), ("h.sqlite3-shm", b"shm")):
        (tmp_path / name).write_bytes(data)
    first = move_aside(path)
    path.write_bytes(b"db2")
    second = move_aside(path)
    assert first != second and first.name.startswith("h.sqlite3.damaged-")
    assert first.read_bytes() == b"db" and second.read_bytes() == b"db2"
    assert (tmp_path / (first.name + "-wal")).read_bytes() == b"wal"
    assert (tmp_path / (first.name + "-shm")).read_bytes() == b"shm"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [first.name, first.name + "-wal", first.name + "-shm", second.name]
    )


def test_a_file_that_is_not_sqlite_is_left_alone(tmp_path: Path) -> None:
    """Not ours to move: --db pointed at some other file. History in memory."""
    path = tmp_path / "notes.txt"
    path.write_bytes(b"my notes, not a database" * 200)
    store, notice = open_history(path)
    with store:
        assert store.path is None
    assert path.read_bytes() == b"my notes, not a database" * 200
    assert notice is not None and "memory only" in notice
    assert list(tmp_path.iterdir()) == [path]


def test_an_app_data_folder_that_cannot_be_created_means_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("REQUEST_INSPECTOR_HOME", str(blocker / "request-inspector"))
    store, notice = open_history(None)
    with store:
        assert store.path is None
        store.add(make_record(id=1))
        assert store.flush(5) and store.count() == 1
    assert notice is not None and "\n" not in notice
    assert "app-data folder" in notice and str(blocker / "request-inspector") in notice
    assert "memory only" in notice


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_app_data_folder_means_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o500)
    monkeypatch.setenv("REQUEST_INSPECTOR_HOME", str(home / "request-inspector"))
    try:
        store, notice = open_history(None)
        store.close()
    finally:
        home.chmod(0o700)
    assert store.path is None and notice is not None and "memory only" in notice
