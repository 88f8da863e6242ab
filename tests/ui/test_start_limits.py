"""The window's limits from the command line (issue 12, item 9): ``--max-body
20MiB`` holds for the run over the saved Settings, shows in the Settings dialog,
and is not saved; a real upload over the default limit goes through."""

from __future__ import annotations

import http.client
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QSettings

from inspector.app import build_parser
from inspector.ui.main_window import MainWindow, open_window

MIB = 1024 * 1024
#: over the default body limit (10 MiB), under the raised one
LARGE = 12 * MIB


def opened(qtbot: Any, settings: QSettings, argv: list[str]) -> MainWindow:
    window = open_window(build_parser().parse_args(["--no-db", "--port", "0", *argv]), settings)
    qtbot.addWidget(window)
    window.show()
    return window


def listening(qtbot: Any, settings: QSettings, argv: list[str]) -> MainWindow:
    window = opened(qtbot, settings, argv)
    window.listener_bar.start_action.trigger()
    qtbot.waitUntil(lambda: window.url != "", timeout=5000)
    return window


def upload(window: MainWindow, size: int) -> int:
    parts = urlsplit(window.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 0, timeout=10)
    try:
        conn.request("POST", "/up", body=b"x" * size)
        return conn.getresponse().status
    except (ConnectionResetError, BrokenPipeError):  # refused before the upload ended
        return 0
    finally:
        conn.close()


def test_a_raised_body_limit_holds_for_the_run_and_is_not_saved(qtbot: Any, settings: QSettings) -> None:
    settings.setValue("limits/max_head", 32 * 1024)  # a saved limit the flag leaves alone
    window = listening(qtbot, settings, ["--max-body", "20MiB"])
    limits = window.capture.limits
    assert limits.max_body == 20 * MIB and limits.max_head == 32 * 1024
    assert not window.error_banner.isVisible()
    dialog = window.preferences.dialog()
    assert dialog.edits["max_body"].text() == "20 MiB"
    dialog.deleteLater()
    assert upload(window, LARGE) == 200
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    record = window.model.try_record(0)
    assert record is not None and record.body_size == LARGE and record.error is None
    assert settings.value("limits/max_body") is None
    window.close()


def test_by_default_the_window_refuses_the_same_body(qtbot: Any, settings: QSettings) -> None:
    window = listening(qtbot, settings, [])
    assert upload(window, LARGE) in (413, 0)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    record = window.model.try_record(0)
    assert record is not None and record.response is not None and record.response.status == 413
    window.close()


def test_limits_that_do_not_fit_the_saved_ones_are_said(qtbot: Any, settings: QSettings) -> None:
    settings.setValue("limits/max_head", 4 * 1024)
    settings.setValue("limits/max_request_line", 2 * 1024)
    window = opened(qtbot, settings, ["--max-request-line", "6KiB"])  # fits the defaults, not these
    assert window.error_banner.isVisible()
    assert "limits given on the command line were not used" in window.error_banner.text()
    assert window.capture.limits.max_request_line == 2 * 1024
    window.close()
