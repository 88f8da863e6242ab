"""Render the window with a paused request, and its answer dialog, offscreen.

    python tools/pause_screenshot.py [OUT_DIR] [--size WxH ...]

The traffic of ``tools/screenshot.py``, then a ``/pay`` rule that pauses and
answers from a list (503, 200, a reset): one request answered from the pause
bar (its Status says "step 1/3"), a second left paused and selected, and the
answer dialog open on it. Writes ``pause-WxH.png`` and
``pause-dialog-WxH.png`` per size (default 1280x800 and 1024x700) into OUT_DIR
(default /tmp/pause-shots). Throwaway settings and history.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
import tempfile
import threading
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication

from inspector.responses import Answer, Rule, RuleSet
from inspector.ui.main_window import APP_NAME, ORG_NAME, MainWindow
from tools.screenshot import grab, open_listening, send, wait

PAY = Rule(
    name="flaky pay",
    methods=("POST",),
    path="/pay",
    pause=True,
    responses=(
        Answer(status=503, headers=(("Content-Type", "text/plain"),), body="busy, try again"),
        Answer(status=200, headers=(("Content-Type", "application/json"),), body='{"paid": true}'),
        Answer(fault="reset"),
    ),
)


def pay(window: MainWindow) -> threading.Thread:
    """POST /pay on a thread (it waits until answered, or the window closes)."""
    host, port = window.url.removeprefix("http://").rsplit(":", 1)
    headers = {"Content-Type": "application/json", "X-Client": "checkout"}

    def run() -> None:
        try:
            send(host, int(port), "POST", "/pay", headers, body=b'{"amount": 12}')
        except (OSError, http.client.HTTPException):
            pass  # the listener stopped while it was paused

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def shoot(app: QApplication, folder: Path, size: tuple[int, int], out: Path) -> None:
    window = open_listening(app, folder, size)
    window.capture.responder.set_rules(RuleSet(rules=(PAY,)))  # type: ignore[attr-defined]
    rows = window.model.rowCount()
    thread = pay(window)
    wait(app, lambda: len(window.pauses.board) == 1)
    window.pause_bar.rule_button.click()
    thread.join(10)
    pay(window)
    wait(app, lambda: len(window.pauses.board) == 1 and window.model.rowCount() == rows + 2)
    window.table.selectRow(window.proxy.rowCount() - 1)
    name = f"{size[0]}x{size[1]}"
    grab(app, window, out / f"pause-{name}.png")
    dialog = window.pauses.open_editor()
    assert dialog is not None
    grab(app, dialog, out / f"pause-dialog-{name}.png")
    dialog.close()
    window.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path("/tmp/pause-shots"))
    parser.add_argument("--size", action="append", help="window size WxH (1280x800 and 1024x700)")
    options = parser.parse_args()
    app = QApplication(sys.argv[:1])
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    for text in options.size or ["1280x800", "1024x700"]:
        width, _, height = text.partition("x")
        with tempfile.TemporaryDirectory() as tmp:
            shoot(app, Path(tmp), (int(width), int(height)), options.out)
    print(f"wrote {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
