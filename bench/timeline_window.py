"""Timeline strip benchmark: the window's timeline over a 100,000-request history.

    .venv/bin/python bench/timeline_window.py [--count 100000] [--repeat 5]

What it measures (issue 18, "Timeline": "works for a 100,000-row history"):

- Writes ``--count`` requests into a temp SQLite file (bench/history_scale.py's
  generator: 10 ms apart, ~6% answered 404), then opens the real window on it
  (``open_window``, 1280x800, offscreen) with the timeline on.
- History: the wall time from the window's construction until the strip has
  its timeline (one store query and ``Timeline.from_arrivals`` run off the GUI
  thread), and the GUI thread's CPU time for taking it in (merge, refit, count).
- Drawing: a full recount of every bucket (a zoom step) and the bars' pixmap,
  best of ``--repeat``, GUI-thread CPU time.
- Click: selecting the row of the request nearest to a time (``TimelineLink.pick``:
  ``Timeline.nearest``, ``RequestTableModel.row_of_id``, select and scroll).
- Drag: filtering the table to a time range holding 10% and 50% of the rows
  (``TimelineLink.select_range``: the range's ids, then one refilter), and clearing it.

Figures are CPU time of the GUI thread (``time.thread_time``) unless said to be
wall time; the load average is printed first: compare runs of the same sitting.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from history_scale import pump_until, write_store  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from inspector.ui.main_window import APP_NAME, ORG_NAME, open_window  # noqa: E402
from inspector.ui.timeline_paint import BarPainter  # noqa: E402
from inspector.ui.timeline_strip import BAR_PX, TimelineStrip  # noqa: E402


def cpu(action: Callable[[], Any]) -> float:
    begin = time.thread_time()
    action()
    return (time.thread_time() - begin) * 1000


def best(repeat: int, action: Callable[[], Any]) -> float:
    return min(cpu(action) for _ in range(repeat))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    taken: list[float] = []
    original = TimelineStrip._on_worker_ready

    def timed_ready(strip: TimelineStrip, result: object) -> None:
        taken.append(cpu(lambda: original(strip, result)))

    TimelineStrip._on_worker_ready = timed_ready  # type: ignore[method-assign]
    app = QApplication(sys.argv[:1])
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["REQUEST_INSPECTOR_HOME"] = tmp
        db = Path(tmp) / "history.sqlite3"
        made, written = write_store(db, args.count)
        print(f"history: {args.count:,} requests generated in {made:.1f} s, stored in {written:.1f} s")
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        begin = time.perf_counter()
        window = open_window(SimpleNamespace(db=str(db), no_db=False, bind=None, port=None), settings)
        window.resize(1280, 800)
        window.show()
        strip, link = window.timeline, window.timeline_link
        pump_until(app, lambda: not strip.loading and bool(taken))
        ready = time.perf_counter() - begin
        print(
            f"history on the strip: {ready * 1000:.0f} ms wall from the window's construction "
            f"({len(strip.timeline):,} arrivals); taking it in on the GUI thread: {taken[0]:.1f} ms CPU"
        )
        view = strip.view

        def recount() -> None:
            view.invalidate()
            view.refresh(strip.timeline)

        bars = view.buckets()
        print(
            f"{view.count} buckets of {view.width:g} s: full recount {best(args.repeat, recount):.2f} ms, "
            f"bars painted {best(args.repeat, lambda: BarPainter().paint(bars, BAR_PX, strip.height())):.2f} ms"
        )
        span = strip.timeline.span()
        assert span is not None
        first, last = span
        picks = [first + (last - first) * f for f in (0.1, 0.5, 0.9)]
        click = max(best(args.repeat, lambda t=t: link.pick(strip.timeline.nearest(t) or 0)) for t in picks)
        print(f"click to the nearest row (slowest of 3 places): {click:.2f} ms")
        for share in (0.1, 0.5):
            start = first + (last - first) * (0.5 - share / 2)
            end = start + (last - first) * share
            filtered = cpu(lambda s=start, e=end: link.select_range(s, e))
            shown = window.proxy.rowCount()
            cleared = cpu(link.clear_range)
            print(
                f"drag over {share:.0%} of the span: filter {filtered:.0f} ms ({shown:,} rows shown), "
                f"clear {cleared:.0f} ms"
            )
        window.close()
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
