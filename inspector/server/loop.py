"""The listening loop: many connections on one thread, answered in order.

A plain ``selectors`` loop with non-blocking sockets, not asyncio (why:
docs/ARCHITECTURE.md, "Threads"). Per connection, events from the sans-IO
parser wait in a queue and are answered strictly in order (pipelining, RFC 9112
§9.3.2). An answer that is not ready (a :class:`~inspector.http.deferred.Deferred`,
or a rule's delay) parks only its own connection (docs/ARCHITECTURE.md,
"Answers"). One ``send`` per answer.

This module decides what happens next; its helpers each do one job: reporting
to the sink in rounds (:mod:`inspector.server.rounds`), sending and closing
(:mod:`inspector.server.output`), which deadline applies when
(:mod:`inspector.server.deadlines`), answers that come later
(:mod:`inspector.server.waiting`), faults (:mod:`inspector.server.faults`),
HTTPS (:mod:`inspector.server.tls_link`).
"""

from __future__ import annotations

import dataclasses
import logging
import selectors
import socket
import time

from inspector.http.deferred import Deferred
from inspector.http.limits import InFlight, Limits
from inspector.http.parser import (
    ConnectionClosed,
    RequestParser,
    RequestReceived,
    RequestRejected,
    SendContinue,
)
from inspector.http.record import CaptureRecord, SentResponse
from inspector.http.response import Responder, Response, default_responder, error_response, serialise
from inspector.server.accepting import FD_HEADROOM, Acceptor, raise_fd_limit, refuse
from inspector.server.connection import OUT_HIGH_WATER, Connection, Parked
from inspector.server.deadlines import SWEEP_INTERVAL, Due, stalled_reason, what_is_due
from inspector.server.faults import Faults, checked, hang_over
from inspector.server.listeners import ListenerControl, Listeners
from inspector.server.output import Output
from inspector.server.rounds import Rounds
from inspector.server.sink import CaptureSink
from inspector.server.tls_link import ServerContexts, TLSTerminator
from inspector.server.waiting import Waiting

log = logging.getLogger(__name__)

#: Why a request got no answer.
STOPPED = "not answered: the listener stopped"
HUNG_UP = "client closed the connection before the answer"
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


