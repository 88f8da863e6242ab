"""Opening a history: how long a connection waits on a locked file, and the one-line
reason given when the app-data folder or the file cannot be used."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from inspector.store import CaptureStore, StoreError, db, schema
from tests.records import make_record


def test_both_connections_wait_the_busy_timeout_on_a_locked_file(tmp_path: Path) -> None:
    with CaptureStore(tmp_path / "h.sqlite3") as store:
        for conn in (store._reader, store._writer.connection):
            assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == schema.BUSY_TIMEOUT_MS


def test_an_app_data_error_without_a_file_name_names_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    home = blocker / "ri"  # cannot be created either: the message must not try again
    monkeypatch.setenv("REQUEST_INSPECTOR_HOME", str(home))

    def refused() -> Path:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(db, "default_path", refused)
    with pytest.raises(StoreError) as failure:
        CaptureStore()
    assert str(failure.value) == f"cannot create the app-data folder {home}: Read-only file system"


def test_an_error_without_text_opening_the_file_is_named_by_its_kind(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with CaptureStore(path) as store:
        store.add_pending(make_record(id=1))  # unfinished at close: finished when reopened
        assert store.flush(10)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("CREATE TRIGGER keep BEFORE UPDATE ON requests BEGIN SELECT RAISE(ABORT, ''); END")
    conn.close()
    with pytest.raises(StoreError) as failure:
        CaptureStore(path)
    assert str(failure.value) == f"cannot use history file {path}: IntegrityError"
