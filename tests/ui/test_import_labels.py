"""An imported browser HAR in the window (issue 12, item 8): the detail shows
the URL with the scheme, host and port the browser asked for, and labels the
response as captured (what the server answered then), never as this
listener's answer; back to live, the Response tab is the listener's again."""

from __future__ import annotations

from typing import Any

from inspector.ui.detail_pane import CAPTURED_ANSWER, CAPTURED_TAB, LIVE_ANSWER, RESPONSE_TAB
from inspector.ui.main_window import MainWindow
from tests.network import http_get
from tests.records import DATA


def response_tab(window: MainWindow) -> str:
    detail = window.detail
    return detail.tabText(detail.indexOf(detail.response_splitter))


def test_imported_responses_are_labelled_captured(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    with qtbot.waitSignal(window.sessions.opened, timeout=10000):
        assert window.sessions.import_har_file(str(DATA / "har" / "chrome-h2.har")) is not None
    window.table.selectRow(0)
    detail = window.detail
    assert detail.record is not None and detail.record.target == "/cart?step=2&coupon="
    assert detail.overview["URL"].text() == "https://shop.example:8443/cart?step=2&coupon="
    assert detail.overview["Server"].text() == "[2001:db8::7]:8443"
    assert detail.overview["Response"].text() == "200 (captured, imported)"
    assert response_tab(window) == CAPTURED_TAB
    detail.setCurrentWidget(detail.response_splitter)  # the tab the user opens
    fields = detail.response_fields
    assert fields["Answer"].isVisible()
    assert fields["Answer"].text() == CAPTURED_ANSWER
    assert fields["Status"].text() == "HTTP/2 200"
    texts = [label.text() for label in fields.values() if label.isVisible()]
    assert not any("listener's own answer" in text for text in texts)
    assert not fields["Rule"].isVisible() and not fields["Sent"].isVisible()

    window.sessions.back_to_live()
    assert response_tab(window) == RESPONSE_TAB
    port = int(window.url.rsplit(":", 1)[1])
    assert http_get(port, "/live") == (200, b"hello world")
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 1, timeout=5000)
    window.table.selectRow(0)
    assert fields["Answer"].text() == LIVE_ANSWER
    assert fields["Status"].text() == "HTTP/1.1 200 OK"
    assert fields["Rule"].isVisible() and fields["Sent"].isVisible()
