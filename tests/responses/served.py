"""Real sockets for the responses tests: a Server on a thread answering from a Responder
(the server tests' harness), and a raw client that reads until the server closes."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

from inspector.responses import Responder, load_rules
from tests.harness import Running, read_until_closed, start

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
        return read_until_closed(sock, WAIT)


def status_and_body(answer: bytes) -> tuple[int, bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def write_rules(folder: Path, document: object) -> Path:
    """``folder/rules.json`` holding ``document`` (JSON-encoded unless it is already text)."""
    path = folder / "rules.json"
    text = document if isinstance(document, str) else json.dumps(document)
    path.write_text(text, encoding="utf-8")
    return path


def serving() -> Iterator[Callable[[Responder | Path], int]]:
    """The ``serve`` fixture: ``serve(responder)``, or ``serve(path)`` of a rules file (loaded
    strictly: a mistake in it fails the test), starts a server (:func:`tests.harness.start`)
    and returns its port; each is stopped, and its thread checked ended, afterwards."""
    started: list[Running] = []

    def start_one(answers: Responder | Path) -> int:
        responder = Responder(load_rules(answers, strict=True)) if isinstance(answers, Path) else answers
        running = start(responder=responder)
        started.append(running)
        return running.port

    yield start_one
    for running in started:
        running.stop()
