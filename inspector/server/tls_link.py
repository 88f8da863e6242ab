"""HTTPS on the listening loop's connections: the first byte decides, a TLSSession does the rest.

With TLS on, a connection whose first byte is 0x16 (a TLS handshake record)
gets a :class:`~inspector.tls.session.TLSSession`; any other first byte is
plain HTTP, as before (docs/ARCHITECTURE.md, "The capture path"). The session
is sans-IO, so the loop stays one thread: :meth:`TLSTerminator.take` turns the
socket's bytes into the plaintext the HTTP parser reads, queues handshake
bytes in the connection's output, and :func:`encrypt` turns answers into
records. The parser never knows; once the handshake is done it stamps every
record with ``scheme`` "https" and the handshake's facts.

Limits (docs/ARCHITECTURE.md, "Limits and deadlines"): a handshake must be
done :attr:`Limits.head_timeout` seconds after its first byte and within
:data:`HANDSHAKE_BYTES` of client bytes, or it fails. A failed handshake is a
record: ``error`` says why, ``tls`` what the ClientHello said, ``raw_head`` the
first :data:`RAW_CAP` bytes the client sent. A connection that sends nothing
and closes leaves no record, as in plain HTTP.

A name never seen before needs a leaf and an ``SSLContext`` (2-9 ms): one
worker thread makes it while the session waits (``defer_new_names``), so the
loop and every other connection go on; the worker wakes the loop when it is
done and :meth:`TLSTerminator.ready` hands the waiting connections back. The
server's first flight, the costly step of every handshake, is made the same
way on two other threads (``defer_flight``, :mod:`inspector.server.tls_flights`).
While a worker has a connection's session, the bytes that arrive are kept in
its link (up to :data:`HANDSHAKE_BYTES`) and fed after; a deadline that passes
meanwhile fails the handshake as soon as the worker gives it back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from inspector.http.limits import InFlight
from inspector.http.record import CaptureRecord
from inspector.server.connection import Connection
from inspector.server.tls_flights import Flights
from inspector.tls.contexts import ServerContexts
from inspector.tls.hello import CONTENT_HANDSHAKE, MAX_CLIENT_HELLO
from inspector.tls.session import State, TLSSession

__all__ = ["HANDSHAKE_BYTES", "RAW_CAP", "ServerContexts", "TLSLink", "TLSTerminator", "encrypt"]

log = logging.getLogger(__name__)

#: Client bytes a handshake may take; a ClientHello is at most MAX_CLIENT_HELLO.
HANDSHAKE_BYTES = 4 * MAX_CLIENT_HELLO
#: Bytes of a failed handshake kept for its record's ``raw_b64``.
RAW_CAP = 2 * MAX_CLIENT_HELLO


class TLSLink:
    """One TLS connection's session, and what its record needs if the handshake fails."""

    __slots__ = (
        "busy",
        "deadline",
        "ended",
        "expired",
        "pending",
        "raw",
        "received",
        "received_at",
        "reported",
        "session",
    )

    def __init__(self, session: TLSSession, deadline: float) -> None:
        self.session = session
        self.deadline = deadline
        self.received_at = time.time()
        self.raw = bytearray()  # the first RAW_CAP bytes, until the handshake is done
        self.received = 0  # client bytes during the handshake
        self.reported = False  # a failure was recorded
        self.busy = False  # a worker is making the first flight: the session is its alone
        self.pending = bytearray()  # bytes that came while busy (at most HANDSHAKE_BYTES)
        self.ended = False  # the client's end of input came while busy
        self.expired = False  # the deadline passed while busy

    @property
    def handshaking(self) -> bool:
        return self.session.state is State.HANDSHAKE

    def keep(self, data: bytes) -> None:
        self.received += len(data)
        room = RAW_CAP - len(self.raw)
        if room > 0:
            self.raw += data[:room]


def encrypt(link: TLSLink, plaintext: bytes) -> bytes:
    """The TLS records that carry ``plaintext`` to the client."""
    link.session.send(plaintext)
    return link.session.data_to_send()


