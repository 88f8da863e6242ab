"""The writer's rounds one at a time, on a fake clock: how late records count, when a
failed write is tried again, what the backlog's byte cap counts, when waiters are
released and when hold_back wakes the writer.

The writer's thread ends at once here (``_Manual``); each test runs the rounds the
thread would run (``_drain``) itself, with ``time.monotonic`` replaced in the writer's
module only, so every decision that depends on time is checked without waiting.
A trigger that refuses inserts stands for a full or failing disk.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from types import SimpleNamespace

import pytest

from inspector.http.record import CaptureRecord
from inspector.store import BatchPolicy, schema
from inspector.store import writer as writer_module
from inspector.store.codec import record_rows
from inspector.store.pruning import Caps
from inspector.store.writer import Writer
from tests.records import make_record

_SIZE = record_rows(make_record(id=1))[1]


class _Manual(Writer):
    """A writer whose thread ends at once: the test runs each round itself."""

    def _run(self) -> None:
        return


class _Watch(contextlib.nullcontext[None]):
    """The write lock, calling ``hook`` each time the writer takes it."""

    def __init__(self, hook: Callable[[], None]) -> None:
        super().__init__()
        self.hook = hook

    def __enter__(self) -> None:
        self.hook()


@pytest.fixture(name="clock")
def _clock(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    clock = SimpleNamespace(now=100.0)
    monkeypatch.setattr(writer_module, "time", SimpleNamespace(monotonic=lambda: clock.now))
    return clock


def _writer(
    policy: BatchPolicy, lock: contextlib.nullcontext[None] | None = None
) -> tuple[_Manual, sqlite3.Connection]:
    conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    schema.prepare(conn, "memory")
    writer = _Manual(
        conn,
        lock or contextlib.nullcontext(),
        Caps(1_000, 1 << 30),
        policy,
        schema.read_state(conn),
        vacuum=False,
        checkpoint=False,
    )
    return writer, conn


@contextlib.contextmanager
def _manual(
    policy: BatchPolicy, lock: contextlib.nullcontext[None] | None = None
) -> Iterator[tuple[_Manual, sqlite3.Connection]]:
    writer, conn = _writer(policy, lock)
    try:
        yield writer, conn
    finally:
        writer.close()
        conn.close()


def _refuse(conn: sqlite3.Connection, from_id: int = 0) -> None:
    conn.execute(
        f"CREATE TRIGGER refuse BEFORE INSERT ON requests WHEN NEW.id >= {from_id} "
        "BEGIN SELECT RAISE(ABORT, 'no room'); END"
    )


def _allow(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TRIGGER refuse")


def _ids(conn: sqlite3.Connection) -> list[int]:
    return [row[0] for row in conn.execute("SELECT id FROM requests ORDER BY id")]


def _records(*ids: int) -> list[CaptureRecord]:
    records = [make_record(id=i) for i in ids]
    assert all(record_rows(record)[1] == _SIZE for record in records)
    return records


def test_lag_is_zero_until_a_record_is_queued(clock: SimpleNamespace) -> None:
    with _manual(BatchPolicy()) as (writer, _):
        assert writer.lag() == 0.0
        writer.add(make_record(id=1))
        clock.now = 100.5
        assert writer.lag() == 0.5


def test_lag_counts_a_batch_while_it_is_written_and_while_it_is_kept(clock: SimpleNamespace) -> None:
    seen: list[float] = []
    writer, conn = _writer(BatchPolicy(), _Watch(lambda: seen.append(writer.lag())))
    try:
        writer.add(make_record(id=1))  # queued at 100
        clock.now = 100.5
        writer._drain()
        assert seen == [0.5]  # taken off the queue, not yet committed: still late
        assert writer.lag() == 0.0 and _ids(conn) == [1]
        _refuse(conn)
        writer.add(make_record(id=2))  # queued at 100.5
        clock.now = 101.0
        writer._drain()
        assert writer.failing and writer.pending == 1
        clock.now = 102.0
        assert writer.lag() == 1.5  # kept for retry: as late as when it was queued
    finally:
        writer.close()
        conn.close()


def test_a_failed_write_is_tried_again_after_retry_interval_or_when_someone_waits(
    clock: SimpleNamespace,
) -> None:
    with _manual(BatchPolicy(retry_interval=1.0)) as (writer, conn):
        _refuse(conn)
        writer.add(make_record(id=1))
        writer._drain()  # fails at 100: next try at 101
        assert writer.failing and writer.pending == 1
        _allow(conn)
        writer.add(make_record(id=2))
        clock.now = 100.5
        writer._drain()  # before the retry time, nobody waiting: no try
        assert writer.committed_total == 0 and writer.pending == 2 and _ids(conn) == []
        clock.now = 101.0
        writer._drain()  # the retry time, to the last bit
        assert writer.committed_total == 2 and not writer.failing and _ids(conn) == [1, 2]
        # a second episode, ended early by a flush: writes go on as usual afterwards
        _refuse(conn)
        writer.add(make_record(id=3))
        clock.now = 102.0
        writer._drain()  # fails: next try at 103
        assert writer.failing
        _allow(conn)
        flush = writer.barrier()
        clock.now = 102.1
        writer._drain()
        assert flush.done.is_set() and flush.ok is True and not writer.failing
        writer.add(make_record(id=4))
        clock.now = 102.2
        writer._drain()  # before 103, but writes work: written at once
        assert _ids(conn) == [1, 2, 3, 4] and writer.committed_total == 4


def test_a_flush_waiting_on_a_failed_write_is_released_with_false(clock: SimpleNamespace) -> None:
    with _manual(BatchPolicy()) as (writer, conn):
        _refuse(conn)
        writer.add(make_record(id=1))
        flush = writer.barrier()
        writer._drain()
        assert flush.done.is_set() and flush.ok is False
        assert writer.pending == 1


def test_a_flush_waiting_on_a_record_that_cannot_be_encoded_is_released_with_false(
    clock: SimpleNamespace,
) -> None:
    with _manual(BatchPolicy()) as (writer, _):
        writer.add(make_record(id=1, notes=(object(),)))
        flush = writer.barrier()
        with pytest.raises(TypeError):
            writer._drain()  # the thread reports it and goes on
        assert flush.done.is_set() and flush.ok is False


@pytest.mark.parametrize("clear_first", [False, True])
def test_the_first_failing_batch_is_kept_whole_at_its_exact_byte_cap(
    clock: SimpleNamespace, clear_first: bool
) -> None:
    with _manual(BatchPolicy(max_pending_bytes=4 * _SIZE)) as (writer, conn):
        _refuse(conn)
        clear = writer.barrier(clear=True) if clear_first else None
        writer.add_many(_records(1, 2, 3, 4))  # arrived after the clear, in the same round
        writer._drain()
        assert clear is None or (clear.done.is_set() and clear.ok is True)
        assert writer.failing and writer.pending == 4 and writer.dropped_total == 0


def test_a_batch_written_in_part_counts_only_the_unwritten_bytes(clock: SimpleNamespace) -> None:
    policy = BatchPolicy(max_batch=2, max_pending_bytes=6 * _SIZE)
    with _manual(policy) as (writer, conn):
        _refuse(conn, from_id=3)
        writer.add_many(_records(1, 2, 3, 4, 5, 6))
        writer._drain()  # 1-2 committed, 3-6 kept
        assert _ids(conn) == [1, 2] and writer.pending == 4 and writer.dropped_total == 0
        writer.add_many(_records(7, 8, 9))  # seven waiting, room for six: the oldest goes
        clock.now = 100.5
        writer._drain()
        assert writer.pending == 6 and writer.dropped_total == 1
        _allow(conn)
        clock.now = 102.0
        writer._drain()
        assert _ids(conn) == [1, 2, 4, 5, 6, 7, 8, 9]


def test_hold_back_wakes_the_writer_only_for_a_late_record_while_writes_work(
    clock: SimpleNamespace,
) -> None:
    policy = BatchPolicy(max_lag=0.25, max_wait=0.0)
    with _manual(policy) as (writer, conn):
        writer.hold_back()  # nothing queued
        assert not writer._wake.is_set()
        writer.add(make_record(id=1))
        clock.now = 100.25  # exactly max_lag: not late yet
        writer.hold_back()
        assert not writer._wake.is_set()
        clock.now = 100.5  # late: the writer is woken (and waited for, up to max_wait)
        writer.hold_back()
        assert writer._wake.is_set()
        writer._wake.clear()
        _refuse(conn)
        writer._drain()
        assert writer.failing
        clock.now = 105.0  # late, but writes fail: nobody waits and nothing is woken
        writer.hold_back()
        assert not writer._wake.is_set()
