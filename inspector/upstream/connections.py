"""Connections to upstreams: opened with a deadline, kept alive, reused only when safe,
and interruptible from another thread.

- Deadline: one absolute deadline covers connect, TLS handshake, send and the
  whole answer (docs/ARCHITECTURE.md, "Limits and deadlines"). Every blocking
  call gets the time left as its timeout.
- Interrupt: a call cancelled from another thread shuts its socket down
  (``shutdown``, never ``close``, so a descriptor is never freed under a
  reader); the blocked ``recv`` returns at once and the connection is dropped.
- Reuse: a connection goes back to the pool only after an answer read to its
  end that did not ask to close. Before reuse it must be silent (no EOF, no
  stray bytes); after ``IDLE_TIMEOUT`` it is closed.
- TLS: the system trust store, a given CA file alone, or no checks; one
  context per setting, built on first use; ALPN offers ``http/1.1`` only.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Hashable
from typing import Final

from inspector.http.record import Pairs
from inspector.upstream.target import UpstreamTarget

#: An idle kept-alive connection is closed after this long: the listener's own
#: keep-alive idle limit. Servers often close sooner (Apache and Node after
#: 5 s); the check before reuse sees that.
IDLE_TIMEOUT: Final = 15.0


class UpstreamFailure(Exception):
    """No usable answer: ``status`` (502 or 504) for the client, ``detail`` one line.

    ``upstream_status``, ``upstream_headers`` and ``body_size`` keep what did
    arrive (an answer whose body was over the limit has a status).
    """

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        upstream_status: int | None = None,
        upstream_headers: Pairs = (),
        body_size: int = 0,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.upstream_status = upstream_status
        self.upstream_headers = upstream_headers
        self.body_size = body_size


class Cancelled(Exception):
    """The call was cancelled (or settled by its deadline): its outcome is no longer wanted."""


class Interrupt:
    """The link between the worker doing a call and whoever may cancel it."""

    __slots__ = ("_lock", "_sock", "fired")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self.fired = False

    def attach(self, sock: socket.socket) -> None:
        """The worker is about to block on ``sock``.

        Raises:
            Cancelled: the call was cancelled already.
        """
        with self._lock:
            if self.fired:
                raise Cancelled
            self._sock = sock

    def detach(self) -> bool:
        """The worker is done with the socket; True when the call was cancelled meanwhile
        (the socket has been shut down and must not be reused)."""
        with self._lock:
            self._sock = None
            return self.fired

    def fire(self) -> None:
        """Cancel: wake the worker's blocking call at once."""
        with self._lock:
            self.fired = True
            if self._sock is not None:
                try:
                    socket.socket.shutdown(self._sock, socket.SHUT_RDWR)
                except OSError:
                    pass


class Connection:
    __slots__ = ("idle_since", "key", "sock")

    def __init__(self, key: Hashable, sock: socket.socket) -> None:
        self.key = key
        self.sock = sock
        self.idle_since = 0.0

    def silent(self) -> bool:
        """Nothing to read: the upstream neither closed it nor sent stray bytes."""
        try:
            self.sock.settimeout(0)
            socket.socket.recv(self.sock, 1, socket.MSG_PEEK)  # raw bytes, even under TLS
        except BlockingIOError:
            return True
        except OSError:
            return False
        return False

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


class ConnectionPool:
    """Kept-alive upstream connections, newest first, per upstream; TLS contexts per verify setting."""

    def __init__(self, *, max_idle: int, idle_timeout: float = IDLE_TIMEOUT) -> None:
        self._max_idle = max_idle
        self._idle_timeout = idle_timeout
        self._lock = threading.Lock()
        self._idle: dict[Hashable, deque[Connection]] = {}
        self._contexts: dict[bool | str, ssl.SSLContext] = {}
        self._closed = False
        self._next_sweep = 0.0
        #: connections opened so far (for tests and the benchmark)
        self.opened = 0

    @property
    def idle_count(self) -> int:
        with self._lock:
            return sum(len(conns) for conns in self._idle.values())

    def checkout(self, key: Hashable) -> Connection | None:
        """A silent idle connection for ``key``, or None."""
        while True:
            with self._lock:
                conns = self._idle.get(key)
                if not conns:
                    return None
                conn = conns.pop()
            if time.monotonic() - conn.idle_since < self._idle_timeout and conn.silent():
                return conn
            conn.close()

    def checkin(self, conn: Connection) -> None:
        """Keep ``conn`` for reuse (the oldest beyond ``max_idle``, and any idle too long, are closed)."""
        now = time.monotonic()
        conn.idle_since = now
        with self._lock:
            if self._closed:
                stale = [conn]
            else:
                conns = self._idle.setdefault(conn.key, deque())
                conns.append(conn)
                stale = [conns.popleft() for _ in range(len(conns) - self._max_idle)]
                if now >= self._next_sweep:  # other upstreams' idle ones, once a second at most
                    self._next_sweep = now + 1.0
                    for others in self._idle.values():
                        while others and now - others[0].idle_since >= self._idle_timeout:
                            stale.append(others.popleft())
        for old in stale:
            old.close()

    def open(self, target: UpstreamTarget, deadline: float, interrupt: Interrupt) -> Connection:
        """A new connection to ``target``, TLS handshake done.

        Raises:
            TimeoutError: the deadline passed.
            UpstreamFailure: unreachable, or TLS failed.
            Cancelled: cancelled meanwhile.
        """
        try:
            sock = socket.create_connection((target.host, target.port), timeout=left(deadline))
        except socket.gaierror as exc:
            detail = f"unreachable: cannot resolve {target.host} ({exc.strerror})"
            raise UpstreamFailure(502, detail) from None
        except TimeoutError:
            raise
        except OSError as exc:
            raise UpstreamFailure(502, f"unreachable: {(exc.strerror or str(exc)).lower()}") from None
        with self._lock:
            self.opened += 1
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if target.scheme == "https":
            try:
                sock = self._context(target.verify_tls).wrap_socket(
                    sock, server_hostname=target.host, do_handshake_on_connect=False
                )
                interrupt.attach(sock)
                sock.settimeout(left(deadline))
                sock.do_handshake()
            except ssl.SSLCertVerificationError as exc:
                sock.close()
                raise UpstreamFailure(502, f"TLS verification failed: {exc.verify_message}") from None
            except ssl.SSLError as exc:
                sock.close()
                raise UpstreamFailure(502, f"TLS handshake failed: {exc.reason or exc}") from None
            except BaseException:
                sock.close()
                raise
            finally:
                interrupt.detach()
        return Connection(target.connection_key, sock)

    def _context(self, verify: bool | str) -> ssl.SSLContext:
        with self._lock:
            context = self._contexts.get(verify)
        if context is not None:
            return context
        try:
            context = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
        except (OSError, ssl.SSLError) as exc:
            raise UpstreamFailure(502, f"cannot use CA file {verify}: {exc}") from None
        if verify is False:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        context.set_alpn_protocols(["http/1.1"])
        with self._lock:
            return self._contexts.setdefault(verify, context)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            conns = [conn for queue in self._idle.values() for conn in queue]
            self._idle.clear()
        for conn in conns:
            conn.close()


def left(deadline: float) -> float:
    """Seconds before ``deadline``.

    Raises:
        TimeoutError: none left.
    """
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError
    return remaining
