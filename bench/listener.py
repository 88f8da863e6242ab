"""Listener benchmark: the headless listener against its peers, in one run.

Usage::

    .venv/bin/python bench/listener.py              # 10 s per measurement
    .venv/bin/python bench/listener.py --quick      # 3 s per measurement
    .venv/bin/python bench/listener.py --duration 20 --skip-mockoon

What it does (issue: listener benchmark, items 1 and 2):

- Servers, each started alone on 127.0.0.1 and driven while the others are
  stopped or idle:
  ``headless``  ``main.py --headless`` with JSONL and the SQLite store both on
  (fresh temp files for every measurement), ``threading``
  ``http.server.ThreadingHTTPServer`` with a recording handler (TCP_NODELAY,
  one send per response; bench/peers.py), ``naive`` the tutorial's
  accept/recv/send/close loop (bench/peers.py), ``mockoon`` Mockoon CLI
  (``npm install @mockoon/cli`` into a temp folder, one route answering
  ``hello world``; skipped with a message when npm or the install fails),
  ``https`` the headless listener again, wrk speaking TLS to the same port
  (``close`` is then a full handshake per request), and beside it ``node-https``:
  Node's own ``https`` module answering ``hello world`` (records nothing) with a
  leaf of the same local CA and key type (ECDSA P-256), so the TLS work is the same.
- Each server is driven by wrk with keep-alive and with ``Connection: close``:
  50 connections, 2 threads, ``--latency``; a 1 s warm-up before each measured
  run (Node's JIT and Python's caches get the same chance).
- Recording check, per headless measurement: after SIGTERM the process must
  exit 0; its JSONL lines and the rows of the store's ``requests`` table must
  each be >= the requests wrk completed against it (warm-up included).
  The store keeps at most 100,000 rows (DEFAULT_MAX_RECORDS); when a run
  exceeds that the row check cannot hold, and the report says so and shows
  whether the ids that were kept are the newest and contiguous.
- Prints a table (req/s, p99, errors), the ratio of headless to each peer, and
  PASS/MISS for the targets (keep-alive >= 3x threading and >= 10x Mockoon,
  close >= 2x threading, each with every request recorded). A benchmark
  prints; it does not fail. Exit status is 0 unless the run itself broke.

Before each run it waits (``--settle``, up to 65 s) until the TIME_WAIT
sockets left by earlier ``Connection: close`` runs have expired, so a run's
figure does not depend on which runs came before it.

Everything started is stopped at the end, on Ctrl-C too. Needs wrk (installed
with apt-get when missing and running as root).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PEERS = Path(__file__).resolve().parent / "peers.py"
DEFAULT_PYTHON = REPO / ".venv" / "bin" / "python"
#: history cap for the run: far above any run's count, so every row must be there
HISTORY_LIMIT = 5_000_000
MODES = ("keep-alive", "close")
_LISTENING = re.compile(r"listening on http://[^\s]+:(\d+)")
#: Node's https module answering every request with ``hello world``; argv[1] is a PEM file
#: holding the leaf certificate and its key.
NODE_HTTPS = """
const https = require("https");
const pem = require("fs").readFileSync(process.argv[1]);
const server = https.createServer({key: pem, cert: pem}, (req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, {"Content-Type": "text/plain", "Content-Length": "11"});
    res.end("hello world");
  });
});
server.keepAliveTimeout = 15000;
server.listen(0, "127.0.0.1", () => console.log("listening on http://127.0.0.1:" + server.address().port));
"""
#: Prints a PEM with a leaf for 127.0.0.1 (and its key) from the CA in argv[1].
ISSUE_LEAF = (
    "import sys; from pathlib import Path; from inspector.tls.ca import load_or_create; "
    "from inspector.tls.leaves import LeafIssuer; "
    "sys.stdout.buffer.write(LeafIssuer(load_or_create(Path(sys.argv[1]))).issue('127.0.0.1').chain_pem)"
)

#: targets: (mode, peer, factor)
TARGETS = (
    ("keep-alive", "threading", 3.0),
    ("keep-alive", "mockoon", 10.0),
    ("close", "threading", 2.0),
)


@dataclass
class WrkResult:
    requests: int = 0
    seconds: float = 0.0
    rps: float = 0.0
    p99_ms: float | None = None
    errors: dict[str, int] = field(default_factory=dict)
    non_2xx: int = 0
    raw: str = ""

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


@dataclass
class RecordCheck:
    completed: int
    exit_code: int | None
    jsonl_lines: int
    store_rows: int
    store_min_id: int
    store_max_id: int

    @property
    def jsonl_ok(self) -> bool:
        return self.jsonl_lines >= self.completed

    @property
    def store_ok(self) -> bool:
        return self.store_rows >= self.completed

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.jsonl_ok and self.store_ok

    def describe(self) -> str:
        exit_text = "exit 0" if self.exit_code == 0 else f"EXIT {self.exit_code}"
        store = f"store rows {self.store_rows:,} (ids {self.store_min_id}..{self.store_max_id})"
        store += " OK" if self.store_ok else " SHORT"
        jsonl = f"JSONL lines {self.jsonl_lines:,} {'OK' if self.jsonl_ok else 'SHORT'}"
        verdict = "OK" if self.ok else "FAILED"
        return f"{verdict}: wrk completed {self.completed:,}; {jsonl}; {store}; {exit_text}"


# -- processes --------------------------------------------------------------------------


class Processes:
    """Every process this run started; all stopped by :meth:`stop_all`."""

    def __init__(self) -> None:
        self._procs: list[subprocess.Popen[bytes]] = []

    def start(self, argv: list[str], log: Path, cwd: Path | None = None) -> subprocess.Popen[bytes]:
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                start_new_session=True,  # its own group: Ctrl-C reaches us, we stop it
            )
        self._procs.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> int | None:
        """SIGTERM, wait, then SIGKILL the process group; return the exit code."""
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                print(f"  process {proc.pid} ignored SIGTERM for {timeout:.0f} s: killing it")
        # Node (npm's shims) may leave children in the group: end the group we made.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
        if proc in self._procs:
            self._procs.remove(proc)
        return proc.returncode

    def stop_all(self) -> None:
        for proc in list(self._procs):
            self.stop(proc, timeout=5.0)


def wait_for_listening(proc: subprocess.Popen[bytes], log: Path, timeout: float = 20.0) -> int:
    """The port from the ``listening on http://HOST:PORT`` line of ``log``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = _LISTENING.search(log.read_text(errors="replace"))
        if match:
            return int(match.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"server did not start (see {log}):\n{log.read_text(errors='replace')[-2000:]}")


