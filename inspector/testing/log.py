"""The records an in-process listener keeps for its test, and waiting for them.

A :class:`RequestLog` is one more observer of the app's
:class:`~inspector.capture.Recorder` (docs/ARCHITECTURE.md, "The capture
path"). On the server loop's thread it only appends each finished record to a
list under a lock (before the round's answers go out, so a client that got
its answer finds its request in the log); once per loop round it wakes the
threads waiting in :meth:`RequestLog.wait`. Waiting is a condition variable,
never a sleep: a waiter runs when a round brought records, when the listener
stops, or when its deadline passes.

Records are turned into :class:`~inspector.testing.CapturedRequest` by the
readers, once each, never on the loop thread. Memory is bounded: the newest
``max_records`` are kept (older ones are counted and said to be dropped); the
list is trimmed in one go when it reaches twice that, so appending stays O(1).

Sequence numbers count every record the log was given; :meth:`RequestLog.clear`
moves the start of what readers see to the next one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from inspector.capture import RecorderObserver
from inspector.http.record import CaptureRecord
from inspector.testing.captured import CapturedRequest


class RequestLog(RecorderObserver):
    """Finished records for readers on other threads.

    Args:
        max_records: how many of the newest records are kept (1 or more).
    """

    def __init__(self, max_records: int) -> None:
        if max_records < 1:
            raise ValueError("max_records must be 1 or more")
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._records: list[CaptureRecord] = []
        self._max = max_records
        self._trim_at = 2 * max_records
        self._first = 0  # sequence number of _records[0]
        self._start = 0  # where readers start (moved by clear)
        self._woken_at = 0  # the sequence number waiters were last woken for
        self._stopped: str | None = None

    @property
    def _next(self) -> int:
        """The sequence number of the next record (the lock held, or on the loop thread)."""
        return self._first + len(self._records)

    # -- the server loop's thread ---------------------------------------------------------

    def request_finished(self, record: CaptureRecord) -> None:
        # the condition's own lock, without its Python-level wrapper (half the cost)
        with self._lock:
            records = self._records
            records.append(record)
            if len(records) >= self._trim_at:
                cut = len(records) - self._max
                del records[:cut]
                self._first += cut

    def round_ended(self) -> None:
        with self._lock:
            if self._next != self._woken_at:
                self._woken_at = self._next
                self._cond.notify_all()

    # -- any thread -------------------------------------------------------------------------

    @property
    def mark(self) -> int:
        """The sequence number the next record will get (for :meth:`snapshot`'s ``since``)."""
        with self._cond:
            return self._next

    @property
    def stopped(self) -> str | None:
        """None while the listener runs; else why it stopped (one line)."""
        with self._cond:
            return self._stopped

    def stop(self, reason: str) -> None:
        """The listener is gone: wake every waiter (their waits end now)."""
        with self._cond:
            if self._stopped is None:
                self._stopped = reason
            self._cond.notify_all()

    def clear(self) -> None:
        """Forget every record so far; readers and waiters see only later ones."""
        with self._cond:
            self._first = self._start = self._next
            self._records = []

    def snapshot(self, since: int = 0) -> tuple[list[CapturedRequest], int]:
        """The kept records from sequence number ``since`` on, oldest first, and how
        many records from there on are no longer kept (over ``max_records``)."""
        with self._cond:
            return self._take(since)

    def wait(self, found: Callable[[CapturedRequest], bool], deadline: float) -> CapturedRequest | None:
        """The first record (oldest first, from the last :meth:`clear` on) for which
        ``found`` is true, waiting until ``time.monotonic()`` reaches ``deadline``.

        ``found`` runs on the calling thread, outside the lock. Returns None when
        the deadline passed or the listener stopped first.
        """
        checked = 0
        while True:
            with self._cond:
                checked = max(checked, self._start)  # a clear() starts over
                fresh, _ = self._take(checked)
                checked = self._next
                stopped = self._stopped is not None
            for record in fresh:
                if found(record):
                    return record
            if stopped:
                return None
            with self._cond:
                while self._next == checked and self._stopped is None:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        return None
                    self._cond.wait(remaining)

    def _take(self, since: int) -> tuple[list[CapturedRequest], int]:
        """(records from ``since`` on, how many of those were dropped); the lock held."""
        since = max(since, self._start)
        start = max(since, self._first, self._next - self._max)
        records = self._records
        taken = []
        for index in range(start - self._first, len(records)):
            record = records[index]
            if not isinstance(record, CapturedRequest):
                record = records[index] = CapturedRequest.of(record)
            taken.append(record)
        return taken, start - since
