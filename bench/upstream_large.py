"""Forwarding large upstream bodies: what one call costs in memory (peak RSS).

Usage::

    .venv/bin/python bench/upstream_large.py            # 50 MiB and 9 MiB bodies
    .venv/bin/python bench/upstream_large.py --mib 100  # another size over the limit

What it does: an upstream child process answers every GET with a body of the
asked size (``Content-Length`` or chunked, 64 KiB chunks). Each case runs in a
fresh child process (peak RSS only grows within a process): a real
:class:`~inspector.server.Server` on a thread whose rule forwards to the
upstream, one ``http.client`` GET through it, the record kept as the window
would keep it. It prints the status, the bytes the client got, and the peak
RSS over the process's RSS before the request (``ru_maxrss`` minus ``VmRSS``),
beside the body limit. A body over the limit answers 502: with a
``Content-Length`` it is refused before a byte of it is read; chunked, it is
read up to the limit and dropped. See docs/PERFORMANCE.md, "Forwarding".

Prints the machine's load first; a benchmark prints, it does not fail.
"""

from __future__ import annotations

import argparse
import http.client
import os
import resource
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inspector.http.limits import MAX_BODY
from inspector.http.record import CaptureRecord
from inspector.responses import Responder, loads
from inspector.server import Server
from inspector.server.sink import CallbackSink

CHUNK = 64 * 1024


class _Big(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        size_text, _, mode = self.path.strip("/").partition("/")
        size = int(size_text)
        block = b"x" * CHUNK
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if mode == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(size))
        self.end_headers()
        sent = 0
        try:
            while sent < size:
                piece = block[: min(CHUNK, size - sent)]
                if mode == "chunked":
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                else:
                    self.wfile.write(piece)
                sent += len(piece)
            if mode == "chunked":
                self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the forwarder gave up on a body over its limit

    def log_message(self, *args: object) -> None:
        pass


def serve() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Big)
    print(server.server_address[1], flush=True)
    server.serve_forever()


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def case(port: int, size: int, mode: str) -> None:
    """One forwarded GET in this (fresh) process; prints one line."""
    responder = Responder(loads(f'{{"rules": [{{"name": "all", "forward": "http://127.0.0.1:{port}/"}}]}}'))
    records: list[CaptureRecord] = []
    server = Server("127.0.0.1", 0, sink=CallbackSink(records.append), responder=responder)
    thread = threading.Thread(target=server.serve_forever, name="listener")
    thread.start()
    before = _rss_kib()
    started = time.monotonic()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        connection.request("GET", f"/{size}/{mode}")
        response = connection.getresponse()
        got = len(response.read())
        connection.close()
        while not records and time.monotonic() - started < 30:
            time.sleep(0.01)
    finally:
        server.stop()
        thread.join(10)
        responder.close()
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"{size / 2**20:6.1f} MiB {mode:14s} -> {response.status}, client got {got / 2**20:6.2f} MiB, "
        f"{seconds:5.2f} s, peak RSS +{(peak - before) / 1024:6.1f} MiB over {before / 1024:5.1f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mib", type=float, default=50.0, help="the large body's size")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--case", nargs=3, metavar=("PORT", "SIZE", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    if args.case:
        case(int(args.case[0]), int(args.case[1]), args.case[2])
        return
    print(f"load: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min), {os.cpu_count()} cores")
    print(f"body limit {MAX_BODY / 2**20:g} MiB")
    upstream = subprocess.Popen([sys.executable, __file__, "--serve"], stdout=subprocess.PIPE, text=True)
    try:
        assert upstream.stdout is not None
        port = upstream.stdout.readline().strip()
        large = int(args.mib * 2**20)
        within = MAX_BODY - 2**20
        for size, mode in ((large, "content-length"), (large, "chunked"), (within, "content-length"),
                           (within, "chunked")):  # fmt: skip
            subprocess.run([sys.executable, __file__, "--case", port, str(size), mode], check=False)
    finally:
        upstream.terminate()
        upstream.wait(10)


if __name__ == "__main__":
    main()
