"""The costly step of TLS handshakes, made on two worker threads so the loop keeps serving.

A server's first flight (key exchange, certificate, its signature) costs the
CPU of a handshake; made on the loop thread, fifty clients handshaking at once
held every plain request up behind them (bench/tls_stall.py,
docs/PERFORMANCE.md). :class:`Flights` makes them on a small pool instead:
OpenSSL lets go of the GIL while it works, so the loop goes on with other
connections. A connection whose flight is being made is the worker's alone
until its result is taken back: the loop only keeps the bytes that arrive
meanwhile (inspector/server/tls_link.py). A worker puts the connection on a
list and wakes the loop, as answers from other threads come back
(docs/ARCHITECTURE.md, "Threads").
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspector.server.connection import Connection
    from inspector.server.tls_link import TLSLink

__all__ = ["WORKERS", "Flights"]

log = logging.getLogger(__name__)

#: Threads making first flights: the machine's cores are shared with the loop and the window.
WORKERS = 2


class Flights:
    """First flights of handshakes, made off the loop; the loop takes the connections back.

    Args:
        wake: wakes the loop (any thread).
    """

    def __init__(self, wake: Callable[[], None]) -> None:
        self._wake = wake
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="tls-handshakes")
        self._lock = threading.Lock()
        self._done: list[Connection] = []

    def submit(self, conn: Connection, link: TLSLink) -> None:
        """Make ``link``'s first flight; ``conn`` comes back from :meth:`take` (``link.busy`` meanwhile)."""
        link.busy = True
        self._pool.submit(self._fly, conn, link)

    def _fly(self, conn: Connection, link: TLSLink) -> None:
        try:
            if not link.expired:  # the deadline passed while it queued: no work for a lost cause
                link.session.flight()
        except Exception:  # a bug fails this handshake (the deadline ends it), not the worker
            log.exception("a TLS handshake's first flight failed")
        with self._lock:
            self._done.append(conn)
        self._wake()

    def take(self) -> list[Connection]:
        """The connections whose flight was made since the last call (their ``link.busy`` is cleared)."""
        with self._lock:
            done, self._done = self._done, []
        for conn in done:
            if conn.tls is not None:
                conn.tls.busy = False
        return done

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
