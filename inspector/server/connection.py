"""One accepted connection: its socket, its parser, what waits to be answered and sent.

The loop (inspector/server/loop.py) decides what to answer; this module holds
a connection's state and does its socket I/O: one ``recv`` of up to 64 KiB, one
``send`` of everything pending, and the rule for when to read at all
(docs/ARCHITECTURE.md, "Limits and deadlines"): a connection is read only while
fewer than ``max_pipelined`` requests wait for their answers, the parser holds
no unparsed requests, and less than :data:`OUT_HIGH_WATER` of answers wait for
the client. That bounds what one connection can make the process hold, however
fast it pipelines behind a slow answer. A TLS connection's ``out`` holds TLS
records; inspector/server/tls_link.py makes them.
"""

from __future__ import annotations

import collections
import logging
import selectors
import socket
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from inspector.http.deferred import Deferred
from inspector.http.limits import InFlight
from inspector.http.parser import Event, RequestParser, RequestReceived, RequestRejected
from inspector.http.record import CaptureRecord

if TYPE_CHECKING:
    from inspector.server.faults import Performing
    from inspector.server.tls_link import TLSLink

log = logging.getLogger(__name__)

#: Stop reading from a client while this many answer bytes wait for it.
OUT_HIGH_WATER = 1024 * 1024
_RECV_SIZE = 65536


def held_by(record: CaptureRecord) -> int:
    """Bytes a waiting request holds, for the memory budget."""
    return len(record.raw_head) + len(record.body) + len(record.raw_body or b"")


class Parked:
    """A request whose answer is not ready: it holds up its connection's queue."""

    __slots__ = ("arrived", "deferred", "event")

    def __init__(self, event: RequestReceived, deferred: Deferred, arrived: float) -> None:
        self.event = event
        self.deferred = deferred
        self.arrived = arrived


