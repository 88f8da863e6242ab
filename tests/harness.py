"""Real-socket tests of the server: a Server on a thread, a recording sink, raw clients.

One harness for tests/server and tests/hardening (and the subprocess script of
tests/hardening/test_fd_exhaustion.py, which imports ``start`` and ``get``).
Every wait is bounded by a deadline and done with ``poll`` (descriptors here
go past 1,024) or a thread join with a timeout; nothing sleeps to wait for
something. No duration is asserted beyond the hang guard :data:`WAIT`.
"""

from __future__ import annotations

import os
import queue
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from inspector.http.limits import Limits
from inspector.http.record import CaptureRecord
from inspector.http.response import Responder, default_responder
from inspector.server import CaptureSink, Server
from inspector.tls.contexts import ServerContexts

#: hang guard for any single wait
WAIT = 10.0


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def get(path: str = "/", extra: bytes = b"", host: bytes = b"t") -> bytes:
    """A GET request's bytes, with a Host field and ``extra`` field lines."""
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + host + b"\r\n" + extra + b"\r\n"


class Records:
    """The capture sink of a test server: collects what the loop thread reports."""

    def __init__(self) -> None:
        self._queue: queue.Queue[CaptureRecord] = queue.Queue()
        self._ids = iter(range(1, 1 << 62))
        #: finished records taken so far, in arrival order
        self.records: list[CaptureRecord] = []
        #: records announced by started(), in order (appended by the loop thread)
        self.announced: list[CaptureRecord] = []
        #: every call in order: ("started", id), ("finished", id), ("end_round", 0)
        self.log: list[tuple[str, int]] = []

    # -- CaptureSink (loop thread) --

    def next_id(self) -> int:
        return next(self._ids)

    def started(self, record: CaptureRecord) -> None:
        self.log.append(("started", record.id))
        self.announced.append(record)

    def finished(self, record: CaptureRecord) -> None:
        self.log.append(("finished", record.id))
        self._queue.put(record)

    def end_round(self) -> None:
        self.log.append(("end_round", 0))

    # -- the test's side --

    def drain(self) -> list[CaptureRecord]:
        """Take what has arrived; return every record so far."""
        while True:
            try:
                self.records.append(self._queue.get_nowait())
            except queue.Empty:
                return list(self.records)

    def wait(self, count: int, timeout: float = WAIT) -> list[CaptureRecord]:
        """Wait until ``count`` records in all have arrived; return them all."""
        deadline = time.monotonic() + timeout
        while len(self.records) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"expected {count} records, got {len(self.records)}: {self.records}")
            try:
                self.records.append(self._queue.get(timeout=left))
            except queue.Empty:
                continue
        return list(self.records)

    def wait_for(self, predicate: Callable[[CaptureRecord], bool], timeout: float = WAIT) -> CaptureRecord:
        """The first record (arrived or arriving) for which ``predicate`` holds."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            records = self.drain()
            for record in records[seen:]:
                if predicate(record):
                    return record
            seen = len(records)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching record; have {[r.error or r.path for r in records]}")
            try:
                self.records.append(self._queue.get(timeout=left))
            except queue.Empty:
                pass

    def assert_no_more(self, timeout: float = 0.3) -> None:
        """Nothing else is recorded within ``timeout`` (used where nothing must arrive)."""
        try:
            extra = self._queue.get(timeout=timeout)
        except queue.Empty:
            return
        raise AssertionError(f"unexpected record: {extra}")


@dataclass
class HttpResponse:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    raw: bytes = b""

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def read_until_closed(sock: socket.socket, wait: float = WAIT) -> bytes:
    """Everything the peer sends until it closes its side (each read bounded by ``wait``)."""
    sock.settimeout(wait)
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def parse_responses(data: bytes, head_only: set[int] | None = None) -> tuple[list[HttpResponse], bytes]:
    """Split complete responses off ``data``; return them and the rest.

    Responses are framed by Content-Length (the server always sends one, except
    for 1xx, 204 and 304); ``head_only`` lists response indexes to a HEAD request.
    """
    out: list[HttpResponse] = []
    while True:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return out, data
        lines = data[:end].decode("latin-1").split("\r\n")
        version, status, *reason = lines[0].split(" ", 2)
        assert version == "HTTP/1.1", lines[0]
        headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
        length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
        if head_only and len(out) in head_only:
            length = 0
        if len(data) < end + 4 + length:
            return out, data
        stop = end + 4 + length
        phrase = reason[0] if reason else ""
        out.append(HttpResponse(int(status), phrase, headers, data[end + 4 : stop], data[:stop]))
        data = data[stop:]


@dataclass
class RawClient:
    """A raw socket client; every wait is a bounded poll."""

    sock: socket.socket
    buffer: bytes = b""
    eof: bool = False
    #: every response parsed so far, in order
    received: list[HttpResponse] = field(default_factory=list)
    _taken: int = 0

    @classmethod
    def connect(cls, port: int, host: str = "127.0.0.1") -> RawClient:
        return cls(socket.create_connection((host, port), timeout=WAIT))

    def send(self, data: bytes, *, bytewise: bool = False) -> None:
        if bytewise:
            for i in range(len(data)):
                self.sock.sendall(data[i : i + 1])
        else:
            self.sock.sendall(data)

    def poll(self, timeout: float) -> bool:
        """Read what arrives within ``timeout``; True if anything did (data or EOF)."""
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        if not poller.poll(max(0.0, timeout) * 1000.0):
            return False
        try:
            chunk = self.sock.recv(65536)
        except (ConnectionResetError, BlockingIOError):
            chunk = b""
        if not chunk:
            self.eof = True
        self.buffer += chunk
        return True

    def _parse(self) -> None:
        got, self.buffer = parse_responses(self.buffer)
        self.received += got

    def take_response(self) -> HttpResponse | None:
        """The next response not yet taken, if it has fully arrived (no waiting)."""
        self._parse()
        if self._taken < len(self.received):
            self._taken += 1
            return self.received[self._taken - 1]
        return None

    def responses(self, count: int, timeout: float = WAIT) -> list[HttpResponse]:
        """Read until ``count`` responses in all have arrived; return the first ``count``."""
        deadline = time.monotonic() + timeout
        while True:
            self._parse()
            if len(self.received) >= count:
                self._taken = max(self._taken, count)
                return self.received[:count]
            if self.eof:
                raise AssertionError(f"closed after {self.received}, rest {self.buffer!r}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out; have {self.buffer!r}, responses {self.received}")
            self.poll(left)

    def response(self, timeout: float = WAIT) -> HttpResponse:
        """The next response not yet taken."""
        return self.responses(self._taken + 1, timeout)[-1]

    def read_until(self, marker: bytes, timeout: float = WAIT) -> bytes:
        deadline = time.monotonic() + timeout
        while marker not in self.buffer:
            if self.eof:
                raise AssertionError(f"closed before {marker!r}; have {self.buffer!r}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {marker!r} within {timeout} s; have {self.buffer!r}")
            self.poll(left)
        head, _, self.buffer = self.buffer.partition(marker)
        return head + marker

    def wait_closed(self, timeout: float = WAIT) -> bytes:
        """Read until the server closes; return any bytes not yet parsed."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("the server did not close the connection")
            self.poll(left)
        rest, self.buffer = self.buffer, b""
        return rest

    def is_open(self, timeout: float = 0.2) -> bool:
        """True when nothing (no EOF, no data) arrives within ``timeout``."""
        poller = select.poll()
        poller.register(self.sock, select.POLLIN)
        if not poller.poll(timeout * 1000.0):
            return True
        try:
            chunk = self.sock.recv(65536, socket.MSG_PEEK)
        except ConnectionResetError:
            return False
        return bool(chunk)

    def close(self) -> None:
        self.sock.close()


