"""What a kill -9 under load costs the history: headless with JSONL and SQLite,
wrk keep-alive, SIGKILL while the load runs.

    .venv/bin/python bench/kill_loss.py [--runs 3] [--seconds 4] [--repo DIR]

For each run: start ``main.py --headless --jsonl F --db H`` (fresh files), run
wrk (50 connections, 2 threads, keep-alive) for ``--seconds``, SIGKILL the
headless process halfway through, then compare what the JSONL file holds
(every answered request: its line is written before its answer goes out)
with the rows of the history file (opened afterwards, as the next start would).
Lost = JSONL ids missing from the history; also shown as the time from the
oldest lost request to the last answered one (their ``received_at``), against
the promise of one batch window (250 ms).

Then restarts headless on the same two files, sends one request and checks
that its id is above every id in both files (ids are never reused).

``--repo`` measures another checkout (say, main before a change) with the same
method, for a before/after in one sitting. A benchmark prints; it does not fail.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
_LISTENING = re.compile(rb"listening on http://[^\s]+:(\d+)")


def start_headless(repo: Path, python: str, jsonl: Path, db: Path, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    out = open(log, "wb")  # noqa: SIM115 (closed when the process is reaped)
    env = dict(os.environ, PYTHONPATH=str(repo))
    proc = subprocess.Popen(
        [python, str(repo / "main.py"), "--headless", "--port", "0", "--jsonl", str(jsonl),
         "--db", str(db), "--history-limit", "5000000"],
        cwd=repo, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    out.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        match = _LISTENING.search(log.read_bytes())
        if match:
            return proc, int(match.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    raise SystemExit(f"headless did not start: {log.read_text(errors='replace')[-2000:]}")


def jsonl_records(path: Path) -> dict[int, float]:
    """id -> received_at (POSIX seconds) of each whole line."""
    out = {}
    with open(path, "rb") as handle:
        for line in handle:
            with contextlib.suppress(ValueError, KeyError):
                obj = json.loads(line)
                stamp = obj["received_at"].replace("Z", "+00:00")
                out[int(obj["id"])] = datetime.datetime.fromisoformat(stamp).timestamp()
    return out


def store_ids(path: Path) -> set[int]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM requests")}


def wrk(port: int, seconds: float, result: dict[str, str]) -> None:
    done = subprocess.run(
        ["wrk", "-t2", "-c50", f"-d{seconds:g}s", f"http://127.0.0.1:{port}/"],
        capture_output=True, text=True, timeout=seconds + 60,
    )  # fmt: skip
    result["out"] = done.stdout


def one_run(repo: Path, python: str, seconds: float, tmp: Path) -> dict[str, float]:
    jsonl, db, log = tmp / "r.jsonl", tmp / "h.sqlite3", tmp / "stderr.log"
    proc, port = start_headless(repo, python, jsonl, db, log)
    result: dict[str, str] = {}
    load = threading.Thread(target=wrk, args=(port, seconds, result))
    started = time.monotonic()
    load.start()
    time.sleep(seconds / 2)
    os.kill(proc.pid, signal.SIGKILL)
    killed_after = time.monotonic() - started
    proc.wait()
    load.join()
    answered = jsonl_records(jsonl)
    stored = store_ids(db)
    lost_ids = set(answered) - stored
    lost = len(lost_ids)
    rate = len(answered) / killed_after if killed_after else 0.0
    # the traffic lost, in time: from the oldest lost record to the last answered one
    last = max(answered.values(), default=0.0)
    window = last - min((answered[i] for i in lost_ids), default=last)
    # ids after a restart on the same files
    proc, port = start_headless(repo, python, jsonl, db, log)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/after-restart", timeout=10) as response:
            response.read()
        deadline = time.monotonic() + 10
        while b"after-restart" not in log.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    after = [i for i in jsonl_records(jsonl) if i not in answered]
    reused = not after or min(after) <= max([*answered, *stored, 0])
    return {
        "answered": len(answered),
        "stored": len(stored & set(answered)),
        "lost": lost,
        "rate": rate,
        "lost_ms": window * 1000,
        "reused": float(reused),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--repo", type=Path, default=HERE.parent)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    repo = args.repo.resolve()
    print(f"repo {repo}; {args.runs} runs of {args.seconds:g} s, SIGKILL at {args.seconds / 2:g} s")
    worst = 0.0
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="kill-loss-") as tmp:
            r = one_run(repo, args.python, args.seconds, Path(tmp))
        worst = max(worst, r["lost_ms"])
        print(
            f"run {run}: {r['answered']:,.0f} answered at {r['rate']:,.0f} req/s; "
            f"{r['lost']:,.0f} not in the history ({r['lost'] / max(r['answered'], 1):.1%}; "
            f"the last {r['lost_ms']:.0f} ms of traffic); ids after restart "
            f"{'REUSED' if r['reused'] else 'new'}",
            flush=True,
        )
    print(f"worst loss: {worst:.0f} ms of traffic (promise: at most 250 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