class Connection:
    """The state of one client connection (used on the loop thread only)."""

    __slots__ = (
        "announced",
        "closing",
        "dirty",
        "error_close",
        "fault",
        "held",
        "linger_until",
        "mask",
        "out",
        "parser",
        "queue",
        "reset",
        "sniff",
        "sock",
        "stalled_since",
        "tls",
        "waiting",
    )

    def __init__(self, sock: socket.socket, parser: RequestParser) -> None:
        self.sock = sock
        self.parser = parser
        #: answer bytes not yet taken by the socket
        self.out = bytearray()
        #: parsed events not yet answered, in order, with the time each arrived
        self.queue: collections.deque[tuple[Event, float]] = collections.deque()
        #: the request at the head of the line whose answer comes later
        self.waiting: Parked | None = None
        #: bytes of queued and waiting requests counted in the memory budget
        self.held = 0
        #: the highest record id the sink was told had started
        self.announced = 0
        #: no more requests: close once the answers are sent
        self.closing = False
        #: closing after an error answer (or a fault's bytes): half-close and drain first
        self.error_close = False
        #: closing with a TCP reset (the ``reset`` fault)
        self.reset = False
        #: a trickle or hang under way: like ``waiting``, it holds up the queue
        self.fault: Performing | None = None
        self.dirty = False
        self.linger_until: float | None = None
        #: since when answer bytes have waited without the socket taking any
        self.stalled_since: float | None = None
        self.mask = 0
        #: whether the first bytes decide between HTTP and HTTPS (TLS is on)
        self.sniff = False
        #: the TLS session of an HTTPS connection
        self.tls: TLSLink | None = None

    @property
    def open(self) -> bool:
        return self.sock.fileno() >= 0

    @property
    def busy(self) -> bool:
        """Whether the request at the head of the line is still being answered
        (its answer waits, or a trickle or hang is under way)."""
        return self.waiting is not None or self.fault is not None

    def room(self, max_pipelined: int) -> int:
        """How many more requests may be parsed ahead of the answers."""
        return max_pipelined - len(self.queue) - self.busy

    def wants_read(self, max_pipelined: int) -> bool:
        """Whether to read: draining after an error, or with room for more requests."""
        if self.linger_until is not None:
            return True
        if len(self.out) >= OUT_HIGH_WATER:
            return False
        parser = self.parser
        if parser.closed:
            # Nothing more will be parsed; read only to notice a client that
            # hangs up while its answer waits (or a fault is under way).
            return self.busy
        return not parser.paused and self.room(max_pipelined) > 0

    def enqueue(self, events: Iterable[Event], now: float, budget: InFlight) -> None:
        """Queue parsed events for answering; their records count in the budget until answered."""
        for event in events:
            if isinstance(event, RequestReceived | RequestRejected):
                size = held_by(event.record)
                self.held += size
                budget.held += size
            self.queue.append((event, now))

    def answered(self, record: CaptureRecord, budget: InFlight) -> None:
        """``record`` left the queue with its answer: its bytes leave the budget."""
        size = held_by(record)
        self.held -= size
        budget.held -= size

    def unanswered(self, reason: str, now: float) -> list[CaptureRecord]:
        """End the connection's requests now: a record of each one not answered.

        A fault under way gives its request with what was sent so far; the
        waiting one is cancelled (its owner is told ``reason``); complete
        requests get ``error`` = ``reason``; a rejection keeps its own error;
        the parser gives what it still holds.
        """
        records = []
        if self.fault is not None:
            records.append(self.fault.finished(now, reason))
            self.fault = None
        if self.waiting is not None:
            try:
                self.waiting.deferred.cancel(reason)
            except Exception:  # the owner's callback failed: not the listener's problem
                log.exception("the cancel callback of request %d failed", self.waiting.event.record.id)
            records.append(self.waiting.event.record.with_error(reason, self.waiting.deferred.upstream))
            self.waiting = None
        for event, _ in self.queue:
            if isinstance(event, RequestReceived):
                records.append(event.record.with_error(reason))
            elif isinstance(event, RequestRejected):
                records.append(event.record)  # its error says why; it was not answered
        self.queue.clear()
        records.extend(self.parser.abort(reason, now))
        return records

    def unannounced(self) -> list[CaptureRecord]:
        """Requests that wait or are still arriving, not yet announced; marks them announced."""
        records = []
        if self.fault is not None:
            records.append(self.fault.record)
        if self.waiting is not None:
            records.append(self.waiting.event.record)
        records.extend(e.record for e, _ in self.queue if isinstance(e, RequestReceived | RequestRejected))
        if (self.parser.pending_id or 0) > self.announced:
            pending = self.parser.pending_record()
            if pending is not None:
                records.append(pending)
        records = [record for record in records if record.id > self.announced]
        if records:
            self.announced = records[-1].id
        return records

    def recv(self, budget: InFlight) -> bytes | None:
        """What the client sent: None for nothing now, ``b""`` at its end.

        A reset also ends the input, and drops the answers still unsent: they
        can no longer be delivered.
        """
        try:
            return self.sock.recv(_RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError:
            self.drop_output(budget)
            return b""

    def send_pending(self, budget: InFlight) -> bool:
        """Hand the socket what it takes of the pending answers; False when it failed."""
        try:
            sent = self.sock.send(self.out)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            return False
        if sent:
            del self.out[:sent]
            budget.held -= sent
        if not self.out:
            self.stalled_since = None
        elif sent or self.stalled_since is None:
            self.stalled_since = time.monotonic()  # waiting from now on, for the send timeout
        return True

    def drop_output(self, budget: InFlight) -> None:
        budget.held -= len(self.out)
        self.out.clear()

    def set_mask(self, selector: selectors.BaseSelector, mask: int) -> None:
        """Watch the socket for ``mask`` (0: not at all)."""
        if self.mask == mask:
            return
        if not mask:
            selector.unregister(self.sock)
        elif self.mask:
            selector.modify(self.sock, mask)
        else:
            selector.register(self.sock, mask)
        self.mask = mask
