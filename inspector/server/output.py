"""Answer bytes on their way to the client, and the end of a connection.

The loop (inspector/server/loop.py) decides what to send and when a connection
ends; this module does it: queue a connection's answer bytes (encrypted first
on a TLS connection, counted in the memory budget), watch the socket for what
the connection can use, and close it. After an error answer a connection is
half-closed and lingers up to :data:`LINGER_SECONDS`, reading and dropping what
the client still sends, so the answer is not lost to a TCP reset
(docs/ARCHITECTURE.md, "Limits and deadlines"); the ``reset`` fault is such a
reset on purpose (docs/ARCHITECTURE.md, "Answers").
"""

from __future__ import annotations

import selectors
import socket
import struct
import time

from inspector.http.limits import InFlight
from inspector.server.connection import Connection
from inspector.server.listeners import Listeners
from inspector.server.tls_link import encrypt

#: How long a connection closed after an error keeps draining client bytes.
LINGER_SECONDS = 1.0
#: ``SO_LINGER`` on with a timeout of 0: ``close`` sends a TCP reset (RST)
_RESET_ON_CLOSE = struct.pack("ii", 1, 0)


class Output:
    """Sending and closing for the connections of one loop (on its thread only).

    Args:
        selector: the loop's selector.
        budget: the loop's memory budget.
        conns: the loop's open connections by descriptor.
        listeners: told when a descriptor is free again.
        max_pipelined: requests a connection may have waiting (see
            :meth:`Connection.wants_read`).
    """

    def __init__(
        self,
        selector: selectors.BaseSelector,
        budget: InFlight,
        conns: dict[int, Connection],
        listeners: Listeners,
        max_pipelined: int,
    ) -> None:
        self._sel = selector
        self._budget = budget
        self._conns = conns
        self._listeners = listeners
        self._max_pipelined = max_pipelined

    def append(self, conn: Connection, wire: bytes) -> None:
        """Queue ``wire`` for ``conn`` (sent when the loop flushes it)."""
        if conn.tls is not None:
            wire = encrypt(conn.tls, wire)
        conn.out += wire
        self._budget.held += len(wire)

    def watch(self, conn: Connection) -> None:
        """Watch for what ``conn`` can use: bytes to read, room to write."""
        read = selectors.EVENT_READ if conn.wants_read(self._max_pipelined) else 0
        conn.set_mask(self._sel, read | (selectors.EVENT_WRITE if conn.out else 0))

    def finish(self, conn: Connection) -> None:
        """All answered and the connection must end: close it, after an error
        half-close it and linger, or for the ``reset`` fault abort it."""
        if conn.reset:
            try:
                conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET_ON_CLOSE)
            except OSError:  # already reset by the client: closing is all there is to do
                pass
            self.close(conn)
            return
        if not conn.error_close:
            self.close(conn)
            return
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self.close(conn)
            return
        conn.linger_until = time.monotonic() + LINGER_SECONDS
        conn.set_mask(self._sel, selectors.EVENT_READ)

    def close(self, conn: Connection) -> None:
        """Close ``conn`` now, giving back what it held."""
        fd = conn.sock.fileno()
        if self._conns.get(fd) is not conn:
            return
        del self._conns[fd]
        conn.set_mask(self._sel, 0)
        conn.drop_output(self._budget)
        self._budget.held -= conn.held
        conn.held = 0
        conn.parser.discard()
        conn.sock.close()
        if self._listeners.paused_until is not None:
            self._listeners.resume()  # a descriptor is free again
