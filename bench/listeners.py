"""Several listeners: one server loop serving N sockets against N loops on N threads.

Usage::

    .venv/bin/python bench/listeners.py [--duration 5] [--repeat 3] [--idle 1 8 32]

Why: with several listeners the server can run one selectors loop over all
their sockets, or one ``Server`` per listener, each on its own thread. This
measures both with the real ``inspector.server.Server`` (parser, responder,
each record handed to a sink that drops it), so the choice rests on figures:

- busy: two ports, each driven by its own wrk (keep-alive, 1 thread, 25
  connections) at the same time, against
  ``one``       one Server, one socket: both wrks on the same port (the baseline);
  ``threads``   two Servers on two threads, one port each;
  ``selector``  one Server loop with a second listening socket
                (``Server.listen``: the shape the server has).
  Reported: total req/s, the server process's CPU per request (from
  /proc/PID/stat, less noisy than req/s on a shared machine), wrk's p50 and
  the worse p99 of the two ports; the median of ``--repeat`` interleaved runs.
- idle: N listeners with no traffic for 3 s, as N threads or one loop: the
  process's CPU time and thread count (each loop wakes four times a second
  for its deadline sweep).
- holder: how long naming a port's holder takes in a fake /proc with 50,000
  descriptors (the match last, then capped) and in the real one.

A benchmark prints; it does not fail. Linux only (reads /proc).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from inspector.listen.holder import find_holder  # noqa: E402
from inspector.server import CallbackSink, Server  # noqa: E402

MODES = ("one", "threads", "selector")


def _dropping_sink() -> CallbackSink:
    return CallbackSink(lambda record: None)


def start_servers(mode: str, count: int) -> tuple[list[Server], list[int], list[threading.Thread]]:
    """``count`` listeners in ``mode``; the servers, their ports, their threads (started)."""
    if mode == "selector":
        many = Server("127.0.0.1", 0, sink=_dropping_sink())
        for _ in range(count - 1):
            many.listen("127.0.0.1", 0)
        servers: list[Server] = [many]
        ports = [listening.port for listening in many.listening]
    elif mode == "threads":
        servers = [Server("127.0.0.1", 0, sink=_dropping_sink()) for _ in range(count)]
        ports = [server.port for server in servers]
    else:
        servers = [Server("127.0.0.1", 0, sink=_dropping_sink())]
        ports = [servers[0].port] * count
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    return servers, ports, threads


def stop_servers(servers: list[Server], threads: list[threading.Thread]) -> None:
    for server in servers:
        server.stop()
    for thread in threads:
        thread.join(10)


# -- child: serve until stdin closes -----------------------------------------------------------


def serve(mode: str) -> None:
    servers, ports, threads = start_servers(mode, 2)
    print(" ".join(map(str, ports)), flush=True)
    sys.stdin.read()
    stop_servers(servers, threads)


def idle(mode: str, count: int, seconds: float) -> None:
    servers, _, threads = start_servers(mode, count)
    time.sleep(0.5)
    before = time.process_time()
    time.sleep(seconds)
    used = time.process_time() - before
    print(f"{used:.4f} {threading.active_count()}", flush=True)
    stop_servers(servers, threads)


# -- parent --------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ms(text: str, unit: str) -> float:
    return float(text) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(text: str) -> tuple[float, int, float, float]:
    """req/s, requests, p50 ms, p99 ms."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    count = int(re.search(r"(\d+) requests in", text).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"^\s*50%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    return rps, count, _ms(*p50.groups()), _ms(*p99.groups())  # type: ignore[union-attr]


def busy_run(mode: str, seconds: float) -> dict[str, float]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        ports = [int(port) for port in proc.stdout.readline().split()]
        urls = [f"http://127.0.0.1:{port}/" for port in ports]
        warm = [
            subprocess.Popen(["wrk", "-t1", "-c25", "-d1s", url], stdout=subprocess.DEVNULL) for url in urls
        ]
        for run in warm:
            run.wait()
        before = cpu_seconds(proc.pid)
        runs = [
            subprocess.Popen(
                ["wrk", "-t1", "-c25", f"-d{seconds:g}s", "--latency", url], stdout=subprocess.PIPE, text=True
            )
            for url in urls
        ]
        outputs = [run.communicate()[0] for run in runs]
        used = cpu_seconds(proc.pid) - before
    finally:
        proc.communicate(timeout=60)
    parsed = [parse_wrk(text) for text in outputs]
    requests = sum(item[1] for item in parsed)
    return {
        "rps": sum(item[0] for item in parsed),
        "cpu_us": used / requests * 1e6,
        "p50": max(item[2] for item in parsed),
        "p99": max(item[3] for item in parsed),
        "split": min(item[1] for item in parsed) / max(item[1] for item in parsed),
    }