def wait_for_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- wrk --------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: installing Debian's wrk with apt-get ...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("wrk is needed: apt-get install wrk")


def _to_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(text: str) -> WrkResult:
    result = WrkResult(raw=text)
    match = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", text)
    if match:
        result.requests = int(match.group(1))
        result.seconds = _to_ms(match.group(2), match.group(3)) / 1000.0
    match = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if match:
        result.rps = float(match.group(1))
    match = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    if match:
        result.p99_ms = _to_ms(match.group(1), match.group(2))
    match = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    if match:
        result.errors = dict(zip(("connect", "read", "write", "timeout"), map(int, match.groups()), strict=True))
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if match:
        result.non_2xx = int(match.group(1))
    return result


def time_wait_count() -> int:
    """TCP sockets in TIME_WAIT (state 06 in /proc/net/tcp*)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as handle:
            next(handle, None)
            count += sum(1 for line in handle if line.split()[3:4] == ["06"])
    return count


def _cpu_times() -> tuple[float, float]:
    with open("/proc/stat") as handle:
        values = [float(v) for v in handle.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0.0)
    return sum(values), idle


def busy_cpus(seconds: float = 1.0) -> float:
    """CPUs kept busy by other processes while our servers sit idle (0.0 = a quiet machine)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        total0, idle0 = _cpu_times()
        time.sleep(seconds)
        total1, idle1 = _cpu_times()
        if total1 > total0:
            return (1.0 - (idle1 - idle0) / (total1 - total0)) * (os.cpu_count() or 1)
    return 0.0


