"""The listening loop: many connections on one thread, answered in order.

Why selectors and not asyncio: the work per request is a few microseconds of
parsing and a callback; asyncio's transports, futures and task switches would
add more than that per request, and its loop would have to be made to stop
from another thread anyway. A plain ``selectors`` loop with non-blocking
sockets measured ~100,000 req/s here with httptools (DESIGN.md, "Performance
notes"), needs no locks, and stops at once through a wake-up socket.

Per connection, events from the sans-IO parser go into a queue and are answered
strictly in order (pipelining, RFC 9112 §9.3.2). A rule's delay parks only its
own connection's queue on a timer heap; every other connection keeps being
served. Responses are written with one ``send`` each (head and body together).
A client that stops reading is not read from either once 1 MiB of answers is
waiting for it. Deadlines (head 10 s, body 30 s, idle 15 s) are checked by a
sweep four times a second, so a thousand idle connections cost nothing per
request. After an error answer the connection lingers half-closed for up to a
second, draining what the client still sends, so the answer is not lost to a
TCP reset.
"""

from __future__ import annotations

import collections
import dataclasses
import heapq
import itertools
import logging
import selectors
import socket
import time

from inspector.addresses import format_hostport, url_for
from inspector.http.limits import Limits
from inspector.http.parser import (
    ConnectionClosed,
    Event,
    RequestParser,
    RequestReceived,
    RequestRejected,
    SendContinue,
)
from inspector.http.record import CaptureRecord, SentResponse
from inspector.http.response import Responder, Response, default_responder, error_response, serialise
from inspector.server.bind import bind_listener
from inspector.server.sink import CaptureSink

log = logging.getLogger(__name__)

#: Stop reading from a client while this many response bytes wait for it.
OUT_HIGH_WATER = 1024 * 1024
#: How often idle, head and body deadlines are checked.
SWEEP_INTERVAL = 0.25
#: How long a connection closed after an error keeps draining client bytes.
LINGER_SECONDS = 1.0
#: How long accepting pauses when the process is out of file descriptors.
ACCEPT_PAUSE = 0.1
#: Descriptors beyond max_connections the process needs (GUI, store, files).
FD_HEADROOM = 256
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_RECV_SIZE = 65536


def _raise_fd_limit(wanted: int) -> None:
    """Lift the soft open-file limit towards ``wanted`` (never above the hard one).

    A common default soft limit is 1,024: with the window's own descriptors the
    process would run out before ``max_connections`` answers 503.
    """
    try:
        import resource
    except ImportError:  # not on Windows
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass


def _peer(address: tuple[object, ...] | str) -> str:
    if isinstance(address, str):  # AF_UNIX, never here, but keep str() honest
        return address
    host = str(address[0])
    if host.startswith("::ffff:") and "." in host:
        host = host[7:]  # an IPv4 client on a dual-stack socket
    return format_hostport(host, int(str(address[1])))


class _Conn:
    __slots__ = (
        "closing",
        "delayed",
        "dirty",
        "error_close",
        "linger_until",
        "mask",
        "out",
        "parser",
        "queue",
        "sock",
        "waiting_until",
    )

    def __init__(self, sock: socket.socket, parser: RequestParser) -> None:
        self.sock = sock
        self.parser = parser
        self.out = bytearray()
        self.queue: collections.deque[tuple[Event, float]] = collections.deque()
        self.waiting_until: float | None = None
        self.delayed: tuple[RequestReceived, Response, float] | None = None
        self.closing = False
        self.dirty = False
        self.error_close = False
        self.linger_until: float | None = None
        self.mask = 0


