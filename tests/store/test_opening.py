"""Opening the history the command line asks for (shared by the window and headless)."""

from __future__ import annotations

from pathlib import Path

from inspector.store.opening import open_history


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