def check_quiet() -> float:
    busy = busy_cpus()
    if busy > 0.25:
        print(f"    WARNING: other processes keep {busy:.1f} CPUs busy: figures will be low", flush=True)
    return busy


def settle(args: argparse.Namespace) -> None:
    """Wait for the TIME_WAIT sockets of earlier runs to expire (at most ``--settle`` s).

    ``Connection: close`` at thousands of connections a second cycles through
    the ~28,000 ephemeral ports within seconds; a new connection that lands on
    a 4-tuple still in TIME_WAIT is delayed, so each run would be slowed by
    the runs before it. Waiting makes runs independent of their order.
    """
    if args.settle <= 0:
        BUSY.append(check_quiet())
        return
    start = time.monotonic()
    count = time_wait_count()
    while count > args.settle_below and time.monotonic() - start < args.settle:
        time.sleep(1.0)
        count = time_wait_count()
    waited = time.monotonic() - start
    if waited >= 1.0:
        print(f"    (waited {waited:.0f} s for TIME_WAIT sockets to expire; {count:,} left)", flush=True)
    BUSY.append(check_quiet())


#: CPUs busy with other work, sampled before each run
BUSY: list[float] = []


def run_wrk(wrk: str, url: str, mode: str, seconds: float, args: argparse.Namespace) -> WrkResult:
    argv = [wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds:g}s", "--latency"]
    if mode == "close":
        argv += ["-H", "Connection: close"]
    argv.append(url)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()}")
    return parse_wrk(done.stdout)


# -- servers ----------------------------------------------------------------------------


