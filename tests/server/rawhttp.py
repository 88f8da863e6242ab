"""Helpers for real-socket tests: a Server on a thread, a record sink, a raw HTTP client.

Every wait is bounded (select or a deadline); nothing sleeps.
"""

from __future__ import annotations

import queue
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from inspector.http.record import CaptureRecord
from inspector.server import Server

#: hang guard for any single wait in these tests
WAIT = 5.0


class RecordSink:
    """on_record target: collects records from the loop thread."""

    def __init__(self) -> None:
        self._queue: queue.Queue[CaptureRecord] = queue.Queue()
        self.records: list[CaptureRecord] = []

    def __call__(self, record: CaptureRecord) -> None:
        self._queue.put(record)

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
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


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
        headers = [tuple(part.strip() for part in line.split(":", 1)) for line in lines[1:]]
        code = int(status)
        length = 0
        for name, value in headers:
            if name.lower() == "content-length":
                length = int(value)
        if head_only and len(out) in head_only:
            length = 0
        if len(data) < end + 4 + length:
            return out, data
        body = data[end + 4 : end + 4 + length]
        out.append(HttpResponse(code, reason[0] if reason else "", headers, body, data[: end + 4 + length]))  # type: ignore[arg-type]
        data = data[end + 4 + length :]


@dataclass
class RawClient:
    """A blocking-with-select raw socket client."""

    sock: socket.socket
    buffer: bytes = b""
    eof: bool = False
    received: list[HttpResponse] = field(default_factory=list)

    def send(self, data: bytes, *, bytewise: bool = False) -> None:
        if bytewise:
            for i in range(len(data)):
                self.sock.sendall(data[i : i + 1])
        else:
            self.sock.sendall(data)

    def _recv_some(self, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out; have {self.buffer!r}, responses {self.received}")
        ready, _, _ = select.select([self.sock], [], [], left)
        if not ready:
            return
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.eof = True
        self.buffer += chunk

    def responses(self, count: int, timeout: float = WAIT) -> list[HttpResponse]:
        """Read until ``count`` responses in all have arrived."""
        deadline = time.monotonic() + timeout
        while True:
            got, self.buffer = parse_responses(self.buffer)
            self.received += got
            if len(self.received) >= count:
                return self.received[:count]
            if self.eof:
                raise AssertionError(f"closed after {self.received}, rest {self.buffer!r}")
            self._recv_some(deadline)

    def response(self, timeout: float = WAIT) -> HttpResponse:
        return self.responses(len(self.received) + 1, timeout)[-1]

    def read_until(self, marker: bytes, timeout: float = WAIT) -> bytes:
        deadline = time.monotonic() + timeout
        while marker not in self.buffer:
            if self.eof:
                raise AssertionError(f"closed before {marker!r}; have {self.buffer!r}")
            self._recv_some(deadline)
        head, _, self.buffer = self.buffer.partition(marker)
        return head + marker

    def wait_closed(self, timeout: float = WAIT) -> bytes:
        """Read until the server closes; return any bytes not yet parsed."""
        deadline = time.monotonic() + timeout
        while not self.eof:
            self._recv_some(deadline)
        rest, self.buffer = self.buffer, b""
        return rest

    def is_open(self, timeout: float = 0.2) -> bool:
        """True when nothing (no EOF, no data) arrives within ``timeout``."""
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
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
    server: Server
    thread: threading.Thread
    sink: RecordSink
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

    def stop(self) -> None:
        self.server.stop()
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "serve_forever did not return after stop()"
        assert self.server.connection_count == 0


ServerFactory = Callable[..., Running]