class Server:
    """An HTTP/1.1 listener that records every request.

    Binding happens in the constructor, so a bad address fails before any
    thread starts and the real port is known at once (port 0 works).

    Args:
        host: address to bind (see :func:`bind_listener`).
        port: port, 0 for any free one.
        sink: gets each record's id and, once the request is done, the record
            (its ``response`` filled in), rejections included; see
            :class:`CaptureSink`.
        responder: decides each answer; swap it with :meth:`set_responder`.
        limits: sizes and deadlines.

    Raises:
        BindError: the address or port cannot be used.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        sink: CaptureSink,
        responder: Responder = default_responder,
        limits: Limits | None = None,
    ) -> None:
        self.limits = limits or Limits()
        _raise_fd_limit(self.limits.max_connections + FD_HEADROOM)
        self._sink = sink
        self._reported = False  # records went to the sink since the last round end
        self._dirty: list[_Conn] = []  # connections with answers not yet sent
        self._responder = responder
        self._listen = bind_listener(host, port)
        bound = self._listen.getsockname()
        self.host = host if host not in ("localhost", "") else str(bound[0])
        self.port = int(bound[1])
        self._sel = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._sel.register(self._listen, selectors.EVENT_READ, None)
        self._sel.register(self._wake_r, selectors.EVENT_READ, None)
        self._conns: dict[int, _Conn] = {}
        self._timers: list[tuple[float, int, int]] = []
        self._timer_seq = itertools.count()
        self._stop_requested = False
        self._accept_paused_until: float | None = None
        self._accept_failing = False

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` with the real port."""
        return url_for(self.host, self.port)

    @property
    def connection_count(self) -> int:
        return len(self._conns)

    def set_responder(self, responder: Responder) -> None:
        """Swap the responder; requests already being answered keep the old one."""
        self._responder = responder

    def stop(self) -> None:
        """Ask :meth:`serve_forever` to return. Safe from any thread."""
        self._stop_requested = True
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    def serve_forever(self) -> None:
        """Run until :meth:`stop`; closes every socket before returning."""
        next_sweep = time.monotonic() + SWEEP_INTERVAL
        try:
            while not self._stop_requested:
                now = time.monotonic()
                wake_at = min(
                    next_sweep,
                    self._timers[0][0] if self._timers else next_sweep,
                    self._accept_paused_until or next_sweep,
                )
                for key, mask in self._sel.select(max(0.0, wake_at - now)):
                    self._dispatch(key, mask)
                now = time.monotonic()
                if self._accept_paused_until is not None and now >= self._accept_paused_until:
                    self._resume_accepting()
                self._fire_timers(now)
                if now >= next_sweep:
                    self._sweep(now)
                    next_sweep = now + SWEEP_INTERVAL
                self._end_round()
        finally:
            self.close()

    def _end_round(self) -> None:
        """Let the sinks write this round's records, then send the answers."""
        while self._dirty:
            if self._reported:
                self._reported = False
                try:
                    self._sink.end_round()
                except Exception:  # a broken sink must not take the listener down
                    log.exception("writing recorded requests failed")
            dirty, self._dirty = self._dirty, []
            for conn in dirty:
                conn.dirty = False
                if conn.sock.fileno() in self._conns:
                    self._flush(conn)

    def close(self) -> None:
        """Close every socket. Called by :meth:`serve_forever` on its way out;
        call it yourself only for a server that never served."""
        if self._sel.get_map() is None:
            return
        for conn in list(self._conns.values()):
            self._close(conn)
        self._timers.clear()
        for sock in (self._listen, self._wake_r, self._wake_w):
            try:
                self._sel.unregister(sock)
            except (KeyError, ValueError):
                pass
            sock.close()
        self._sel.close()

    # -- events -----------------------------------------------------------------

    def _dispatch(self, key: selectors.SelectorKey, mask: int) -> None:
        sock = key.fileobj
        if sock is self._listen:
            self._accept()
        elif sock is self._wake_r:
            try:
                self._wake_r.recv(4096)
            except OSError:
                pass
        else:
            conn = self._conns.get(key.fd)
            if conn is None:
                return
            if mask & selectors.EVENT_WRITE:
                self._flush(conn)
            if mask & selectors.EVENT_READ and key.fd in self._conns:
                self._read(conn)

    def _accept(self) -> None:
        for _ in range(64):
            try:
                sock, address = self._listen.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # EMFILE and friends: keep serving the rest
                self._pause_accepting(exc)
                return
            self._accept_failing = False
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            client = _peer(address)
            server = _peer(sock.getsockname())
            if len(self._conns) >= self.limits.max_connections:
                self._refuse(sock, client, server)
                continue
            parser = RequestParser(
                client=client, server=server, next_id=self._sink.next_id, limits=self.limits
            )
            conn = _Conn(sock, parser)
            now = time.monotonic()
            parser.touch(now)
            self._conns[sock.fileno()] = conn
            self._set_mask(conn, selectors.EVENT_READ)

    def _pause_accepting(self, exc: OSError) -> None:
        """Out of file descriptors (or similar): stop watching the listening
        socket for a moment, or the loop would spin on it; clients wait in the
        backlog and are accepted once descriptors free up."""
        if not self._accept_failing:
            log.warning("cannot accept connections for now: %s", exc.strerror or exc)
            self._accept_failing = True  # said once until an accept works again
        if self._accept_paused_until is None:
            self._sel.unregister(self._listen)
        self._accept_paused_until = time.monotonic() + ACCEPT_PAUSE

    def _resume_accepting(self) -> None:
        if self._accept_paused_until is not None:
            self._accept_paused_until = None
            self._sel.register(self._listen, selectors.EVENT_READ, None)

    def _refuse(self, sock: socket.socket, client: str, server: str) -> None:
        """More connections than allowed: answer 503 at once and close."""
        reason = f"more than {self.limits.max_connections} open connections"
        wire, status, phrase, headers = serialise(
            error_response(503, reason), method="GET", keep_alive=False
        )
        try:
            sock.send(wire)
        except OSError:
            pass
        sock.close()
        record = CaptureRecord(
            id=self._sink.next_id(),
            received_at=time.time(),
            client=client,
            server=server,
            error=f"503 {reason}",
            response=SentResponse(status=status, reason=phrase, headers=headers, bytes=len(wire)),
        )
        self._emit(record)

    def _read(self, conn: _Conn) -> None:
        try:
            data = conn.sock.recv(_RECV_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
            conn.out.clear()  # reset by peer: nothing more can be delivered
        if conn.linger_until is not None:
            if not data:
                self._close(conn)
            return
        now = time.monotonic()
        for event in conn.parser.receive_data(data, now):
            conn.queue.append((event, now))
        self._pump(conn, now)

    def _pump(self, conn: _Conn, now: float) -> None:
        """Answer queued events in order until one must wait."""
        while conn.queue and conn.waiting_until is None and not conn.closing:
            if len(conn.out) >= OUT_HIGH_WATER:
                break
            event, arrived = conn.queue.popleft()
            if isinstance(event, SendContinue):
                conn.out += _CONTINUE
            elif isinstance(event, RequestReceived):
                response = self._respond(event.record)
                if response.delay_ms > 0:
                    conn.waiting_until = now + response.delay_ms / 1000.0
                    conn.delayed = (event, response, arrived)
                    heapq.heappush(
                        self._timers, (conn.waiting_until, next(self._timer_seq), conn.sock.fileno())
                    )
                    break
                self._answer(conn, event, response, arrived)
            elif isinstance(event, RequestRejected):
                self._answer_error(conn, event, arrived)
            elif isinstance(event, ConnectionClosed):
                conn.closing = True
        if not conn.dirty:
            conn.dirty = True
            self._dirty.append(conn)

    def _respond(self, record: CaptureRecord) -> Response:
        responder = self._responder
        try:
            return responder(record)
        except Exception as exc:  # a responder bug must not take the listener down
            log.exception("responder failed")
            failed = error_response(500, f"the response rule failed: {exc}")
            return dataclasses.replace(failed, error=f"responder failed: {exc}")

    def _answer(self, conn: _Conn, event: RequestReceived, response: Response, arrived: float) -> None:
        self._send(conn, event.record, response, keep_alive=event.keep_alive, arrived=arrived)

    def _answer_error(self, conn: _Conn, event: RequestRejected, arrived: float) -> None:
        conn.error_close = True
        conn.queue.clear()
        response = error_response(event.status, event.reason)
        self._send(conn, event.record, response, keep_alive=False, arrived=arrived)

    def _send(
        self, conn: _Conn, record: CaptureRecord, response: Response, *, keep_alive: bool, arrived: float
    ) -> None:
        """Queue the answer's bytes and report the record with what was sent."""
        wire, status, reason, headers = serialise(response, method=record.method, keep_alive=keep_alive)
        conn.out += wire
        sent = SentResponse(
            status=status,
            reason=reason,
            headers=headers,
            body=response.body,
            rule=response.rule,
            bytes=len(wire),
            duration_ms=(time.monotonic() - arrived) * 1000.0,
            error=response.error,
        )
        if not keep_alive:
            conn.closing = True
        conn.parser.touch(time.monotonic())
        self._emit(record.with_response(sent))

    def _emit(self, record: CaptureRecord) -> None:
        self._reported = True
        try:
            self._sink.finished(record)
        except Exception:  # a broken sink must not take the listener down
            log.exception("recording request %d failed", record.id)

    def _flush(self, conn: _Conn) -> None:
        if conn.out:
            try:
                sent = conn.sock.send(conn.out)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                self._close(conn)
                return
            del conn.out[:sent]
        if conn.out:
            self._set_mask(conn, selectors.EVENT_WRITE)
            return
        if conn.closing and not conn.queue:
            self._finish(conn)
            return
        if conn.queue and conn.waiting_until is None:
            self._pump(conn, time.monotonic())  # resumed after backpressure
            return
        self._set_mask(conn, selectors.EVENT_READ)

    def _finish(self, conn: _Conn) -> None:
        """All answered and the connection must end."""
        if not conn.error_close:
            self._close(conn)
            return
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._close(conn)
            return
        conn.linger_until = time.monotonic() + LINGER_SECONDS
        self._set_mask(conn, selectors.EVENT_READ)

    def _set_mask(self, conn: _Conn, mask: int) -> None:
        if conn.mask == mask:
            return
        if conn.mask:
            self._sel.modify(conn.sock, mask)
        else:
            self._sel.register(conn.sock, mask)
        conn.mask = mask

    def _close(self, conn: _Conn) -> None:
        fd = conn.sock.fileno()
        if self._conns.pop(fd, None) is None:
            return
        if conn.mask:
            self._sel.unregister(conn.sock)
        conn.sock.close()
        self._resume_accepting()  # a descriptor is free again

    # -- time -----------------------------------------------------------------

    def _fire_timers(self, now: float) -> None:
        while self._timers and self._timers[0][0] <= now:
            _, _, fd = heapq.heappop(self._timers)
            conn = self._conns.get(fd)
            if conn is None or conn.delayed is None or conn.waiting_until is None:
                continue
            if conn.waiting_until > now:
                continue
            event, response, arrived = conn.delayed
            conn.delayed = None
            conn.waiting_until = None
            self._answer(conn, event, response, arrived)
            self._pump(conn, now)

    def _sweep(self, now: float) -> None:
        for conn in list(self._conns.values()):
            if conn.linger_until is not None:
                if now >= conn.linger_until:
                    self._close(conn)
                continue
            if conn.queue or conn.waiting_until is not None or conn.out or conn.closing:
                continue  # busy answering: the client is not the one being slow
            events = conn.parser.check_timeouts(now)
            if events:
                conn.queue.extend((event, now) for event in events)
                self._pump(conn, now)