def count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with open(path, "rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def store_counts(db: Path) -> tuple[int, int, int]:
    """(rows, min id, max id) of the ``requests`` table, read with the sqlite3 CLI when present."""
    query = "SELECT count(*), coalesce(min(id), 0), coalesce(max(id), 0) FROM requests"
    if shutil.which("sqlite3"):
        done = subprocess.run(
            ["sqlite3", "-readonly", str(db), query], capture_output=True, text=True, timeout=60
        )
        if done.returncode == 0 and done.stdout.strip():
            rows, low, high = done.stdout.strip().split("|")
            return int(rows), int(low), int(high)
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        rows, low, high = conn.execute(query).fetchone()
    return int(rows), int(low), int(high)


def bench_headless(
    procs: Processes, wrk: str, mode: str, tmp: Path, args: argparse.Namespace, *, scheme: str = "http"
) -> tuple[WrkResult, RecordCheck]:
    """``scheme`` https: the same listener and port, wrk speaking TLS (a handshake per
    connection, so ``close`` measures a full handshake per request)."""
    run_dir = Path(tempfile.mkdtemp(prefix=f"headless-{scheme}-{mode}-", dir=tmp))
    jsonl, db, log = run_dir / "requests.jsonl", run_dir / "history.sqlite3", run_dir / "stderr.log"
    argv = [
        str(args.python), str(REPO / "main.py"), "--headless", "--bind", "127.0.0.1",
        "--port", "0", "--jsonl", str(jsonl), "--db", str(db),
        "--history-limit", str(HISTORY_LIMIT), "--ca-dir", str(tmp / "ca"),
    ]  # fmt: skip
    proc = procs.start(argv, log, cwd=REPO)
    try:
        port = wait_for_listening(proc, log)
        url = f"{scheme}://127.0.0.1:{port}/"
        settle(args)
        warm = run_wrk(wrk, url, mode, args.warmup, args) if args.warmup > 0 else WrkResult()
        result = run_wrk(wrk, url, mode, args.duration, args)
    finally:
        code = procs.stop(proc, timeout=120.0)
    rows, low, high = store_counts(db)
    check = RecordCheck(
        completed=warm.requests + result.requests,
        exit_code=code,
        jsonl_lines=count_lines(jsonl),
        store_rows=rows,
        store_min_id=low,
        store_max_id=high,
    )
    if not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    return result, check


def bench_python_peer(
    procs: Processes, wrk: str, kind: str, tmp: Path, args: argparse.Namespace
) -> dict[str, WrkResult]:
    log = tmp / f"{kind}.log"
    proc = procs.start([str(args.python), str(PEERS), kind, "--port", "0"], log)
    try:
        port = wait_for_listening(proc, log)
        return measure_modes(wrk, f"http://127.0.0.1:{port}/", args)
    finally:
        procs.stop(proc)


def bench_node_https(
    procs: Processes, wrk: str, tmp: Path, args: argparse.Namespace
) -> dict[str, WrkResult] | None:
    """Node's ``https`` module with a leaf of the local CA: the TLS peer of ``https``."""
    if not shutil.which("node"):
        print("node-https: skipped (node is missing)")
        return None
    pem = tmp / "node-leaf.pem"
    leaf = subprocess.run(
        [str(args.python), "-c", ISSUE_LEAF, str(tmp / "ca")], cwd=REPO, capture_output=True, check=True
    )
    pem.write_bytes(leaf.stdout)
    pem.chmod(0o600)
    log = tmp / "node-https.log"
    proc = procs.start(["node", "-e", NODE_HTTPS, str(pem)], log, cwd=tmp)
    try:
        port = wait_for_listening(proc, log)
        return measure_modes(wrk, f"https://127.0.0.1:{port}/", args)
    finally:
        procs.stop(proc)


def measure_modes(wrk: str, url: str, args: argparse.Namespace) -> dict[str, WrkResult]:
    results = {}
    for mode in MODES:
        settle(args)
        if args.warmup > 0:
            run_wrk(wrk, url, mode, args.warmup, args)
        results[mode] = run_wrk(wrk, url, mode, args.duration, args)
        print(f"  {mode:<10} {fmt_result(results[mode])}", flush=True)
    return results


def mockoon_environment(port: int, last_migration: int) -> dict[str, object]:
    """A minimal Mockoon environment: GET / (any path) answers ``hello world``."""
    route_id, response_id = "0b5e7a3c-0000-4000-8000-000000000002", "0b5e7a3c-0000-4000-8000-000000000003"
    return {
        "uuid": "0b5e7a3c-0000-4000-8000-000000000001",
        "lastMigration": last_migration,
        "name": "bench",
        "endpointPrefix": "",
        "latency": 0,
        "port": port,
        "hostname": "127.0.0.1",
        "folders": [],
        "routes": [
            {
                "uuid": route_id,
                "type": "http",
                "documentation": "",
                "method": "get",
                "endpoint": "",
                "responses": [
                    {
                        "uuid": response_id,
                        "body": "hello world",
                        "latency": 0,
                        "statusCode": 200,
                        "label": "",
                        "headers": [{"key": "Content-Type", "value": "text/plain"}],
                        "bodyType": "INLINE",
                        "filePath": "",
                        "databucketID": "",
                        "sendFileAsBody": False,
                        "rules": [],
                        "rulesOperator": "OR",
                        "disableTemplating": True,
                        "fallbackTo404": False,
                        "default": True,
                        "crudKey": "id",
                        "callbacks": [],
                    }
                ],
                "responseMode": None,
                "streamingMode": None,
                "streamingInterval": 0,
            }
        ],
        "rootChildren": [{"type": "route", "uuid": route_id}],
        "proxyMode": False,
        "proxyHost": "",
        "proxyRemovePrefix": False,
        "tlsOptions": {
            "enabled": False, "type": "CERT", "pfxPath": "", "certPath": "",
            "keyPath": "", "caPath": "", "passphrase": "",
        },
        "cors": False,
        "headers": [],
        "proxyReqHeaders": [],
        "proxyResHeaders": [],
        "data": [],
        "callbacks": [],
    }


def install_mockoon(tmp: Path) -> tuple[Path, int] | None:
    """``npm install @mockoon/cli`` into a temp folder; (binary, migration id) or None."""
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        print("mockoon: skipped (npm or node is missing)")
        return None
    folder = tmp / "mockoon"
    folder.mkdir()
    print("mockoon: npm install @mockoon/cli (into the run's temp folder) ...", flush=True)
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", str(folder),
             "@mockoon/cli"],
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        print("mockoon: skipped (npm install took more than 10 minutes)")
        return None
    binary = folder / "node_modules" / ".bin" / "mockoon-cli"
    if done.returncode != 0 or not binary.exists():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        print(f"mockoon: skipped (npm install failed: {' / '.join(tail)})")
        return None
    migrations = folder / "node_modules" / "@mockoon" / "commons" / "dist" / "cjs" / "libs" / "migrations.js"
    last = 33  # @mockoon/cli 9.x; -r repairs an older one without asking
    with contextlib.suppress(Exception):
        out = subprocess.run(
            ["node", "-e", f"console.log(require({json.dumps(str(migrations))}).HighestMigrationId)"],
            capture_output=True, text=True, timeout=60,
        ).stdout.strip()
        last = int(out)
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60)
    print(f"mockoon: {version.stdout.strip() or 'installed'}", flush=True)
    return binary, last


