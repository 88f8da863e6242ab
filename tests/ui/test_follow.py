"""Following is honest (issue 12, item 4): "Follow newest" says when it is paused
and how many rows came meanwhile, one click jumps, and it works under any sort
(new rows land where the sort puts them; under Time descending, at the top)."""

from __future__ import annotations

import dataclasses
import http.client
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt

from inspector.capture import Recorder
from inspector.http.record import CaptureRecord
from inspector.models.columns import Column
from inspector.ui.main_window import MainWindow

Factory = Callable[..., CaptureRecord]


def send(window: MainWindow, method: str, target: str) -> None:
    parts = urlsplit(window.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port or 0, timeout=5)
    try:
        conn.request(method, target, body=b"x" if method == "POST" else None)
        assert conn.getresponse().read() == b"hello world"
    finally:
        conn.close()


def wait_rows(qtbot: Any, window: MainWindow, count: int) -> None:
    qtbot.waitUntil(lambda: window.model.rowCount() == count, timeout=5000)


def row_of(window: MainWindow, record_id: int) -> int:
    for row in range(window.proxy.rowCount()):
        if window.model.row_id(window.proxy.mapToSource(window.proxy.index(row, 0)).row()) == record_id:
            return row
    raise AssertionError(f"#{record_id} is not shown")


def in_view(window: MainWindow, record_id: int) -> bool:
    rect = window.table.visualRect(window.proxy.index(row_of(window, record_id), 0))
    return rect.top() >= 0 and rect.bottom() <= window.table.viewport().height()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def window(qtbot: Any, settings: QSettings, recorder: Recorder) -> Iterator[MainWindow]:
    """A shown window whose recorder the test holds (it feeds rows through it)."""
    win = MainWindow(settings=settings, recorder=recorder)
    qtbot.addWidget(win)
    win.set_port(0)
    win.show()
    yield win
    win.close()


def flood(qtbot: Any, window: MainWindow, recorder: Recorder, records: list[CaptureRecord]) -> None:
    """Rows enough to scroll, through the window's recorder (without sockets; the
    listener's requests are numbered after them), then start listening."""
    for record in records:
        recorder.finished(dataclasses.replace(record, id=recorder.next_id()))
    recorder.end_round()  # as the listener's loop does after a round
    wait_rows(qtbot, window, len(records))
    window.set_address("127.0.0.1")
    window.start()
    qtbot.waitUntil(lambda: window.url != "", timeout=5000)


def test_a_selected_row_pauses_following_and_the_button_counts_and_jumps(
    qtbot: Any, listening: MainWindow
) -> None:
    window = listening
    follower = window.follower
    window.resize(1000, 600)
    for i in range(3):
        send(window, "GET", f"/a/{i}")
    send(window, "GET", "/b/0")
    wait_rows(qtbot, window, 4)
    assert not follower.pill.isVisible()
    window.filter_bar.edit.setText("/a/")  # what the filter hides is not counted
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 3)
    window.table.selectRow(0)
    qtbot.waitUntil(follower.pill.isVisible)
    assert follower.pill.text() == "↓ Following paused"
    assert "a row is selected" in follower.pill.toolTip()
    send(window, "GET", "/a/3")
    send(window, "GET", "/a/4")
    send(window, "GET", "/b/hidden")
    wait_rows(qtbot, window, 7)
    qtbot.waitUntil(lambda: follower.pill.text() == "↓ 2 new requests", timeout=3000)
    assert window.detail.record is not None and window.detail.record.path == "/a/0"
    qtbot.mouseClick(follower.pill, Qt.MouseButton.LeftButton)
    assert not window.table.selectionModel().hasSelection()
    assert not follower.pill.isVisible() and follower.new_count == 0
    assert in_view(window, 6)


