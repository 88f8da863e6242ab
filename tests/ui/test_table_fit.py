"""Small things a user notices (issue 12, item 12): the address list is not
elided, columns are shown and hidden from the header (remembered), the last
column is never cut by the vertical scroll bar, a short cURL beside the exact one."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication

from inspector.formats import to_curl
from inspector.http.record import CaptureRecord
from inspector.models.columns import Column
from inspector.ui.bind_selector import LABEL_ROLE
from inspector.ui.main_window import MainWindow

Factory = Callable[..., CaptureRecord]


# a popup, offscreen
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing|propagateSizeHints)")
def test_the_address_list_is_wide_enough_for_every_entry(qtbot: Any, window: MainWindow) -> None:
    combo = window.listener_bar.address_combo
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    metrics = view.fontMetrics()
    for row in range(combo.count()):
        text = f"{combo.itemText(row)}    ({combo.itemData(row, LABEL_ROLE)})"
        assert metrics.horizontalAdvance(text) < view.viewport().width(), text
    assert view.viewport().width() > combo.width()  # wider than the box itself
    combo.hidePopup()


def fill(qtbot: Any, window: MainWindow, factory: Factory, count: int) -> None:
    for i in range(1, count + 1):
        window.recorder_signals.request_finished.emit(factory(id=i))
    qtbot.waitUntil(lambda: window.model.rowCount() == count)


def right_edge(window: MainWindow, column: Column) -> int:
    header = window.table.horizontalHeader()
    return header.sectionViewportPosition(column) + header.sectionSize(column)


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)])
def test_the_last_column_ends_at_the_viewport_edge(
    qtbot: Any, settings: QSettings, record_factory: Factory, size: tuple[int, int]
) -> None:
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    table = window.table
    assert not table.verticalScrollBar().isVisible()
    viewport = table.viewport().width()
    assert right_edge(window, Column.DURATION) == viewport
    fill(qtbot, window, record_factory, 300)  # the vertical scroll bar appears
    qtbot.waitUntil(table.verticalScrollBar().isVisible)
    qtbot.waitUntil(lambda: table.viewport().width() < viewport)
    assert right_edge(window, Column.DURATION) == table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()
    # the number of an error row is not elided: it fits its column
    metrics = table.fontMetrics()
    assert metrics.horizontalAdvance("100000 ↻") + 12 <= table.columnWidth(Column.ID)
    window.close()


def test_columns_are_shown_and_hidden_from_the_header_and_remembered(
    qtbot: Any, settings: QSettings
) -> None:
    first = MainWindow(settings=settings)
    qtbot.addWidget(first)
    first.show()
    menu = first.table.columns_menu()
    titles = [action.text() for action in menu.actions()]
    assert titles[:4] == ["#", "Time", "Client", "Method"]
    first.table.column_actions[Column.CLIENT].trigger()
    first.table.column_actions[Column.HEADERS].trigger()
    assert first.table.isColumnHidden(Column.CLIENT) and first.table.isColumnHidden(Column.HEADERS)
    assert right_edge(first, Column.DURATION) == first.table.viewport().width()  # Path stretches now
    first.close()

    second = MainWindow(settings=settings)
    qtbot.addWidget(second)
    second.show()
    table = second.table
    assert table.isColumnHidden(Column.CLIENT) and table.isColumnHidden(Column.HEADERS)
    assert not table.column_actions[Column.CLIENT].isChecked()
    table.column_actions[Column.CLIENT].trigger()
    assert not table.isColumnHidden(Column.CLIENT)
    # the last column shown cannot be hidden
    for column in list(Column)[1:]:
        if not table.isColumnHidden(column):
            table.column_actions[column].trigger()
    assert [c for c in Column if not table.isColumnHidden(c)] == [Column.ID]
    assert not table.column_actions[Column.ID].isEnabled()
    second.close()


def test_the_listener_column_is_remembered_and_placed_in_an_older_saved_layout(
    qtbot: Any, settings: QSettings
) -> None:
    first = MainWindow(settings=settings)
    qtbot.addWidget(first)
    first.show()
    header = first.table.horizontalHeader()
    assert first.table.isColumnHidden(Column.LISTENER)
    first.table.show_listeners()
    header.moveSection(header.visualIndex(Column.LISTENER), header.count() - 1)
    first.close()

    second = MainWindow(settings=settings)  # the user's own layout comes back as it was
    qtbot.addWidget(second)
    second.show()
    header = second.table.horizontalHeader()
    assert not second.table.isColumnHidden(Column.LISTENER)
    assert header.visualIndex(Column.LISTENER) == header.count() - 1
    second.close()

    settings.remove("table/columns")  # as saved before the Listener column existed
    third = MainWindow(settings=settings)
    qtbot.addWidget(third)
    third.show()
    header = third.table.horizontalHeader()
    assert third.table.isColumnHidden(Column.LISTENER)
    assert not third.table.column_actions[Column.LISTENER].isChecked()
    assert header.visualIndex(Column.LISTENER) == header.visualIndex(Column.CLIENT) + 1
    third.close()


def test_simple_and_exact_curl(qtbot: Any, window: MainWindow, record_factory: Factory) -> None:
    record = record_factory(
        method="POST",
        headers=(("Host", "127.0.0.1:8090"), ("Content-Type", "text/plain"), ("Content-Length", "5")),
        body=b"hello",
    )
    window.recorder_signals.request_finished.emit(record)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    window.table.selectRow(0)
    window.table.copy_curl_action.trigger()
    assert QGuiApplication.clipboard().text() == to_curl(record)
    window.table.copy_simple_curl_action.trigger()
    assert shlex.split(QGuiApplication.clipboard().text()) == [
        "curl",
        "http://127.0.0.1:8090/index.html?name=jack&age=18",
        "-H",
        "Content-Type: text/plain",
        "--data-raw",
        "hello",
    ]
