"""Filtering in the window against the real listener (issue 12, item 6): quick
filters, terms beside free text, the detail pane follows the filter, matches are
highlighted in the detail tabs and the reason a row matched is shown."""

from __future__ import annotations

import http.client
import socket
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import Qt

from inspector.filter_query import Quick
from inspector.models.columns import Column
from inspector.models.request_filter import MethodFilter
from inspector.responses import Rule, RuleSet
from inspector.ui.detail_pane import MATCH_MARK
from inspector.ui.main_window import MainWindow


def send(
    window: MainWindow, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> int:
    parts = urlsplit(window.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 0, timeout=5)
    try:
        conn.request(method, target, body=body or None, headers=headers or {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def shown_paths(window: MainWindow) -> list[str]:
    return [window.proxy.index(row, Column.PATH).data() for row in range(window.proxy.rowCount())]


def apply(qtbot: Any, window: MainWindow, text: str) -> None:
    with qtbot.waitSignal(window.proxy.query_changed, timeout=3000):
        window.filter_bar.edit.setText(text)


def traffic(qtbot: Any, window: MainWindow) -> None:
    window.capture.responder.set_rules(  # type: ignore[attr-defined]
        RuleSet(
            rules=(
                Rule(name="missing", path="/missing/**", status=404, body="no"),
                Rule(name="broken", path="/broken", status=503, body="down"),
                Rule(name="moved", path="/old", status=301, headers=(("Location", "/new"),)),
                Rule(name="ok", path="/**", body="ok"),
            )
        )
    )
    assert send(window, "GET", "/home", headers={"X-Sig": "abc123"}) == 200
    assert send(window, "POST", "/orders", b'{"item": "needle"}', {"Content-Type": "application/json"}) == 200
    assert send(window, "GET", "/missing/page") == 404
    assert send(window, "PUT", "/broken") == 503
    assert send(window, "GET", "/old", headers={"x-sig": "zzz"}) == 301
    with socket.create_connection(
        (urlsplit(window.url).hostname or "", urlsplit(window.url).port or 0)
    ) as sock:
        sock.sendall(b"GET /bad HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 400")
    qtbot.waitUntil(lambda: window.model.rowCount() == 6, timeout=5000)


def test_quick_filters(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    traffic(qtbot, window)
    buttons = window.filter_bar.quick_buttons
    assert [b.text() for b in buttons.values()] == ["Errors", "2xx", "3xx", "4xx", "5xx", "Pending"]
    buttons[Quick.ERRORS].click()
    assert shown_paths(window) == ["/bad"]
    buttons[Quick.S5XX].click()  # alternatives: errors or 5xx
    assert shown_paths(window) == ["/broken", "/bad"]
    buttons[Quick.ERRORS].click()
    buttons[Quick.S5XX].click()
    buttons[Quick.S4XX].click()
    assert shown_paths(window) == ["/missing/page", "/bad"]
    buttons[Quick.S4XX].click()
    buttons[Quick.S2XX].click()
    assert shown_paths(window) == ["/home", "/orders"]
    assert window.filter_bar.count_label.text() == "showing 2 of 6"
    buttons[Quick.S2XX].click()
    buttons[Quick.PENDING].click()
    assert shown_paths(window) == []  # every request here was answered
    buttons[Quick.PENDING].click()
    assert window.proxy.rowCount() == 6


def test_terms_beside_free_text(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    traffic(qtbot, window)
    for text, paths in [
        ("status:404", ["/missing/page"]),
        ("status:4xx,301", ["/missing/page", "/old", "/bad"]),
        ("method:post", ["/orders"]),
        ("header:x-sig", ["/home", "/old"]),
        ("header:X-Sig=ABC", ["/home"]),
        ("header:x-sig method:get /o", ["/old"]),
        ("needle method:post", ["/orders"]),
        ("needle method:get", []),
        ("status:abc", []),  # not a term: free text, found nowhere
    ]:
        apply(qtbot, window, text)
        assert shown_paths(window) == paths, text
    apply(qtbot, window, "")
    assert window.proxy.rowCount() == 6


def test_the_detail_pane_follows_the_filter(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    traffic(qtbot, window)
    window.table.selectRow(0)
    assert window.detail.record is not None and window.detail.record.path == "/home"
    apply(qtbot, window, "status:404")
    assert window.detail.record is None  # the selected row is hidden: no stale detail
    assert window.detail.overview["Request"].text() == "Select a request to see its details."
    window.table.selectRow(0)
    assert window.detail.record is not None and window.detail.record.path == "/missing/page"
    window.filter_bar.quick_buttons[Quick.S2XX].click()  # a quick filter hides it too
    assert window.proxy.rowCount() == 0 and window.detail.record is None


def test_matches_are_highlighted_and_the_reason_is_shown(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    traffic(qtbot, window)
    detail = window.detail
    apply(qtbot, window, "needle")
    assert shown_paths(window) == ["/orders"]
    delegate = window.table.match_delegate
    assert window.table.itemDelegate() is delegate
    assert delegate.matched_columns(window.proxy.index(0, 0)) == {Column.BODY_SIZE}  # the reason: the body
    window.table.selectRow(0)
    detail.setCurrentWidget(detail.body_view)
    assert detail.body_view.match_count == 1
    assert "1 match" in detail.body_view.note.text()
    selection = detail.body_view.text.extraSelections()[0]
    assert selection.cursor.selectedText() == "needle"  # type: ignore[attr-defined]
    assert detail.tabText(detail.indexOf(detail.body_view)).endswith(MATCH_MARK)
    assert not detail.tabText(detail.indexOf(detail.headers_table)).endswith(MATCH_MARK)

    apply(qtbot, window, "header:x-sig")
    assert delegate.matched_columns(window.proxy.index(0, 0)) == {Column.HEADERS}
    window.table.selectRow(0)
    detail.setCurrentWidget(detail.headers_table)
    model = detail.headers_model
    sig_row = next(i for i, row in enumerate(model.rows()) if row[0] == "X-Sig")
    brush = model.index(sig_row, 0).data(Qt.ItemDataRole.BackgroundRole)
    assert brush is not None and model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert detail.tabText(detail.indexOf(detail.headers_table)).endswith(MATCH_MARK)
    assert detail.tabText(detail.indexOf(detail.headers_table)).startswith("Headers (")

    apply(qtbot, window, "")
    assert window.table.itemDelegate() is not delegate  # no filter: Qt's own delegate
    assert not detail.tabText(detail.indexOf(detail.headers_table)).endswith(MATCH_MARK)


def test_a_narrow_bar_folds_the_filters_into_two_menus(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    traffic(qtbot, window)
    bar = window.filter_bar
    window.resize(1280, 700)
    qtbot.waitUntil(lambda: not bar.compact)
    assert bar.quick_buttons[Quick.ERRORS].isVisible() and not bar.quick_menu_button.isVisible()
    window.resize(760, 700)
    qtbot.waitUntil(lambda: bar.compact)
    assert not bar.method_buttons[MethodFilter.GET].isVisible() and bar.method_menu_button.isVisible()
    assert bar.edit.width() >= 200  # the filter box keeps its room
    assert bar.method_menu_button.text() == "Method: All" and bar.quick_menu_button.text() == "Status: any"
    bar.quick_menu_button.menu().actions()[list(Quick).index(Quick.S4XX)].trigger()
    bar.method_menu_button.menu().actions()[list(MethodFilter).index(MethodFilter.GET)].trigger()
    assert shown_paths(window) == ["/missing/page", "/bad"]
    assert bar.method_menu_button.text() == "Method: GET" and bar.quick_menu_button.text() == "Status: 4xx"
    window.resize(1280, 700)
    qtbot.waitUntil(lambda: not bar.compact)
    assert bar.method_buttons[MethodFilter.GET].isChecked() and bar.quick_buttons[Quick.S4XX].isChecked()
