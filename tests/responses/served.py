"""Real sockets for the responses tests: a Server on a thread answering from a Responder, raw clients."""

from __future__ import annotations

import queue
import socket
import threading
from collections.abc import Callable, Iterator

from inspector.http.record import CaptureRecord
from inspector.responses import Responder
from inspector.server import CallbackSink, Server

#: hang guard for one socket read (the answers come in well under a second)
WAIT = 30.0


def request(
    port: int, method: str, target: str, body: bytes = b"", content_type: str = "", *, headers: str = ""
) -> bytes:
    """Send one request on a new connection (``headers``: extra field lines, CRLF-ended);
    returns every byte received until the server closes."""
    head = f"{method} {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{headers}"
    if content_type:
        head += f"Content-Type: {content_type}\r\n"
    head += f"Content-Length: {len(body)}\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        sock.sendall(head.encode() + body)
        chunks = []
        while chunk := sock.recv(1 << 16):
            chunks.append(chunk)
    return b"".join(chunks)


def status_and_body(answer: bytes) -> tuple[int, bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def serving() -> Iterator[Callable[[Responder], int]]:
    """The ``serve`` fixture: ``serve(responder)`` starts a server and returns its port."""
    started: list[tuple[Server, threading.Thread]] = []

    def start(responder: Responder) -> int:
        records: queue.Queue[CaptureRecord] = queue.Queue()
        server = Server("127.0.0.1", 0, sink=CallbackSink(records.put), responder=responder)
        thread = threading.Thread(target=server.serve_forever, name="test-server", daemon=True)
        thread.start()
        started.append((server, thread))
        return server.port

    yield start
    for server, thread in started:
        server.stop()
        thread.join(WAIT)
        assert not thread.is_alive()
