"""Faults performed on real sockets, without holding up the loop (docs/ARCHITECTURE.md, "Answers").

An answer whose ``fault`` is set goes wrong on purpose; the bytes and the
record come from :func:`inspector.http.faults.fault_wire`, and this module does
the rest on the connection. Nothing here blocks or sleeps:

- ``close``, ``truncate``, ``malformed``: the bytes (none for ``close``) go out
  after the connection's earlier answers, then it is half-closed and lingers
  as after an error answer, so the client reads them and then EOF, not a reset.
- ``reset``: once the earlier answers are out, ``SO_LINGER`` 0 and close: the
  kernel sends a TCP RST and the client gets ECONNRESET.
- ``hang``: nothing is sent; the connection is read only to notice the client
  leaving, and is closed at the idle limit (``Limits.idle_timeout``) after the
  hang began. Its record is finished then, ``error`` saying how it ended.
- ``trickle``: the answer goes out a piece at a time from loop timers
  (:func:`~inspector.http.faults.trickle_pace`); a piece waits while the
  client has not taken the last one. The connection then goes on as after any
  answer; requests pipelined behind it wait, as behind a deferred answer.

Each fault but ``trickle`` ends the connection: requests pipelined behind it
are finished at once, not answered, saying so. A trickle or hang under way is
a :class:`Performing` on its connection (``Connection.fault``); its request is
announced as waiting, and finished with what was sent so far if the client
leaves or the listener stops first.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
from collections.abc import Callable

from inspector.http.faults import Ending, fault_wire, trickle_pace
from inspector.http.limits import InFlight
from inspector.http.record import CaptureRecord, SentResponse, UpstreamExchange
from inspector.http.response import FAULTS, Response, error_response
from inspector.server.connection import Connection
from inspector.server.output import Output

_NONE: list[Connection] = []  # what fire() returns when nothing is due (never changed)


def hang_over(idle_timeout: float) -> str:
    """The ``error`` of a hang the idle limit ended."""
    return f"fault hang: held without an answer until the idle limit ({idle_timeout:g} s)"


def checked(response: Response) -> Response:
    """``response``, or the 500 sent instead when its ``fault`` is no known fault."""
    if response.fault is None or response.fault in FAULTS:
        return response
    why = f"unknown fault {response.fault[:40]!r} (known: {', '.join(FAULTS)})"
    return dataclasses.replace(
        error_response(500, why), rule=response.rule, error=why, step=response.step, steps=response.steps
    )


class Performing:
    """A trickle or hang under way on one connection (its ``fault``)."""

    __slots__ = (
        "arrived",
        "interval",
        "keep_alive",
        "piece",
        "record",
        "rest",
        "sent",
        "shown",
        "until",
        "upstream",
    )

    def __init__(
        self,
        record: CaptureRecord,
        shown: SentResponse,
        arrived: float,
        upstream: UpstreamExchange | None,
        keep_alive: bool,
    ) -> None:
        #: the request, as recorded when it arrived
        self.record = record
        #: its response in the record, but ``bytes`` and ``duration_ms``
        self.shown = shown
        self.arrived = arrived
        self.upstream = upstream
        self.keep_alive = keep_alive
        #: answer bytes not yet handed to the connection (a trickle's)
        self.rest = bytearray()
        #: answer bytes handed to the connection so far
        self.sent = 0
        self.piece = 0
        self.interval = 0.0
        #: when a hang ends (None for a trickle)
        self.until: float | None = None

    def finished(self, now: float, error: str | None) -> CaptureRecord:
        """The request's record: what went out so far and, when it ended early, why."""
        shown = dataclasses.replace(self.shown, bytes=self.sent, duration_ms=(now - self.arrived) * 1000.0)
        record = self.record.with_response(shown, self.upstream)
        return record if error is None else record.with_error(error, self.upstream)


class Faults:
    """The faults of one loop: starting each, and the timers of trickles.

    Args:
        out: sends and closes the loop's connections.
        budget: the loop's memory budget (a trickle's unsent bytes count in it).
        emit: finishes a record (the sink's ``finished``, at the round's end).
        idle_timeout: how long a hang holds its connection.
    """

    def __init__(
        self, out: Output, budget: InFlight, emit: Callable[[CaptureRecord], None], idle_timeout: float
    ) -> None:
        self._out = out
        self._budget = budget
        self._emit = emit
        self._idle_timeout = idle_timeout
        self._timers: list[tuple[float, int, Connection, Performing]] = []
        self._seq = itertools.count()

    def start(
        self,
        conn: Connection,
        record: CaptureRecord,
        response: Response,
        *,
        keep_alive: bool,
        arrived: float,
        now: float,
    ) -> None:
        """Perform ``response``'s fault (one of ``FAULTS``) as the answer to ``record``."""
        plan = fault_wire(response, method=record.method, keep_alive=keep_alive)
        conn.answered(record, self._budget)
        performing = Performing(record, plan.shown, arrived, response.upstream, keep_alive)
        if plan.ending is Ending.KEEP:
            performing.rest += plan.wire
            performing.piece, performing.interval = trickle_pace(response.bytes_per_s)
            conn.held += len(plan.wire)
            self._budget.held += len(plan.wire)
            conn.fault = performing
            self._next_piece(conn, performing, now)
            return
        if plan.ending is not Ending.HOLD:
            self._out.append(conn, plan.wire)
            performing.sent = len(plan.wire)
            self._emit(performing.finished(now, None))
            conn.error_close = plan.ending is Ending.CLOSE
            conn.reset = plan.ending is Ending.RESET
        why = f"not answered: the answer to request {record.id} before it had the fault {response.fault!r}"
        for later in conn.unanswered(why, now):
            self._emit(later)
        conn.closing = True
        if plan.ending is Ending.HOLD:
            performing.until = now + self._idle_timeout
            conn.fault = performing

    def next_due(self) -> float | None:
        """When the next trickle piece is due; None without trickles."""
        return self._timers[0][0] if self._timers else None

    def fire(self, now: float) -> list[Connection]:
        """Hand out the trickle pieces that are due; the connections they went to."""
        timers = self._timers
        if not timers or timers[0][0] > now:
            return _NONE
        moved = []
        while timers and timers[0][0] <= now:
            _, _, conn, performing = heapq.heappop(timers)
            if conn.fault is not performing or not conn.open:
                continue  # finished early: the client left, or the listener stops
            if conn.out:  # the client has not taken the last piece yet
                heapq.heappush(timers, (now + performing.interval, next(self._seq), conn, performing))
                continue
            self._next_piece(conn, performing, now)
            moved.append(conn)
        return moved

    def clear(self) -> None:
        self._timers.clear()

    def _next_piece(self, conn: Connection, performing: Performing, now: float) -> None:
        piece = bytes(performing.rest[: performing.piece])
        del performing.rest[: performing.piece]
        conn.held -= len(piece)
        self._budget.held -= len(piece)
        self._out.append(conn, piece)
        performing.sent += len(piece)
        if performing.rest:
            heapq.heappush(self._timers, (now + performing.interval, next(self._seq), conn, performing))
            return
        conn.fault = None
        self._emit(performing.finished(now, None))
        if not performing.keep_alive:
            conn.closing = True
        conn.parser.touch(now)
