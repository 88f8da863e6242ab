"""GUI ingest benchmark: the real window, offscreen, under a paced flood of requests.

    .venv/bin/python bench/gui_ingest.py [--rate 5000] [--seconds 10] [--connections 8]
                                          [--no-db] [--timeline on|off] [--profile OUT.html]

What it does (issue: GUI performance, item 3):

- Opens the real window (``open_window``: history in a fresh temp SQLite file,
  as the app runs by default; ``--no-db`` keeps it in memory) at 1280x800 on the
  offscreen platform, with throwaway settings, "Follow newest" on, the timeline
  strip on (``--timeline off`` hides it, and then nothing feeds it), and starts
  listening on 127.0.0.1 (any free port).
- Warms up with 200 requests, then starts bench/_load.py in a separate process:
  raw sockets, keep-alive, pipelined, paced to ``--rate`` requests a second for
  ``--seconds`` (8 connections by default).
- While the load runs the window's own event loop runs (``QEventLoop.exec``), with
  a 5 ms ``Qt.PreciseTimer`` heartbeat: the worst stall is the largest gap
  between heartbeats minus 5 ms; the p99 of the gaps is printed too.
- Last row: the load process reports the ``time.monotonic()`` of its last
  response (CLOCK_MONOTONIC is system-wide on Linux); the window side records
  ``time.monotonic()`` when ``model.rowCount()`` reaches the expected count, both
  in ``rowsInserted`` (exact) and by polling from the heartbeat.
- Every request present: ``rowCount`` equals the requests sent (warm-up included),
  the record ids are contiguous, and each load request's ``seq`` appears once.
- Memory: RSS from ``/proc/self/statm`` after the warm-up and after the last row,
  minus the body bytes of the load, per captured request and per 10,000. Also
  shown: the request-head bytes (each record keeps its raw head, by design).
- With the timeline on, the CPU time its appends, refreshes and paints take on the
  GUI thread during the load is printed (calls and the longest one).
- ``--profile OUT.html`` runs pyinstrument on the GUI thread during the load;
  ``--gc-off`` disables the garbage collector during the load (an experiment
  that shows the collector's share of the stalls). The collector's passes
  during the load are always listed (``gc.callbacks``).

Prints figures and PASS/MISS per target (worst stall < 50 ms, p99 gap < 20 ms, last row < 250 ms,
< 2 KiB per captured request beyond its body). A benchmark prints; it does not
fail: exit status 0 unless the run itself broke.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QModelIndex, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from inspector.models.request_table import RequestTableModel  # noqa: E402
from inspector.ui.main_window import APP_NAME, ORG_NAME, MainWindow, open_window  # noqa: E402
from inspector.ui.timeline_strip import TimelineStrip  # noqa: E402

LOAD = ROOT / "bench" / "_load.py"
HEARTBEAT_MS = 5
WARMUP = 200
TARGET_STALL_MS = 50.0
TARGET_P99_GAP_MS = 20.0
TARGET_LAST_ROW_MS = 250.0
TARGET_BYTES_PER_REQUEST = 2048


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def wait_until(app: QApplication, condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the window")
        app.processEvents()
        time.sleep(0.002)


def run_load(port: int, rate: float, seconds: float, connections: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            str(LOAD),
            "--port",
            str(port),
            "--rate",
            str(rate),
            "--seconds",
            str(seconds),
            "--connections",
            str(connections),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


class GcWatch:
    """Durations of the garbage collector's passes (any thread), from ``gc.callbacks``."""

    def __init__(self) -> None:
        self.passes: list[tuple[int, float, float]] = []  # (generation, start, ms)
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._start = now
        else:
            self.passes.append((info["generation"], time.monotonic(), (now - self._start) * 1000))

    def summary(self) -> str:
        parts = []
        for gen in (0, 1, 2):
            times = [ms for g, _, ms in self.passes if g == gen]
            if times:
                parts.append(
                    f"gen{gen} x{len(times)} (longest {max(times):.1f} ms, total {sum(times):.0f} ms)"
                )
        return "; ".join(parts) or "no passes"


