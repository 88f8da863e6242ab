"""Clearing the history: the caps count afresh afterwards, and a clear that fails
keeps every row, says why once and raises."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from inspector.store import CaptureStore, StoreError
from inspector.store.codec import record_rows
from tests.records import make_record


def test_the_caps_count_afresh_after_a_clear(tmp_path: Path) -> None:
    records = [make_record(id=i) for i in (1, 2, 3)]
    exact = sum(record_rows(record)[1] for record in records)
    with CaptureStore(tmp_path / "h.sqlite3", max_records=3, max_bytes=exact) as store:
        store.add_many(records)
        assert store.flush(10)
        store.clear()
        store.add_many(make_record(id=i) for i in (4, 5, 6))
        assert store.flush(10)
        assert store.ids() == [4, 5, 6] and store.pruned_total == 0


def test_a_clear_that_fails_keeps_the_rows_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    errors: list[str] = []
    with CaptureStore(path, on_error=errors.append) as store:
        store.add_many(make_record(id=i) for i in (1, 2))
        assert store.flush(10)
        conn = sqlite3.connect(path)
        with conn:
            conn.execute(
                "CREATE TRIGGER keep BEFORE DELETE ON payloads "
                "BEGIN SELECT RAISE(ABORT, 'payloads are kept'); END"
            )
        conn.close()
        with pytest.raises(StoreError, match=r"^clearing the history failed$"):
            store.clear()
        assert errors == ["cannot clear history: payloads are kept"]
        assert store.failing
        assert store.ids() == [1, 2] and store.count() == 2
        store.add(make_record(id=3))  # the writer goes on: no transaction was left open
        assert store.flush(10)
        assert store.ids() == [1, 2, 3]
