"""Render the compare view and the timeline strip offscreen, to look at them (and for the README).

    python tools/screenshot_compare.py [OUT_DIR] [--size WxH] [--burst N]

Writes, into OUT_DIR (docs/ by default):

- ``screenshot-timeline.png``: the main window at ``--size`` (1280x800) after
  a burst of ``--burst`` requests (2,000) answered 200, 404, 500 and some
  malformed ones, spread over a few seconds, with the timeline above the table;
- ``screenshot-compare.png``: the compare window on two webhook deliveries
  that differ in a header value, a header's case and place, a query pair and
  one JSON value, with "Make rule condition" used on the JSON value (the rules
  panel shows the new rule, unsaved); the window is as large as it opens on a
  screen of ``--size``.

Uses throwaway settings and history, as tools/screenshot.py does (whose
traffic helpers it reuses).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS.parent))
sys.path.insert(0, str(TOOLS))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from screenshot import send, send_malformed, traffic, wait  # noqa: E402

from inspector.models.columns import Role  # noqa: E402
from inspector.responses import Rule, RuleSet  # noqa: E402
from inspector.ui.main_window import APP_NAME, ORG_NAME, MainWindow, open_window  # noqa: E402

#: answers by path, so the burst shows every colour
RULES = RuleSet(
    rules=(
        Rule(name="missing", path="/missing/**", status=404, body="not here\n"),
        Rule(name="broken", path="/broken/**", status=500, body="oops\n"),
        Rule(name="moved", path="/old/**", status=301, headers=(("Location", "/new"),)),
        Rule(name="hook", path="/hook", status="{{ 500 if request.json['items'][0].qty > 2 else 200 }}"),
        Rule(name="ok", path="/**", body="ok\n"),
    )
)


def burst(host: str, port: int, count: int, seconds: float) -> None:
    """``count`` requests over ``seconds`` on one keep-alive connection, a mix of answers."""
    conn = http.client.HTTPConnection(host, port, timeout=5)
    start = time.monotonic()
    for n in range(count):
        # more traffic in the middle of the burst, as a retry storm would be
        at = seconds * (n / count) ** 0.7
        delay = start + at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        path = ("/api/items", "/api/items", "/api/items", "/missing/x", "/old/y", "/broken/z")[n % 6]
        conn.request("GET", f"{path}?n={n}")
        conn.getresponse().read()
        if n % 250 == 125:
            send_malformed(host, port, b"GET /bad HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
    conn.close()


def webhooks(host: str, port: int) -> None:
    """Two deliveries of the same webhook: the second one differs in a few ways."""
    first = {
        "Host": f"{host}:{port}",
        "User-Agent": "shop-webhooks/3.1",
        "Content-Type": "application/json",
        "X-Signature": "sha256=5d41402abc4b2a76b9719d911017c592",
        "X-Delivery": "8c1f0d8e-0001",
    }
    order = {"event": "order.paid", "order": 4211, "items": [{"sku": "MUG-01", "qty": 2}], "currency": "EUR"}
    send(host, port, "POST", "/hook?attempt=1", first, body=json.dumps(order).encode())
    second = {
        "Host": f"{host}:{port}",
        "Content-Type": "application/json",
        "user-agent": "shop-webhooks/3.1",
        "X-Signature": "sha256=7d793037a0760186574b0282f2f435e7",
        "X-Delivery": "8c1f0d8e-0002",
    }
    order["items"][0]["qty"] = 3  # type: ignore[index]
    send(host, port, "POST", "/hook?attempt=2", second, body=json.dumps(order).encode())


def grab(app: QApplication, widget: object, out: Path) -> None:
    for _ in range(30):
        app.processEvents()
        time.sleep(0.01)
    if not widget.grab().save(str(out)):  # type: ignore[attr-defined]
        raise SystemExit(f"could not write {out}")
    print(f"wrote {out}")


def hook_rows(window: MainWindow) -> list[int]:
    rows = []
    for row in range(window.proxy.rowCount()):
        record = window.proxy.index(row, 0).data(Role.RECORD)
        if record is not None and record.path == "/hook":
            rows.append(row)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=TOOLS.parent / "docs")
    parser.add_argument("--size", default="1280x800", help="window (and screen) size WxH (1280x800)")
    parser.add_argument("--burst", type=int, default=2000, help="requests in the burst (2000)")
    options = parser.parse_args()
    width, _, height = options.size.partition("x")
    size = (int(width), int(height))
    os.environ["QT_QPA_OFFSCREEN_SCREEN_SIZE"] = options.size  # not read by every Qt version
    app = QApplication(sys.argv[:1])
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    out: Path = options.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["REQUEST_INSPECTOR_HOME"] = tmp
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        args = argparse.Namespace(
            db=str(Path(tmp) / "history.sqlite3"), no_db=False, history_limit=None, bind=None, port=None
        )
        window = open_window(args, settings=settings)
        window.resize(*size)
        window.set_address("127.0.0.1")
        window.set_port(0)
        window.show()
        window.start()
        wait(app, lambda: window.url != "")
        window.rules.editor.responder.set_rules(RULES)
        host, port = window.url.removeprefix("http://").rsplit(":", 1)
        traffic(host, int(port))
        webhooks(host, int(port))
        malformed = sum(1 for n in range(options.burst) if n % 250 == 125)
        expected = window.model.rowCount() + 10 + options.burst + malformed
        burst(host, int(port), options.burst, 6.0)
        wait(app, lambda: window.model.rowCount() >= expected, 30)
        window.timeline.show_everything()
        grab(app, window, out / "screenshot-timeline.png")

        rows = hook_rows(window)
        left, right = (window.proxy.index(row, 0).data(Role.RECORD) for row in rows[:2])
        compare_window = window.comparisons.open(left, right)
        compare_window.resize(min(980, size[0] - 40), min(680, size[1] - 60))
        view = compare_window.view
        body = view.panels["body"]
        table = body.rule_table
        if table is not None and body.rule_button is not None:
            table.selectRow(0)
            body.rule_button.click()
        grab(app, compare_window, out / "screenshot-compare.png")
        window.rules.editor.revert()
        compare_window.close()
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
