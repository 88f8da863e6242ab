"""The main window against the real listener: rows stream in, details, filter, failures."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel

from inspector.http.record import CaptureRecord
from inspector.models.columns import Column, Role
from inspector.models.request_filter import MethodFilter
from inspector.models.row_style import error_color, error_icon
from inspector.ui.main_window import MainWindow
from tests.network import needs_ipv6

Factory = Callable[..., CaptureRecord]


def address(window: MainWindow) -> tuple[str, int]:
    parts = urlsplit(window.url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


def send(
    window: MainWindow,
    method: str,
    target: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    host, port = address(window)
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def send_raw(window: MainWindow, data: bytes) -> bytes:
    host, port = address(window)
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def cell(window: MainWindow, row: int, column: Column, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    return window.proxy.index(row, column).data(role)


def wait_rows(qtbot: Any, window: MainWindow, count: int) -> None:
    qtbot.waitUntil(lambda: window.model.rowCount() >= count, timeout=5000)


def select_row(window: MainWindow, row: int) -> None:
    window.table.selectRow(row)
    assert window.detail.record is not None


def test_models_checked_before_rows_stream_in(qtbot: Any, qtmodeltester: Any, listening: MainWindow) -> None:
    window = listening
    qtmodeltester.check(window.model)
    qtmodeltester.check(window.proxy)
    for model in window.detail.models():
        qtmodeltester.check(model)
    for i in range(5):
        assert send(window, "GET", f"/item/{i}?n={i}")[0] == 200
    send(window, "POST", "/form", b"a=1&b=2", {"Content-Type": "application/x-www-form-urlencoded"})
    wait_rows(qtbot, window, 6)
    select_row(window, 5)
    window.detail.setCurrentIndex(3)
    window.filter_bar.edit.setText("item")
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 5)
    window.history.clear_action.trigger()
    assert window.model.rowCount() == 0


def test_start_shows_url_and_rows_appear(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    assert window.url.startswith("http://127.0.0.1:")
    bar = window.listener_bar
    assert bar.url_button.isVisibleTo(window) and bar.url_button.text() == window.url
    assert window.listener_bar.start_action.text() == "Stop"
    assert not window.listener_bar.port_spin.isEnabled()
    status, body = send(window, "GET", "/index.html?name=jack&age=18")
    assert (status, body) == (200, b"hello world")
    wait_rows(qtbot, window, 1)
    assert cell(window, 0, Column.METHOD) == "GET"
    assert cell(window, 0, Column.PATH) == "/index.html"
    assert cell(window, 0, Column.QUERY) == "name=jack & age=18"
    assert cell(window, 0, Column.STATUS) == "200"
    assert cell(window, 0, Column.CLIENT).startswith("127.0.0.1:")
    assert cell(window, 0, Column.HEADERS).startswith(f"Host: {address(window)[0]}:")
    assert window.filter_bar.count_label.text() == "showing 1 of 1"
    window.listener_bar.start_action.trigger()  # Stop
    assert not window.is_running()
    assert window.listener_bar.start_action.text() == "Start" and window.listener_bar.port_spin.isEnabled()
    assert not window.listener_bar.url_button_action.isVisible()
    qtbot.waitUntil(lambda: not window.listener_bar.url_button.isVisibleTo(window))


def test_detail_tabs(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    send(window, "GET", "/index.html?name=jack&age=18&name=jill&blank=", headers={"X-Custom": "One"})
    send(
        window,
        "POST",
        "/api/items?x=1",
        b'{"name": "jack", "tags": [1, 2]}',
        {"Content-Type": "application/json"},
    )
    wait_rows(qtbot, window, 2)
    detail = window.detail

    select_row(window, 0)
    assert detail.overview["Request"].text() == ("GET /index.html?name=jack&age=18&name=jill&blank= HTTP/1.1")
    assert detail.overview["Client"].text().startswith("127.0.0.1:")
    assert detail.overview["Response"].text().startswith("200 OK")
    assert detail.query_model.rows() == [("name", "jack"), ("age", "18"), ("name", "jill"), ("blank", "")]
    names = [row[0] for row in detail.headers_model.rows()]
    assert "X-Custom" in names  # received case kept
    assert "Host" in names
    assert detail.tabText(detail.indexOf(detail.query_table)) == "Query (4)"
    detail.setCurrentWidget(detail.raw_view)  # a tab renders when it is shown
    raw = detail.raw_view.text.toPlainText()
    assert raw.startswith("GET /index.html?name=jack&age=18&name=jill&blank= HTTP/1.1\\r\n")
    assert detail.response_fields["Status"].text() == "HTTP/1.1 200 OK"
    detail.setCurrentWidget(detail.response_splitter)
    assert "hello world" in detail.response_body_view.text.toPlainText()

    detail.setCurrentWidget(detail.body_view)
    select_row(window, 1)
    assert detail.body_view.rendered().kind == "json"
    assert detail.body_view.text.toPlainText() == '{\n  "name": "jack",\n  "tags": [\n    1,\n    2\n  ]\n}'
    assert "application/json" in detail.body_view.note.text()
    detail.body_view.mode.setCurrentText("Hex")
    assert detail.body_view.text.toPlainText().startswith("00000000  7b 22 6e 61")
    detail.setCurrentWidget(detail.raw_view)
    detail.raw_view.mode.setCurrentText("Hex")
    assert detail.raw_view.text.toPlainText().startswith("00000000  50 4f 53 54")


def test_request_data_is_never_rich_text(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    evil = "<b>x</b><img src=http://example.invalid/a.png>"
    send(window, "GET", "/?q=%3Cb%3Ebold%3C%2Fb%3E", headers={"User-Agent": evil, "X-Evil": evil})
    wait_rows(qtbot, window, 1)
    select_row(window, 0)
    ua = window.detail.overview["User-Agent"]
    assert ua.text() == evil and ua.textFormat() == Qt.TextFormat.PlainText
    for label in window.findChildren(QLabel):
        if label.text() and label.buddy() is None:
            assert label.textFormat() == Qt.TextFormat.PlainText or "<" not in label.text(), label.text()
    rows = window.detail.headers_model.rows()
    assert ("X-Evil", evil, "") in rows or ("X-Evil", evil) in rows
    model = window.detail.headers_model
    row = next(i for i, r in enumerate(rows) if r[0] == "X-Evil")
    tip = model.data(model.index(row, 1), Qt.ItemDataRole.ToolTipRole)
    assert "&lt;img src=http://example.invalid/a.png&gt;" in tip and "<img" not in tip
    assert cell(window, 0, Column.QUERY) == "q=<b>bold</b>"
    assert "&lt;b&gt;" in cell(window, 0, Column.QUERY, Qt.ItemDataRole.ToolTipRole)


def test_control_characters_are_visible(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    send(window, "GET", "/p?q=%E2%80%AEevil%1B%5B2J")  # RLO and an ANSI escape, percent-encoded
    send_raw(window, b"GET /\xe2\x80\xaeraw HTTP/1.1\r\nHost: x\r\n\r\n")  # rejected, still shown
    wait_rows(qtbot, window, 2)
    assert cell(window, 0, Column.QUERY) == "q=\\u202eevil\\x1b[2J"
    select_row(window, 0)
    assert window.detail.query_model.data(window.detail.query_model.index(0, 1)) == "\\u202eevil\\x1b[2J"
    window.detail.setCurrentWidget(window.detail.raw_view)
    select_row(window, 1)
    raw = window.detail.raw_view.text.toPlainText()
    assert raw.startswith("GET /\\u202eraw HTTP/1.1\\r\n")
    for text in (raw, window.detail.overview["Request"].text(), cell(window, 1, Column.PATH)):
        assert "\u202e" not in text and "\x1b" not in text


def test_malformed_request_is_a_marked_row(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    answer = send_raw(window, b"THIS IS NOT HTTP\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 4")
    wait_rows(qtbot, window, 1)
    record = cell(window, 0, Column.ID, Role.RECORD)
    assert record.error
    assert cell(window, 0, Column.STATUS).startswith("4")
    foreground = cell(window, 0, Column.METHOD, Qt.ItemDataRole.ForegroundRole)
    assert foreground.color() == error_color() and is_red(foreground.color())
    icon = cell(window, 0, Column.STATUS, Qt.ItemDataRole.DecorationRole)
    assert icon.cacheKey() == error_icon().cacheKey()
    disc = icon.pixmap(16, 16).toImage().pixelColor(3, 8)  # left of the "!", on the disc
    assert is_red(disc), disc.name()
    assert cell(window, 0, Column.ID, Qt.ItemDataRole.DecorationRole) is None
    assert cell(window, 0, Column.ID) == str(record.id)
    assert "Error" in cell(window, 0, Column.STATUS, Qt.ItemDataRole.ToolTipRole)
    select_row(window, 0)
    assert window.detail.overview["Error"].text() == record.error
    window.detail.setCurrentWidget(window.detail.raw_view)
    assert "THIS IS NOT HTTP" in window.detail.raw_view.text.toPlainText()
    send(window, "GET", "/fine")  # a good row is not marked
    wait_rows(qtbot, window, 2)
    assert cell(window, 1, Column.METHOD, Qt.ItemDataRole.ForegroundRole) is None
    assert cell(window, 1, Column.STATUS, Qt.ItemDataRole.DecorationRole) is None


def is_red(color: QColor) -> bool:
    return color.alpha() > 200 and color.red() > 2 * max(color.green(), color.blue())


def test_filter_box_and_method_buttons(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    send(window, "GET", "/alpha?who=jack")
    send(window, "POST", "/beta", b"needle in the body", {"Content-Type": "text/plain"})
    send(window, "DELETE", "/gamma")
    send(window, "OPTIONS", "/delta")
    wait_rows(qtbot, window, 4)
    qtbot.keyClicks(window.filter_bar.edit, "NEEDLE")
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 1)
    assert cell(window, 0, Column.PATH) == "/beta"
    assert window.filter_bar.count_label.text() == "showing 1 of 4"
    window.filter_bar.edit.clear()
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 4)
    qtbot.mouseClick(window.filter_bar.method_buttons[MethodFilter.DELETE], Qt.MouseButton.LeftButton)
    assert [cell(window, r, Column.METHOD) for r in range(window.proxy.rowCount())] == ["DELETE"]
    qtbot.mouseClick(window.filter_bar.method_buttons[MethodFilter.OTHER], Qt.MouseButton.LeftButton)
    assert [cell(window, r, Column.METHOD) for r in range(window.proxy.rowCount())] == ["OPTIONS"]
    qtbot.mouseClick(window.filter_bar.method_buttons[MethodFilter.ALL], Qt.MouseButton.LeftButton)
    assert window.proxy.rowCount() == 4


def test_clear_history_while_listening(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    send(window, "GET", "/one")
    wait_rows(qtbot, window, 1)
    select_row(window, 0)
    window.history.clear_action.trigger()
    assert window.model.rowCount() == 0 and window.detail.record is None
    assert window.is_running()
    send(window, "GET", "/two")
    wait_rows(qtbot, window, 1)
    assert cell(window, 0, Column.PATH) == "/two"


def test_bind_failure_shows_message_and_start_is_available_again(qtbot: Any, window: MainWindow) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        port = blocker.getsockname()[1]
        window.set_address("127.0.0.1")
        window.set_port(port)
        window.listener_bar.start_action.trigger()
        qtbot.waitUntil(lambda: not window.is_running(), timeout=5000)
    banner = window.error_banner
    assert banner.isVisibleTo(window)
    assert banner.label.textFormat() == Qt.TextFormat.PlainText
    assert str(port) in banner.text()
    assert window.listener_bar.start_action.text() == "Start" and window.listener_bar.start_action.isEnabled()
    assert window.listener_bar.port_spin.isEnabled() and window.listener_bar.address_combo.isEnabled()
    window.set_port(0)
    window.listener_bar.start_action.trigger()
    qtbot.waitUntil(lambda: window.url != "", timeout=5000)
    assert not banner.isVisibleTo(window)


def test_exposure_warning_beyond_loopback(qtbot: Any, window: MainWindow) -> None:
    assert window.listener_bar.address_combo.address() == "127.0.0.1"
    assert not window.exposure_banner.isVisibleTo(window)
    window.set_address("0.0.0.0")
    assert window.exposure_banner.isVisibleTo(window)
    assert "other machines" in window.exposure_banner.text()
    window.set_address("::1")
    assert not window.exposure_banner.isVisibleTo(window)
    window.listener_bar.address_combo.setEditText("192.0.2.7")
    assert window.exposure_banner.isVisibleTo(window)


def test_address_choices(qtbot: Any, window: MainWindow) -> None:
    combo = window.listener_bar.address_combo
    items = [combo.itemText(i) for i in range(combo.count())]
    assert items[:4] == ["127.0.0.1", "::1", "0.0.0.0", "::"]
    assert combo.currentIndex() == 0 and combo.isEditable()
    assert window.listener_bar.start_action.shortcuts()[0].toString() == "Ctrl+R"
    assert "Ctrl+R" in window.listener_bar.start_action.toolTip()


def test_batched_insertion_and_follow(qtbot: Any, window: MainWindow, record_factory: Factory) -> None:
    inserts: list[int] = []
    window.model.rowsInserted.connect(lambda _p, first, last: inserts.append(last - first + 1))
    window.resize(900, 500)
    for i in range(2000):
        window.recorder_signals.request_finished.emit(record_factory(id=i + 1))
    qtbot.waitUntil(lambda: window.model.rowCount() == 2000)
    assert inserts == [2000]
    bar = window.table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    bar.setValue(0)  # the user scrolls up: following pauses
    for i in range(10):
        window.recorder_signals.request_finished.emit(record_factory(id=3000 + i))
    qtbot.waitUntil(lambda: window.model.rowCount() == 2010)
    assert bar.value() == 0
    window.follower.action.setChecked(False)
    window.follower.action.setChecked(True)  # resuming jumps to the newest
    qtbot.waitUntil(lambda: bar.value() == bar.maximum())


def test_copy_actions(qtbot: Any, window: MainWindow, record_factory: Factory) -> None:
    from PySide6.QtGui import QGuiApplication

    from inspector.formats import to_curl

    record = record_factory(id=1, body=b"a=1", method="POST")
    window.recorder_signals.request_finished.emit(record)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    select_row(window, 0)
    window.table.copy_action.trigger()
    copied = QGuiApplication.clipboard().text()
    assert copied.split("\t")[:5][3:] == ["POST", "/index.html"]
    window.table.copy_curl_action.trigger()
    assert QGuiApplication.clipboard().text() == to_curl(record)  # the store's byte-exact builder
    assert QGuiApplication.clipboard().text().endswith("--data-binary a=1")
    window.table.copy_url_action.trigger()
    assert QGuiApplication.clipboard().text() == "http://127.0.0.1:8090/index.html?name=jack&age=18"
    window.table.copy_all_action.trigger()
    assert QGuiApplication.clipboard().text().startswith("#\tTime\tClient\tMethod")
    window.detail.query_table.selectAll()
    window.detail.query_table.copy_action.trigger()
    assert QGuiApplication.clipboard().text() == "name\tjack\nage\t18"


def test_settings_remembered(qtbot: Any, settings: QSettings) -> None:
    first = MainWindow(settings=settings)
    qtbot.addWidget(first)
    first.set_address("::1")
    first.set_port(9123)
    first.table.setColumnWidth(Column.PATH, 333)
    header = first.table.horizontalHeader()
    header.moveSection(header.visualIndex(Column.QUERY), 1)
    first.close()
    second = MainWindow(settings=settings)
    qtbot.addWidget(second)
    assert second.listener_bar.address_combo.address() == "::1"
    assert second.listener_bar.port_spin.value() == 9123
    assert second.table.columnWidth(Column.PATH) == 333
    assert second.table.horizontalHeader().visualIndex(Column.QUERY) == 1
    second.close()


def test_close_while_listening_stops_the_listener(qtbot: Any, settings: QSettings) -> None:
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.set_port(0)
    window.show()
    window.listener_bar.start_action.trigger()
    qtbot.waitUntil(lambda: window.url != "", timeout=5000)
    host, port = address(window)
    idle = socket.create_connection((host, port))  # an idle keep-alive client
    try:
        listener = window.capture.listener
        assert listener is not None
        window.close()
        assert not window.is_running()
        assert listener.isFinished()
    finally:
        idle.close()


@needs_ipv6  # checked by binding ::1 before the window tries: the window failing is a failure
def test_ipv6_loopback(qtbot: Any, window: MainWindow) -> None:
    window.set_address("::1")
    window.listener_bar.start_action.trigger()
    qtbot.waitUntil(lambda: window.url != "" or not window.is_running(), timeout=5000)
    assert window.is_running(), window.error_banner.text()
    assert window.url.startswith("http://[::1]:")
    send(window, "GET", "/v6")
    wait_rows(qtbot, window, 1)
    assert cell(window, 0, Column.CLIENT).startswith("[::1]:")
