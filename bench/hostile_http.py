"""Hostile HTTP clients against a headless listener: what each costs the other clients and memory.

    python bench/hostile_http.py [--repo PATH] [--only TEXT] [--python PATH]

For each shape of issue 10 it starts ``main.py --headless --no-db`` from
``--repo`` (default: this checkout) on a free port with a small rules file
(``/slow*`` answers after 2 s, ``/big*`` with 256 KiB, anything else at once),
runs the shape while a probe client sends a plain GET every 100 ms on its own
connection, and prints the probe's worst round trip, the listener's peak
resident memory (/proc), and what happened to the hostile clients. Each shape
gets a fresh listener, so one that wedges it does not spoil the next.

A benchmark, not a test: it prints figures. Point ``--repo`` at an older
checkout (``git archive main | tar -x -C /tmp/old``) for the before figures,
and run ``uptime`` first.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RULES = {
    "version": 1,
    "rules": [
        {"name": "slow", "path": "/slow*", "delay_ms": 2000, "body": "slow"},
        {"name": "big", "path": "/big*", "body": "x" * 262_144},
        {"name": "hello", "path": "/**", "body": "hello"},
    ],
}
MIB = 1024 * 1024


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: h\r\n\r\n".encode()


class Listener:
    """A headless listener process, its peak RSS and a probe client's worst round trip."""

    def __init__(self, python: str, repo: Path, rules: Path) -> None:
        self.proc = subprocess.Popen(
            [python, str(repo / "main.py"), "--headless", "--port", "0", "--no-db", "--rules", str(rules)],
            cwd=repo, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        )  # fmt: skip
        assert self.proc.stderr is not None
        line = self.proc.stderr.readline().decode()
        found = re.search(r"listening on http://[^\s]+:(\d+)", line)
        if not found:
            raise SystemExit(f"the listener did not start: {line!r}")
        self.port = int(found.group(1))
        threading.Thread(target=self._drain, daemon=True).start()
        self.peak_rss = 0
        self.worst_ms = 0.0
        self.probe_failures = 0
        self._stop = threading.Event()
        self._probe = threading.Thread(target=self._run_probe, daemon=True)
        self._probe.start()
        threading.Thread(target=self._sample, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stderr is not None
        for _ in self.proc.stderr:
            pass

    def rss(self) -> int:
        try:
            text = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return 0
        found = re.search(r"VmRSS:\s+(\d+) kB", text)
        return int(found.group(1)) * 1024 if found else 0

    def descriptors(self) -> int:
        """Open descriptors of the listener process: its connections show here."""
        try:
            return len(os.listdir(f"/proc/{self.proc.pid}/fd"))
        except OSError:
            return 0

    def alive(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 2) as sock:
            sock.sendall(get("/alive"))
            return sock.recv(12).startswith(b"HTTP/1.1 200")
        return False

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak_rss = max(self.peak_rss, self.rss())

    def _run_probe(self) -> None:
        sock: socket.socket | None = None
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                if sock is None:
                    sock = socket.create_connection(("127.0.0.1", self.port), 30)
                sock.sendall(get("/probe"))
                data = b""
                while b"hello" not in data:
                    chunk = sock.recv(4096)
                    if not chunk:
                        raise OSError("closed")
                    data += chunk
            except OSError:
                self.probe_failures += 1
                sock = None
            self.worst_ms = max(self.worst_ms, (time.perf_counter() - started) * 1000.0)
            self._stop.wait(0.1)

    def stop(self) -> None:
        self._stop.set()
        self._probe.join(35)
        self.proc.kill()
        self.proc.wait()


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), 10)


def wait_answer(sock: socket.socket, timeout: float) -> str:
    started = time.monotonic()
    ready, _, _ = select.select([sock], [], [], timeout)
    if not ready:
        return f"no answer within {timeout:g} s"
    data = sock.recv(64)
    return f"{data[:12].decode(errors='replace') or 'closed'} after {time.monotonic() - started:.2f} s"


# -- shapes ---------------------------------------------------------------------------------


def mixed_blank_header(listener: Listener) -> str:
    sock = connect(listener.port)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: h\r\nX-A: a" + b" \t" * 4096 + b"x\r\n\r\n")
    return "8 KB mixed-blank header: " + wait_answer(sock, 30)


