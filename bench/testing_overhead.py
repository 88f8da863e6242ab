"""What the testing layer costs per request, beside the bare server loop, in one run.

Usage::

    .venv/bin/python bench/testing_overhead.py [--duration 5] [--rounds 3]

Two measurements:

- Throughput, in this process (as a test runs it): wrk (keep-alive, 1 thread,
  10 connections) against ``bare`` (``Server`` with a ``CallbackSink``
  appending to a list, the built-in responder), ``bare+rules`` (the same with
  the rules engine's ``Responder`` and no rules, what an ``Inspector``
  answers with) and ``inspector`` (``inspector.testing.Inspector``: the
  recorder, the request log and its lock and wake-ups). The variants take
  turns, ``--rounds`` times, so load from elsewhere hits them alike; the best
  round of each is reported, and the difference per request in microseconds.
- The sink path alone, without sockets: per record, what the loop thread
  spends handing it over (``CallbackSink`` vs ``Recorder`` + ``RequestLog``),
  with one loop round per 8 records.

Prints; does not fail. Run ``uptime`` first and note the load.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspector.capture import Recorder
from inspector.http.record import CaptureRecord, SentResponse
from inspector.http.response import default_responder
from inspector.responses import Responder, RuleSet
from inspector.server import CallbackSink, Server
from inspector.testing import Inspector
from inspector.testing.log import RequestLog

REQUESTS = re.compile(r"Requests/sec:\s+([\d.]+)")


@contextmanager
def bare(rules: bool) -> Iterator[str]:
    kept: list[CaptureRecord] = []
    responder = Responder(RuleSet()) if rules else default_responder
    server = Server("127.0.0.1", 0, sink=CallbackSink(kept.append), responder=responder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.url
    finally:
        server.stop()
        thread.join(10)


@contextmanager
def inspector() -> Iterator[str]:
    # every request kept, as in bare (the default cap would trim at 10,000)
    with Inspector(max_records=10_000_000) as insp:
        yield insp.url


VARIANTS: dict[str, Callable[[], AbstractContextManager[str]]] = {
    "bare": lambda: bare(False),
    "bare+rules": lambda: bare(True),
    "inspector": inspector,
}


def wrk(url: str, seconds: float) -> float:
    done = subprocess.run(
        ["wrk", "-t1", "-c10", f"-d{seconds:g}s", url + "/index.html?name=jack&age=18"],
        capture_output=True,
        text=True,
        check=True,
    )
    found = REQUESTS.search(done.stdout)
    if found is None:
        raise RuntimeError(f"no Requests/sec in wrk's output:\n{done.stdout}")
    return float(found[1])


def throughput(duration: float, rounds: int) -> dict[str, float]:
    best: dict[str, float] = {}
    for number in range(rounds):
        for name, start in VARIANTS.items():
            with start() as url:
                wrk(url, 1.0)  # warm-up
                rate = wrk(url, duration)
            best[name] = max(best.get(name, 0.0), rate)
            print(f"  round {number + 1} {name:<11} {rate:>10,.0f} req/s", flush=True)
    return best


def record(number: int) -> CaptureRecord:
    return CaptureRecord(
        id=number,
        received_at=time.time(),
        client="127.0.0.1:50000",
        server="127.0.0.1:8090",
        method="GET",
        target="/index.html?name=jack&age=18",
        path="/index.html",
        query=(("name", "jack"), ("age", "18")),
        http_version="1.1",
        headers=(("Host", "127.0.0.1:8090"), ("User-Agent", "wrk")),
        response=SentResponse(status=200, body=b"hello world", rule="default"),
    )


def sink_path(count: int = 200_000) -> dict[str, float]:
    records = [record(n) for n in range(count)]
    kept: list[CaptureRecord] = []
    recorder = Recorder()
    recorder.add_observer(RequestLog(count))
    sinks: dict[str, CallbackSink | Recorder] = {
        "CallbackSink": CallbackSink(kept.append),
        "Recorder+RequestLog": recorder,
    }
    micros = {}
    for name, sink in sinks.items():
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            for index, item in enumerate(records):
                sink.finished(item)
                if index & 7 == 7:
                    sink.end_round()
            best = min(best, time.perf_counter() - started)
        micros[name] = best / count * 1e6
        kept.clear()
    return micros


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    print(
        f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg()) if hasattr(os, 'getloadavg') else '?'}"
    )
    print("sink path per record (loop thread, no sockets):")
    micros = sink_path()
    for name, value in micros.items():
        print(f"  {name:<20} {value:6.2f} µs")
    print(f"  difference           {micros['Recorder+RequestLog'] - micros['CallbackSink']:6.2f} µs")
    print(f"throughput (wrk -t1 -c10 keep-alive, {args.duration:g} s, best of {args.rounds}):")
    best = throughput(args.duration, args.rounds)
    for name, rate in best.items():
        print(f"  {name:<11} {rate:>10,.0f} req/s  {1e6 / rate:6.1f} µs/request")
    print(
        f"  inspector - bare+rules: {1e6 / best['inspector'] - 1e6 / best['bare+rules']:+.1f} µs/request; "
        f"bare+rules - bare: {1e6 / best['bare+rules'] - 1e6 / best['bare']:+.1f} µs/request"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
