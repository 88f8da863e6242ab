"""Edge cases of the history file's schema helpers (inspector.store.schema)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from inspector.store import schema


def _old_file(path: Path, blob_bytes: int) -> sqlite3.Connection:
    """A version-2 file without auto-vacuum (as older versions wrote), some pages free."""
    conn = sqlite3.connect(path, isolation_level=None)
    schema.prepare(conn, str(path))
    conn.execute("INSERT INTO meta (key, value) VALUES ('blob', ?)", ("x" * blob_bytes,))
    conn.execute("INSERT INTO meta (key, value) VALUES ('gone', ?)", ("y" * blob_bytes,))
    conn.execute("DELETE FROM meta WHERE key = 'gone'")
    assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] > 0
    return conn


def _live_bytes(conn: sqlite3.Connection) -> int:
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    return int((pages - free) * size)


def test_convert_turns_incremental_vacuum_on_at_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = _old_file(tmp_path / "h.sqlite", 50_000)
    monkeypatch.setattr(schema, "CONVERT_LIMIT_BYTES", _live_bytes(conn))
    assert schema.convert_to_incremental_vacuum(conn) is True
    assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2
    assert conn.execute("SELECT length(value) FROM meta WHERE key = 'blob'").fetchone()[0] == 50_000


def test_convert_leaves_a_file_over_the_limit_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = _old_file(tmp_path / "h.sqlite", 50_000)
    monkeypatch.setattr(schema, "CONVERT_LIMIT_BYTES", _live_bytes(conn) - 1)
    assert schema.convert_to_incremental_vacuum(conn) is False
    assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 0


def test_convert_gives_up_when_vacuum_fails(tmp_path: Path) -> None:
    conn = _old_file(tmp_path / "h.sqlite", 10_000)
    conn.execute("BEGIN")  # VACUUM cannot run inside a transaction
    assert schema.convert_to_incremental_vacuum(conn) is False
    conn.execute("ROLLBACK")
    assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 0


def test_convert_does_not_copy_a_file_that_already_has_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = sqlite3.connect(tmp_path / "h.sqlite", isolation_level=None)
    schema.configure(conn)
    schema.prepare(conn, "h")
    monkeypatch.setattr(schema, "CONVERT_LIMIT_BYTES", 0)
    assert schema.convert_to_incremental_vacuum(conn) is True


def test_configure_says_why_wal_is_refused() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    with pytest.raises(sqlite3.OperationalError, match=r"^cannot switch to WAL \(journal mode memory\)$"):
        schema.configure(conn)


@pytest.mark.parametrize(
    ("rows", "last_id", "state"),
    [
        ([], None, (0, 0, 0, 0)),
        ([3, 7], None, (2, 10, 7, 7)),
        ([3, 7], "50", (2, 10, 7, 50)),
        ([], "50", (0, 0, 0, 50)),
    ],
)
def test_read_state_counts_rows_and_remembers_the_highest_id_ever(
    rows: list[int], last_id: str | None, state: tuple[int, int, int, int]
) -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    schema.prepare(conn, ":memory:")
    for row_id in rows:
        conn.execute(
            "INSERT INTO requests (id, received_at, client, server, method, target, path,"
            " http_version, header_count, body_size, body_truncated, size)"
            " VALUES (?, 0, 'c', 's', 'GET', '/', '/', 'HTTP/1.1', 0, 0, 0, 5)",
            (row_id,),
        )
    if last_id is not None:
        conn.execute("INSERT INTO meta (key, value) VALUES ('last_id', ?)", (last_id,))
    assert schema.read_state(conn) == state


def _error(code: int | None) -> sqlite3.Error:
    exc = sqlite3.OperationalError("x")
    if code is not None:
        exc.sqlite_errorcode = code
    return exc


@pytest.mark.parametrize(
    ("code", "damage"),
    [
        (None, False),
        (sqlite3.SQLITE_BUSY, False),
        (sqlite3.SQLITE_IOERR, False),
        (sqlite3.SQLITE_CORRUPT, True),
        (sqlite3.SQLITE_NOTADB, True),
        (sqlite3.SQLITE_CORRUPT | (1 << 8), True),  # an extended code
    ],
)
def test_is_damage_only_for_corrupt_files(code: int | None, damage: bool) -> None:
    assert schema.is_damage(_error(code)) is damage