def bench_mockoon(
    procs: Processes, wrk: str, install: tuple[Path, int], tmp: Path, args: argparse.Namespace
) -> dict[str, WrkResult] | None:
    binary, last_migration = install
    port = free_port()
    env_file = tmp / "mockoon-env.json"
    env_file.write_text(json.dumps(mockoon_environment(port, last_migration)))
    log = tmp / "mockoon.log"  # Mockoon logs every transaction (its own "recording")
    argv = [str(binary), "start", "-d", str(env_file), "-p", str(port), "-l", "127.0.0.1", "-X", "-r"]
    proc = procs.start(argv, log, cwd=tmp)
    try:
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_for_http(url, proc)
        except RuntimeError as exc:
            print(f"mockoon: skipped ({exc}; log {log})")
            return None
        return measure_modes(wrk, url, args)
    finally:
        procs.stop(proc)


# -- report -----------------------------------------------------------------------------


def fmt_result(result: WrkResult) -> str:
    p99 = f"{result.p99_ms:.2f} ms" if result.p99_ms is not None else "-"
    errors = f", socket errors {result.errors}" if result.error_count else ""
    non2xx = f", non-2xx {result.non_2xx}" if result.non_2xx else ""
    return f"{result.rps:>10,.0f} req/s  p99 {p99:>10}  ({result.requests:,} requests{errors}{non2xx})"


