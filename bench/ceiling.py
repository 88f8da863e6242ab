"""The ceiling on this machine: a minimal selectors loop around httptools.

Usage: ``.venv/bin/python bench/ceiling.py [--port 0]`` prints ``listening on
http://127.0.0.1:PORT`` on stderr; drive it with wrk. It parses with httptools,
answers a fixed ``hello world`` with one ``send`` and records nothing: what
the headless listener could reach if recording and checking cost nothing.
"""

from __future__ import annotations

import argparse
import selectors
import signal
import socket
import sys

import httptools

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world"


class Conn:
    __slots__ = ("done", "parser", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.done = 0
        self.parser = httptools.HttpRequestParser(self)

    def on_message_complete(self) -> None:
        self.done += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(1024)
    listener.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"listening on http://127.0.0.1:{listener.getsockname()[1]}", file=sys.stderr, flush=True)
    while True:
        for key, _ in sel.select():
            conn = key.data
            if conn is None:
                sock, _ = listener.accept()
                sock.setblocking(False)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sel.register(sock, selectors.EVENT_READ, Conn(sock))
                continue
            try:
                data = conn.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                sel.unregister(conn.sock)
                conn.sock.close()
                continue
            try:
                conn.parser.feed_data(data)
            except httptools.HttpParserError:
                sel.unregister(conn.sock)
                conn.sock.close()
                continue
            if conn.done:
                out = RESPONSE * conn.done
                conn.done = 0
                conn.sock.send(out)
                if not conn.parser.should_keep_alive():
                    sel.unregister(conn.sock)
                    conn.sock.close()


if __name__ == "__main__":
    main()
