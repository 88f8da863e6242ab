"""Replay: the client (raw socket, order and case kept) and the dialog against the
window's own listener. Everything is sent to 127.0.0.1 only."""

from __future__ import annotations

import http.client
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

from inspector.http.record import CaptureRecord
from inspector.models.columns import Column, Role
from inspector.replay import ReplayError, ReplayRequest, build_request, split_url
from inspector.ui.main_window import MainWindow
from inspector.ui.replay_dialog import ReplayDialog, parse_headers_text, replay_url

Factory = Callable[..., CaptureRecord]


def test_build_request_keeps_order_case_and_duplicates() -> None:
    request = ReplayRequest(
        method="POST",
        url="http://127.0.0.1:9/p?q=1",
        headers=(("x-lower", "a"), ("content-length", "999"), ("X-Dup", "1"), ("X-Dup", "2"),
                 ("Transfer-Encoding", "chunked")),
        body=b"\x00\xffbin",
    )
    assert build_request(request) == (
        b"POST /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:9\r\nx-lower: a\r\ncontent-length: 5\r\n"
        b"X-Dup: 1\r\nX-Dup: 2\r\n\r\n\x00\xffbin"
    )
    assert build_request(ReplayRequest(method="POST", url="http://h/", body=b"ab")).endswith(
        b"Host: h\r\nContent-Length: 2\r\n\r\nab"
    )


def test_only_http_urls() -> None:
    with pytest.raises(ReplayError, match="https:// is not supported"):
        split_url("https://example.com/")
    with pytest.raises(ReplayError, match="not an http:// URL"):
        split_url("ftp://example.com/")
    assert split_url("http://[::1]:8090/a?b") == ("::1", 8090, "/a?b")


def test_header_text_round_trip() -> None:
    pairs = parse_headers_text("A: 1\n\nb-c:  two words \nA: 3")
    assert pairs == (("A", "1"), ("b-c", "two words"), ("A", "3"))
    with pytest.raises(ReplayError, match="line 1"):
        parse_headers_text("no colon here")


def test_urls(record_factory: Factory) -> None:
    record = record_factory()
    assert record.url == "http://127.0.0.1:8090/index.html?name=jack&age=18"
    assert replay_url(record, "http://127.0.0.1:5555") == "http://127.0.0.1:5555/index.html?name=jack&age=18"
    assert replay_url(record_factory(target="*"), "") == "http://127.0.0.1:8090/"
    assert record_factory(target="http://example.com/x").url == "http://example.com/x"


def test_replay_to_own_listener_adds_a_row(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    parts = urlsplit(window.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 0, timeout=5)
    conn.request("PUT", "/orig?a=1", body=b"\x00binary\xff", headers={"X-Case": "Kept"})
    assert conn.getresponse().read() == b"hello world"
    conn.close()
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    record = window.proxy.index(0, Column.ID).data(Role.RECORD)

    # the context menu's action reaches the window through the view's signal
    window.table.selectRow(0)
    window.table.replay_action.trigger()
    assert len(window.replays.dialogs) == 1
    dialog = window.replays.dialogs[0]
    assert isinstance(dialog, ReplayDialog)
    assert dialog.url_edit.text() == window.url + "/orig?a=1"
    assert dialog.method_combo.currentText() == "PUT"
    assert dialog.body_edit.isReadOnly()  # binary: kept byte for byte
    dialog.headers_edit.setPlainText(dialog.headers_edit.toPlainText() + "\nX-Replayed: yes")
    with qtbot.waitSignal(dialog.response_shown, timeout=10000) as blocker:
        dialog.send_button.click()
    assert blocker.args[0].status == 200
    assert "HTTP/1.1 200 OK" in dialog.status_label.text()
    assert dialog.response_edit.toPlainText().endswith("hello world")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    replayed = window.model.record(1)
    assert replayed.id == record.id + 1
    assert replayed.method == "PUT" and replayed.target == "/orig?a=1"
    assert replayed.body == b"\x00binary\xff"
    assert replayed.header("X-Replayed") == "yes"
    # the captured headers in their order and case, the edit appended
    assert [name for name, _ in replayed.headers] == [name for name, _ in record.headers] + ["X-Replayed"]
    dialog.close()


def test_replay_dialog_says_https_is_not_supported(qtbot: Any, record_factory: Factory) -> None:
    dialog = ReplayDialog(record_factory())
    qtbot.addWidget(dialog)
    dialog.url_edit.setText("https://127.0.0.1:1/")
    dialog.send_button.click()
    assert "https:// is not supported" in dialog.status_label.text()


def test_replay_failure_is_a_message(qtbot: Any, record_factory: Factory) -> None:
    import socket

    with socket.socket() as sock:  # a port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dialog = ReplayDialog(record_factory(), f"http://127.0.0.1:{port}")
    qtbot.addWidget(dialog)
    dialog.send_button.click()
    qtbot.waitUntil(lambda: "cannot reach" in dialog.status_label.text(), timeout=10000)
    qtbot.waitUntil(dialog.send_button.isEnabled)
