"""The Settings dialog (issue 12, items 9 and 10): the listener's limits reach the
listener, colours, and listening when the window opens."""

from __future__ import annotations

import http.client
from typing import Any
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox

from inspector.http.limits import Limits
from inspector.models.columns import Column
from inspector.ui.main_window import MainWindow
from inspector.ui.preferences import Preferences, Theme, load_preferences
from inspector.ui.settings_dialog import SettingsDialog
from inspector.ui.theme import apply_theme, is_dark


def ok_button(dialog: SettingsDialog) -> Any:
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_the_dialog_checks_each_limit_as_it_is_typed(qtbot: Any) -> None:
    dialog = SettingsDialog(Preferences())
    qtbot.addWidget(dialog)
    assert dialog.edits["max_body"].text() == "10 MiB" and dialog.edits["head_timeout"].text() == "10 s"
    assert ok_button(dialog).isEnabled()
    dialog.edits["max_body"].setText("10 TiB")
    assert not ok_button(dialog).isEnabled()
    assert "unknown size unit" in dialog._problems["max_body"].text()
    dialog.edits["max_body"].setText("10 parsecs")
    assert dialog._problems["max_body"].text() == "not a size: '10 parsecs'"
    dialog.edits["max_body"].setText("100MiB")
    assert ok_button(dialog).isEnabled()
    dialog.edits["max_request_line"].setText("1 MiB")
    dialog.edits["max_head"].setText("64 KiB")
    assert not ok_button(dialog).isEnabled()
    assert "request line cannot be longer" in dialog.limits_problem.text()
    dialog.defaults_button.click()
    assert ok_button(dialog).isEnabled() and dialog.edits["max_body"].text() == "10 MiB"
    dialog.edits["idle_timeout"].setText("2 min")
    assert dialog.preferences().limits == Limits(idle_timeout=120.0)


def send(window: MainWindow, body: bytes) -> int:
    parts = urlsplit(window.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 0, timeout=5)
    try:
        conn.request("POST", "/up", body=body)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_limits_reach_the_listener_and_are_remembered(qtbot: Any, settings: QSettings) -> None:
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.set_port(0)
    window.show()
    dialog = window.preferences.dialog()
    qtbot.addWidget(dialog)
    dialog.edits["max_body"].setText("1 KiB")
    window.preferences.set_preferences(dialog.preferences())
    assert window.capture.limits.max_body == 1024
    window.start()
    qtbot.waitUntil(lambda: window.url != "", timeout=5000)
    assert window.capture.listener is not None
    assert send(window, b"x" * 1024) == 200
    assert send(window, b"x" * 1025) == 413
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    assert window.proxy.index(1, Column.STATUS).data().startswith("413")
    window.close()
    assert load_preferences(settings).limits.max_body == 1024
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    assert again.capture.limits.max_body == 1024
    again.close()


@pytest.mark.parametrize("value", ["-5", "99999999999999999999", "abc", "1e400"])
def test_a_damaged_setting_keeps_its_default(qtbot: Any, settings: QSettings, value: str) -> None:
    settings.setValue("limits/max_body", value)
    settings.setValue("limits/max_head", "1024")
    settings.setValue("limits/max_request_line", "8192")  # longer than that head: both dropped
    settings.setValue("general/theme", "purple")
    preferences = load_preferences(settings)
    assert preferences.limits == Limits() and preferences.theme is Theme.SYSTEM


def test_colours(qtbot: Any, settings: QSettings) -> None:
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    started_dark = is_dark(QGuiApplication.palette())
    try:
        for theme, dark in ((Theme.DARK, True), (Theme.LIGHT, False), (Theme.DARK, True)):
            window.preferences.set_preferences(Preferences(theme=theme))
            assert is_dark(QGuiApplication.palette()) is dark, theme
            qtbot.waitUntil(lambda dark=dark: is_dark(window.table.palette()) is dark)
        window.preferences.set_preferences(Preferences(theme=Theme.SYSTEM))
        assert is_dark(QGuiApplication.palette()) is started_dark
    finally:
        apply_theme(Theme.SYSTEM)
    window.close()


def test_listening_when_the_window_opens(qtbot: Any, settings: QSettings) -> None:
    settings.setValue("listen/port", 0)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.launch()
    assert not window.is_running()
    window.close()
    settings.setValue("general/start_on_launch", True)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.launch()
    assert window.is_running()
    qtbot.waitUntil(lambda: window.url != "", timeout=5000)
    window.close()
