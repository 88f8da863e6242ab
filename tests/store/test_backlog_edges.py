"""While writes fail: the backlog's byte cap exactly (never below one record), the
drop message word for word once per episode, and each episode counted on its own."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from inspector.store import BatchPolicy, CaptureStore
from inspector.store.codec import record_rows
from tests.store.test_failures import QUICK, fill_disk, free_disk, record

_SIZE = record_rows(record(1))[1]
_DROPPED = (
    "history: the records waiting to be written passed their cap; "
    "the oldest are dropped until writes work again"
)


def _failing_store(
    path: Path, policy: BatchPolicy, errors: list[str], *, clear: bool = False
) -> CaptureStore:
    store = CaptureStore(path, policy=policy, on_error=errors.append)
    store.add(record(1))
    assert store.flush(5)
    if clear:
        store.clear()
    fill_disk(store)
    return store


@pytest.mark.parametrize(
    ("cap", "kept", "clear"),
    [(10 * _SIZE, 10, False), (10 * _SIZE - 1, 9, False), (_SIZE - 1, 1, False), (10 * _SIZE, 10, True)],
)
def test_the_backlog_keeps_what_fits_its_byte_cap(tmp_path: Path, cap: int, kept: int, clear: bool) -> None:
    errors: list[str] = []
    policy = dataclasses.replace(QUICK, max_pending_bytes=cap)
    store = _failing_store(tmp_path / "h.sqlite3", policy, errors, clear=clear)
    try:
        for i in range(2, 32):
            store.add(record(i))
        assert not store.flush(5)
        assert store.pending == kept and store.dropped_total == 30 - kept
        assert sorted(errors) == ["cannot write history: database or disk is full", _DROPPED]
        free_disk(store)
        assert store.flush(5)
        assert store.ids() == [*([] if clear else [1]), *range(32 - kept, 32)]
        assert not store.failing
    finally:
        store.close()


def test_each_failing_episode_is_told_on_its_own(tmp_path: Path) -> None:
    errors: list[str] = []
    policy = dataclasses.replace(QUICK, max_pending_bytes=2 * _SIZE)
    store = _failing_store(tmp_path / "h.sqlite3", policy, errors)
    try:
        store.add_many(record(i) for i in range(2, 6))
        assert not store.flush(5)
        free_disk(store)
        assert store.flush(5)
        assert errors[-1] == "history writes work again; 2 records were dropped meanwhile"
        assert not store.failing
        # a second episode, with drops again: said again, counted from zero
        fill_disk(store)
        store.add_many(record(i) for i in range(6, 9))
        assert not store.flush(5) and store.failing
        free_disk(store)
        assert store.flush(5)
        assert errors.count(_DROPPED) == 2
        assert errors[-1] == "history writes work again; 1 records were dropped meanwhile"
        # a third, without drops
        fill_disk(store)
        store.add(record(9))
        assert not store.flush(5)
        free_disk(store)
        assert store.flush(5)
        assert errors[-1] == "history writes work again" and not store.failing
        assert store.committed_total == 1 + 2 + 2 + 1
    finally:
        store.close()


def test_closing_while_writes_fail_counts_every_record_lost(tmp_path: Path) -> None:
    errors: list[str] = []
    policy = dataclasses.replace(QUICK, max_pending_bytes=10 * _SIZE)
    store = _failing_store(tmp_path / "h.sqlite3", policy, errors)
    for i in range(2, 32):
        store.add(record(i))
    assert not store.flush(5)
    assert store.dropped_total == 20 and store.pending == 10
    store.close()
    assert store.dropped_total == 30  # the 20 over the cap and the 10 still unwritten
