"""The store on a full disk, a slow disk, and after pruning: said once, never blocking
the caller while writes fail, a bounded backlog, backpressure while the writer is
merely behind, and space given back."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from inspector.http.record import CaptureRecord
from inspector.store import BatchPolicy, CaptureStore
from tests.records import make_record

QUICK = BatchPolicy(interval=0.01, retry_interval=0.05)


def fill_disk(store: CaptureStore) -> None:
    """No room to grow: the file's page count is its maximum (SQLITE_FULL, as a
    full disk gives). Set on the writer's own connection."""
    conn = store._writer.connection
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")


def free_disk(store: CaptureStore) -> None:
    store._writer.connection.execute("PRAGMA max_page_count = 1073741823")


def record(i: int, size: int = 3000) -> CaptureRecord:
    return make_record(id=i, body=os.urandom(size), raw_body=None)


def test_disk_full_said_once_then_recovery_said_once(tmp_path: Path) -> None:
    errors: list[str] = []
    store = CaptureStore(tmp_path / "h.sqlite3", policy=QUICK, on_error=errors.append)
    store.add(record(1))
    assert store.flush(5)
    fill_disk(store)
    for i in range(2, 300):
        store.add(record(i))  # never blocks, never raises
        if i % 50 == 0:
            assert not store.flush(5)
    assert store.failing
    assert errors == ["cannot write history: database or disk is full"]
    store.hold_back()  # returns at once while writes fail (serving goes on)
    free_disk(store)
    assert store.flush(5)
    assert errors == ["cannot write history: database or disk is full", "history writes work again"]
    assert store.ids() == list(range(1, 300)) and store.dropped_total == 0
    store.close()


def test_the_backlog_is_capped_by_bytes_and_drops_are_counted(tmp_path: Path) -> None:
    errors: list[str] = []
    policy = dataclasses.replace(QUICK, max_pending_bytes=200_000)
    store = CaptureStore(tmp_path / "h.sqlite3", policy=policy, on_error=errors.append)
    store.add(record(1))
    assert store.flush(5)
    fill_disk(store)
    for i in range(2, 502):  # ~1.6 MB waiting, eight times the cap
        store.add(record(i))
    assert not store.flush(5)
    assert store.dropped_total > 0
    assert store.pending == 500 - store.dropped_total
    assert sum("dropped" in e for e in errors) == 1
    free_disk(store)
    assert store.flush(5)
    kept = store.ids()
    assert kept[0] == 1 and kept[1:] == list(range(502 - (len(kept) - 1), 502))  # the newest kept
    assert errors[-1] == f"history writes work again; {store.dropped_total:,} records were dropped meanwhile"
    store.close()


def test_records_still_unwritten_at_close_are_counted(tmp_path: Path) -> None:
    store = CaptureStore(tmp_path / "h.sqlite3", policy=QUICK)
    store.add(record(1))
    assert store.flush(5)
    fill_disk(store)
    for i in range(2, 12):
        store.add(record(i))
    store.close()
    assert store.dropped_total == 10
    with CaptureStore(tmp_path / "h.sqlite3") as reopened:
        assert reopened.ids() == [1]


def test_hold_back_waits_for_the_writer_to_commit(tmp_path: Path) -> None:
    """Backpressure: while the oldest uncommitted record is older than max_lag, the
    caller waits until the writer commits (the in-memory store's lock stalls it here)."""
    policy = BatchPolicy(interval=0.01, max_lag=0.0, max_wait=60.0)
    store = CaptureStore(None, policy=policy)
    committed_when_released: list[int] = []

    def loop_round() -> None:
        store.hold_back()
        committed_when_released.append(store.committed_total)

    with store._read_lock:  # the memory store's one connection: the writer cannot write
        for i in range(1, 6):
            store.add(record(i, 10))
        waiter = threading.Thread(target=loop_round)
        waiter.start()
        waiter.join(0.3)
        assert waiter.is_alive(), "hold_back returned while nothing was committed"
    waiter.join(10)
    assert committed_when_released == [5]
    store.close()


def test_hold_back_does_not_wait_when_nothing_is_late() -> None:
    store = CaptureStore(None, policy=BatchPolicy(interval=60.0, max_lag=60.0))
    store.add(record(1, 10))
    with store._read_lock:  # the writer could not commit; nothing waits anyway
        store.hold_back()
    assert store.flush(5)
    store.close()


def test_pruning_gives_space_back(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with CaptureStore(path, max_bytes=8 << 20) as store:
        store.add_many(record(i, 8000) for i in range(1, 1001))
        assert store.flush(30)
    big = path.stat().st_size
    assert big > 6 << 20
    with CaptureStore(path, max_bytes=1 << 20) as store:  # the cap lowered: most rows pruned
        store.add(record(1001, 8000))
        assert store.flush(30)
        assert store.pruned_total > 800
        for i in range(1002, 1200):  # more batches, more steps of incremental vacuum
            store.add(record(i, 8000))
            if i % 20 == 0:
                assert store.flush(30)
        assert store.flush(30)
    assert path.stat().st_size < 2 << 20, (big, path.stat().st_size)


V1_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE requests (
    id INTEGER PRIMARY KEY, received_at REAL NOT NULL, client TEXT NOT NULL, server TEXT NOT NULL,
    method TEXT NOT NULL, target TEXT NOT NULL, path TEXT NOT NULL, query TEXT,
    http_version TEXT NOT NULL, headers TEXT, header_count INTEGER NOT NULL, trailers TEXT,
    body_size INTEGER NOT NULL, body_truncated INTEGER NOT NULL, error TEXT, notes TEXT,
    status INTEGER, reason TEXT, rule TEXT, resp_bytes INTEGER, duration_ms REAL,
    resp_error TEXT, resp_headers TEXT, size INTEGER NOT NULL);
CREATE TABLE payloads (id INTEGER PRIMARY KEY, body BLOB NOT NULL, raw_head BLOB NOT NULL,
    raw_body BLOB, resp_body BLOB);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO requests VALUES (5, 1700000000.5, '127.0.0.1:1', '127.0.0.1:2', 'GET', '/old', '/old',
    NULL, '1.1', '[["Host","h"]]', 1, NULL, 0, 0, NULL, NULL, 200, 'OK', 'r', 10, 1.5, NULL,
    NULL, 100);
INSERT INTO payloads VALUES (5, x'', x'474554202f6f6c6420', NULL, x'6f6b');
"""


def test_a_version_1_file_is_brought_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(V1_TABLES)
    conn.close()
    with CaptureStore(path) as store:
        old = store.get(5)
        assert (old.method, old.target, old.scheme, old.response.body) == ("GET", "/old", "http", b"ok")  # type: ignore[union-attr]
        assert store.last_id == 5
        store.add(make_record(id=6, scheme="https"))
        assert store.flush(5)
        assert store.get(6).scheme == "https"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # converted once
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "2"
    conn.close()


def test_a_newer_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    CaptureStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(Exception, match="newer"):
        CaptureStore(path)
