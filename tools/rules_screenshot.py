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

from PySide6.QtWidgets import QApplication
from screenshot import grab, open_listening, open_rules

from inspector.responses import Answer, Rule
from inspector.ui.main_window import APP_NAME, ORG_NAME

ROOT = Path(__file__).resolve().parent.parent


def flaky_rule(folder: Path) -> Rule:
    """A rule answering 503, then a 504 after 2 s, then a PNG file."""
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
            Answer(status=504, delay_ms=2000, body="gateway timeout"),
            Answer(status=200, body_file="payloads/ok.png"),
        ),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "docs" / "screenshot-rules.png")
    parser.add_argument("--size", default="1280x800", help="the editor window's size WxH (1280x800)")
    parser.add_argument("--answers", action="store_true", help="show a rule with three answers")
    options = parser.parse_args()
    width, _, height = options.size.partition("x")
    size = (int(width), int(height))
    app = QApplication(sys.argv[:1])
    QApplication.setApplicationName(APP_NAME)
    QApplication.setOrganizationName(ORG_NAME)
    with tempfile.TemporaryDirectory() as tmp:
        window = open_listening(app, Path(tmp), size)
        open_rules(window)
        editor = window.rules.editor
        if options.answers:
            editor.add_rule(flaky_rule(Path(tmp)))
            editor.form.answers.select(2)
        window.rules.resize(*size)
        grab(app, window.rules, options.out)
        editor.revert()
        window.close()
    print(f"wrote {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
