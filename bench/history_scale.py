"""History scale benchmark: the window over 100,000 stored requests.

    .venv/bin/python bench/history_scale.py [--count 100000] [--skip-sort] [--profile DIR]

What it does (issue: GUI performance, item 4):

- Generates ``--count`` realistic requests (bench/_load.py's mix: GET/POST/PUT/
  PATCH/DELETE over eight paths, query strings, 4-6 headers, small JSON bodies on
  writes), each parsed by the real ``RequestParser`` and given a response, and
  writes them into a temp SQLite file with ``CaptureStore.add_many`` + ``flush``.
- Open: in a new process (imports and QApplication included, as a user sees it)
  and in this process (modules loaded): ``open_window`` with ``--db`` at the file,
  ``window.show()``, events processed until the table's viewport has painted
  with rows in the model. Checks that the newest row is the one shown at the
  bottom.
- Filter: sets ``filter_edit``'s text as a user would; reports the time from
  ``setText`` to the proxy's row count settling and the view repainting, both
  with the 150 ms typing debounce and without it (from the debounce timer
  firing, seen by wrapping ``proxy.set_filter_text``), for several texts and
  for clearing the filter.
- Sort: ``sortByColumn`` on Method and on # (both orders), until repainted.
- Detail: ``selectRow`` on rows near and far, until ``detail.record`` is the
  row's record (its tabs are filled in the same slot), plus one more pass of
  events for the paints.
- ``--profile DIR`` writes a pyinstrument profile (HTML and text) of each missed
  step.

Targets: open < 1.5 s, filter < 100 ms, detail < 50 ms; printed as PASS/MISS.
A benchmark prints; it does not fail: exit status 0 unless the run itself broke.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import itertools
import os
import subprocess
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

import _load  # noqa: E402
from PySide6.QtCore import QEvent, QObject, QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from inspector.http.parser import RequestParser, RequestReceived  # noqa: E402
from inspector.http.record import CaptureRecord, SentResponse  # noqa: E402
from inspector.models.columns import Column  # noqa: E402
from inspector.store import CaptureStore  # noqa: E402
from inspector.ui.filter_bar import FILTER_DELAY_MS  # noqa: E402
from inspector.ui.main_window import APP_NAME, ORG_NAME, MainWindow, open_window  # noqa: E402

TARGET_OPEN_S = 1.5
TARGET_FILTER_MS = 100.0
TARGET_DETAIL_MS = 50.0
_BROWSER_EXTRA = (
    ("Accept-Language", "en-GB,en;q=0.9"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
    ("sec-ch-ua-platform", '"Linux"'),
)


def generate(count: int, host: str = "127.0.0.1:8090") -> list[CaptureRecord]:
    """``count`` records as the listener makes them (the real parser), with responses."""
    ids = itertools.count(1)
    parser = RequestParser(client="127.0.0.1:51234", server=host, next_id=lambda: next(ids))
    start = time.time() - count * 0.01
    records: list[CaptureRecord] = []
    for seq in range(count):
        method, target, headers, body = _load.request_parts(seq, host)
        if seq % 3 == 0:
            headers = headers + list(_BROWSER_EXTRA)
        head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{n}: {v}\r\n" for n, v in headers) + "\r\n"
        for event in parser.receive_data(head.encode() + body, time.monotonic()):
            if isinstance(event, RequestReceived):
                status = 404 if seq % 17 == 0 else 200
                answer = b"hello world" if status == 200 else b"not found"
                records.append(
                    dataclasses.replace(
                        event.record,
                        received_at=start + seq * 0.01,
                        response=SentResponse(
                            status=status,
                            reason="OK" if status == 200 else "Not Found",
                            headers=(
                                ("Content-Type", "text/html; charset=utf-8"),
                                ("Content-Length", str(len(answer))),
                            ),
                            body=answer,
                            rule="default",
                            bytes=90 + len(answer),
                            duration_ms=0.05 + (seq % 7) * 0.01,
                        ),
                    )
                )
    return records


def write_store(path: Path, count: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    records = generate(count)
    t1 = time.perf_counter()
    store = CaptureStore(path)
    store.add_many(records)
    if not store.flush(600):
        raise SystemExit("writing the store failed")
    store.close()
    return t1 - t0, time.perf_counter() - t1


class PaintWatch(QObject):
    """Counts paint events of a widget (the table's viewport)."""

    def __init__(self, target: QObject) -> None:
        super().__init__()
        self.count = 0
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def pump_until(app: QApplication, condition: Callable[[], bool], timeout: float = 60.0) -> float:
    """Process events until ``condition``; returns the monotonic time it first held."""
    deadline = time.monotonic() + timeout
    while True:
        app.processEvents()
        now = time.monotonic()
        if condition():
            return now
        if now > deadline:
            raise SystemExit("timed out")


def repaint_after(app: QApplication, watch: PaintWatch) -> float:
    """Process events until the viewport has painted once more."""
    seen = watch.count
    return pump_until(app, lambda: watch.count > seen, 10)


def open_in_process(
    app: QApplication, db: Path, tmp: Path
) -> tuple[MainWindow, PaintWatch, dict[str, float]]:
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    ns = SimpleNamespace(db=str(db), no_db=False, bind="127.0.0.1", port=0)
    t0 = time.monotonic()
    window = open_window(ns, settings)
    t1 = time.monotonic()
    window.resize(1280, 800)
    watch = PaintWatch(window.table.viewport())
    window.show()
    t2 = pump_until(app, lambda: watch.count > 0 and window.proxy.rowCount() > 0)
    return window, watch, {"construct": t1 - t0, "shown": t2 - t0}


def child_open(db: str) -> int:
    """``--child-open DB``: open the window in this fresh process, print the time."""
    app = QApplication(sys.argv[:1])
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["REQUEST_INSPECTOR_HOME"] = tmp
        window, _watch, times = open_in_process(app, Path(db), Path(tmp))
        print(f"{time.monotonic()} {times['shown']}", flush=True)
        window.close()
    return 0


class FilterClock:
    """Wraps ``proxy.set_filter_text`` to see when the debounce timer fired."""

    def __init__(self, window: MainWindow) -> None:
        self.fired: float | None = None
        proxy = window.proxy
        original = proxy.set_filter_text

        def timed(text: str) -> None:
            self.fired = time.monotonic()
            original(text)

        proxy.set_filter_text = timed  # type: ignore[method-assign]


def measure_filter(
    app: QApplication, window: MainWindow, watch: PaintWatch, clock: FilterClock, text: str
) -> tuple[float, float, int]:
    """(ms with debounce, ms from the debounce firing, rows shown)."""
    clock.fired = None
    t0 = time.monotonic()
    window.filter_bar.edit.setText(text)
    pump_until(app, lambda: clock.fired is not None, 10)
    painted = repaint_after(app, watch)
    assert clock.fired is not None
    return (painted - t0) * 1000, (painted - clock.fired) * 1000, window.proxy.rowCount()


def profiled(enabled: bool, name: str, out: Path | None, action: Callable[[], Any]) -> Any:
    if not enabled or out is None:
        return action()
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        return action()
    finally:
        profiler.stop()
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{name}.html").write_text(profiler.output_html())
        text = profiler.output_text(unicode=False, color=False)
        (out / f"{name}.txt").write_text(text)
        print(f"    profile {name}: {out / name}.txt")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="stored requests (100,000)")
    parser.add_argument("--skip-sort", action="store_true", help="skip sorting by Method")
    parser.add_argument("--profile", metavar="DIR", type=Path, help="pyinstrument each step into DIR")
    parser.add_argument("--child-open", metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_open:
        return child_open(args.child_open)

    app = QApplication(sys.argv[:1])
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    results: list[tuple[str, bool]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        os.environ["REQUEST_INSPECTOR_HOME"] = tmp_name
        db = tmp / "history.sqlite3"
        gen_s, write_s = write_store(db, args.count)
        size = db.stat().st_size + sum(p.stat().st_size for p in tmp.glob("history.sqlite3-*"))
        print(
            f"History scale: {args.count:,} stored requests ({size / 2**20:.1f} MiB file); "
            f"generated in {gen_s:.1f} s, written in {write_s:.1f} s"
        )

        # open, in a fresh process (what the user waits for) ...
        started = time.monotonic()
        child = subprocess.run(
            [sys.executable, __file__, "--child-open", str(db)],
            capture_output=True,
            text=True,
            check=True,
            env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        )
        painted_at, in_child = (float(x) for x in child.stdout.split())
        cold = painted_at - started
        print(
            f"  open, new process: {cold * 1000:.0f} ms from exec to the first page painted "
            f"({in_child * 1000:.0f} ms of it from open_window)"
        )
        results.append((f"open (new process) {cold:.2f} s < {TARGET_OPEN_S} s", cold < TARGET_OPEN_S))

        # ... and in this process, modules loaded
        window, watch, times = profiled(
            bool(args.profile), "open", args.profile, lambda: open_in_process(app, db, tmp)
        )
        model, proxy, table = window.model, window.proxy, window.table
        last_visible = table.rowAt(table.viewport().height() - 2)
        newest_ok = last_visible == proxy.rowCount() - 1
        print(
            f"  open, this process: open_window {times['construct'] * 1000:.0f} ms, first page painted "
            f"after {times['shown'] * 1000:.0f} ms; rows {model.rowCount():,}; bottom row shown "
            f"{last_visible} of {proxy.rowCount() - 1} ({'newest' if newest_ok else 'NOT the newest'})"
        )
        results.append(
            (f"open (in process) {times['shown']:.2f} s < {TARGET_OPEN_S} s", times["shown"] < TARGET_OPEN_S)
        )

        # filter
        clock = FilterClock(window)
        for text in ("customers/jack", "okhttp", "seq=99999&", "POST", ""):
            label = f'"{text}"' if text else "cleared"
            with_debounce, work, shown = profiled(
                bool(args.profile),
                f"filter-{text or 'clear'}".replace("/", "_").replace("=", "_"),
                args.profile,
                functools.partial(measure_filter, app, window, watch, clock, text),
            )
            print(
                f"  filter {label:18}: {work:7.1f} ms after the debounce, {with_debounce:7.1f} ms "
                f"from setText (debounce {FILTER_DELAY_MS} ms); {shown:,} rows shown"
            )
            results.append(
                (f"filter {label} {work:.1f} ms < {TARGET_FILTER_MS:.0f} ms", work < TARGET_FILTER_MS)
            )

        # sort
        sorts = [(Column.ID, Qt.SortOrder.DescendingOrder), (Column.ID, Qt.SortOrder.AscendingOrder)]
        if not args.skip_sort:
            sorts[1:1] = [(Column.METHOD, Qt.SortOrder.AscendingOrder)]
        for column, order in sorts:
            name = f"sort-{column.name}-{'asc' if order == Qt.SortOrder.AscendingOrder else 'desc'}"

            def do_sort(column: Column = column, order: Qt.SortOrder = order) -> float:
                t0 = time.monotonic()
                table.sortByColumn(column, order)
                return (repaint_after(app, watch) - t0) * 1000

            ms = profiled(bool(args.profile), name, args.profile, do_sort)
            print(f"  sort by {column.name} {order.name}: {ms:,.0f} ms")

        # detail
        def select(row: int) -> tuple[float, int]:
            t0 = time.monotonic()
            table.selectRow(row)
            expected = model.row_id(proxy.mapToSource(proxy.index(row, 0)).row())
            pump_until(app, lambda: window.detail.record is not None and window.detail.record.id == expected)
            app.processEvents()  # the pending paints of the table and the tabs
            return (time.monotonic() - t0) * 1000, expected

        total = proxy.rowCount()
        for row in (total - 1, total - 2, total // 2, 3):
            table.scrollTo(proxy.index(row, 0))
            app.processEvents()
            ms, record_id = profiled(
                bool(args.profile), f"detail-{row}", args.profile, functools.partial(select, row)
            )
            detail = window.detail
            tabs = f"{detail.headers_model.rowCount()} headers, {detail.query_model.rowCount()} query pairs"
            print(f"  detail of row {row:,} (id {record_id}): {ms:.1f} ms ({tabs})")
            results.append(
                (f"detail row {row} {ms:.1f} ms < {TARGET_DETAIL_MS:.0f} ms", ms < TARGET_DETAIL_MS)
            )

        window.close()
        app.processEvents()
    print("targets:")
    for label, ok in results:
        print(f"  {label}: {verdict(ok)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
