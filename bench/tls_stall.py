"""Do TLS handshakes hold up plain requests? p99 of one keep-alive HTTP client, alone and while
50 clients make a new connection per request over HTTPS (a full handshake each), beside the
same with 50 plain HTTP clients making new connections, in one run on one headless listener.

    .venv/bin/python bench/tls_stall.py [--duration 5]

Needs wrk (with TLS, as Debian's is). Prints one line per situation. Run ``uptime`` first:
the machine is shared, and the figures only mean something beside each other.
"""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wrk(url: str, seconds: float, connections: int, *extra: str) -> subprocess.Popen[str]:
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", *extra, url]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def figures(output: str) -> str:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"\s99%\s+([\d.]+\w+)", output)
    p50 = re.search(r"\s50%\s+([\d.]+\w+)", output)
    if not (rate and p99 and p50):
        return "wrk said: " + output.strip().replace("\n", " | ")[:300]
    return f"{float(rate[1]):>8,.0f} req/s  p50 {p50[1]:>8}  p99 {p99[1]:>8}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        argv = [sys.executable, str(ROOT / "main.py"), "--headless", "--no-db", "--port", str(port)]
        log = Path(tmp) / "stderr.log"
        with open(log, "w") as err:  # a file, not a pipe: one line per request would fill a pipe
            server = subprocess.Popen([*argv, "--ca-dir", f"{tmp}/ca"], stderr=err)
        try:
            for _ in range(200):
                if log.read_text().startswith("listening on"):
                    break
                time.sleep(0.05)
            else:
                raise SystemExit(f"the listener did not start: {log.read_text()[:500]}")
            plain, secure = f"http://127.0.0.1:{port}/", f"https://127.0.0.1:{port}/"
            wrk(plain, 1, 1).communicate()  # warm-up
            alone = wrk(plain, args.duration, 1).communicate()[0]
            print(f"plain keep-alive, alone:                       {figures(alone)}", flush=True)
            for label, url in (
                ("50 HTTPS clients, a handshake per request", secure),
                ("50 plain clients, a connection per request", plain),
            ):
                load = wrk(url, args.duration + 2, 50, "-H", "Connection: close")
                time.sleep(1)  # the load is running
                measured = wrk(plain, args.duration, 1).communicate()[0]
                loaded = load.communicate()[0]
                print(f"plain keep-alive, beside {label}: {figures(measured)}", flush=True)
                print(f"    (the load itself: {figures(loaded)})", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