@dataclass
class Running:
    """A Server serving on a thread, its sink, and the clients a test opened."""

    server: Server
    thread: threading.Thread
    sink: Records
    clients: list[RawClient] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def address(self) -> tuple[str, int]:
        return (self.server.host, self.server.port)

    def connect(self) -> RawClient:
        family = socket.AF_INET6 if ":" in self.server.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(WAIT)
        sock.connect(self.address)
        client = RawClient(sock)
        self.clients.append(client)
        return client

    def wait_connections(self, count: int, timeout: float = WAIT) -> None:
        deadline = time.monotonic() + timeout
        while self.server.connection_count != count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.server.connection_count} connections, expected {count}")
            self.thread.join(0.01)  # a bounded pause while polling; also notices a dead loop

    def close_clients(self) -> None:
        for client in self.clients:
            client.close()

    def stop(self) -> None:
        """Stop the loop (clients stay open: the server closes them) and check it ended."""
        self.server.stop()
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "serve_forever did not return after stop()"
        assert self.server.connection_count == 0


def start(
    limits: Limits | None = None,
    *,
    responder: Responder = default_responder,
    host: str = "127.0.0.1",
    sink: CaptureSink | None = None,
    tls: ServerContexts | None = None,
) -> Running:
    """A Server on ``host``, port 0, serving on a daemon thread (HTTPS too with ``tls``)."""
    records = Records()
    server = Server(host, 0, sink=sink or records, responder=responder, limits=limits, tls=tls)
    thread = threading.Thread(target=server.serve_forever, name="test-server", daemon=True)
    thread.start()
    return Running(server, thread, records)


ServerFactory = Callable[..., Running]


@pytest.fixture
def start_server() -> Iterator[ServerFactory]:
    """``start_server(limits=..., responder=..., host=..., tls=...)``; teardown stops each server,
    checks it closed every connection and its listening socket, and closes the clients."""
    started: list[Running] = []

    def factory(
        limits: Limits | None = None,
        *,
        responder: Responder = default_responder,
        host: str = "127.0.0.1",
        sink: CaptureSink | None = None,
        tls: ServerContexts | None = None,
    ) -> Running:
        running = start(limits, responder=responder, host=host, sink=sink, tls=tls)
        started.append(running)
        return running

    yield factory
    for running in started:
        if running.thread.is_alive():
            running.stop()
        running.close_clients()
        assert running.server.connection_count == 0
        # The listening socket is closed too: nobody accepts on the port any more.
        with socket.socket(socket.AF_INET6 if ":" in running.server.host else socket.AF_INET) as probe:
            probe.settimeout(WAIT)
            with pytest.raises(ConnectionRefusedError):
                probe.connect(running.address)


@pytest.fixture
def running(start_server: ServerFactory) -> Running:
    return start_server()


class Latency:
    """Round trips of a well-behaved client, in ms."""

    def __init__(self) -> None:
        self.samples: list[float] = []

    def round_trip(self, client: RawClient, path: str) -> HttpResponse:
        started = time.perf_counter()
        client.send(get(path))
        response = client.response()
        self.samples.append((time.perf_counter() - started) * 1000.0)
        assert response.status == 200, response
        return response

    def summary(self) -> str:
        ordered = sorted(self.samples)
        if not ordered:
            return "no samples"
        median = ordered[len(ordered) // 2]
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return f"n={len(ordered)} median={median:.2f} ms p99={p99:.2f} ms max={ordered[-1]:.2f} ms"
