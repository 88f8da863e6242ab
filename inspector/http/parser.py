"""Sans-IO request parser: bytes in, capture records and rejections out (RFC 9112).

Strategy. One :class:`RequestParser` per connection, shaped like h11's
``Connection``: the caller feeds received bytes (``b""`` for end of input) and
the current monotonic time, and gets back a list of events; it never touches a
socket and never reads a clock of its own for deadlines, so every timeout is
testable without waiting.

The work is split between llhttp (through httptools, in its strict default
mode) and our own code:

* We find where each message starts and ends ourselves, so pipelined requests
  are cut exactly and each record's raw bytes are its own.
* We check the request line ourselves (RFC 9112 §3): method token, single
  spaces, request-target form (§3.2), version. llhttp knows only a fixed list
  of methods and takes ``RTSP/1.0`` and ``ICE/1.0`` for HTTP; checking first
  lets any method token through (a method llhttp does not know is fed to it as
  ``GET``; the record keeps the client's own token) and turns versions other
  than 1.0/1.1 into 505.
* llhttp then parses the header section, fed as its bytes arrive so a bad field
  line is rejected at once (inspector/http/fields.py).
* The body we frame ourselves (§6.3, §7.1): Content-Length here, chunked in
  inspector/http/chunked.py. This also lets an Upgrade or CONNECT request be
  answered as plain HTTP.
* Also ours: the Host rule (§3.2), Transfer-Encoding on HTTP/1.0 and codings
  other than chunked (§6.1, 501), ``Expect: 100-continue`` (RFC 9110 §10.1.1),
  keep-alive (§9.3), every size limit, the deadlines and the memory budget
  (docs/ARCHITECTURE.md, "Limits and deadlines").

Everything done with request bytes is linear in their size: each search
resumes where the last one stopped, and the syntax checks are linear scanners
(inspector/http/syntax.py).

Flow control: ``max_requests`` stops parsing after that many complete requests
and keeps the rest buffered (:attr:`RequestParser.paused`); :meth:`resume`
goes on. A rejection ends the connection: the parser returns one
:class:`RequestRejected` with the status to answer and a record holding what was
received (head, fields parsed before the error, a capped prefix of the body),
and ignores everything after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum, auto

from inspector.http import fields
from inspector.http.chunked import ChunkedBody
from inspector.http.events import (
    ConnectionClosed,
    Event,
    ProtocolError,
    RequestReceived,
    RequestRejected,
    SendContinue,
)
from inspector.http.framing import CHUNKED, decide
from inspector.http.head import HeadReader
from inspector.http.limits import InFlight, Limits
from inspector.http.query import decode_query, split_target
from inspector.http.record import CaptureRecord, Pairs, TLSFacts

__all__ = [
    "ConnectionClosed",
    "Event",
    "ProtocolError",
    "RequestParser",
    "RequestReceived",
    "RequestRejected",
    "SendContinue",
]


class _State(Enum):
    HEAD = auto()
    BODY = auto()
    CHUNKED = auto()
    CLOSED = auto()


class RequestParser:
    """Turns the bytes of one connection into requests and rejections.

    Args:
        client: the peer as ``host:port`` (``[v6]:port`` for IPv6).
        server: the local address, same form.
        next_id: returns the id for each record, increasing; called when a
            request's head is complete (or when it is rejected before that).
        limits: sizes and deadlines to enforce.
        wall_clock: gives ``received_at`` (POSIX seconds); tests may fix it.
        budget: the memory budget shared with other connections (a private
            one from ``limits`` when not given).
    """

    def __init__(
        self,
        *,
        client: str,
        server: str,
        next_id: Callable[[], int],
        limits: Limits | None = None,
        wall_clock: Callable[[], float] = time.time,
        budget: InFlight | None = None,
    ) -> None:
        self.client = client
        self.server = server
        self.limits = limits or Limits()
        self._budget = budget if budget is not None else InFlight(self.limits.memory_budget)
        self._held = 0  # what this parser counts in the budget
        self._next_id = next_id
        self._wall_clock = wall_clock
        self._buf = bytearray()
        self._state = _State.HEAD
        self._idle_since: float | None = None
        self._last_byte = 0.0
        self._completed = 0
        #: True once the connection has nothing more to give (EOF, error)
        self.closed = False
        #: True when it stopped at ``max_requests`` with bytes still buffered
        self.paused = False
        #: the id of a request whose head is parsed but whose body is still arriving
        self.pending_id: int | None = None
        #: what each record's ``scheme`` and ``tls`` say: set by the server once
        #: a TLS handshake is done, before any bytes reach the parser
        self.scheme = "http"
        self.tls: TLSFacts | None = None
        self._reset_message()

    # -- public API -------------------------------------------------------

    def receive_data(self, data: bytes, now: float, max_requests: int | None = None) -> list[Event]:
        """Feed bytes received (``b""`` = the client closed its side).

        Args:
            data: the bytes, in any split.
            now: monotonic time, for the deadlines.
            max_requests: stop after this many complete requests (None: no limit).

        Returns:
            Events in order; a :class:`RequestRejected` or
            :class:`ConnectionClosed` is always last.
        """
        if self._state is _State.CLOSED:
            return []
        events: list[Event] = []
        if data:
            self._last_byte = now
            self._buf += data
            self._run(events, now, max_requests)
        else:
            if self.paused:
                self._run(events, now, None)
            if not self.closed:
                self._eof(events)
        self._sync()
        return events

    def resume(self, now: float, max_requests: int | None = None) -> list[Event]:
        """Go on parsing what is buffered (after a pause at ``max_requests``)."""
        if self._state is _State.CLOSED:
            return []
        events: list[Event] = []
        self._run(events, now, max_requests)
        self._sync()
        return events

    def deadline(self) -> float | None:
        """Monotonic time at which :meth:`check_timeouts` has something to do."""
        state = self._state
        if state is _State.CLOSED or self.paused:
            return None
        limits = self.limits
        if state is _State.HEAD:
            if self._msg_start is None:
                return None if self._idle_since is None else self._idle_since + limits.idle_timeout
            return self._msg_start + limits.head_timeout
        assert self._msg_start is not None
        return min(self._last_byte + limits.body_timeout, self._msg_start + limits.request_timeout)

    def check_timeouts(self, now: float) -> list[Event]:
        """Expire the head deadline, a silent or endless body (408), an idle connection."""
        deadline = self.deadline()
        if deadline is None or now < deadline:
            return []
        limits = self.limits
        events: list[Event]
        if self._state is _State.HEAD and self._msg_start is None:
            self._close()
            events = [ConnectionClosed("idle keep-alive connection closed")]
        elif self._state is _State.HEAD and not self._request_bytes():
            self._close()
            events = [ConnectionClosed(f"only empty lines for {limits.head_timeout:g} s")]
        elif self._state is _State.HEAD:
            reason = f"request head not complete {limits.head_timeout:g} s after its first byte"
            events = [self._reject(408, reason)]
        elif self._msg_start is not None and now >= self._msg_start + limits.request_timeout:
            reason = f"request not complete {limits.request_timeout:g} s after its first byte"
            events = [self._reject(408, reason)]
        else:
            events = [self._reject(408, f"request body silent for {limits.body_timeout:g} s")]
        self._sync()
        return events

    def touch(self, now: float) -> None:
        """Restart the idle clock: a new connection, or an answer just sent."""
        self._idle_since = now

    def pending_record(self) -> CaptureRecord | None:
        """What is known of the request :attr:`pending_id` names: its head, no body yet."""
        if self.pending_id is None:
            return None
        return CaptureRecord(
            **self._base_record(),  # type: ignore[arg-type]
            notes=tuple(self._notes),
            raw_head=self._reader.head,
        )

    def abort(self, reason: str, now: float) -> list[CaptureRecord]:
        """The connection ends now: records of everything received and not yet handed out.

        Complete requests still buffered get ``error`` = ``reason``; a request
        cut midway gets ``reason`` and what was missing, with its bytes. Only
        empty lines, or nothing, give no record.
        """
        if self._state is _State.CLOSED:
            return []
        events = self.resume(now) if self.paused else []
        records = [
            event.record.with_error(reason) if isinstance(event, RequestReceived) else event.record
            for event in events
            if isinstance(event, RequestReceived | RequestRejected)
        ]
        if not self.closed and (self._state is not _State.HEAD or self._request_bytes()):
            records.append(self._partial_record(f"{reason} ({self._missing()})"))
        self._close()
        self._sync()
        return records

    def discard(self) -> None:
        """Forget what is buffered, recording nothing (after :meth:`abort`, or a close)."""
        self._close()
        self._sync()

    # -- message state ----------------------------------------------------

    def _reset_message(self) -> None:
        self.pending_id = None
        self._id: int | None = None
        self._msg_start: float | None = None
        self._received_at = 0.0
        self._notes: list[str] = []
        self._reader = HeadReader(self.limits, self._notes)
        self._headers: Pairs = ()
        self._body = bytearray()
        self._chunked: ChunkedBody | None = None
        self._remaining = 0
        self._keep_alive = True

    def _run(self, events: list[Event], now: float, max_requests: int | None) -> None:
        self.paused = False
        self._completed = 0
        try:
            self._process(events, now, max_requests)
        except ProtocolError as exc:
            events.append(self._reject(exc.status, exc.reason))

    def _process(self, events: list[Event], now: float, max_requests: int | None) -> None:
        while self._buf and self._state is not _State.CLOSED:
            state = self._state
            if state is _State.HEAD:
                if self._msg_start is None and max_requests is not None and self._completed >= max_requests:
                    self.paused = True  # the loop runs while bytes are buffered
                    return
                if self._msg_start is None:
                    # The head clock starts with the first byte after the previous
                    # message, empty lines included: they cannot keep a connection.
                    self._msg_start = now
                    self._received_at = self._wall_clock()
                if not self._reader.read(self._buf):
                    return
                self._finish_head(events, now)
            elif state is _State.BODY:
                take = min(self._remaining, len(self._buf))
                self._body += self._buf[:take]
                del self._buf[:take]
                self._remaining -= take
                if self._remaining:
                    return
                self._complete(events)
            else:
                assert self._chunked is not None
                if not self._chunked.read(self._buf, self._body, self._notes):
                    return
                self._complete(events)

    def _sync(self) -> None:
        """Tell the memory budget what this parser holds now."""
        held = 0
        if self._state is not _State.CLOSED:
            held = len(self._buf) + len(self._reader.head) + len(self._body) + self._remaining
            chunked = self._chunked
            if chunked is not None:  # chunk data will be held twice: body and raw bytes
                held += len(chunked.raw) + 2 * chunked.remaining
        self._budget.held += held - self._held
        self._held = held

    def _close(self) -> None:
        self._state = _State.CLOSED
        self.closed = True
        self.paused = False
        self.pending_id = None
        self._buf.clear()

    def _request_bytes(self) -> bool:
        """True when bytes of a request (not only empty lines) have arrived."""
        return self._reader.line_started or bool(self._buf.strip(b"\r\n"))

    # -- head ---------------------------------------------------------------

    def _finish_head(self, events: list[Event], now: float) -> None:
        """Apply the rules llhttp leaves to a server, then pick the body framing."""
        reader = self._reader
        assert reader.sink is not None
        self._id = self._next_id()
        notes = self._notes
        special: dict[str, list[str]] = {}  # the fields the head rules act on
        self._headers = fields.decode_fields(reader.sink.fields, notes, special)
        reader.sink = None
        method, version = reader.method, reader.version
        framing = decide(method, version, special, self.limits.max_body)
        self._keep_alive = framing.keep_alive
        if version == "1.0":
            notes.append("HTTP/1.0 request")
        length = framing.length
        if length:
            if not self._budget.admits(max(length, 0)):
                raise ProtocolError(503, self._budget.refusal())
            if method in ("GET", "HEAD"):
                notes.append(f"{method} request with a body")
            if framing.expects_continue:
                # The record says what the client asked; whether 100 Continue
                # went out depends on whether the body had already arrived.
                notes.append("Expect: 100-continue (the client waits for 100 Continue)")
                if not self._buf:
                    events.append(SendContinue())
        self._last_byte = now  # the body's silence is counted from here
        if length == CHUNKED:
            self._chunked = ChunkedBody(self.limits, self._budget)
            self._state = _State.CHUNKED
            self.pending_id = self._id
        elif length > 0:
            self._remaining = length
            self._state = _State.BODY
            self.pending_id = self._id
        else:
            self._complete(events)

    # -- ends -----------------------------------------------------------------

    def _base_record(self) -> dict[str, object]:
        if self._id is None:
            self._id = self._next_id()
        reader = self._reader
        path, query = split_target(reader.method, reader.target) if reader.target else ("", "")
        return {
            "id": self._id,
            "received_at": self._received_at or self._wall_clock(),
            "client": self.client,
            "server": self.server,
            "scheme": self.scheme,
            "tls": self.tls,
            "method": reader.method,
            "target": reader.target,
            "path": path,
            "query": decode_query(query),
            "http_version": reader.version,
            "headers": self._headers,
        }

    def _complete(self, events: list[Event]) -> None:
        body = bytes(self._body)
        chunked = self._chunked
        record = CaptureRecord(
            **self._base_record(),  # type: ignore[arg-type]
            trailers=() if chunked is None else chunked.trailers,
            body=body,
            body_size=len(body),
            notes=tuple(self._notes),
            raw_head=self._reader.head,
            raw_body=None if chunked is None else bytes(chunked.raw),
        )
        events.append(RequestReceived(record, self._keep_alive))
        self._completed += 1
        if not self._keep_alive:
            self._close()
            return
        self._reset_message()
        self._state = _State.HEAD

    def _partial_record(self, error: str, status: int = 0) -> CaptureRecord:
        """A record of the message in progress: what was parsed, and capped bytes."""
        limits = self.limits
        notes = list(self._notes)
        if not self._headers:
            # The fields llhttp accepted before the error (the same however the
            # bytes were split, since it judges them in order).
            self._headers = fields.decode_fields(self._reader.fields_so_far(self._buf), notes)
        cap, body_cap = limits.max_raw_capture, limits.max_rejected_body
        head = self._reader.head
        if head:
            raw_head = head[:cap]
            wire = self._body if self._chunked is None else self._chunked.raw
            raw_body = bytes(wire[:body_cap]) + bytes(self._buf[: max(0, body_cap - len(wire))])
            cut = len(head) > cap or len(wire) + len(self._buf) > body_cap
        else:
            raw_head, raw_body = bytes(self._buf[:cap]), b""
            cut = len(self._buf) > cap
        received = len(self._body)
        if received > body_cap:
            notes.append(f"body cut to its first {body_cap} bytes ({received} received)")
        if cut:
            notes.append("raw bytes truncated")
        return CaptureRecord(
            **self._base_record(),  # type: ignore[arg-type]
            body=bytes(self._body[:body_cap]),
            body_size=received,
            body_truncated=status == 413 or received > body_cap,
            error=error,
            notes=tuple(notes),
            raw_head=raw_head,
            raw_body=raw_body,
        )

    def _reject(self, status: int, reason: str) -> RequestRejected:
        """Build the rejection record from whatever was received, and stop."""
        record = self._partial_record(f"{status} {reason}", status)
        self._close()
        return RequestRejected(record, status, reason)

    def _missing(self) -> str:
        if self._state is _State.BODY:
            got = len(self._body)
            return f"{got} of {got + self._remaining} body bytes received"
        if self._state is _State.CHUNKED:
            return "chunked body incomplete"
        return "request head incomplete"

    def _eof(self, events: list[Event]) -> None:
        if self._state is _State.HEAD and not self._request_bytes():
            self._close()
            events.append(ConnectionClosed("client closed the connection"))
            return
        if self._state is _State.HEAD:
            events.append(self._reject(400, "connection closed before the request head was complete"))
        elif self._state is _State.BODY:
            got = len(self._body)
            events.append(
                self._reject(400, f"connection closed after {got} of {got + self._remaining} body bytes")
            )
        else:
            events.append(self._reject(400, "connection closed in the middle of a chunked body"))
