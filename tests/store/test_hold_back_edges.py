"""hold_back without clocks: a writer that would wait ten minutes on its own shows
whether hold_back woke it (the record is committed) or returned at once (it is not)."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from inspector.store import BatchPolicy, CaptureStore
from tests.records import make_record
from tests.store.test_failures import fill_disk

#: the writer commits on its own only every ten minutes; hold_back may wait as long
_SLOW = BatchPolicy(interval=600, max_wait=600, retry_interval=600)

_ADDERS: dict[str, Callable[[CaptureStore, int], None]] = {
    "add": lambda store, i: store.add(make_record(id=i)),
    "add_many": lambda store, i: store.add_many([make_record(id=i)]),
    "add_pending": lambda store, i: store.add_pending(make_record(id=i)),
}


def _idle(tmp_path: Path, *, max_lag: float) -> CaptureStore:
    """A store whose writer has gone round once and now sleeps."""
    store = CaptureStore(tmp_path / "h.sqlite3", policy=dataclasses.replace(_SLOW, max_lag=max_lag))
    assert store.flush(10)
    return store


@pytest.mark.parametrize("how", sorted(_ADDERS))
def test_hold_back_wakes_the_writer_for_a_late_record(tmp_path: Path, how: str) -> None:
    with _idle(tmp_path, max_lag=0.0) as store:
        _ADDERS[how](store, 1)
        store.hold_back()
        assert store.ids() == [1] and store.pending == 0


@pytest.mark.parametrize("how", sorted(_ADDERS))
def test_hold_back_returns_at_once_while_nothing_is_late(tmp_path: Path, how: str) -> None:
    with _idle(tmp_path, max_lag=600.0) as store:
        _ADDERS[how](store, 1)
        store.hold_back()
        assert store.ids() == [] and store.pending == 1


def test_hold_back_returns_at_once_while_writes_fail(tmp_path: Path) -> None:
    with _idle(tmp_path, max_lag=0.0) as store:
        fill_disk(store)
        store.add(make_record(id=1, body=bytes(100_000)))
        assert not store.flush(10) and store.failing
        store.add(make_record(id=2))
        store.hold_back()  # would wait ten minutes if it waited at all
        assert store.pending == 2


def test_the_writer_commits_on_its_own_without_being_asked() -> None:
    committed = threading.Event()
    policy = BatchPolicy(interval=0.01)
    with CaptureStore(None, policy=policy, on_commit=lambda max_id, n: committed.set()) as store:
        store.add(make_record(id=1))  # no flush, no hold_back: nothing wakes the writer
        assert committed.wait(30)
        assert store.ids() == [1]
