"""Forwarding benchmark: requests through the forwarder beside the same upstream hit directly.

Usage::

    .venv/bin/python bench/upstream.py                    # 5 s per measurement
    .venv/bin/python bench/upstream.py --delay-ms 20      # an upstream taking 20 ms per answer
    .venv/bin/python bench/upstream.py --sweep            # worker counts, for sizing the pool

What it does:

- Starts a small asyncio upstream in a child process (``--serve``): keep-alive,
  answers every request with 200 ``hello world`` after ``--delay-ms``. Its CPU
  is its own process's, so it costs the measured process nothing but cores.
- ``direct``: ``--concurrency`` threads, each with its own kept-alive
  ``http.client.HTTPConnection``, send requests one after another for
  ``--duration`` seconds: the upstream hit directly, with the stdlib client.
- ``forwarder``: one driver thread keeps ``--concurrency`` calls submitted to
  a :class:`~inspector.upstream.Forwarder` (as the server loop would: submit,
  get ``on_done``, submit the next), each a browser-like GET captured by the
  real parser. Latency is from ``submit`` to ``on_done``.
- Both print requests per second, p50 and p99 latency, and the client CPU per
  request. Then the same at concurrency 1, whose p50 difference is the
  forwarder's own cost per request (queue hand-over, building the request,
  the result objects); and how many upstream connections the forwarder opened.
- ``listener``: the same clients as ``direct`` against a real
  :class:`~inspector.server.Server` on a thread whose rule forwards every
  request to the upstream (``listener, forward``), beside the same listener
  answering from a local rule (``listener, local``): the end-to-end cost of a
  forward rule (loop, parser, deferred answer, forwarder, record) over the
  upstream hit directly. The clients run in this process too, so compare CPU
  per request between rows of one run only.
- ``--sweep``: forwarder throughput for 1-64 workers, at delay 0 and 20 ms,
  concurrency 64, with the process's resident memory: how docs/PERFORMANCE.md
  ("Forwarding") chose the pool size.
- ``--clients``: the client CPU per kept-alive request, one thread, for the
  forwarder's own client (inspector/upstream/client.py, no pool or threads),
  ``http.client.HTTPConnection``, and urllib3 and httpx when they can be
  imported (they are not dependencies: install them in a scratch venv).

Prints the machine's load first: the other engineers share its two cores, so
only figures from the same run compare. A benchmark prints; it does not fail.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import itertools
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from inspector.http.parser import RequestParser, RequestReceived
from inspector.http.record import CaptureRecord
from inspector.responses import Responder, RuleSet, loads
from inspector.server import Server
from inspector.server.sink import CallbackSink
from inspector.upstream import Forwarder, ForwardResult, parse_target

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 11\r\n\r\nhello world"
REQUEST = (
    b"GET /api/v1/orders/4211?page=3&sort=desc HTTP/1.1\r\nHost: 127.0.0.1:8090\r\n"
    b"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0\r\n"
    b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    b"Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\n"
    b"Cookie: session=0123456789abcdef; theme=dark\r\nX-Request-Id: 4f1c2a\r\n\r\n"
)


# -- the upstream (child process) ---------------------------------------------


class _Upstream(asyncio.Protocol):
    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.buf = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while (end := self.buf.find(b"\r\n\r\n")) >= 0:  # GETs only: no bodies
            self.buf = self.buf[end + 4 :]
            if self.delay:
                asyncio.get_running_loop().call_later(self.delay, self._answer)
            else:
                self.transport.write(ANSWER)

    def _answer(self) -> None:
        if not self.transport.is_closing():
            self.transport.write(ANSWER)


async def _serve(delay: float) -> None:
    server = await asyncio.get_running_loop().create_server(lambda: _Upstream(delay), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


class Upstream:
    """The upstream child process, stopped on exit."""

    def __init__(self, delay_ms: float) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", "--delay-ms", str(delay_ms)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())

    def __enter__(self) -> Upstream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        self.proc.wait(10)


# -- measurements -------------------------------------------------------------


def _record() -> CaptureRecord:
    parser = RequestParser(
        client="127.0.0.1:50000", server="127.0.0.1:8090", next_id=itertools.count(1).__next__
    )
    (event,) = parser.receive_data(REQUEST, 0.0)
    assert isinstance(event, RequestReceived)
    return event.record


def _summary(name: str, latencies: list[float], seconds: float, cpu: float) -> str:
    count = len(latencies)
    if not count:
        return f"{name:18s} no requests completed"
    cuts = statistics.quantiles(latencies, n=100) if count > 1 else [latencies[0]] * 99
    return (
        f"{name:18s} {count / seconds:8.0f} req/s   p50 {cuts[49] * 1000:7.2f} ms   "
        f"p99 {cuts[98] * 1000:7.2f} ms   CPU {cpu / count * 1e6:6.0f} us/req"
    )


def direct(port: int, concurrency: int, duration: float) -> tuple[list[float], float, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    end = time.monotonic() + duration
    headers = [line.split(": ", 1) for line in REQUEST.decode().split("\r\n")[1:] if line]

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        mine: list[float] = []
        while time.monotonic() < end:
            started = time.perf_counter()
            conn.putrequest(
                "GET", "/api/v1/orders/4211?page=3&sort=desc", skip_host=True, skip_accept_encoding=True
            )
            for name, value in headers:
                conn.putheader(name, value)
            conn.endheaders()
            conn.getresponse().read()
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    cpu, started = time.process_time(), time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, time.monotonic() - started, time.process_time() - cpu


def listened(
    upstream_port: int, concurrency: int, duration: float, forward: bool
) -> tuple[list[float], float, float, int]:
    """``direct``'s clients against a listener forwarding to the upstream (or answering
    itself); also how many records said the upstream answered 200."""
    rules = f'{{"rules": [{{"name": "all", "forward": "http://127.0.0.1:{upstream_port}/"}}]}}'
    responder = Responder(loads(rules) if forward else RuleSet())
    relayed = 0

    def on_record(record: CaptureRecord) -> None:
        nonlocal relayed
        relayed += record.upstream is not None and record.upstream.status == 200

    server = Server("127.0.0.1", 0, sink=CallbackSink(on_record), responder=responder)
    thread = threading.Thread(target=server.serve_forever, name="listener")
    thread.start()
    try:
        latencies, seconds, cpu = direct(server.port, concurrency, duration)
    finally:
        server.stop()
        thread.join(10)
        responder.close()
    return latencies, seconds, cpu, relayed


def forwarded(
    port: int, concurrency: int, duration: float, workers: int
) -> tuple[list[float], float, float, int, int]:
    """Latencies, seconds, CPU seconds, connections opened, non-200 answers."""
    record = _record()
    target = parse_target(f"http://127.0.0.1:{port}/")
    done: queue.SimpleQueue[tuple[float, ForwardResult]] = queue.SimpleQueue()
    latencies: list[float] = []
    failed = 0
    with Forwarder(workers=workers, queue_limit=max(concurrency, 1)) as forwarder:

        def submit() -> None:
            started = time.perf_counter()
            forwarder.submit(record, target, lambda result: done.put((started, result)))

        cpu, started = time.process_time(), time.monotonic()
        end = started + duration
        for _ in range(concurrency):
            submit()
        outstanding = concurrency
        while outstanding:
            began, result = done.get()
            latencies.append(time.perf_counter() - began)
            failed += result.response.status != 200
            outstanding -= 1
            if time.monotonic() < end:
                submit()
                outstanding += 1
        seconds, cpu = time.monotonic() - started, time.process_time() - cpu
        opened = forwarder.connections.opened
    return latencies, seconds, cpu, opened, failed


def _rss_mib() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def compare(args: argparse.Namespace) -> None:
    with Upstream(args.delay_ms) as upstream:
        for concurrency in (args.concurrency, 1):
            print(f"\nconcurrency {concurrency}, upstream delay {args.delay_ms:g} ms, {args.workers} workers")
            lat, secs, cpu = direct(upstream.port, concurrency, args.duration)
            print(_summary("direct", lat, secs, cpu))
            direct_p50 = statistics.median(lat)
            lat, secs, cpu, opened, failed = forwarded(
                upstream.port, concurrency, args.duration, args.workers
            )
            print(_summary("forwarder", lat, secs, cpu) + f"   {opened} connections, {failed} not 200")
            if concurrency == 1 and not args.delay_ms:
                print(
                    f"forwarder cost per request (p50 difference): {(statistics.median(lat) - direct_p50) * 1e6:.0f} us"
                )
            lat, secs, cpu, _ = listened(upstream.port, concurrency, args.duration, forward=False)
            print(_summary("listener, local", lat, secs, cpu))
            local_p50 = statistics.median(lat)
            lat, secs, cpu, relayed = listened(upstream.port, concurrency, args.duration, forward=True)
            print(_summary("listener, forward", lat, secs, cpu) + f"   {relayed} records with upstream 200")
            if concurrency == 1:
                print(
                    f"forward rule over the upstream direct (p50 difference): "
                    f"{(statistics.median(lat) - direct_p50) * 1e6:.0f} us; "
                    f"over a local rule: {(statistics.median(lat) - local_p50) * 1e6:.0f} us"
                )


def sweep(args: argparse.Namespace) -> None:
    for delay in (0.0, 20.0):
        with Upstream(delay) as upstream:
            print(f"\nsweep: upstream delay {delay:g} ms, concurrency 64")
            for workers in (1, 2, 4, 8, 16, 32, 64):
                lat, secs, cpu, opened, failed = forwarded(upstream.port, 64, args.duration, workers)
                extra = f"   {opened} connections, {failed} not 200, RSS {_rss_mib():5.1f} MiB"
                print(_summary(f"{workers:2d} workers", lat, secs, cpu) + extra)


def clients(args: argparse.Namespace) -> None:
    from inspector.upstream.client import perform
    from inspector.upstream.connections import ConnectionPool, Interrupt
    from inspector.upstream.outgoing import build_request

    count = int(args.requests)
    headers = [line.split(": ", 1) for line in REQUEST.decode().split("\r\n")[1:] if line]
    path = "/api/v1/orders/4211?page=3&sort=desc"
    with Upstream(0) as upstream:
        url = f"http://127.0.0.1:{upstream.port}"
        target = parse_target(url)
        request = build_request(_record(), target)
        pool = ConnectionPool(max_idle=1)

        def ours() -> None:
            perform(
                pool, target, request, deadline=time.monotonic() + 10, max_body=1 << 20, interrupt=Interrupt()
            )

        conn = http.client.HTTPConnection("127.0.0.1", upstream.port)

        def stdlib() -> None:
            conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            for name, value in headers:
                conn.putheader(name, value)
            conn.endheaders()
            conn.getresponse().read()

        candidates = [("inspector.upstream", ours), ("http.client.HTTPConnection", stdlib)]
        try:
            import urllib3

            u3_pool = urllib3.HTTPConnectionPool("127.0.0.1", upstream.port, retries=False, maxsize=1)
            u3_headers = urllib3.HTTPHeaderDict()
            for name, value in headers:
                u3_headers.add(name, value)
            candidates.append(
                (
                    f"urllib3 {urllib3.__version__}",
                    lambda: u3_pool.urlopen("GET", path, headers=u3_headers).data,
                )
            )
        except ImportError:
            print("urllib3 not installed: skipped")
        try:
            import httpx

            hx_client = httpx.Client()
            candidates.append(
                (f"httpx {httpx.__version__}", lambda: hx_client.get(url + path, headers=headers).content)
            )
        except ImportError:
            print("httpx not installed: skipped")
        for name, call in candidates:
            for _ in range(50):
                call()
            cpu, wall = time.process_time(), time.perf_counter()
            for _ in range(count):
                call()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            print(f"{name:28s} {cpu / count * 1e6:6.0f} us CPU/request   {wall / count * 1e6:6.0f} us wall")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight at once")
    parser.add_argument("--workers", type=int, default=32, help="forwarder worker threads")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="the upstream's time per answer")
    parser.add_argument("--sweep", action="store_true", help="throughput for 1-64 workers")
    parser.add_argument("--clients", action="store_true", help="client CPU per request, by client")
    parser.add_argument("--requests", type=int, default=5000, help="requests per client with --clients")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.delay_ms / 1000))
        return
    print(f"load: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (1, 5, 15 min), {os.cpu_count()} cores")
    if args.clients:
        clients(args)
    elif args.sweep:
        sweep(args)
    else:
        compare(args)


if __name__ == "__main__":
    main()
