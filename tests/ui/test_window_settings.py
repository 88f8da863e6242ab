"""Damaged or extreme settings never keep the window from opening (issue: hardening,
item 14): each value that does not fit is ignored and its default used."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from inspector.addresses import DEFAULT_HOST, DEFAULT_PORT
from inspector.ui.main_window import MainWindow
from inspector.ui.window_settings import DEFAULT_SIZE
from tests.ui.conftest import OFFSCREEN_NOISE

#: (section, key, the value as written in the ini file)
DAMAGED = [
    ("window", "geometry", "not bytes at all"),
    ("window", "geometry", "12345"),
    ("window", "state", "12345"),
    ("window", "state", "@Invalid()"),
    ("window", "splitter", "@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x18QList<QVariant>\\0\\xff\\xff\\xff\\xff)"),
    ("window", "splitter", "@ByteArray(\\xff\\xff\\xff\\xff\\xff\\xff)"),
    ("table", "header", "@ByteArray(\\0\\0\\0\\xff\\0\\0\\0\\0\\0\\0\\0\\x1\\x7f\\xff\\xff\\xff)"),
    ("table", "header", "a, list, of, strings"),
    ("listen", "port", "1e400"),
    ("listen", "port", "99999999999999999999999999"),
    ("listen", "port", "-1"),
    ("listen", "port", "65536"),
    ("listen", "port", "@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x18QByteArray\\0\\x7f\\xff\\xff\\xff)"),
    ("listen", "address", "a" * 100_000),
    ("listen", "address", "1, 2, 3"),
    ("listen", "address", "@Invalid()"),
    ("view", "follow", "@Variant(\\0\\0\\0\\x7f\\0\\0\\0\\x18QByteArray\\0\\x7f\\xff\\xff\\xff)"),
    ("view", "follow", "perhaps"),
]


def open_with(qtbot: Any, path: Path) -> MainWindow:
    window = MainWindow(settings=QSettings(str(path), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.mark.qt_log_ignore("QVariant::load", OFFSCREEN_NOISE)
@pytest.mark.parametrize(("section", "key", "value"), DAMAGED)
def test_a_damaged_value_is_ignored(qtbot: Any, tmp_path: Path, section: str, key: str, value: str) -> None:
    path = tmp_path / "settings.ini"
    path.write_text(f"[{section}]\n{key}={value}\n", encoding="utf-8")
    window = open_with(qtbot, path)
    assert window.listener_bar.port() == DEFAULT_PORT
    assert window.listener_bar.address() == DEFAULT_HOST
    assert window.follower.action.isChecked()
    if section == "window" and key == "geometry":
        assert (window.width(), window.height()) == DEFAULT_SIZE
    window.close()  # and the settings are written again, whole
    again = open_with(qtbot, path)
    assert again.listener_bar.port() == DEFAULT_PORT
    again.close()


def test_a_settings_file_of_garbage_opens_with_defaults(qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    path.write_bytes(bytes(range(256)) * 64 + b"\n[listen]\nport=\xff\xfe\n[window]\nstate=\x00\x00")
    window = open_with(qtbot, path)
    assert window.listener_bar.port() == DEFAULT_PORT
    window.close()


def test_good_values_are_still_taken(qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    path.write_text("[listen]\nport=9123\naddress=::1\n[view]\nfollow=false\n", encoding="utf-8")
    window = open_with(qtbot, path)
    assert window.listener_bar.port() == 9123
    assert window.listener_bar.address() == "::1"
    assert not window.follower.action.isChecked()
    window.close()
