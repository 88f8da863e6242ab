"""The Python peers ``bench/listener.py`` compares the headless listener with.

Run as ``python bench/peers.py threading|naive --port N``; prints
``listening on http://127.0.0.1:PORT`` on stderr once bound (port 0 = any
free port), like the headless listener, and serves until SIGTERM/SIGINT.

- ``threading``: ``http.server.ThreadingHTTPServer`` with a handler that
  records every request (a small dict appended to a list, as a capture tool
  would), HTTP/1.1 keep-alive, TCP_NODELAY on, head and body written with one
  ``send``, listen backlog 128 instead of socketserver's 5. This is the fair version of the standard-library server: without
  TCP_NODELAY, or with head and body written separately, it is several times
  slower (Nagle plus delayed ACK: the first write waits for the ACK of the second).
- ``naive``: the accept/recv/send/close server of the original tutorial:
  one thread, one ``recv`` per connection, a fixed ``hello world`` response,
  close. It records nothing.
"""

from __future__ import annotations

import argparse
import http.server
import signal
import socket
import sys
import threading
import time
from typing import ClassVar

HELLO = b"hello world"


class RecordingHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY on each accepted socket
    records: ClassVar[list[dict[str, object]]] = []
    _lock = threading.Lock()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        record = {
            "received_at": time.time(),
            "client": f"{self.client_address[0]}:{self.client_address[1]}",
            "method": self.command,
            "target": self.path,
            "http_version": self.request_version,
            "headers": list(self.headers.items()),
            "body": body,
        }
        with self._lock:
            self.records.append(record)
        head = (
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(HELLO)}\r\n"
            + ("Connection: close\r\n" if self.close_connection else "")
            + "\r\n"
        )
        # wfile is unbuffered: one write is one sendall, head and body together.
        self.wfile.write(head.encode("latin-1") + HELLO)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle

    def log_message(self, format: str, *args: object) -> None:
        pass  # the record is the log; a line per request on stderr would cost more


class QuietThreadingHTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: under 50 connections opened
    # per request (Connection: close) SYNs overflow and wait 1 s to be resent.
    # 128 is what socket.listen() picks by default; the headless listener uses 1024.
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        # wrk drops its keep-alive connections at the end of a run: resets are normal
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def serve_threading(port: int) -> None:
    server = QuietThreadingHTTPServer(("127.0.0.1", port), RecordingHandler)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", file=sys.stderr, flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _wait_for_signal()
    server.shutdown()
    print(f"stopped, {len(RecordingHandler.records)} requests recorded", file=sys.stderr, flush=True)


NAIVE_RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world"


def serve_naive(port: int) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen()
    print(f"listening on http://127.0.0.1:{listener.getsockname()[1]}", file=sys.stderr, flush=True)

    def loop() -> None:
        while True:
            conn, _ = listener.accept()
            try:
                conn.recv(1024)
                conn.sendall(NAIVE_RESPONSE)
            except OSError:
                pass
            finally:
                conn.close()

    threading.Thread(target=loop, daemon=True).start()
    _wait_for_signal()
    print("stopped", file=sys.stderr, flush=True)


def _wait_for_signal() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.is_set():
        stop.wait(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("threading", "naive"))
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if args.kind == "threading":
        serve_threading(args.port)
    else:
        serve_naive(args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
