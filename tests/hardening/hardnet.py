"""Helpers for the real-socket hardening tests: a Server on a thread, raw clients.

Every wait is bounded by a deadline and done with ``select`` (or a thread join
with a timeout); nothing sleeps to wait for something. Figures measured here
are printed (run with ``-s``) and attached as ``record_property``; none is
asserted beyond a generous hang guard.
"""

from __future__ import annotations

import os
import queue
import select
import socket
import threading
import time
from dataclasses import dataclass, field

from inspector.http.limits import Limits
from inspector.http.record import CaptureRecord
from inspector.server import CallbackSink, Server

#: hang guard for any single wait
WAIT = 10.0


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def split_response(data: bytes) -> tuple[Response | None, bytes]:
    """One complete response off the front of ``data`` (Content-Length framed)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None, data
    lines = data[:end].decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
    length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
    if len(data) < end + 4 + length:
        return None, data
    return Response(status, headers, data[end + 4 : end + 4 + length]), data[end + 4 + length :]


@dataclass
class Client:
    sock: socket.socket
    buffer: bytes = b""
    eof: bool = False

    @classmethod
    def connect(cls, port: int, host: str = "127.0.0.1") -> Client:
        sock = socket.create_connection((host, port), timeout=WAIT)
        return cls(sock)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def poll(self, timeout: float) -> bool:
        """Read what arrives within ``timeout`` (a bounded select); True if anything did."""
        poller = select.poll()  # not select(): descriptors here go past 1024
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

    def take_response(self) -> Response | None:
        response, self.buffer = split_response(self.buffer)
        return response

    def response(self, timeout: float = WAIT) -> Response:
        deadline = time.monotonic() + timeout
        while True:
            response = self.take_response()
            if response is not None:
                return response
            if self.eof:
                raise AssertionError(f"closed before a full response; have {self.buffer!r}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no response within {timeout} s; have {self.buffer!r}")
            self.poll(left)

    def wait_closed(self, timeout: float = WAIT) -> None:
        deadline = time.monotonic() + timeout
        while not self.eof:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("the server did not close the connection")
            self.poll(left)

    def close(self) -> None:
        self.sock.close()


class Records:
    """on_record target: collects records from the loop thread."""

    def __init__(self) -> None:
        self._queue: queue.Queue[CaptureRecord] = queue.Queue()
        self.seen: list[CaptureRecord] = []

    def __call__(self, record: CaptureRecord) -> None:
        self._queue.put(record)

    def drain(self) -> list[CaptureRecord]:
        while True:
            try:
                self.seen.append(self._queue.get_nowait())
            except queue.Empty:
                return self.seen

    def wait_for(self, predicate, timeout: float = WAIT) -> CaptureRecord:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while True:
            for record in self.drain():
                if predicate(record):
                    return record
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching record; have {[r.error or r.path for r in self.seen]}")
            try:
                self.seen.append(self._queue.get(timeout=left))
            except queue.Empty:
                pass
            else:
                continue


@dataclass
class Served:
    server: Server
    thread: threading.Thread
    records: Records
    clients: list[Client] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.server.port

    def connect(self) -> Client:
        client = Client.connect(self.port)
        self.clients.append(client)
        return client

    def wait_connections(self, count: int, timeout: float = WAIT) -> None:
        deadline = time.monotonic() + timeout
        while self.server.connection_count != count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.server.connection_count} connections, expected {count}")
            self.thread.join(0.01)  # a bounded pause while polling; also notices a dead loop

    def stop(self) -> None:
        for client in self.clients:
            client.close()
        self.server.stop()
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "serve_forever did not return after stop()"
        assert self.server.connection_count == 0


def start(limits: Limits | None = None) -> Served:
    records = Records()
    server = Server("127.0.0.1", 0, sink=CallbackSink(records), limits=limits)
    thread = threading.Thread(target=server.serve_forever, name="hardening-server", daemon=True)
    thread.start()
    return Served(server, thread, records)


def get(path: str = "/", extra: bytes = b"") -> bytes:
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: t\r\n" + extra + b"\r\n"


class Latency:
    """Round trips of a well-behaved client, in ms."""

    def __init__(self) -> None:
        self.samples: list[float] = []

    def round_trip(self, client: Client, path: str) -> Response:
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