def idle_run(mode: str, count: int) -> tuple[float, int]:
    done = subprocess.run(
        [sys.executable, __file__, "--idle-child", mode, str(count)],
        capture_output=True,
        text=True,
        check=True,
    )
    used, threads = done.stdout.split()
    return float(used), int(threads)


def holder_figures() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "net").mkdir()
        row = "   0: 0100007F:1F9A 00000000:0000 0A 00000000:00000000 00:00000000 00000000  0  0 777 1 0 100 0 0 10 0\n"
        (root / "net" / "tcp").write_text("  sl  local_address ...\n" + row)
        (root / "net" / "tcp6").write_text("  sl  local_address ...\n")
        processes, per_process = 500, 100
        for pid in range(1, processes + 1):
            fd = root / str(pid) / "fd"
            fd.mkdir(parents=True)
            (root / str(pid) / "comm").write_text("busy\n")
            for number in range(per_process):
                last = pid == processes and number == per_process - 1
                os.symlink("socket:[777]" if last else f"pipe:[{number}]", fd / str(number))
        total = processes * per_process
        for label, cap in ((f"{total:,} descriptors, the match last", None), ("capped at 10,000", 10_000)):
            start = time.perf_counter()
            found = find_holder("127.0.0.1", 8090, proc=str(root), **({"max_fds": cap} if cap else {}))
            took = (time.perf_counter() - start) * 1000
            print(f"  fake /proc, {label}: {took:.0f} ms, found {found}")
    with socket.create_server(("127.0.0.1", 0)) as held:
        port = held.getsockname()[1]
        fds = sum(len(os.listdir(f"/proc/{pid}/fd")) for pid in os.listdir("/proc") if pid.isdigit())
        start = time.perf_counter()
        found = find_holder("127.0.0.1", port)
        took = (time.perf_counter() - start) * 1000
        print(f"  real /proc ({fds:,} descriptors), our own port: {took:.1f} ms, found {found}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--idle", type=int, nargs="*", default=[1, 8, 32])
    parser.add_argument("--serve", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument(
        "--idle-child", nargs=2, metavar=("MODE", "N"), dest="idle_child", help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve)
        return 0
    if args.idle_child:
        idle(args.idle_child[0], int(args.idle_child[1]), 3.0)
        return 0
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"busy: two wrk at once (-t1 -c25 -d{args.duration:g}s each), median of {args.repeat}")
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    for _ in range(args.repeat):
        for mode in MODES:
            results[mode].append(busy_run(mode, args.duration))
    print(f"  {'mode':<9} {'req/s':>9} {'CPU us/req':>11} {'p50 ms':>7} {'p99 ms':>7} {'port split':>10}")
    for mode in MODES:
        runs = results[mode]
        med = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
        print(
            f"  {mode:<9} {med['rps']:>9,.0f} {med['cpu_us']:>11.1f} {med['p50']:>7.2f} {med['p99']:>7.2f}"
            f" {med['split']:>10.2f}"
        )
    print("idle: N listeners, no traffic, 3 s")
    print(f"  {'N':>3} {'threads: CPU ms':>16} {'threads':>8} {'selector: CPU ms':>17} {'threads':>8}")
    for count in args.idle:
        t_cpu, t_threads = idle_run("threads", count)
        s_cpu, s_threads = idle_run("selector", count)
        print(f"  {count:>3} {t_cpu * 1000:>16.1f} {t_threads:>8} {s_cpu * 1000:>17.1f} {s_threads:>8}")
    print("holder: naming the process that holds a port")
    holder_figures()
    return 0


if __name__ == "__main__":
    sys.exit(main())
