"""Run a to_curl command with the real curl and bash against a one-shot listener on
127.0.0.1, and read the request bytes it received (shared by the cURL tests)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable

import pytest

CURL = shutil.which("curl")
BASH = shutil.which("bash")
needs_curl = pytest.mark.skipif(not (CURL and BASH), reason="needs curl and bash")


def capture_one(run: Callable[[int], None]) -> bytes:
    """Run ``run(port)`` against a one-shot server; return the request bytes it received."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)
    port = listener.getsockname()[1]
    received = bytearray()

    def serve() -> None:
        conn, _ = listener.accept()
        conn.settimeout(3)
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                received.extend(data)
                head, sep, body = bytes(received).partition(b"\r\n\r\n")
                if not sep:
                    continue
                lower = head.lower()
                if b"\r\nexpect: 100-continue" in lower and not body:
                    conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                length = 0
                for line in lower.split(b"\r\n")[1:]:
                    if line.startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if b"transfer-encoding: chunked" in lower:
                    if body.endswith(b"0\r\n\r\n"):
                        break
                elif len(body) >= length:
                    break
        except TimeoutError:
            pass
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        conn.close()

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        run(port)
    finally:
        thread.join(15)
        listener.close()
    return bytes(received)


def run_curl(cmd: str, extra: str = "") -> None:
    """Run the pasted command line, with ``extra`` curl words appended, through bash."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    # Through stdin, as a pasted line would be: a 200 kB body exceeds one argv string.
    script = (f"{cmd} -sS -o /dev/null --max-time 10 {extra}\n").encode("utf-8", "surrogateescape")
    out = subprocess.run([BASH or "bash", "-s"], input=script, capture_output=True, env=env,
                         timeout=30, check=False)
    assert out.returncode == 0, out.stderr


def parse_request(raw: bytes) -> tuple[str, str, list[tuple[str, str]], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    method, target, _version = lines[0].split(b" ", 2) if lines[0].count(b" ") == 2 else (
        lines[0].split(b" ", 1)[0], lines[0][lines[0].index(b" ") + 1 : lines[0].rindex(b" ")], b"")
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers.append((name.decode(), value.strip().decode("utf-8")))
    return method.decode(), target.decode("latin-1"), headers, body


def request_line(raw: bytes) -> bytes:
    return raw.partition(b"\r\n")[0]
