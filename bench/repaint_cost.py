"""Repaint cost: the GUI thread's CPU and Python calls per flush of live rows.

    .venv/bin/python bench/repaint_cost.py [--flushes 200] [--batch 200]

The real window (``open_window``, no listener started, history in memory),
1280x800, offscreen. Each flush does what the live feed does at 5,000 req/s:
``append_records`` of ``--batch`` records (bench/_load.py's mix, parsed by the
real parser), scroll to the newest row, then one synchronous repaint of the
table's viewport. Printed: CPU time of this thread per flush (``time.thread_time``,
so less sensitive to other processes than wall-clock time), and from a second,
profiled pass the Python calls per flush and those of the methods Qt calls into
(``data``, ``index``, ``rowCount``, ``initStyleOption``, ...; cProfile counts a call
one of them makes to another, such as ``index`` asking ``rowCount``, too).

Fewer Python calls per repaint is what shortens the window's stalls under load
(docs/PERFORMANCE.md, "Where the remaining stall comes from"): each call from
C++ into Python takes the interpreter lock again. A benchmark prints; it does
not fail.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from history_scale import generate  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from inspector.http.record import CaptureRecord  # noqa: E402
from inspector.ui.main_window import APP_NAME, ORG_NAME, MainWindow, open_window  # noqa: E402

#: methods Qt calls into Python while painting the table (and where they live)
_ENTRY_POINTS = frozenset({"data", "index", "rowCount", "columnCount", "initStyleOption", "filterAcceptsRow"})
_ENTRY_MODULES = frozenset({"request_table", "request_filter", "table_delegate", "match_highlight"})


def flush_and_paint(app: QApplication, window: MainWindow, batch: list[CaptureRecord]) -> None:
    window.model.append_records(batch)
    window.table.scrollToBottom()
    app.processEvents()  # layout and the view's own queued updates
    window.table.viewport().repaint()


def run(app: QApplication, window: MainWindow, batches: list[list[CaptureRecord]]) -> list[float]:
    cpu: list[float] = []
    for batch in batches:
        t0 = time.thread_time()
        flush_and_paint(app, window, batch)
        cpu.append((time.thread_time() - t0) * 1000)
    return cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flushes", type=int, default=200, help="flushes measured (200)")
    parser.add_argument("--batch", type=int, default=200, help="records per flush (200)")
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    records = generate(args.flushes * args.batch * 2)
    for at in range(0, len(records), 23):  # a few error rows, drawn in red with an icon
        records[at] = dataclasses.replace(records[at], error="bad request line")
    batches = [records[i : i + args.batch] for i in range(0, len(records), args.batch)]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["REQUEST_INSPECTOR_HOME"] = tmp
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = open_window(SimpleNamespace(db=None, no_db=True, bind="127.0.0.1", port=0), settings)
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        half = len(batches) // 2
        cpu = run(app, window, batches[:half])
        profile = cProfile.Profile()
        profile.enable()
        run(app, window, batches[half:])
        profile.disable()
        stats = pstats.Stats(profile)
        flushes = len(batches) - half
        calls = sum(entry[1] for entry in stats.stats.values())  # type: ignore[attr-defined]
        entries = {
            f"{Path(filename).stem}.{name}": entry[1] / flushes
            for (filename, _line, name), entry in stats.stats.items()  # type: ignore[attr-defined]
            if name in _ENTRY_POINTS and Path(filename).stem in _ENTRY_MODULES
        }
        visible = window.table.rowAt(window.table.viewport().height() - 2) - window.table.rowAt(0) + 1
        print(
            f"Repaint cost: {half} flushes of {args.batch} records, then {flushes} profiled; "
            f"{window.model.rowCount():,} rows at the end, {visible} visible"
        )
        print(
            f"  CPU per flush (append, scroll, repaint): median {statistics.median(cpu):.2f} ms, "
            f"p90 {statistics.quantiles(cpu, n=10)[-1]:.2f} ms, total {sum(cpu):.0f} ms"
        )
        print(f"  Python calls per flush (profiled pass): {calls / flushes:,.0f}, of which, called by Qt:")
        for name, count in sorted(entries.items(), key=lambda item: -item[1]):
            print(f"    {name}: {count:,.0f}")
        window.close()
        app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
