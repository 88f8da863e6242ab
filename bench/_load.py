"""Paced HTTP load for the GUI benchmarks: raw sockets, keep-alive, pipelining.

    python bench/_load.py --port N [--host 127.0.0.1] [--rate 5000] [--seconds 10]
                          [--connections 8]

Run as a separate process (bench/gui_ingest.py starts it) so that the load
costs the window's process nothing. Every ``TICK`` seconds each connection
gets its share of the requests due by then (one ``sendall`` of the pipelined
batch); responses are read as they come, with a tiny Content-Length parser.
Each request carries ``seq=N`` in its query, so the receiving side can check
that every request arrived exactly once.

Prints one JSON object on stdout when done: requests sent, responses read,
body bytes sent, the ``time.monotonic()`` of the first send and of the last
response (CLOCK_MONOTONIC is system-wide on Linux, so the window's process
can compare it with its own clock), the achieved rate and how far the pacing
fell behind.

Also importable: :func:`request_bytes` builds the same realistic mix for
bench/history_scale.py.
"""

from __future__ import annotations

import argparse
import json
import selectors
import socket
import sys
import time

#: pacing granularity (seconds): requests due are sent in batches this far apart
TICK = 0.005

_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
    "curl/8.5.0",
    "orders-service/2.4 (python-httpx/0.27)",
    "okhttp/4.12.0",
)
_PATHS = (
    "/api/v1/orders",
    "/api/v1/orders/4211",
    "/api/v1/customers/jack/cart",
    "/index.html",
    "/static/app.js",
    "/login",
    "/webhooks/stripe",
    "/health",
)
_METHODS = ("GET", "GET", "GET", "POST", "PUT", "DELETE", "PATCH", "GET")


def request_parts(seq: int, host: str) -> tuple[str, str, list[tuple[str, str]], bytes]:
    """Method, target, headers and body of request ``seq`` of the mix."""
    method = _METHODS[seq % len(_METHODS)]
    path = _PATHS[(seq * 7) % len(_PATHS)]
    target = f"{path}?seq={seq}&page={seq % 13}&sort=desc"
    headers = [
        ("Host", host),
        ("User-Agent", _UA[seq % len(_UA)]),
        ("Accept", "application/json, text/plain, */*"),
        ("X-Request-ID", f"{seq:08x}-51d4-4b8e-9a61-0c2f4e8b1d77"),
    ]
    body = b""
    if method in ("POST", "PUT", "PATCH"):
        body = b'{"customer": {"id": %d, "name": "Jack Smith"}, "items": [{"sku": "MUG-01", "qty": %d}]}' % (
            seq,
            seq % 5 + 1,
        )
        headers.append(("Content-Type", "application/json"))
        headers.append(("Content-Length", str(len(body))))
    return method, target, headers, body


def request_bytes(seq: int, host: str) -> tuple[bytes, int]:
    """The wire bytes of request ``seq`` and its body size."""
    method, target, headers, body = request_parts(seq, host)
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{n}: {v}\r\n" for n, v in headers) + "\r\n"
    return head.encode("ascii") + body, len(body)


class _Responses:
    """Counts complete HTTP/1.1 responses in a byte stream (Content-Length framed)."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.count = 0
        self.bad = 0

    def feed(self, data: bytes) -> int:
        buf = self.buffer
        buf += data
        done = 0
        pos = 0
        while True:
            end = buf.find(b"\r\n\r\n", pos)
            if end < 0:
                break
            head = bytes(buf[pos:end]).lower()
            if not head.startswith(b"http/1.1 200"):
                self.bad += 1
            at = head.find(b"content-length:")
            length = 0
            if at >= 0:
                line_end = head.find(b"\r\n", at)
                length = int(head[at + 15 : line_end if line_end >= 0 else None])
            if len(buf) < end + 4 + length:
                break
            pos = end + 4 + length
            done += 1
        del buf[:pos]
        self.count += done
        return done


def run(host: str, port: int, rate: float, seconds: float, connections: int) -> dict[str, object]:
    total = int(rate * seconds)
    wire_host = f"{host}:{port}"
    payloads: list[bytes] = []
    body_bytes = 0
    wire_bytes = 0
    for seq in range(total):
        data, size = request_bytes(seq, wire_host)
        payloads.append(data)
        body_bytes += size
        wire_bytes += len(data)

    sel = selectors.DefaultSelector()
    socks: list[socket.socket] = []
    parsers: list[_Responses] = []
    for number in range(connections):
        sock = socket.create_connection((host, port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        socks.append(sock)
        parsers.append(_Responses())
        sel.register(sock, selectors.EVENT_READ, number)
    outbox = [bytearray() for _ in socks]

    received = 0
    sent = 0
    last_response = 0.0
    max_behind = 0.0
    start = time.monotonic()
    next_conn = 0
    deadline = start + seconds + 30.0  # the listener gets 30 s to answer everything
    while received < total:
        now = time.monotonic()
        if now > deadline:
            break
        due = min(total, int((now - start) * rate) + 1)
        if sent < due:
            if due - sent > rate * TICK * 4:
                max_behind = max(max_behind, (due - sent) / rate)
            while sent < due:
                outbox[next_conn] += payloads[sent]
                next_conn = (next_conn + 1) % connections
                sent += 1
        for number, sock in enumerate(socks):
            box = outbox[number]
            if box:
                try:
                    n = sock.send(box)
                except BlockingIOError:
                    n = 0
                del box[:n]
        wait = TICK - ((time.monotonic() - start) % TICK) if sent < total else 0.05
        for key, _events in sel.select(wait):
            number = key.data
            try:
                data = socks[number].recv(262144)
            except BlockingIOError:
                continue
            if not data:
                raise SystemExit(f"connection {number} closed by the server")
            got = parsers[number].feed(data)
            if got:
                received += got
                last_response = time.monotonic()
    end = time.monotonic()
    for sock in socks:
        sock.close()
    send_seconds = (total - 1) / rate if total > 1 else 0.0
    return {
        "requests": total,
        "sent": sent,
        "responses": received,
        "bad_responses": sum(p.bad for p in parsers),
        "body_bytes": body_bytes,
        "wire_bytes": wire_bytes,
        "connections": connections,
        "rate": rate,
        "seconds": seconds,
        "start_monotonic": start,
        "last_response_monotonic": last_response,
        "end_monotonic": end,
        "achieved_rate": received / max(last_response - start, 1e-9),
        "paced_send_seconds": send_seconds,
        "max_behind_seconds": max_behind,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate", type=float, default=5000.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    result = run(args.host, args.port, args.rate, args.seconds, args.connections)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
