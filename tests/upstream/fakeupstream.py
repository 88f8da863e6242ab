"""A real upstream for forwarding tests, and captured requests made by the real parser.

:class:`FakeUpstream` listens on 127.0.0.1, port 0, with one thread per
connection. It keeps the exact bytes of every request it received and answers
as its ``handler`` says: fixed bytes, held until the test releases them, never,
trickled, then closed or kept alive. It counts connections, so tests can see
reuse.
"""

from __future__ import annotations

import itertools
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from inspector.http.parser import RequestParser, RequestReceived
from inspector.http.record import CaptureRecord
from inspector.upstream import Forwarder, ForwardResult, parse_target

#: generous bound for anything a test waits for (never a threshold asserted on)
WAIT = 10.0


def capture(raw: bytes, *, client: str = "192.0.2.7:5050", scheme: str = "http") -> CaptureRecord:
    """The record the listener's parser makes of ``raw`` (exactly one whole request)."""
    parser = RequestParser(client=client, server="127.0.0.1:8090", next_id=itertools.count(1).__next__)
    events = parser.receive_data(raw, 0.0)
    records = [event.record for event in events if isinstance(event, RequestReceived)]
    assert len(records) == 1, [type(event).__name__ for event in events]
    record = records[0]
    if scheme != "http":
        from dataclasses import replace

        record = replace(record, scheme=scheme)
    return record


def forward(
    forwarder: Forwarder, raw: bytes, url: str, *, rule: str | None = None, **options: object
) -> ForwardResult:
    """Forward the request ``raw`` to ``url`` (with target ``options``) and wait for the result."""
    result = forwarder.submit(capture(raw), parse_target({"url": url, **options}), rule=rule).result(WAIT)
    assert result is not None
    return result


def response(status: int = 200, body: bytes = b"ok", *headers: tuple[str, str], reason: str = "") -> bytes:
    """A Content-Length answer, header fields exactly as given."""
    lines = [f"HTTP/1.1 {status} {reason or 'Whatever'}", *(f"{n}: {v}" for n, v in headers)]
    lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Reply:
    """How to answer one request.

    ``pieces`` are sent in order (with ``trickle`` seconds between single
    bytes when set); ``release`` is waited for first; ``hold`` answers nothing
    and waits for the client to go; ``close`` closes the connection after.
    """

    pieces: list[bytes] = field(default_factory=list)
    release: threading.Event | None = None
    hold: bool = False
    close: bool = False
    trickle: float | None = None


@dataclass
class Received:
    head: bytes
    body: bytes
    connection: int

    @property
    def raw(self) -> bytes:
        return self.head + self.body

    @property
    def header_lines(self) -> list[bytes]:
        return self.head.split(b"\r\n")[1:-2]

    @property
    def request_line(self) -> bytes:
        return self.head.split(b"\r\n", 1)[0]


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


class FakeUpstream:
    def __init__(self, handler: Callable[[Received], Reply], *, tls: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self._tls = tls
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._cond = threading.Condition()
        self.received: list[Received] = []
        self.connections = 0
        self.closed_by_client = 0
        self.closed_by_server = 0
        #: the protocol each TLS connection agreed by ALPN (None: none offered matched)
        self.alpn: list[str | None] = []
        self._socks: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._stopping = False
        self._accepter = threading.Thread(target=self._accept, name="fake-upstream", daemon=True)
        self._accepter.start()

    def url(self, path: str = "") -> str:
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self.port}{path}"

    def wait_requests(self, count: int) -> list[Received]:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.received) >= count, WAIT), self.received
            return list(self.received)

    def wait_client_closes(self, count: int) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: self.closed_by_client >= count, WAIT)

    def wait_server_closes(self, count: int) -> None:
        """Wait until this upstream has closed ``count`` connections after answering."""
        with self._cond:
            assert self._cond.wait_for(lambda: self.closed_by_server >= count, WAIT)

    def close(self) -> None:
        self._stopping = True
        try:
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes accept() (Linux)
        except OSError:
            pass
        self._listener.close()
        with self._cond:
            socks = list(self._socks)
        for sock in socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in [self._accepter, *self._threads]:
            thread.join(WAIT)
            assert not thread.is_alive()

    def _accept(self) -> None:
        while not self._stopping:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            with self._cond:
                self.connections += 1
                index = self.connections
                self._socks.append(sock)
            thread = threading.Thread(target=self._serve, args=(sock, index), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket, index: int) -> None:
        try:
            if self._tls is not None:
                sock = self._tls.wrap_socket(sock, server_side=True)
                with self._cond:
                    self._socks.append(sock)  # the plain socket object was detached
                    self.alpn.append(sock.selected_alpn_protocol())
            buf = b""
            while True:
                while b"\r\n\r\n" not in buf:
                    data = sock.recv(65536)
                    if not data:
                        self._client_closed(bool(buf))
                        return
                    buf += data
                cut = buf.index(b"\r\n\r\n") + 4
                head, buf = buf[:cut], buf[cut:]
                length = _content_length(head)
                while len(buf) < length:
                    data = sock.recv(65536)
                    if not data:
                        return
                    buf += data
                received = Received(head, buf[:length], index)
                buf = buf[length:]
                with self._cond:
                    self.received.append(received)
                    self._cond.notify_all()
                if not self._answer(sock, self.handler(received)):
                    sock.close()
                    with self._cond:
                        self.closed_by_server += 1
                        self._cond.notify_all()
                    return
        except (OSError, ssl.SSLError):
            return
        finally:
            sock.close()

    def _client_closed(self, midway: bool) -> None:
        with self._cond:
            self.closed_by_client += 1
            self._cond.notify_all()

    def _answer(self, sock: socket.socket, reply: Reply) -> bool:
        """Send ``reply``; False when the connection is to end."""
        if reply.release is not None and not reply.release.wait(WAIT):
            return False
        if reply.hold:
            while sock.recv(65536):
                pass
            self._client_closed(False)
            return False
        for piece in reply.pieces:
            if reply.trickle is None:
                sock.sendall(piece)
                continue
            for byte in piece:
                sock.sendall(bytes([byte]))
                time.sleep(reply.trickle)
        return not reply.close


#: SO_LINGER on with a zero time-out: closing the socket resets the connection (RST)
RESET_ON_CLOSE = b"\x01\x00\x00\x00\x00\x00\x00\x00"


def read_head(sock: socket.socket) -> bytes:
    """What ``sock`` sends up to the end of a request head (all of it, if it closes first)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


@contextmanager
def one_connection(handle: Callable[[socket.socket], None]) -> Iterator[int]:
    """A listener on 127.0.0.1 whose first connection goes to ``handle`` on a thread (and is
    closed after it): yields the port, and waits for the thread before the listener closes."""
    with socket.create_server(("127.0.0.1", 0)) as listener:

        def serve() -> None:
            conn, _ = listener.accept()
            with conn:
                handle(conn)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            yield listener.getsockname()[1]
        finally:
            thread.join(WAIT)


class FakeClock:
    """Stands in for a module's ``time`` (monkeypatched): ``monotonic()`` reads ``now``."""

    def __init__(self, now: float) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now
