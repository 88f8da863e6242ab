"""Render the response rules editor with real traffic, to look at how it fits a screen.

    python tools/rules_screenshot.py [OUT.png] [--size WxH] [--answers]

Starts the window listening on 127.0.0.1 (any free port), sends the traffic of
``tools/screenshot.py`` (a browser GET, a JSON POST, a form, an upload, a
malformed request …), selects the JSON POST, opens the rules editor (Ctrl+E)
on a rule made from it, and grabs the editor's window at ``--size`` (1280x800
by default; try 1024x700). ``--answers`` shows a rule with three answers and a
body file instead. Uses throwaway settings and app data, so the user's rules,
history and layout are untouched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from screenshot import traffic, wait

from inspector.models.columns import Role
from inspector.responses import Answer, Rule
from inspector.ui.main_window import APP_NAME, ORG_NAME, MainWindow, open_window

ROOT = Path(__file__).resolve().parent.parent


def settle(app: QApplication, rounds: int = 60) -> None:
    """Let the preview (rendered off the GUI thread) arrive and the layout settle."""
    for _ in range(rounds):
        app.processEvents()
        QApplication.instance().thread().msleep(10)  # type: ignore[union-attr]


def flaky_rule(folder: Path) -> Rule:
    """A /pay rule answering 503, then a reset, then a PNG file."""
    (folder / "payloads").mkdir(exist_ok=True)
    icon = ROOT / "resources" / "icons" / "request-inspector-64.png"
    (folder / "payloads" / "ok.png").write_bytes(icon.read_bytes())
    return Rule(
        name="flaky payment",
        methods=("POST",),
        path="/api/v1/orders",
        state_key="{{ request.headers['X-Request-ID'] }}",
        responses=(
            Answer(status=503, headers=(("Retry-After", "1"),), body='{"error": "busy, retry"}'),
            Answer(fault="reset"),
            Answer(status=200, body_file="payloads/ok.png"),
        ),
    )


def open_editor(app: QApplication, window: MainWindow, *, answers: bool, folder: Path) -> None:
    record = window.detail.record
    if record is None:
        raise SystemExit("no request selected for the rules screenshot")
    window.table.create_rule_requested.emit(record)
    editor = window.rules.editor
    if answers:
        editor.add_rule(flaky_rule(folder))
        editor.form.answers.select(2)
    else:
        editor.form.body_edit.setPlainText(
            '{"received": {{ request.json["items"] | length }}, "id": "{{ uuid() }}",\n'
            ' "customer": {{ request.json.customer.name | tojson }}}'
        )
    settle(app)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "docs" / "screenshot-rules.png")
    parser.add_argument("--size", default="1280x800", help="the editor window's size WxH (1280x800)")
    parser.add_argument("--answers", action="store_true", help="show a rule with three answers")
    options = parser.parse_args()
    width, _, height = options.size.partition("x")
    app = QApplication(sys.argv[:1])
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["REQUEST_INSPECTOR_HOME"] = tmp  # the user's rules and history stay untouched
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        args = argparse.Namespace(db=None, no_db=True, history_limit=None, bind=None, port=None)
        window = open_window(args, settings=settings)
        window.resize(int(width), int(height))
        window.set_address("127.0.0.1")
        window.set_port(0)
        window.show()
        window.start()
        wait(app, lambda: window.url != "")
        host, port = window.url.removeprefix("http://").rsplit(":", 1)
        traffic(host, int(port))
        wait(app, lambda: window.model.rowCount() >= 8)
        for row in range(window.proxy.rowCount()):
            record = window.proxy.index(row, 0).data(Role.RECORD)
            if record.method == "POST" and record.path.startswith("/api/"):
                window.table.selectRow(row)
                break
        open_editor(app, window, answers=options.answers, folder=Path(tmp))
        window.rules.resize(int(width), int(height))
        settle(app)
        options.out.parent.mkdir(parents=True, exist_ok=True)
        if not window.rules.grab().save(str(options.out)):
            raise SystemExit(f"could not write {options.out}")
        window.rules.editor.revert()
        window.close()
    print(f"wrote {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