def machine_line(python: Path) -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    version = subprocess.run(
        [str(python), "-c", "import platform; print(platform.python_version())"],
        capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    return f"{os.cpu_count()} CPUs ({cpu}), Python {version}, {platform.system()} {platform.release()}"


def report(
    results: dict[str, dict[str, WrkResult]], checks: dict[str, RecordCheck], args: argparse.Namespace
) -> None:
    print()
    print(f"== results: {args.duration:g} s per run, {args.connections} connections, {args.threads} wrk threads ==")
    print(f"{'server':<11} {'mode':<11} {'req/s':>10} {'p99 ms':>9} {'errors':>8}  headless / this (https / node-https)")
    for name, by_mode in results.items():
        for mode in MODES:
            result = by_mode.get(mode)
            if result is None:
                continue
            base = "https" if name == "node-https" else "headless"  # TLS beside TLS
            ours = results.get(base, {}).get(mode)
            ratio = "" if name == "headless" or ours is None or not result.rps else f"{ours.rps / result.rps:.2f}x"
            p99 = f"{result.p99_ms:.2f}" if result.p99_ms is not None else "-"
            errors = result.error_count + result.non_2xx
            print(f"{name:<11} {mode:<11} {result.rps:>10,.0f} {p99:>9} {errors:>8}  {ratio}")
    print()
    print("== every request recorded (headless: JSONL and SQLite store both on) ==")
    for mode in MODES:
        if mode in checks:
            print(f"{mode:<11} {checks[mode].describe()}")
    print()
    if BUSY:
        print(f"other load before the runs: up to {max(BUSY):.2f} CPUs busy (0 = quiet machine)")
        print()
    print("== targets ==")
    for mode, peer, factor in TARGETS:
        ours = results.get("headless", {}).get(mode)
        theirs = results.get(peer, {}).get(mode)
        label = f"{mode} >= {factor:g}x {peer}"
        if ours is None or theirs is None or not theirs.rps:
            print(f"{label:<28} SKIPPED ({peer} not measured)")
            continue
        ratio = ours.rps / theirs.rps
        check = checks.get(mode)
        recorded = check is not None and check.ok
        verdict = "PASS" if ratio >= factor and recorded else "MISS"
        why = "" if recorded else " (not every request recorded)"
        print(
            f"{label:<28} {verdict}: {ours.rps:,.0f} vs {theirs.rps:,.0f} req/s = {ratio:.2f}x"
            f" (needs {factor * theirs.rps:,.0f}){why}"
        )


# -- main -------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measured run (10)")
    parser.add_argument("--quick", action="store_true", help="3 s per run")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up before each run (1)")
    parser.add_argument(
        "--settle", type=float, default=65.0,
        help="before each run wait up to this many seconds for TIME_WAIT sockets to expire (65; 0 = no)",
    )  # fmt: skip
    parser.add_argument("--settle-below", type=int, default=2000, help=argparse.SUPPRESS)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--python", type=Path,
        default=DEFAULT_PYTHON if DEFAULT_PYTHON.exists() else Path(sys.executable),
        help="interpreter for the headless listener and the Python peers (the repo's .venv)",
    )  # fmt: skip
    parser.add_argument("--skip-mockoon", action="store_true")
    parser.add_argument(
        "--only", choices=("headless", "https", "threading", "naive", "mockoon"), action="append",
        help="measure only these servers (repeatable)",
    )  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the temp folder and print it")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration = 3.0
    return args


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wanted = set(args.only or ("headless", "https", "threading", "naive", "mockoon"))
    if args.skip_mockoon:
        wanted.discard("mockoon")
    wrk = ensure_wrk()
    procs = Processes()
    tmp = Path(tempfile.mkdtemp(prefix="bench-listener-"))
    results: dict[str, dict[str, WrkResult]] = {}
    checks: dict[str, RecordCheck] = {}
    print(f"machine: {machine_line(args.python)}")
    print(f"wrk: -t{args.threads} -c{args.connections} -d{args.duration:g}s --latency; temp {tmp}", flush=True)
    try:
        with sigterm_as_interrupt():
            mockoon = install_mockoon(tmp) if "mockoon" in wanted else None
            if "headless" in wanted:
                print("headless (JSONL + SQLite store):", flush=True)
                results["headless"] = {}
                for mode in MODES:
                    result, check = bench_headless(procs, wrk, mode, tmp, args)
                    results["headless"][mode] = result
                    checks[mode] = check
                    print(f"  {mode:<10} {fmt_result(result)}", flush=True)
                    print(f"  {'':<10} {check.describe()}", flush=True)
            if "https" in wanted:
                print("headless over HTTPS (same port, JSONL + SQLite store):", flush=True)
                results["https"] = {}
                for mode in MODES:
                    result, check = bench_headless(procs, wrk, mode, tmp, args, scheme="https")
                    results["https"][mode] = result
                    print(f"  {mode:<10} {fmt_result(result)}", flush=True)
                    print(f"  {'':<10} {check.describe()}", flush=True)
                print("node-https (Node's https module, the same CA, records nothing):", flush=True)
                node = bench_node_https(procs, wrk, tmp, args)
                if node:
                    results["node-https"] = node
            for kind in ("threading", "naive"):
                if kind in wanted:
                    print(f"{kind}:", flush=True)
                    results[kind] = bench_python_peer(procs, wrk, kind, tmp, args)
            if mockoon is not None:
                print("mockoon:", flush=True)
                measured = bench_mockoon(procs, wrk, mockoon, tmp, args)
                if measured:
                    results["mockoon"] = measured
    except KeyboardInterrupt:
        print("\ninterrupted: stopping everything this run started", file=sys.stderr)
        procs.stop_all()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        return 130
    finally:
        procs.stop_all()
    report(results, checks, args)
    if args.keep:
        print(f"\ntemp files kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