class TLSTerminator:
    """The server's TLS side: sessions for connections that start with 0x16, leaves made off-loop.

    Args:
        contexts: the leaves' cache (one per process is best: leaves survive a restart of the loop).
        budget: the server's memory budget; handshake bytes waiting to be sent count in it.
        wake: wakes the loop (any thread).
        emit: reports a record (a failed handshake's) to the sink.
        next_id: the sink's next record id.
        head_timeout: how long a handshake may take from its first byte.
    """

    def __init__(
        self,
        contexts: ServerContexts,
        budget: InFlight,
        wake: Callable[[], None],
        emit: Callable[[CaptureRecord], None],
        next_id: Callable[[], int],
        *,
        head_timeout: float,
    ) -> None:
        self.contexts = contexts
        self._budget = budget
        self._wake = wake
        self._emit = emit
        self._next_id = next_id
        self._head_timeout = head_timeout
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tls-contexts")
        self._flights = Flights(wake)
        self._building: dict[str, list[Connection]] = {}  # loop thread only
        self._lock = threading.Lock()
        self._made: list[tuple[str, str | None]] = []  # (name, error) from the worker

    def take(self, conn: Connection, data: bytes, now: float) -> bytes | None:
        """Bytes from ``conn``'s socket (``b""`` at its end) as bytes for its parser.

        None: nothing for the parser now; a handshake went on (its bytes wait
        in ``conn.out``), or failed and was recorded. The first bytes of a
        connection decide whether it is TLS.
        """
        link = conn.tls
        if link is None:
            if not conn.sniff:
                return data
            conn.sniff = False
            if not data or data[0] != CONTENT_HANDSHAKE:
                return data
            local = conn.parser.server.rsplit(":", 1)[0].strip("[]")
            session = TLSSession(self.contexts, local_address=local, defer_new_names=True, defer_flight=True)
            link = conn.tls = TLSLink(session, now + self._head_timeout)
        if link.busy:
            self._keep_pending(conn, link, data)
            return None
        session = link.session
        if link.handshaking:
            link.keep(data)
        plaintext = session.receive_data(data)
        if link.handshaking and link.received > HANDSHAKE_BYTES:
            # Checked after the bytes went in: those after the client's Finished are requests.
            session.fail(f"the client sent more than {HANDSHAKE_BYTES} bytes during the handshake")
        return self._after(conn, link, plaintext, eof=not data)

    def _after(self, conn: Connection, link: TLSLink, plaintext: bytes, *, eof: bool) -> bytes | None:
        session = link.session
        out = session.data_to_send()
        if out:
            conn.out += out
            self._budget.held += len(out)
        state = session.state
        if state is State.FAILED:
            self._failed(conn)
            return None
        if state is State.HANDSHAKE:
            name = session.needed_name
            if name is not None:
                self._build(conn, name)
            elif session.flight_due:
                self._flights.submit(conn, link)
            return None
        if conn.parser.tls is None:  # the handshake is done: every record says so
            link.raw = bytearray()
            conn.parser.scheme = "https"
            conn.parser.tls = session.facts()
        if plaintext or eof or state is State.CLOSED:
            return plaintext
        return None

    def timed_out(self, conn: Connection, now: float) -> bool:
        """Fail and record ``conn``'s handshake if its deadline passed; True if it did."""
        link = conn.tls
        if link is None or not link.handshaking or now < link.deadline:
            return False
        if link.busy:  # failed when the worker gives the session back (see _flown)
            link.expired = True
            return False
        self._expire(link)
        self._failed(conn)
        return True

    def _expire(self, link: TLSLink) -> None:
        link.session.fail(
            f"the handshake was not done {self._head_timeout:g} s after its first byte "
            f"({link.received} bytes received)"
        )

    def _keep_pending(self, conn: Connection, link: TLSLink, data: bytes) -> None:
        """Bytes that came while a worker has the session: kept (bounded) for after."""
        link.keep(data)
        if not data:
            link.ended = True
            conn.parser.discard()  # not read again: nothing more can come, and EOF stays readable
            return
        room = HANDSHAKE_BYTES + 1 - len(link.pending)  # one more than allowed: enough to fail
        if room > 0:
            link.pending += data[:room]

    def _flown(self, conn: Connection) -> None:
        """Go on with ``conn``'s handshake after its first flight (on the loop thread)."""
        link = conn.tls
        if link is None:
            return
        session = link.session
        if link.expired:
            self._expire(link)
        elif link.received > HANDSHAKE_BYTES:
            session.fail(f"the client sent more than {HANDSHAKE_BYTES} bytes during the handshake")
        else:
            # No plaintext can come: the client needs the flight just made before it can send any.
            pending, link.pending = bytes(link.pending), bytearray()
            if pending:
                session.receive_data(pending)
            if link.ended:
                session.receive_data(b"")
        self._after(conn, link, b"", eof=link.ended)

    def _failed(self, conn: Connection) -> None:
        """Record ``conn``'s failed handshake (once); it then sends the alert, half-closes, drains."""
        link = conn.tls
        if link is None or link.reported or link.session.failure is None:
            return
        link.reported = True
        parser = conn.parser
        parser.discard()
        conn.closing = conn.error_close = True
        record = CaptureRecord(
            id=self._next_id(),
            received_at=link.received_at,
            client=parser.client,
            server=parser.server,
            scheme="https",
            error=link.session.failure,
            notes=("raw bytes truncated",) if link.received > len(link.raw) else (),
            raw_head=bytes(link.raw),
            tls=link.session.facts(),
        )
        self._emit(record)

    # -- contexts for new names, made off the loop ------------------------------

    def _build(self, conn: Connection, name: str) -> None:
        waiting = self._building.get(name)
        if waiting is not None:
            if conn not in waiting:
                waiting.append(conn)
            return
        self._building[name] = [conn]
        self._pool.submit(self._make, name)

    def _make(self, name: str) -> None:
        error = None
        try:
            self.contexts.prepare(name)
        except Exception as exc:  # a failed leaf fails its handshakes, not the worker
            log.exception("making the TLS context for %s failed", name)
            error = f"could not make a certificate for {name}: {exc}"
        with self._lock:
            self._made.append((name, error))
        self._wake()

    def ready(self) -> list[Connection]:
        """Connections whose handshake went on since the context of their name was made (or failed),
        or since a worker made their first flight.

        No plaintext can have come yet: the client waits for the server's flight.
        """
        with self._lock:
            made, self._made = self._made, []
        out: list[Connection] = []
        for conn in self._flights.take():
            if conn.open:
                self._flown(conn)
                out.append(conn)
        for name, error in made:
            for conn in self._building.pop(name, ()):
                link = conn.tls
                if link is None or not link.handshaking or not conn.open:
                    continue  # failed, timed out or closed while it waited
                if error is not None:
                    link.session.fail(error)
                    self._failed(conn)
                else:
                    self._after(conn, link, link.session.resume(), eof=False)
                out.append(conn)
        return out

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._flights.close()
