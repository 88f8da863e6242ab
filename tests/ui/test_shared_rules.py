"""One set of rules for both modes (issue 12, item 11), end to end: rules saved
in the window's editor answer in headless mode started without ``--rules``."""

from __future__ import annotations

import signal
from typing import Any

from PySide6.QtCore import QSettings

from inspector.responses import default_rules_path
from inspector.ui.main_window import MainWindow
from tests.conftest import make_record
from tests.network import http_get
from tests.test_headless import Headless


def test_rules_saved_in_the_window_answer_headless(qtbot: Any, settings: QSettings) -> None:
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    window.table.create_rule_requested.emit(make_record(method="GET", target="/shared", path="/shared"))
    window.rules.editor.form.body_edit.setPlainText("saved in the window: {{ request.path }}")
    qtbot.waitUntil(window.rules.editor.is_dirty, timeout=3000)
    assert window.rules.editor.save()
    window.close()

    app = Headless("--port", "0")
    try:
        port = app.port_from_listening_line()
        assert app.line() == f"rules: {default_rules_path()}"
        assert http_get(port, "/shared") == (200, b"saved in the window: /shared")
        assert app.finish(signal.SIGTERM) == 0
    finally:
        app.kill()