class Probe:
    """The heartbeat and the row-count watchers, all on the GUI thread."""

    def __init__(self, model: RequestTableModel, expected: int) -> None:
        self.model = model
        self.expected = expected
        self.beats: list[float] = []
        self.rows_at: float | None = None  # rowsInserted reached the expected count
        self.polled_at: float | None = None  # the heartbeat saw the expected count
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._beat)
        model.rowsInserted.connect(self._inserted)

    def start(self) -> None:
        self.beats = [time.monotonic()]
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.model.rowsInserted.disconnect(self._inserted)

    def _beat(self) -> None:
        now = time.monotonic()
        self.beats.append(now)
        if self.polled_at is None and self.model.rowCount() >= self.expected:
            self.polled_at = now

    def _inserted(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        if self.rows_at is None and self.model.rowCount() >= self.expected:
            self.rows_at = time.monotonic()

    def gaps_ms(self, until: float) -> list[float]:
        beats = [t for t in self.beats if t <= until + 0.1]
        return [(b - a) * 1000 for a, b in itertools.pairwise(beats)]


def check_rows(window: MainWindow, total: int, load_count: int) -> tuple[bool, str]:
    model = window.model
    rows = model.rowCount()
    ids = [model.row_id(row) for row in range(rows)]
    contiguous = all(b == a + 1 for a, b in itertools.pairwise(ids))
    seqs: list[int] = []
    for record in model.iter_records(range(max(0, rows - load_count), rows)):
        for name, value in record.query:
            if name == "seq":
                seqs.append(int(value))
                break
    every_seq = sorted(seqs) == list(range(load_count))
    ok = rows == total and contiguous and every_seq
    detail = (
        f"rows {rows:,} of {total:,} sent; ids {'contiguous' if contiguous else 'NOT contiguous'} "
        f"({ids[0] if ids else '-'}..{ids[-1] if ids else '-'}); "
        f"seq 0..{load_count - 1} {'each once' if every_seq else 'NOT each once'}"
    )
    return ok, detail


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


class StripCost:
    """CPU time the timeline strip spends on the GUI thread: its batch appends, its
    refreshes and its paints, wrapped at class level (``time.thread_time``: the
    figure does not grow with the machine's load as wall time does)."""

    NAMES = ("add_records", "_refresh", "paintEvent")

    def __init__(self) -> None:
        self.calls: dict[str, list[float]] = {name: [] for name in self.NAMES}
        self._saved = {name: getattr(TimelineStrip, name) for name in self.NAMES}
        self.measuring = False
        for name, original in self._saved.items():
            setattr(TimelineStrip, name, self._timed(name, original))

    def _timed(self, name: str, original: Any) -> Any:
        def timed(strip: TimelineStrip, *args: Any, **kwargs: Any) -> Any:
            begin = time.thread_time()
            try:
                return original(strip, *args, **kwargs)
            finally:
                if self.measuring:
                    self.calls[name].append((time.thread_time() - begin) * 1000)

        return timed

    def restore(self) -> None:
        for name, original in self._saved.items():
            setattr(TimelineStrip, name, original)

    def summary(self) -> str:
        every = [ms for calls in self.calls.values() for ms in calls]
        parts = [
            f"{name.strip('_')} x{len(calls)} (longest {max(calls, default=0):.2f} ms)"
            for name, calls in self.calls.items()
        ]
        return f"{sum(every):.0f} ms CPU in all; " + ", ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=5000.0, help="requests a second (5000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="load duration (10)")
    parser.add_argument("--connections", type=int, default=8, help="keep-alive connections (8)")
    parser.add_argument("--no-db", action="store_true", help="history in memory, not a temp file")
    parser.add_argument(
        "--timeline", choices=("on", "off"), default="on", help="the timeline strip above the table (on)"
    )
    parser.add_argument("--profile", metavar="OUT.html", help="pyinstrument the GUI thread")
    parser.add_argument(
        "--gc-off",
        action="store_true",
        help="experiment: gc.disable() during the load, to see the collector's share of the stalls",
    )
    args = parser.parse_args()

    strip_cost = StripCost() if args.timeline == "on" else None
    app = QApplication(sys.argv[:1])
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["REQUEST_INSPECTOR_HOME"] = tmp
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        settings.setValue("view/timeline", args.timeline == "on")
        ns = SimpleNamespace(
            db=str(Path(tmp) / "history.sqlite3"), no_db=args.no_db, bind="127.0.0.1", port=0
        )
        window = open_window(ns, settings)
        window.resize(1280, 800)
        window.show()
        window.start()
        wait_until(app, lambda: window.url != "", 10)
        port = int(window.url.rsplit(":", 1)[1])

        warm = run_load(port, 1000, WARMUP / 1000, 2)
        wait_until(app, lambda: warm.poll() is not None and window.model.rowCount() >= WARMUP, 30)
        warm.communicate()
        for _ in range(20):
            app.processEvents()
            time.sleep(0.005)
        gc.collect()
        rss_before = rss_bytes()

        load_count = int(args.rate * args.seconds)
        expected = WARMUP + load_count
        probe = Probe(window.model, expected)
        loop = QEventLoop()
        proc = run_load(port, args.rate, args.seconds, args.connections)
        give_up = time.monotonic() + args.seconds + 60

        def check_done() -> None:
            if (proc.poll() is not None and probe.rows_at is not None) or time.monotonic() > give_up:
                loop.quit()

        done_timer = QTimer()
        done_timer.setInterval(20)
        done_timer.timeout.connect(check_done)
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005)
            profiler.start()
        gc_watch = GcWatch()
        gc.callbacks.append(gc_watch)
        if args.gc_off:
            gc.disable()
        load_before = os.getloadavg()
        gui_cpu = time.thread_time()
        probe.start()
        done_timer.start()
        if strip_cost is not None:
            strip_cost.measuring = True
        loop.exec()
        gui_cpu = time.thread_time() - gui_cpu
        if strip_cost is not None:
            strip_cost.measuring = False
            strip_cost.restore()
        probe_end = time.monotonic()
        gc.callbacks.remove(gc_watch)
        gc.enable()
        done_timer.stop()
        probe.stop()
        if profiler is not None:
            profiler.stop()
            Path(args.profile).write_text(profiler.output_html())
            print(profiler.output_text(unicode=False, color=False, show_all=False)[:6000])
        rss_after = rss_bytes()
        out, _ = proc.communicate(timeout=60)
        load = json.loads(out)

        ok_rows, rows_detail = check_rows(window, expected, load_count)
        rows = window.model.rowCount()
        loaded = window.model.iter_records(range(max(0, rows - load_count), rows))
        heads = [len(r.raw_head) for r in loaded]
        head_bytes = sum(heads)
        last_row_at = probe.rows_at
        gaps = probe.gaps_ms(last_row_at if last_row_at is not None else probe_end)
        worst_stall = max(gaps) - HEARTBEAT_MS if gaps else float("nan")
        p99_gap = statistics.quantiles(gaps, n=100)[98] if len(gaps) >= 100 else float("nan")
        p50_gap = statistics.median(gaps) if gaps else float("nan")
        last_response = float(load["last_response_monotonic"])
        lag_ms = (last_row_at - last_response) * 1000 if last_row_at is not None else float("inf")
        polled_ms = (probe.polled_at - last_response) * 1000 if probe.polled_at is not None else float("inf")
        grown = rss_after - rss_before
        per_request = (grown - int(load["body_bytes"])) / max(load_count, 1)
        store = window.store
        committed = store.committed_total if store is not None else 0

        print(
            f"GUI ingest: {args.rate:,.0f} req/s for {args.seconds:g} s over {args.connections} "
            f"keep-alive connections (pipelined), history {'in memory' if args.no_db else 'in a temp file'}, "
            f"timeline {args.timeline}"
        )
        print(
            f"  load: {load['responses']:,} responses of {load['requests']:,}, achieved "
            f"{load['achieved_rate']:,.0f} req/s, pacing fell behind by at most "
            f"{load['max_behind_seconds'] * 1000:.0f} ms, non-200 answers {load['bad_responses']}"
        )
        print(
            f"  heartbeat: {len(gaps):,} gaps; median {p50_gap:.2f} ms, p99 {p99_gap:.2f} ms, "
            f"max {max(gaps) if gaps else float('nan'):.2f} ms"
        )
        print(
            f"  GUI thread CPU during the load: {gui_cpu:.2f} s; machine load average "
            f"{load_before[0]:.2f} before, {os.getloadavg()[0]:.2f} after (2 cores: above ~1.5 the "
            f"stalls measure the machine)"
        )
        print(f"  garbage collector during the load: {gc_watch.summary()}")
        if strip_cost is not None:
            print(f"  timeline strip on the GUI thread during the load: {strip_cost.summary()}")
        big = sorted(range(len(gaps)), key=gaps.__getitem__)[-5:]
        print("  longest gaps (ms): " + ", ".join(f"{gaps[i]:.0f}" for i in sorted(big)))
        print(f"  rows: {rows_detail}; store committed {committed:,}")
        print(
            f"  last row in the model {lag_ms:.1f} ms after the last response "
            f"(heartbeat poll saw it after {polled_ms:.1f} ms)"
        )
        print(
            f"  RSS {rss_before / 2**20:.1f} -> {rss_after / 2**20:.1f} MiB (+{grown / 2**20:.1f} MiB); "
            f"bodies {int(load['body_bytes']) / 2**20:.2f} MiB; request heads "
            f"{head_bytes / 2**20:.2f} MiB ({head_bytes / max(load_count, 1):.0f} B each)"
        )
        print(
            f"  memory beyond the body: {per_request:,.0f} B per request, "
            f"{per_request * 10_000 / 2**20:.1f} MiB per 10,000 "
            f"({(per_request - head_bytes / max(load_count, 1)):,.0f} B per request beyond body and head)"
        )
        print("targets:")
        print(
            f"  worst stall {worst_stall:.1f} ms < {TARGET_STALL_MS:.0f} ms: "
            f"{verdict(worst_stall < TARGET_STALL_MS)}"
        )
        print(f"  p99 gap {p99_gap:.1f} ms < {TARGET_P99_GAP_MS:.0f} ms: {verdict(p99_gap < TARGET_P99_GAP_MS)}")
        print(
            f"  last row {lag_ms:.1f} ms < {TARGET_LAST_ROW_MS:.0f} ms: "
            f"{verdict(lag_ms < TARGET_LAST_ROW_MS)}"
        )
        print(f"  every request present: {verdict(ok_rows)}")
        print(
            f"  memory {per_request:,.0f} B/request < {TARGET_BYTES_PER_REQUEST} B: "
            f"{verdict(per_request < TARGET_BYTES_PER_REQUEST)}"
        )
        window.close()
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
