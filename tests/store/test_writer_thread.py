"""The writer's own thread: it sleeps between rounds, hold_back gives up after max_wait
and returns when a write fails, a failure is named even when SQLite gives no text,
space is given back only after pruning (and a failure doing so spoils no batch), and
closing while writes fail says nothing new.

No wall-clock thresholds: a join or wait with a generous timeout only bounds how long
a broken writer can hang the test."""

from __future__ import annotations

import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from inspector.store import BatchPolicy, CaptureStore, pruning, schema
from inspector.store.pruning import Caps
from inspector.store.writer import Writer
from tests.records import make_record

#: generous bounds for a thread that should be done long before
_BOUND = 20.0
#: a writer that commits on its own only every ten minutes
_SLOW = BatchPolicy(interval=600, max_wait=600, retry_interval=600, max_lag=0.0)


def _refuse(store: CaptureStore, message: str = "no room") -> None:
    """Inserts fail from now on (a full or failing disk), on the writer's connection."""
    with store._read_lock:  # the memory store's writer shares the connection
        store._writer.connection.execute(
            f"CREATE TRIGGER refuse BEFORE INSERT ON requests BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


def _in_thread(call: Callable[[], None]) -> threading.Thread:
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    return thread


class _Sleeps(threading.Event):
    """The writer's wake-up event, noting each timeout the writer sleeps for."""

    def __init__(self) -> None:
        super().__init__()
        self.timeouts: queue.Queue[float | None] = queue.Queue()

    def wait(self, timeout: float | None = None) -> bool:
        self.timeouts.put(timeout)
        return super().wait(timeout)


class _Watched(Writer):
    def __init__(self, *args: Any, sleeps: _Sleeps, **kwargs: Any) -> None:
        self.sleeps = sleeps
        super().__init__(*args, **kwargs)

    def _run(self) -> None:
        self._wake = self.sleeps
        super()._run()


def test_the_writer_sleeps_one_interval_between_rounds() -> None:
    conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    schema.prepare(conn, "memory")
    sleeps = _Sleeps()
    policy = BatchPolicy(interval=0.5)
    writer = _Watched(
        conn,
        contextlib.nullcontext(),
        Caps(10, 1 << 20),
        policy,
        schema.read_state(conn),
        vacuum=False,
        checkpoint=False,
        sleeps=sleeps,
    )
    try:
        # the first round runs at once; then it sleeps (no busy loop), at most one interval
        timeout = sleeps.timeouts.get(timeout=_BOUND)
        assert timeout is not None and 0 < timeout <= policy.interval
    finally:
        writer.close()
        conn.close()


def test_hold_back_gives_up_after_max_wait_while_the_writer_is_stuck() -> None:
    policy = BatchPolicy(interval=600, max_lag=0.0, max_wait=0.05)
    with CaptureStore(None, policy=policy) as store:
        assert store.flush(_BOUND)
        with store._read_lock:  # the memory store's writer cannot commit
            store.add(make_record(id=1))
            waiter = _in_thread(store.hold_back)
            waiter.join(_BOUND)
            assert not waiter.is_alive(), "hold_back waited past max_wait"
            assert store.committed_total == 0
        assert store.flush(_BOUND)


def test_hold_back_returns_as_soon_as_the_write_fails() -> None:
    with CaptureStore(None, policy=_SLOW) as store:
        assert store.flush(_BOUND)  # the writer has gone round and sleeps
        _refuse(store)
        store.add(make_record(id=1))
        waiter = _in_thread(store.hold_back)  # late at once (max_lag 0): wakes the writer
        waiter.join(_BOUND)
        assert not waiter.is_alive(), "hold_back kept waiting while writes fail"
        assert store.failing and store.pending == 1


def test_a_failure_without_text_is_named_by_its_kind() -> None:
    errors: list[str] = []
    with CaptureStore(None, on_error=errors.append) as store:
        _refuse(store, message="")
        store.add(make_record(id=1))
        assert store.flush(_BOUND) is False
        assert errors == ["cannot write history: IntegrityError"]


def test_closing_while_writes_fail_says_nothing_new(tmp_path: Path) -> None:
    errors: list[str] = []
    store = CaptureStore(tmp_path / "h.sqlite3", policy=_SLOW, on_error=errors.append)
    _refuse(store)
    store.add(make_record(id=1))
    assert store.flush(_BOUND) is False
    store.close()  # one last try, failing the same way: not said again
    assert errors == ["cannot write history: no room"]
    assert store.dropped_total == 1


def test_space_is_given_back_only_after_pruning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = pruning.give_back_space

    def counted(conn: sqlite3.Connection, min_pages: int, step_pages: int) -> None:
        calls.append(min_pages)
        real(conn, min_pages, step_pages)

    monkeypatch.setattr(pruning, "give_back_space", counted)
    with CaptureStore(tmp_path / "h.sqlite3", max_records=3) as store:
        store.add_many(make_record(id=i, body=bytes(20_000)) for i in (1, 2, 3))
        assert store.flush(_BOUND)
        store.add_many(make_record(id=i) for i in (1, 2, 3))  # replaced: pages freed, none pruned
        assert store.flush(_BOUND)
        assert calls == [] and store.pruned_total == 0
        store.add(make_record(id=4))
        assert store.flush(_BOUND)
        assert store.pruned_total == 1 and calls == [BatchPolicy().vacuum_min_pages]


def test_a_failure_giving_space_back_spoils_no_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(conn: sqlite3.Connection, min_pages: int, step_pages: int) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(pruning, "give_back_space", fails)
    errors: list[str] = []
    commits: list[tuple[int, int]] = []
    with CaptureStore(
        tmp_path / "h.sqlite3",
        max_records=2,
        on_error=errors.append,
        on_commit=lambda max_id, n: commits.append((max_id, n)),
    ) as store:
        store.add_many(make_record(id=i) for i in (1, 2, 3))
        assert store.flush(_BOUND) is True
        assert store.ids() == [2, 3] and store.pruned_total == 1
        assert errors == [] and commits == [(3, 3)] and not store.failing