def test_scrolling_away_pauses_and_jumping_resumes(
    qtbot: Any, window: MainWindow, recorder: Recorder, record_factory: Factory
) -> None:
    follower = window.follower
    window.resize(1000, 600)
    flood(qtbot, window, recorder, [record_factory(id=i, path=f"/old/{i}") for i in range(1, 501)])
    bar = window.table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum())
    assert not follower.pill.isVisible()
    bar.setValue(0)
    qtbot.waitUntil(follower.pill.isVisible)
    assert "scrolled out of view" in follower.pill.toolTip()
    for i in range(3):
        send(window, "GET", f"/new/{i}")
    wait_rows(qtbot, window, 503)
    qtbot.waitUntil(lambda: follower.pill.text() == "↓ 3 new requests")
    assert bar.value() == 0  # paused: the view stays where the user is
    follower.pill.click()
    assert bar.value() == bar.maximum() and in_view(window, 503)
    send(window, "GET", "/new/3")  # following again
    wait_rows(qtbot, window, 504)
    qtbot.waitUntil(lambda: in_view(window, 504))
    assert not follower.pill.isVisible()


def test_time_descending_new_rows_land_at_the_top_and_are_followed(
    qtbot: Any, window: MainWindow, recorder: Recorder, record_factory: Factory
) -> None:
    window.resize(1000, 600)
    flood(qtbot, window, recorder, [record_factory(id=i, path=f"/old/{i}") for i in range(1, 301)])
    window.table.horizontalHeader().setSortIndicator(Column.TIME, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: row_of(window, 300) == 0)
    window.table.scrollToTop()
    for i in range(3):
        send(window, "GET", f"/t/{i}")
        wait_rows(qtbot, window, 301 + i)
        assert row_of(window, 301 + i) == 0  # at the top, where Time descending puts it
    assert [window.proxy.index(r, Column.PATH).data() for r in range(3)] == ["/t/2", "/t/1", "/t/0"]
    assert window.table.verticalScrollBar().value() == 0 and in_view(window, 303)
    assert not window.follower.pill.isVisible()
    # scrolled away from the top: paused, and the button points up
    window.table.verticalScrollBar().setValue(window.table.verticalScrollBar().maximum())
    send(window, "GET", "/t/3")
    wait_rows(qtbot, window, 304)
    qtbot.waitUntil(lambda: window.follower.pill.text() == "↑ 1 new request")
    window.follower.pill.click()
    assert window.table.verticalScrollBar().value() == 0


def test_any_sort_new_rows_land_in_place_and_the_newest_is_followed(
    qtbot: Any, window: MainWindow, recorder: Recorder, record_factory: Factory
) -> None:
    window.resize(1000, 600)
    methods = ("GET", "POST")
    rows = [record_factory(method=methods[i % 2], path=f"/m/{i}") for i in range(1, 301)]
    flood(qtbot, window, recorder, rows)
    window.table.horizontalHeader().setSortIndicator(Column.METHOD, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: row_of(window, 2) == 0)
    window.table.scrollTo(window.proxy.index(row_of(window, 300), 0))  # the newest (a GET) in view
    send(window, "GET", "/m/new-get")
    wait_rows(qtbot, window, 301)
    assert row_of(window, 301) == 150  # after the 150 GETs, before the POSTs
    qtbot.waitUntil(lambda: in_view(window, 301))
    send(window, "POST", "/m/new-post")  # lands at the very end, and is followed there
    wait_rows(qtbot, window, 302)
    assert row_of(window, 302) == 301
    qtbot.waitUntil(lambda: in_view(window, 302))
    methods = [window.proxy.index(r, Column.METHOD).data() for r in range(302)]
    assert methods == sorted(methods)


def test_no_button_while_follow_is_off(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    send(window, "GET", "/one")
    wait_rows(qtbot, window, 1)
    window.follower.action.setChecked(False)
    window.table.selectRow(0)
    send(window, "GET", "/two")
    wait_rows(qtbot, window, 2)
    assert not window.follower.pill.isVisible()
    window.follower.action.setChecked(True)  # on again: jumps, deselects
    assert not window.table.selectionModel().hasSelection()
    assert window.table.currentIndex() == QModelIndex() or not window.follower.pill.isVisible()
