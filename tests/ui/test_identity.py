"""Identity and first run (issue 12, item 10): the icon and desktop entry, Help →
About, the README's sections, the shortcut list, the empty table's hint."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from inspector import __version__
from inspector.assets import APP_ID
from inspector.ui.help import SECTIONS, ReadmeWindow, shortcut_rows
from inspector.ui.identity import set_identity
from inspector.ui.main_window import MainWindow


def test_the_application_and_window_have_the_icon_and_the_desktop_entry(
    qtbot: Any, window: MainWindow
) -> None:
    set_identity()
    assert QGuiApplication.desktopFileName() == APP_ID
    assert QGuiApplication.applicationName() == "Request Inspector"
    for icon in (QGuiApplication.windowIcon(), window.windowIcon()):
        assert not icon.isNull()
        assert icon.pixmap(48, 48).width() == 48


@pytest.mark.qt_log_ignore("This plugin does not support (raise|propagateSizeHints)")  # offscreen
def test_about_names_the_version_and_links_the_readme(qtbot: Any, window: MainWindow) -> None:
    dialog = window.help.about_dialog()
    qtbot.addWidget(dialog)
    text = dialog.findChild(QLabel, "about_text")
    assert text is not None and __version__ in text.text()
    for name in SECTIONS:
        assert f'href="readme:{name}"' in text.text()
    text.linkActivated.emit("readme:Response rules")
    readme = window.help.readme
    assert readme is not None and readme.isVisible()
    cursor = readme.browser.textCursor()
    assert cursor.block().text() == "Response rules"
    assert readme.browser.cursorRect(cursor).top() < 40  # scrolled to the top
    readme.close()


@pytest.mark.parametrize("heading", SECTIONS)
def test_every_linked_section_is_in_the_readme(qtbot: Any, heading: str) -> None:
    readme = ReadmeWindow()
    qtbot.addWidget(readme)
    assert readme.show_section(heading), heading


def test_the_shortcut_list_is_made_of_the_window_s_actions(qtbot: Any, window: MainWindow) -> None:
    dialog = window.help.shortcuts_dialog()
    qtbot.addWidget(dialog)
    rows = dict(dialog.model.rows())
    assert rows["Start"] == "Ctrl+R, F5"
    assert rows["Find"] == "Ctrl+F"
    assert rows["Rules"] == "Ctrl+E"
    assert rows["Clear history"] == "Ctrl+L"
    assert rows["Keyboard shortcuts"] == "Ctrl+/"
    assert rows["Export everything"] == "Ctrl+Shift+E"
    assert rows["Settings"] == "Ctrl+," and rows["Quit"] == "Ctrl+Q"
    assert all("&" not in name and not name.endswith("…") for name in rows)
    assert shortcut_rows([]) == []


def test_the_empty_table_says_what_to_do(qtbot: Any, settings: QSettings, record_factory: Any) -> None:
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.show()
    assert window.table.empty_text() == "Click Start (Ctrl+R), then open http://127.0.0.1:8090/"  # at once
    window.set_address("127.0.0.1")
    window.set_port(18650)
    assert window.table.empty_text() == "Click Start (Ctrl+R), then open http://127.0.0.1:18650/"
    window.set_address("0.0.0.0")
    assert window.table.empty_text() == "Click Start (Ctrl+R), then open http://127.0.0.1:18650/"
    window.set_address("::1")
    assert window.table.empty_text() == "Click Start (Ctrl+R), then open http://[::1]:18650/"
    window.set_port(0)
    assert window.table.empty_text() == "Click Start (Ctrl+R), then open the address shown in the toolbar."
    window.set_address("127.0.0.1")
    window.start()
    qtbot.waitUntil(lambda: window.url != "", timeout=5000)
    assert window.table.empty_text() == (
        f"Listening. Open {window.url}/ in a browser or send any request to it: it appears here."
    )
    window.recorder_signals.request_finished.emit(record_factory(id=1))
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    assert window.table.empty_text() == ""
    window.proxy.set_filter_text("nothing like it")
    assert window.table.empty_text() == "No request matches the filter."
    window.close()
