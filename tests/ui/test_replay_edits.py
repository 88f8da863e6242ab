"""The replay dialog follows its edits (sizes, Content-Length) and marks the
replay it sends, against the window's own listener (issue 12, item 7)."""

from __future__ import annotations

import http.client
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import Qt

from inspector.http.record import CaptureRecord
from inspector.models.columns import Column, Role
from inspector.replay import REPLAY_HEADER, mark_replay, replay_of
from inspector.ui.main_window import MainWindow
from inspector.ui.replay_dialog import ReplayDialog, with_content_length

Factory = Callable[..., CaptureRecord]


def post(window: MainWindow, target: str, body: bytes, headers: dict[str, str]) -> None:
    parts = urlsplit(window.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 0, timeout=5)
    try:
        conn.request("POST", target, body=body, headers=headers)
        assert conn.getresponse().read() == b"hello world"
    finally:
        conn.close()


def open_replay(qtbot: Any, window: MainWindow, row: int) -> ReplayDialog:
    window.table.selectRow(row)
    window.table.replay_action.trigger()
    dialog = window.replays.dialogs[-1]
    qtbot.addWidget(dialog)
    return dialog


def test_sizes_and_content_length_follow_the_body(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    post(window, "/orders?x=1", b'{"qty": 1}', {"Content-Type": "application/json", "X-Case": "Kept"})
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    original = window.model.record(0)
    dialog = open_replay(qtbot, window, 0)
    assert "Content-Length: 10" in dialog.headers_edit.toPlainText()
    assert dialog.body_note.text() == "10 B"
    assert "body 10 B (Content-Length: 10)" in dialog.size_note.text()

    dialog.body_edit.setPlainText('{"qty": 12345, "note": "é"}')  # 28 bytes in UTF-8
    qtbot.waitUntil(lambda: "Content-Length: 28" in dialog.headers_edit.toPlainText(), timeout=3000)
    assert dialog.body_note.text() == "28 B"
    assert "body 28 B (Content-Length: 28)" in dialog.size_note.text()
    assert not dialog.headers_edited()  # the dialog's own update is not a user edit

    assert dialog.mark_check.isChecked()  # the URL is this listener
    with qtbot.waitSignal(dialog.response_shown, timeout=10000):
        dialog.send_button.click()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    replayed = window.model.record(1)
    assert replayed.body == '{"qty": 12345, "note": "é"}'.encode()
    assert replayed.header("Content-Length") == "28"
    assert replayed.header(REPLAY_HEADER) == str(original.id)
    # the captured headers in their order and case, the mark last
    assert [n for n, _ in replayed.headers] == [n for n, _ in original.headers] + [REPLAY_HEADER]

    # the table and the detail pane say what it is
    index = window.proxy.index(1, Column.ID)
    assert index.data() == f"{replayed.id} ↻"
    assert index.data(Role.SORT) == replayed.id
    assert f"A replay of #{original.id}" in index.data(Qt.ItemDataRole.ToolTipRole)
    assert window.proxy.index(0, Column.ID).data() == str(original.id)
    window.table.selectRow(1)
    overview = window.detail.overview
    assert overview["Replay of"].text().startswith(f"#{original.id} ")
    assert overview["Replay of"].isVisibleTo(window.detail)
    window.table.selectRow(0)
    assert not overview["Replay of"].isVisibleTo(window.detail)
    dialog.close()


def test_unticked_or_elsewhere_the_replay_is_not_marked(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    post(window, "/a", b"x", {"Content-Type": "text/plain"})
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    dialog = open_replay(qtbot, window, 0)
    dialog.url_edit.setText("http://127.0.0.1:9/elsewhere")
    assert not dialog.mark_check.isChecked()  # another server: nothing added
    dialog.url_edit.setText(window.url + "/a")
    assert dialog.mark_check.isChecked()
    dialog.mark_check.click()  # the user's choice sticks
    dialog.url_edit.setText(window.url + "/b")
    assert not dialog.mark_check.isChecked()
    with qtbot.waitSignal(dialog.response_shown, timeout=10000):
        dialog.send_button.click()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    replayed = window.model.record(1)
    assert replayed.header(REPLAY_HEADER) is None and replayed.path == "/b"
    assert window.proxy.index(1, Column.ID).data() == str(replayed.id)
    dialog.close()


def test_a_replay_of_a_replay_names_its_own_source(record_factory: Factory) -> None:
    first = mark_replay(record_factory().headers, 3)
    again = mark_replay(first, 7)
    assert [v for n, v in again if n == REPLAY_HEADER] == ["7"]
    assert replay_of(again) == 7


@pytest.mark.parametrize("value", ["", "x", "-1", "1.5", "٣", "1" * 16, " 12 junk"])
def test_a_replay_header_that_is_not_a_number_says_nothing(value: str) -> None:
    assert replay_of(((REPLAY_HEADER.lower(), value),)) is None


def test_content_length_lines_are_rewritten_in_place() -> None:
    text = "Host: h\ncontent-length:  3\nX-Content-Length: 3\nContent-Length: 9"
    assert (
        with_content_length(text, 12)
        == "Host: h\ncontent-length: 12\nX-Content-Length: 3\nContent-Length: 12"
    )
    assert with_content_length("Host: h", 5) == "Host: h"
