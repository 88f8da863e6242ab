"""The file settings at their edges: turning auto-vacuum on only up to the size limit
(live data, not free pages), what counts as damage, and the highest id ever stored."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from inspector.store import CaptureStore, pruning, schema
from tests.records import make_record


def _old_file(path: Path) -> tuple[sqlite3.Connection, int]:
    """A file without auto-vacuum, with free pages; and its live bytes."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (b BLOB)")
    conn.executemany("INSERT INTO t VALUES (?)", [(bytes(3000),) for _ in range(60)])
    conn.execute("DELETE FROM t WHERE rowid > 20")
    page_size, pages, free = (
        conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_size", "page_count", "freelist_count")
    )
    assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 0 and free > 0
    return conn, (pages - free) * page_size


@pytest.mark.parametrize(("margin", "converted"), [(0, True), (-1, False)])
def test_auto_vacuum_is_turned_on_up_to_the_limit_of_live_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, margin: int, converted: bool
) -> None:
    conn, live = _old_file(tmp_path / "old.sqlite3")
    monkeypatch.setattr(schema, "CONVERT_LIMIT_BYTES", live + margin)
    try:
        assert schema.convert_to_incremental_vacuum(conn) is converted
        assert (conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2) is converted
        assert schema.convert_to_incremental_vacuum(conn) is converted
    finally:
        conn.close()


def test_a_vacuum_that_fails_leaves_auto_vacuum_off(tmp_path: Path) -> None:
    conn, _ = _old_file(tmp_path / "old.sqlite3")
    try:
        conn.execute("BEGIN")  # VACUUM cannot run inside a transaction
        assert schema.convert_to_incremental_vacuum(conn) is False
    finally:
        conn.close()


def test_only_corruption_counts_as_damage(tmp_path: Path) -> None:
    with pytest.raises(sqlite3.Error) as syntax:
        sqlite3.connect(":memory:").execute("SELEC 1")
    assert not schema.is_damage(syntax.value)
    assert not schema.is_damage(sqlite3.DatabaseError("made by hand, no error code"))
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"junk" * 1000)
    with pytest.raises(sqlite3.Error) as not_a_db:
        sqlite3.connect(path).execute("SELECT count(*) FROM sqlite_master")
    assert schema.is_damage(not_a_db.value)


def test_the_highest_id_ever_stored_survives_a_clear_and_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with CaptureStore(path) as store:
        assert store.last_id == 0
        store.add_many(make_record(id=i) for i in (3, 7))
        assert store.flush(10)
        store.clear()
    with CaptureStore(path) as store:
        assert store.count() == 0 and store.last_id == 7
    with CaptureStore(None) as memory:
        assert memory.last_id == 0


def _free_pages(path: Path) -> tuple[sqlite3.Connection, int]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    conn.execute("CREATE TABLE t (b BLOB)")
    conn.executemany("INSERT INTO t VALUES (?)", [(bytes(3000),) for _ in range(40)])
    conn.execute("DELETE FROM t")
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    assert free > 4
    return conn, free


def test_space_is_given_back_from_exactly_min_pages_a_step_at_a_time(tmp_path: Path) -> None:
    conn, free = _free_pages(tmp_path / "a.sqlite3")
    try:
        pruning.give_back_space(conn, free + 1, free)  # not enough free pages yet
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == free
        pruning.give_back_space(conn, free, 2)  # enough: one step of two pages
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == free - 2
        pruning.give_back_space(conn, 1, free)
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    finally:
        conn.close()


def test_damage_found_while_turning_auto_vacuum_on_is_raised(tmp_path: Path) -> None:
    """The schema reads fine, a data page is damaged: VACUUM finds it, and the open must
    say the file is damaged rather than carry on without auto-vacuum."""
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (b BLOB)")
    conn.executemany("INSERT INTO t VALUES (?)", [(bytes([i % 251]) * 3000,) for i in range(60)])
    conn.close()
    with open(path, "r+b") as handle:
        handle.seek(path.stat().st_size // 2)
        handle.write(b"\xff" * 4096)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 1
        with pytest.raises(sqlite3.DatabaseError) as failure:
            schema.convert_to_incremental_vacuum(conn)
        assert schema.is_damage(failure.value)
    finally:
        conn.close()
