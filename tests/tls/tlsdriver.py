"""A tiny test-only TLS server on a real loopback socket: one selectors loop, a TLSSession per
connection, a fixed HTTP answer once a request head has arrived. It is what the server loop
will do with TLS connections, reduced to what the real-client tests need."""

from __future__ import annotations

import selectors
import socket
import threading
from dataclasses import dataclass, field

from inspector.tls.contexts import ServerContexts
from inspector.tls.session import State, TLSFacts, TLSSession

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 14\r\nConnection: close\r\n\r\nhello over tls"


@dataclass
class Outcome:
    """What one connection came to: the plaintext received, the facts, a failure if any."""

    plaintext: bytes
    facts: TLSFacts
    failure: str | None
    raw: bytes  # every byte the client sent


@dataclass
class _Conn:
    sock: socket.socket
    session: TLSSession
    plaintext: bytearray = field(default_factory=bytearray)
    raw: bytearray = field(default_factory=bytearray)
    answered: bool = False


class TLSDriver:
    """Serves TLS on 127.0.0.1 (or ::1), port 0, in a thread, until :meth:`stop`."""

    def __init__(self, contexts: ServerContexts, host: str = "127.0.0.1") -> None:
        self._contexts = contexts
        self._listener = socket.create_server(
            (host, 0), family=socket.AF_INET6 if ":" in host else socket.AF_INET
        )
        self._listener.setblocking(False)
        self.port: int = self._listener.getsockname()[1]
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._wake_r, self._wake_w = socket.socketpair()
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._outcomes: list[Outcome] = []
        self._changed = threading.Condition()
        self._running = True
        self._thread = threading.Thread(target=self._serve, name="tls-driver", daemon=True)
        self._thread.start()

    def outcome(self, index: int = 0, timeout: float = 20.0) -> Outcome:
        """The ``index``-th finished connection's outcome, waiting for it."""
        with self._changed:
            assert self._changed.wait_for(lambda: len(self._outcomes) > index, timeout), "no outcome"
            return self._outcomes[index]

    def answered(self, timeout: float = 20.0) -> Outcome:
        """The first connection that carried a request (browsers also open and drop others)."""
        with self._changed:
            assert self._changed.wait_for(lambda: any(o.plaintext for o in self._outcomes), timeout)
            return next(o for o in self._outcomes if o.plaintext)

    def stop(self) -> None:
        self._running = False
        self._wake_w.send(b"x")
        self._thread.join(10)
        assert not self._thread.is_alive()
        for key in list(self._selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        self._selector.close()
        self._wake_w.close()

    def _serve(self) -> None:
        while self._running:
            for key, _ in self._selector.select():
                if key.fileobj is self._listener:
                    sock, _ = self._listener.accept()
                    sock.setblocking(False)
                    session = TLSSession(self._contexts, local_address=sock.getsockname()[0])
                    self._selector.register(sock, selectors.EVENT_READ, _Conn(sock, session))
                elif key.fileobj is not self._wake_r:
                    self._on_readable(key.data)

    def _on_readable(self, conn: _Conn) -> None:
        try:
            data = conn.sock.recv(65536)
        except OSError:
            data = b""
        conn.raw += data
        conn.plaintext += conn.session.receive_data(data)
        if b"\r\n\r\n" in conn.plaintext and not conn.answered:
            conn.answered = True
            conn.session.send(ANSWER)
            conn.session.close()
        self._flush(conn)
        # After answering, wait for the client to close: closing with its bytes unread would reset.
        if not data or conn.session.state is State.FAILED:
            self._finish(conn)

    def _flush(self, conn: _Conn) -> None:
        out = conn.session.data_to_send()
        if out:
            conn.sock.setblocking(True)  # tiny answers: fine for a test driver
            try:
                conn.sock.sendall(out)
            except OSError:
                pass
            conn.sock.setblocking(False)

    def _finish(self, conn: _Conn) -> None:
        self._selector.unregister(conn.sock)
        conn.sock.close()
        outcome = Outcome(bytes(conn.plaintext), conn.session.facts(), conn.session.failure, bytes(conn.raw))
        with self._changed:
            self._outcomes.append(outcome)
            self._changed.notify_all()
