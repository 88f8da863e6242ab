"""Accepting connections: descriptor limits, peer names, and the answer past the connection limit.

Kept apart from the loop so a loop with several listening sockets (and TLS
sniffing on accept) has one place to grow: one :class:`Acceptor` each.
"""

from __future__ import annotations

import logging
import selectors
import socket
import time
from collections.abc import Iterator

from inspector.addresses import format_hostport
from inspector.http.record import CaptureRecord, SentResponse
from inspector.http.response import error_response, serialise

log = logging.getLogger(__name__)

#: Descriptors beyond max_connections the process needs (GUI, store, files).
FD_HEADROOM = 256
#: How long accepting pauses when the process is out of file descriptors.
ACCEPT_PAUSE = 0.1
#: Connections accepted per readiness event, so one listener cannot starve the loop.
ACCEPT_BATCH = 64


class Acceptor:
    """One listening socket, watched by the loop's selector.

    Its connections' records say ``name`` as their ``server``: which listener
    took them (for a wildcard such as ``0.0.0.0:8090``, not the address hit).

    Out of file descriptors (or similar), ``accept()`` fails while the socket
    stays readable: it stops watching the socket for :data:`ACCEPT_PAUSE`, or
    the loop would spin on it; clients wait in the backlog and are accepted
    once descriptors free up. Said once in the log until an accept works again.
    """

    def __init__(self, sock: socket.socket, selector: selectors.BaseSelector, name: str = "") -> None:
        self.sock = sock
        #: the listener's name, each of its records' ``server`` (default: the socket's address)
        self.name = name or peer_name(sock.getsockname())
        self._sel = selector
        self._failing = False
        #: when watching resumes after a failure, or None while watching
        self.paused_until: float | None = None
        selector.register(sock, selectors.EVENT_READ, None)

    def accept(self) -> Iterator[tuple[socket.socket, str, str]]:
        """New connections (non-blocking, TCP_NODELAY) with client and server (listener) names."""
        for _ in range(ACCEPT_BATCH):
            try:
                sock, address = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # EMFILE and friends: keep serving the rest
                self._pause(exc)
                return
            self._failing = False
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            yield sock, peer_name(address), self.name

    def _pause(self, exc: OSError) -> None:
        if not self._failing:
            log.warning("cannot accept connections for now: %s", exc.strerror or exc)
            self._failing = True
        if self.paused_until is None:
            self._sel.unregister(self.sock)
        self.paused_until = time.monotonic() + ACCEPT_PAUSE

    def resume(self) -> None:
        """Watch the socket again (the pause ended, or a descriptor was freed)."""
        if self.paused_until is not None:
            self.paused_until = None
            self._sel.register(self.sock, selectors.EVENT_READ, None)

    def close(self) -> None:
        if self.paused_until is None:
            self._sel.unregister(self.sock)
        self.sock.close()


def raise_fd_limit(wanted: int) -> None:
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


def peer_name(address: tuple[object, ...] | str) -> str:
    """``host:port`` of a socket address (``[v6]:port``; IPv4-mapped IPv6 as IPv4)."""
    if isinstance(address, str):  # AF_UNIX, never here, but keep str() honest
        return address
    host = str(address[0])
    if host.startswith("::ffff:") and "." in host:
        host = host[7:]  # an IPv4 client on a dual-stack socket
    return format_hostport(host, int(str(address[1])))


def refuse(sock: socket.socket, record_id: int, client: str, server: str, reason: str) -> CaptureRecord:
    """Answer 503 at once on a connection over the limit, close it, and return its record."""
    wire, status, phrase, headers = serialise(error_response(503, reason), method="GET", keep_alive=False)
    try:
        sock.send(wire)
    except OSError:
        pass
    sock.close()
    return CaptureRecord(
        id=record_id,
        received_at=time.time(),
        client=client,
        server=server,
        error=f"503 {reason}",
        response=SentResponse(status=status, reason=phrase, headers=headers, bytes=len(wire)),
    )
