"""Where the server reports what it captured: the capture sink.

The server loop knows nothing of stores, files or windows. It hands each record
to one :class:`CaptureSink` (in the app, the recorder that writes the history
and the JSONL file and lets the window observe; in tests, a list). Every method
is called on the loop thread and must return at once: slow work (SQLite, disk,
the GUI) happens elsewhere (docs/ARCHITECTURE.md, "The capture path").
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Protocol

from inspector.http.record import CaptureRecord


class CaptureSink(Protocol):
    """The server's only way out for records."""

    def next_id(self) -> int:
        """The id of the next record: increasing, never reused within one history."""
        ...

    def started(self, record: CaptureRecord) -> None:
        """A request whose head is parsed will not be finished in this loop round.

        Its body is still arriving, or its answer waits (a delay, a paused
        request, an upstream call). ``record`` holds what is known so far (no
        body, no response). Called at most once per id; the same id later
        comes to :meth:`finished` exactly once. Requests answered in the round
        their head arrived (nearly all) are never announced, so this costs
        nothing on the hot path.
        """
        ...

    def finished(self, record: CaptureRecord) -> None:
        """A request is done: answered, rejected, or given up (``error`` says why).

        Every request that reached the server comes here exactly once: when
        the listener stops or the client hangs up first, with ``error`` saying
        so (``response`` None), a head only partly received included, with its
        raw bytes. A connection that sent no byte of a new request gives none.
        """
        ...

    def end_round(self) -> None:
        """Once per loop round in which :meth:`started` or :meth:`finished` was
        called, after them and before that round's answers are sent: a sink can
        write the round's records in one go (a JSONL file flushed here holds
        each record before its client sees the answer). Also once after the
        records the server finishes when it stops."""
        ...


class CallbackSink:
    """The simplest sink: ids from ``first_id`` up, each finished record to
    ``on_record``, each announced one to ``on_started`` when given.

    For code that embeds a :class:`~inspector.server.Server` without a history
    (tests, benchmarks); the app records through its recorder instead.
    """

    def __init__(
        self,
        on_record: Callable[[CaptureRecord], object],
        first_id: int = 1,
        *,
        on_started: Callable[[CaptureRecord], object] | None = None,
    ) -> None:
        self._on_record = on_record
        self._on_started = on_started
        self._ids = itertools.count(first_id)

    def next_id(self) -> int:
        return next(self._ids)

    def started(self, record: CaptureRecord) -> None:
        if self._on_started is not None:
            self._on_started(record)

    def finished(self, record: CaptureRecord) -> None:
        self._on_record(record)

    def end_round(self) -> None:
        pass
