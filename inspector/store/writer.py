"""The history's writer thread: batched commits, caps, space reclaimed, failures kept.

Strategy (docs/ARCHITECTURE.md, "The capture path"):

- :meth:`Writer.add` runs on the listener thread at up to 100k records/s, so it
  only appends to a ``collections.deque`` (atomic under the GIL, no lock, no
  wake-up). The writer thread drains it every :attr:`BatchPolicy.interval` and
  writes each batch with ``executemany`` in one transaction; when more arrived
  meanwhile it goes round again at once.
- Nothing stays uncommitted for long: :meth:`Writer.hold_back`, called by the
  recorder once per loop round before the answers go out, waits while the
  oldest uncommitted record is older than :attr:`BatchPolicy.max_lag`. A
  writer that cannot keep up slows the listener down (backpressure) instead of
  letting the backlog grow, so a killed process loses at most that much
  traffic. A failing disk does not slow anyone: then nothing waits.
- Bounded: in the same transaction as each batch the caps are applied
  (:mod:`~inspector.store.pruning`) and the pages freed go back to the file system.
- Failures: a failed write is reported once (and once more when writes work
  again); its rows are kept, already encoded, and retried every
  :attr:`BatchPolicy.retry_interval`. What waits is capped
  (:attr:`BatchPolicy.max_pending` records, :attr:`BatchPolicy.max_pending_bytes`);
  beyond it the oldest are dropped and counted in :attr:`Writer.dropped_total`.
  The thread never raises.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from inspector.http.record import CaptureRecord
from inspector.store import pruning
from inspector.store.codec import INSERT_PAYLOAD, INSERT_REQUEST, record_rows
from inspector.store.pruning import Caps


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    """How the writer batches, in one place to tune."""

    #: the writer commits at most this far apart while records arrive (s)
    interval: float = 0.1
    #: the oldest uncommitted record is at most this old before the listener
    #: waits for the writer (s): what a killed process can lose
    max_lag: float = 0.2
    #: the listener waits at most this long per loop round (s)
    max_wait: float = 1.0
    #: a batch larger than this is split into several transactions
    max_batch: int = 20_000
    #: a failed write is tried again this far apart (s)
    retry_interval: float = 1.0
    #: records waiting while writes fail, before the oldest are dropped
    max_pending: int = 500_000
    #: stored bytes waiting while writes fail, before the oldest are dropped
    max_pending_bytes: int = 256 << 20
    #: free pages that make the writer give space back (incremental vacuum) ...
    vacuum_min_pages: int = 256
    #: ... at most this many pages per batch, so a batch stays quick
    vacuum_step_pages: int = 4096


class StoreObserver(Protocol):
    """What the writer reports (on its own thread; each method must return quickly)."""

    def history_committed(self, max_id: int, count: int) -> None:
        """``count`` finished records were committed, the highest id ``max_id``."""

    def history_pruned(self, count: int) -> None:
        """The caps deleted the ``count`` oldest rows."""

    def problem(self, message: str) -> None:
        """One line: a write failed, records were dropped, or writes work again."""


class _Pending:
    """A queued record that is not finished yet (stored with ``pending = 1``)."""

    __slots__ = ("record",)

    def __init__(self, record: CaptureRecord) -> None:
        self.record = record


class _Barrier:
    """Queued by flush/clear/close: done once everything queued before it is handled."""

    __slots__ = ("clear", "done", "ok")

    def __init__(self, *, clear: bool = False) -> None:
        self.clear = clear
        self.done = threading.Event()
        self.ok = True


def _release(barriers: list[_Barrier], ok: bool) -> None:
    """Tell whoever waits on ``barriers`` (flush, clear, close) how it went; empty the list."""
    for barrier in barriers:
        barrier.ok = ok
        barrier.done.set()
    barriers.clear()


@dataclass(slots=True)
class _Row:
    """One record, encoded: kept as it is while writes fail."""

    id: int
    rows: tuple[tuple[Any, ...], tuple[Any, ...]]
    size: int
    pending: bool


_QueueItem = CaptureRecord | _Pending | _Barrier


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


class Writer:
    """Owns the write connection and the thread that uses it.

    Args:
        conn: the write connection (autocommit mode; ``BEGIN`` is explicit).
        lock: held around each transaction (the in-memory history shares one
            connection between writer and readers).
        state: ``(rows, stored bytes, highest id stored, highest id ever stored)``.
        vacuum: give pruned pages back (the file has incremental auto-vacuum).
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        lock: threading.Lock | contextlib.nullcontext[None],
        caps: Caps,
        policy: BatchPolicy,
        state: tuple[int, int, int, int],
        *,
        vacuum: bool,
        checkpoint: bool,
    ) -> None:
        self.caps = caps
        self.policy = policy
        #: the write connection (the store closes it after :meth:`close`)
        self.connection = conn
        self._lock = lock
        self._vacuum = vacuum
        self._checkpoint = checkpoint
        self._count, self._bytes, self.max_id, self.last_id = state
        #: rows deleted by the caps since opening
        self.pruned_total = 0
        #: records dropped (backlog over its cap, add after close, unwritten at close)
        self.dropped_total = 0
        #: records committed since opening
        self.committed_total = 0
        self.observers: tuple[StoreObserver, ...] = ()
        self._queue: deque[_QueueItem] = deque()
        self._retry: list[_Row] = []
        self._retry_bytes = 0
        self._next_retry = 0.0
        self._failing: str | None = None
        self._dropped_in_episode = 0
        self._closed = False
        self._wake = threading.Event()
        self._committed = threading.Condition()
        #: when the oldest record still in the queue was queued (None: queue drained)
        self._since: float | None = None
        #: when the oldest record of the batch being written (or kept) was queued
        self._inflight_since: float | None = None
        self._thread = threading.Thread(target=self._run, name="capture-store-writer", daemon=True)
        self._thread.start()

    # -- any thread ---------------------------------------------------------------------

    def add(self, record: CaptureRecord) -> None:
        if self._closed:
            self.dropped_total += 1
            return
        self._queue.append(record)
        if self._since is None:  # after the append: the writer may have just drained
            self._since = time.monotonic()

    def add_pending(self, record: CaptureRecord) -> None:
        if not self._closed:
            self._queue.append(_Pending(record))
            if self._since is None:
                self._since = time.monotonic()

    def add_many(self, records: Iterable[CaptureRecord]) -> None:
        if self._closed:
            self.dropped_total += sum(1 for _ in records)
            return
        self._queue.extend(records)
        if self._since is None:
            self._since = time.monotonic()

    @property
    def pending(self) -> int:
        """Records queued or kept for retry, not yet committed."""
        return sum(not isinstance(item, _Barrier) for item in list(self._queue)) + len(self._retry)

    @property
    def failing(self) -> bool:
        return self._failing is not None

    def lag(self) -> float:
        """Seconds since the oldest record not yet committed was queued (0 when none)."""
        oldest = [t for t in (self._since, self._inflight_since) if t is not None]
        return time.monotonic() - min(oldest) if oldest else 0.0

    def hold_back(self) -> None:
        """Wait (at most :attr:`BatchPolicy.max_wait`) while records older than
        :attr:`BatchPolicy.max_lag` are uncommitted; return at once when writes fail."""
        policy = self.policy
        if self.lag() <= policy.max_lag or self._failing is not None or self._closed:
            return
        self._wake.set()
        with self._committed:
            self._committed.wait_for(
                lambda: self.lag() <= policy.max_lag or self._failing is not None or self._closed,
                policy.max_wait,
            )

    def barrier(self, *, clear: bool = False) -> _Barrier:
        barrier = _Barrier(clear=clear)
        self._queue.append(barrier)
        self._wake.set()
        return barrier

    def close(self) -> None:
        """Write what is queued (one last try when writes fail), then stop the thread."""
        self.barrier()
        self._closed = True
        self._next_retry = 0.0
        self._wake.set()
        self._thread.join()
        self.dropped_total += len(self._retry)
        self._retry.clear()
        with self._committed:
            self._committed.notify_all()

    # -- the writer thread --------------------------------------------------------------

    def _run(self) -> None:
        next_commit = time.monotonic()
        while True:
            delay = next_commit - time.monotonic()
            if delay > 0:
                self._wake.wait(delay)
            self._wake.clear()
            next_commit = time.monotonic() + self.policy.interval
            stopping = self._closed
            try:
                self._drain()
            except Exception as exc:  # never let the writer die
                self._report(f"history writer error: {_one_line(exc)}")
            if stopping and not self._queue:
                return
            if self._queue:
                self._wake.set()  # more arrived meanwhile: go round again without waiting

    def _drain(self) -> None:
        if self._inflight_since is None:
            self._inflight_since = self._since
        self._since = None
        barriers: list[_Barrier] = []
        batch: dict[int, _QueueItem] = {}
        queue = self._queue
        # Take only what is there now: records keep arriving while we write.
        for _ in range(len(queue)):
            item = queue.popleft()
            if isinstance(item, _Barrier):
                barriers.append(item)
                if item.clear:  # a clear drops what was queued before it
                    batch.clear()
                    _release(barriers, self._clear())
            else:
                record = item.record if isinstance(item, _Pending) else item
                batch.pop(record.id, None)  # the newest state of a record wins
                batch[record.id] = item
        try:
            self._write_all(barriers, batch)
        except BaseException:
            # a record that cannot be encoded, say: whoever waits (flush, clear) is told
            # it failed instead of waiting for ever (_run reports the error)
            _release(barriers, False)
            raise

    def _encode(self, batch: dict[int, _QueueItem]) -> None:
        """Move ``batch`` to the end of the retry list, encoded; drop beyond the caps."""
        retry = self._retry
        for item in batch.values():
            pending = isinstance(item, _Pending)
            record = item.record if isinstance(item, _Pending) else item
            assert isinstance(record, CaptureRecord)
            rows, size = record_rows(record, pending=pending)
            retry.append(_Row(record.id, rows, size, pending))
            self._retry_bytes += size
        batch.clear()
        excess = 0
        policy = self.policy
        while len(retry) - excess > policy.max_pending or (
            self._retry_bytes > policy.max_pending_bytes and len(retry) - excess > 1
        ):
            self._retry_bytes -= retry[excess].size
            excess += 1
        if excess:
            del retry[:excess]
            self.dropped_total += excess
            if not self._dropped_in_episode:
                self._report(
                    "history: the records waiting to be written passed their cap; "
                    "the oldest are dropped until writes work again"
                )
            self._dropped_in_episode += excess

    def _write_all(self, barriers: list[_Barrier], batch: dict[int, _QueueItem]) -> bool:
        """Write the kept rows and ``batch``, then release ``barriers``."""
        self._encode(batch)
        ok = True
        now = time.monotonic()
        # while writes fail, try again every retry_interval, or when someone waits
        if self._retry and (self._failing is None or now >= self._next_retry or barriers):
            step = self.policy.max_batch
            while self._retry:
                chunk = self._retry[:step]
                if not self._write(chunk):
                    self._next_retry = now + self.policy.retry_interval
                    ok = False
                    break
                del self._retry[:step]
                self._retry_bytes -= sum(row.size for row in chunk)
        elif self._retry:
            ok = False
        if not self._retry:
            self._retry_bytes = 0
            self._inflight_since = None
        with self._committed:
            self._committed.notify_all()
        _release(barriers, ok)
        return ok

    def _write(self, rows: Sequence[_Row]) -> bool:
        ids = [row.id for row in rows]
        finished = [row.id for row in rows if not row.pending]
        conn = self.connection
        try:
            with self._lock:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    count, nbytes = pruning.replaced(
                        conn, [i for i in ids if i <= self.max_id], self._count, self._bytes
                    )
                    count += len(ids)
                    nbytes += sum(row.size for row in rows)
                    conn.executemany(INSERT_REQUEST, [row.rows[0] for row in rows])
                    conn.executemany(INSERT_PAYLOAD, [row.rows[1] for row in rows])
                    count, nbytes, pruned = pruning.prune(conn, self.caps, count, nbytes)
                    last_id = max(self.last_id, *ids)
                    if last_id > self.last_id:
                        conn.execute(
                            "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_id', ?)",
                            (str(last_id),),
                        )
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                if pruned and self._vacuum:
                    with contextlib.suppress(sqlite3.Error):  # the batch is committed
                        pruning.give_back_space(
                            conn, self.policy.vacuum_min_pages, self.policy.vacuum_step_pages
                        )
        except sqlite3.Error as exc:
            message = f"cannot write history: {_one_line(exc)}"
            if message != self._failing:
                self._report(message)
            self._failing = message
            return False
        if self._failing is not None:
            self._failing = None
            dropped = self._dropped_in_episode
            self._dropped_in_episode = 0
            more = f"; {dropped:,} records were dropped meanwhile" if dropped else ""
            self._report(f"history writes work again{more}")
        self._count, self._bytes = count, int(nbytes)
        self.max_id = max(self.max_id, *ids)
        self.last_id = last_id
        self.committed_total += len(rows)
        if pruned:
            self.pruned_total += pruned
            self._notify("history_pruned", pruned)
        if finished:
            self._notify("history_committed", max(finished), len(finished))
        return True

    def _clear(self) -> bool:
        conn = self.connection
        try:
            with self._lock:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.execute("DELETE FROM requests")
                    conn.execute("DELETE FROM payloads")
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                self._count, self._bytes = 0, 0
                self._retry.clear()
                self._retry_bytes = 0
                self._inflight_since = None
                conn.execute("VACUUM")
                if self._checkpoint:
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            self._failing = _one_line(exc)
            self._report(f"cannot clear history: {self._failing}")
            return False
        return True

    def _report(self, message: str) -> None:
        self._notify("problem", message)

    def _notify(self, method: str, *args: Any) -> None:
        for observer in self.observers:
            # An observer's bug must not kill the writer: swallow and carry on.
            with contextlib.suppress(Exception):
                call: Callable[..., None] = getattr(observer, method)
                call(*args)