class Server(ListenerControl):
    """An HTTP/1.1 server on one or more listening sockets that records every request.

    The first listener binds in the constructor, so a bad address fails before
    any thread starts and the real port is known at once (port 0 works).
    :meth:`listen` and :meth:`unlisten` add and remove listeners, before or
    while serving, from any thread (see :mod:`inspector.server.listeners`).

    Args:
        host: address to bind (see :func:`bind_listener`); ``[::1]`` works too;
            None for no listener yet.
        port: port, 0 for any free one.
        sink: gets each record's id, announces of requests still in progress,
            and each finished record (its ``response`` filled in, or ``error``
            saying why there was none); see :class:`CaptureSink`.
        responder: decides each answer; swap it with :meth:`set_responder`.
        limits: sizes, deadlines and the memory budget.
        tls: leaves for HTTPS on the same port (a first byte 0x16); None: HTTP only.

    Raises:
        BindError: the address or port cannot be used.
    """

    def __init__(
        self,
        host: str | None,
        port: int = 0,
        *,
        sink: CaptureSink,
        responder: Responder = default_responder,
        limits: Limits | None = None,
        tls: ServerContexts | None = None,
    ) -> None:
        self.limits = limits or Limits()
        raise_fd_limit(self.limits.max_connections + FD_HEADROOM)
        self._sink = sink
        self._responder = responder
        self._budget = InFlight(self.limits.memory_budget)
        self._sel = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._sel.register(self._wake_r, selectors.EVENT_READ, None)
        self._listeners = Listeners(self._sel, self._wake)
        self._conns: dict[int, Connection] = {}
        self._rounds = Rounds(sink, self._conns)
        self._out = Output(self._sel, self._budget, self._conns, self._listeners, self.limits.max_pipelined)
        self._waiting = Waiting(self._wake)
        self._faults = Faults(self._out, self._budget, self._rounds.emit, self.limits.idle_timeout)
        self._stop_requested = False
        args = (self._budget, self._wake, self._rounds.emit, sink.next_id)
        self._tls = None if tls is None else TLSTerminator(tls, *args, head_timeout=self.limits.head_timeout)
        if host is not None:
            try:
                self.listen(host, port)
            except BaseException:
                self.close()
                raise

    @property
    def connection_count(self) -> int:
        return len(self._conns)

    @property
    def bytes_in_flight(self) -> int:
        """Bytes held for requests and answers in flight (see ``Limits.memory_budget``)."""
        return self._budget.held

    def set_responder(self, responder: Responder) -> None:
        """Swap the responder; requests already being answered keep the old one."""
        self._responder = responder

    def stop(self) -> None:
        """Ask :meth:`serve_forever` to return. Safe from any thread."""
        self._stop_requested = True
        self._wake()

    def serve_forever(self) -> None:
        """Run until :meth:`stop`; reports what is left, closes every socket, returns."""
        self._waiting.run_on_this_thread()
        self._apply_listener_changes()
        next_sweep = time.monotonic() + SWEEP_INTERVAL
        try:
            while not self._stop_requested:
                now = time.monotonic()
                wake_at = next_sweep
                for due in (self._waiting.next_due(), self._faults.next_due(), self._listeners.paused_until):
                    if due is not None and due < wake_at:
                        wake_at = due
                for key, mask in self._sel.select(max(0.0, wake_at - now)):
                    self._dispatch(key, mask)
                now = time.monotonic()
                if self._listeners.paused_until is not None and now >= self._listeners.paused_until:
                    self._listeners.resume(now)
                self._waiting.fire(now)
                self._take_resolved(now)
                for conn in self._faults.fire(now):
                    self._pump(conn, now)  # a trickle's piece went out, or its last one
                for conn in self._tls.ready() if self._tls is not None else ():
                    self._pump(conn, now)  # its handshake went on: send what it queued
                if now >= next_sweep:
                    self._sweep(now)
                    next_sweep = now + SWEEP_INTERVAL
                self._rounds.end(self._flush)
        finally:
            self.close()

    def close(self) -> None:
        """Finish every request still here (``error`` says why), tell the sink,
        close every socket. Called by :meth:`serve_forever` on its way out;
        call it yourself only for a server that never served."""
        if self._sel.get_map() is None:
            return
        now = time.monotonic()
        for conn in list(self._conns.values()):
            self._abandon(conn, STOPPED, now)
        self._waiting.clear()
        self._faults.clear()
        self._rounds.end(self._flush)
        self._listeners.close_all()
        if self._tls is not None:
            self._tls.close()
        self._sel.unregister(self._wake_r)
        self._wake_r.close()
        self._wake_w.close()
        self._sel.close()

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"x")
        except OSError:  # full (the loop wakes anyway) or already closed
            pass

    # -- events -----------------------------------------------------------------

    def _dispatch(self, key: selectors.SelectorKey, mask: int) -> None:
        conn = self._conns.get(key.fd)
        if conn is None:
            acceptor = self._listeners.by_fd.get(key.fd)
            if acceptor is not None:
                self._accept(acceptor)
            elif key.fileobj is self._wake_r:
                try:
                    self._wake_r.recv(4096)
                except OSError:
                    pass
                self._apply_listener_changes()
        else:
            if mask & selectors.EVENT_WRITE:
                self._flush(conn)
                if self._conns.get(key.fd) is not conn or not conn.wants_read(self.limits.max_pipelined):
                    return  # the flush changed what it may do; the mask follows at the round's end
            if mask & selectors.EVENT_READ:
                self._read(conn)

    def _apply_listener_changes(self) -> None:
        """Watch listeners opened from other threads; close those asked to close, with
        their connections."""
        for name, done in self._listeners.apply():
            now = time.monotonic()
            for conn in list(self._conns.values()):
                if conn.parser.server == name:
                    self._abandon(conn, STOPPED, now)
            done.set()

    def _accept(self, acceptor: Acceptor) -> None:
        limit = self.limits.max_connections
        for sock, client, server in acceptor.accept():
            if len(self._conns) >= limit:
                reason = f"more than {limit} open connections"
                self._rounds.emit(refuse(sock, self._sink.next_id(), client, server, reason))
                continue
            parser = RequestParser(
                client=client,
                server=server,
                next_id=self._sink.next_id,
                limits=self.limits,
                budget=self._budget,
            )
            parser.touch(time.monotonic())
            conn = Connection(sock, parser)
            conn.sniff = self._tls is not None
            self._conns[sock.fileno()] = conn
            conn.set_mask(self._sel, selectors.EVENT_READ)
        if acceptor.paused_until is not None:
            self._listeners.paused(acceptor)

    def _read(self, conn: Connection) -> None:
        data = conn.recv(self._budget)
        if data is None:
            return
        if conn.linger_until is not None:
            if not data:
                self._out.close(conn)
            return
        now = time.monotonic()
        if self._tls is not None and (data := self._tls.take(conn, data, now)) is None:
            self._pump(conn, now)  # nothing for the parser, but a handshake went on
            return
        if not data and conn.busy:
            self._abandon(conn, HUNG_UP, now)
            return
        if conn.parser.closed:
            self._out.watch(conn)  # bytes after the last request are not read as requests
            return
        room = conn.room(self.limits.max_pipelined)
        try:
            events = conn.parser.receive_data(data, now, max(1, room))
        except Exception as exc:  # a parser bug must not take the listener (and every client) down
            self._parser_failed(conn, exc, data, now)
            return
        conn.enqueue(events, now, self._budget)
        self._pump(conn, now)

    def _parser_failed(self, conn: Connection, exc: Exception, data: bytes, now: float) -> None:
        """Record the bytes that broke the parser, finish the connection's requests, close it."""
        log.exception("parsing bytes from %s failed", conn.parser.client)
        reason = f"not answered: the listener failed on these bytes ({type(exc).__name__}: {exc})"
        conn.parser.discard()
        self._rounds.about_connection(conn.parser, reason, data[: self.limits.max_raw_capture])
        self._abandon(conn, reason, now)

    def _pump(self, conn: Connection, now: float) -> None:
        """Answer queued events in order until one must wait; parse more while there is room."""
        max_pipelined = self.limits.max_pipelined
        while True:
            while conn.queue and not conn.busy and not conn.closing:
                if len(conn.out) >= OUT_HIGH_WATER:
                    break
                event, arrived = conn.queue.popleft()
                if isinstance(event, RequestReceived):
                    self._respond(conn, event, arrived, now)
                elif isinstance(event, SendContinue):
                    self._out.append(conn, _CONTINUE)
                elif isinstance(event, RequestRejected):
                    conn.error_close = True
                    conn.queue.clear()
                    response = error_response(event.status, event.reason)
                    self._send(conn, event.record, response, keep_alive=False, arrived=arrived)
                elif isinstance(event, ConnectionClosed):
                    conn.closing = True
            if conn.closing or len(conn.out) >= OUT_HIGH_WATER or not conn.parser.paused:
                break
            room = conn.room(max_pipelined)
            if room <= 0:
                break
            conn.enqueue(conn.parser.resume(now, room), now, self._budget)
        self._rounds.touched(conn)

    # -- answers ------------------------------------------------------------------

    def _respond(self, conn: Connection, event: RequestReceived, arrived: float, now: float) -> None:
        responder = self._responder
        try:
            answer = responder(event.record)
        except Exception as exc:  # a responder bug must not take the listener down
            log.exception("responder failed")
            failed = error_response(500, f"the response rule failed: {exc}")
            answer = dataclasses.replace(failed, error=f"responder failed: {exc}")
        if isinstance(answer, Deferred):
            self._waiting.park(conn, Parked(event, answer, arrived))
        else:
            self._answer(conn, event, answer, arrived, now)

    def _answer(
        self, conn: Connection, event: RequestReceived, response: Response, arrived: float, now: float
    ) -> None:
        if response.delay_ms > 0:
            # A delay is a deferred answer that a timer resolves.
            deferred = self._waiting.delay(now + response.delay_ms / 1000.0, response)
            self._waiting.park(conn, Parked(event, deferred, arrived))
            return
        self._send(conn, event.record, response, keep_alive=event.keep_alive, arrived=arrived)

    def _take_resolved(self, now: float) -> None:
        for conn, parked, response in self._waiting.take():
            self._answer(conn, parked.event, response, parked.arrived, now)
            self._pump(conn, now)

    def _send(
        self, conn: Connection, record: CaptureRecord, response: Response, *, keep_alive: bool, arrived: float
    ) -> None:
        """Queue the answer's bytes and report the record with what was sent (or perform its fault)."""
        if response.fault is not None:
            response = checked(response)  # an unknown fault answers 500
            if response.fault is not None:
                now = time.monotonic()
                self._faults.start(conn, record, response, keep_alive=keep_alive, arrived=arrived, now=now)
                return
        wire, status, reason, headers = serialise(response, method=record.method, keep_alive=keep_alive)
        self._out.append(conn, wire)
        conn.answered(record, self._budget)
        now = time.monotonic()
        sent = SentResponse(
            status=status, reason=reason, headers=headers, body=response.body, rule=response.rule,
            bytes=len(wire), duration_ms=(now - arrived) * 1000.0, error=response.error,
            step=response.step, steps=response.steps,
        )  # fmt: skip
        if not keep_alive:
            conn.closing = True
        conn.parser.touch(now)
        self._rounds.emit(record.with_response(sent, response.upstream))

    def _abandon(self, conn: Connection, reason: str, now: float) -> None:
        """End ``conn`` now: every request on it not yet answered is finished with ``reason``."""
        for record in conn.unanswered(reason, now):
            self._rounds.emit(record)
        self._out.close(conn)

    # -- output -------------------------------------------------------------------

    def _flush(self, conn: Connection) -> None:
        if conn.out:
            if not conn.send_pending(self._budget):
                self._abandon(conn, HUNG_UP, time.monotonic())
                return
            if conn.out:
                self._out.watch(conn)
                return
        if conn.closing and not conn.queue and not conn.busy:
            self._out.finish(conn)
            return
        if (conn.queue or conn.parser.paused) and not conn.busy:
            self._pump(conn, time.monotonic())  # resumed after backpressure
            return
        self._out.watch(conn)

    # -- time -----------------------------------------------------------------

    def _sweep(self, now: float) -> None:
        limits = self.limits
        for conn in list(self._conns.values()):
            match what_is_due(conn, now, limits):
                case Due.LINGER_OVER:
                    self._out.close(conn)
                case Due.SEND_STALLED:
                    self._send_timed_out(conn, now)
                case Due.HANG_OVER:
                    self._abandon(conn, hang_over(limits.idle_timeout), now)
                case Due.HANDSHAKE:
                    if self._tls is not None and self._tls.timed_out(conn, now):
                        self._pump(conn, now)
                case Due.PARSER:
                    events = conn.parser.check_timeouts(now)
                    if events:
                        conn.enqueue(events, now, self._budget)
                        self._pump(conn, now)

    def _send_timed_out(self, conn: Connection, now: float) -> None:
        """The client took none of its answers for ``send_timeout``: record it and close."""
        why = stalled_reason(self.limits, len(conn.out))
        self._rounds.about_connection(conn.parser, f"connection closed: {why}")
        self._abandon(conn, f"not answered: {why}", now)