def pipelining_behind_delay(listener: Listener) -> str:
    sock = connect(listener.port)
    sock.setblocking(False)
    chunk = get("/slow") * 2000
    sent, deadline = 0, time.monotonic() + 12
    while time.monotonic() < deadline and listener.rss() < 1536 * MIB:
        with contextlib.suppress(BlockingIOError):
            sent += sock.send(chunk)
        select.select([], [sock], [], 0.05)
    return f"12 s pipelining /slow: {sent / MIB:.1f} MiB of requests accepted by the socket"


def blank_line_keepalive(listener: Listener) -> str:
    before = listener.descriptors()
    holders = [connect(listener.port) for _ in range(1000)]
    started = time.monotonic()
    while time.monotonic() - started < 20:
        for sock in holders:
            with contextlib.suppress(OSError):
                sock.sendall(b"\r\n")
        time.sleep(4)
    still = max(0, listener.descriptors() - before)
    newcomer = connect(listener.port)
    newcomer.sendall(get("/new"))
    answer = wait_answer(newcomer, 10)
    return f"1,000 sending CRLF every 4 s: {still} still held by the listener after 20 s; a newcomer got {answer}"


def never_reading(listener: Listener) -> str:
    before = listener.descriptors()
    clients = []
    for _ in range(20):
        sock = connect(listener.port)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(get("/big") * 50)
        clients.append(sock)
    time.sleep(35)
    still = max(0, listener.descriptors() - before)
    return f"20 clients never reading 12.5 MiB of answers each: {still} of 20 held by the listener after 35 s"


def chunked_uploads(listener: Listener) -> str:
    body = b"a00000\r\n" + b"u" * (10 * MIB - 1024)  # one 10 MiB chunk, its last KiB never sent
    refused = 0
    socks = []
    for _ in range(40):
        sock = connect(listener.port)
        sock.sendall(b"POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
        with contextlib.suppress(OSError):
            sock.sendall(body)
        socks.append(sock)
    time.sleep(2)
    for sock in socks:
        sock.setblocking(False)
        with contextlib.suppress(OSError):
            refused += sock.recv(12).startswith(b"HTTP/1.1 503")
    return f"40 chunked uploads held 1 KiB short of 10 MiB: {refused} refused with 503"


def oversized_uploads(listener: Listener) -> str:
    chunk = b"100000\r\n" + b"o" * MIB + b"\r\n"
    statuses = []
    for _ in range(40):
        with connect(listener.port) as sock:
            sock.sendall(b"POST /over HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
            with contextlib.suppress(OSError):
                for _ in range(11):
                    sock.sendall(chunk)
            statuses.append(wait_answer(sock, 10)[:12])
    time.sleep(1)
    return f"40 chunked uploads over 10 MiB, kept by the store: {statuses.count('HTTP/1.1 413')} got 413"


def content_length_zeros(listener: Listener) -> str:
    sock = connect(listener.port)
    sock.sendall(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: " + b"0" * 5000 + b"3\r\n\r\nabc")
    answer = wait_answer(sock, 5)
    return f"Content-Length of 5,001 digits: {answer}; listener answering afterwards: {listener.alive()}"


SHAPES: list[tuple[str, Callable[[Listener], str]]] = [
    ("mixed-blank-header", mixed_blank_header),
    ("pipelining-behind-delay", pipelining_behind_delay),
    ("blank-line-keepalive", blank_line_keepalive),
    ("never-reading", never_reading),
    ("chunked-uploads", chunked_uploads),
    ("oversized-uploads", oversized_uploads),
    ("content-length-zeros", content_length_zeros),
]


@contextlib.contextmanager
def listening(args: argparse.Namespace, rules: Path) -> Iterator[Listener]:
    listener = Listener(args.python, args.repo, rules)
    try:
        yield listener
    finally:
        listener.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repo", type=Path, default=REPO, help="checkout whose main.py to run")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--only", default="", help="shapes whose name contains this")
    args = parser.parse_args(argv)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    print(f"listener from {args.repo}; load {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        rules = Path(tmp) / "rules.json"
        rules.write_text(json.dumps(RULES))
        for name, shape in SHAPES:
            if args.only not in name:
                continue
            with listening(args, rules) as listener:
                outcome = shape(listener)
                time.sleep(0.5)
            print(
                f"{name:24} probe worst {listener.worst_ms:9.1f} ms, {listener.probe_failures} failed; "
                f"peak RSS {listener.peak_rss / MIB:7.1f} MiB; {outcome}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
