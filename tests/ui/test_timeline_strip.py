"""The timeline strip: buckets right for known arrivals (and said on hover), pending requests,
history read off the GUI thread, painting from buckets, a click selecting the nearest row, a drag
filtering the table, an imported session's own timeline, and on/off remembered (off: not fed at
all)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QColor, QMouseEvent
from PySide6.QtWidgets import QApplication, QToolTip

from inspector.formats import export_file
from inspector.http.record import CaptureRecord, SentResponse
from inspector.models.request_table import RequestTableModel
from inspector.timeline import Buckets, Kind, Timeline
from inspector.ui.live_feed import LiveFeed
from inspector.ui.main_window import MainWindow
from inspector.ui.timeline_paint import (
    COLOURS,
    PANEL_WIDTH,
    BarPainter,
    bar_ceiling,
    bucket_tooltip,
    duration_text,
    kinds_text,
)
from inspector.ui.timeline_strip import BAR_PX, TimelineStrip
from tests.conftest import make_record

NOW = 1_700_000_000.0


def arrived(record_id: int, at: float, status: int | None = 200, **overrides: Any) -> CaptureRecord:
    response = None if status is None else SentResponse(status=status)
    return make_record(id=record_id, received_at=at, response=response, **overrides)


def strip_of(qtbot: Any, buckets: int = 100) -> TimelineStrip:
    strip = TimelineStrip(clock=lambda: NOW)
    qtbot.addWidget(strip)
    strip.resize(buckets * BAR_PX + PANEL_WIDTH, 36)
    strip.show()
    qtbot.waitExposed(strip)
    assert strip.view.count == buckets
    return strip


def test_buckets_right_for_known_arrivals(qtbot: Any) -> None:
    strip = strip_of(qtbot)
    view = strip.view
    assert view.following and view.width == 0.1 and view.index_at(NOW) == 99  # 100 buckets of 0.1 s
    assert abs(view.start - (NOW - 9.9)) < 1e-6 and abs(view.end - (NOW + 0.1)) < 1e-6
    strip.add_records(
        [
            arrived(1, NOW - 9.85, 200),
            arrived(2, NOW - 9.84, 500),
            arrived(3, NOW - 5.05, 404),
            arrived(4, NOW - 5.04, None, error="bad request"),
            arrived(5, NOW - 0.01, 200),
        ]
    )
    strip.add_pending(arrived(6, NOW - 0.02, None))
    qtbot.waitUntil(lambda: strip.view.buckets().peak == 2, timeout=3000)  # the 4 Hz refresh
    buckets = strip.view.buckets()
    first, middle, last = (view.index_at(t) for t in (NOW - 9.85, NOW - 5.05, NOW - 0.01))
    assert (first, middle, last) == (0, 48, 98)
    assert sum(buckets.totals) == 6
    assert buckets.at(first).by_kind[Kind.SUCCESS] == 1 and buckets.at(first).by_kind[Kind.SERVER_ERROR] == 1
    assert buckets.at(middle).by_kind[Kind.CLIENT_ERROR] == 1 and buckets.at(middle).by_kind[Kind.ERROR] == 1
    assert buckets.at(last).by_kind[Kind.SUCCESS] == 1 and buckets.at(last).by_kind[Kind.PENDING] == 1
    assert strip._rate_text == "2/s"
    strip.add_records([arrived(6, NOW - 0.02, 201)])  # the pending one got its answer
    qtbot.waitUntil(lambda: strip.view.buckets().at(last).by_kind[Kind.PENDING] == 0, timeout=3000)
    assert strip.view.buckets().at(last).by_kind[Kind.SUCCESS] == 2
    assert len(strip.timeline) == 6


@pytest.mark.qt_log_ignore(r"This plugin does not support raise\(\)")  # the tooltip, offscreen
def test_hovering_a_bar_says_its_counts(qtbot: Any) -> None:
    strip = strip_of(qtbot)
    strip.add_records([arrived(1, NOW - 9.85, 200), arrived(2, NOW - 9.84, 500)])
    qtbot.waitUntil(lambda: strip.view.buckets().peak == 2, timeout=3000)
    point = QPointF(strip.view.index_at(NOW - 9.85) * BAR_PX + 1, 20)
    hover = QMouseEvent(
        QEvent.Type.MouseMove,
        point,
        QPointF(strip.mapToGlobal(point)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(strip, hover)
    qtbot.waitUntil(QToolTip.isVisible, timeout=3000)
    assert "2 requests (1 2xx · 1 5xx)" in QToolTip.text()


def test_history_is_read_off_the_gui_thread_and_live_arrivals_merge(qtbot: Any) -> None:
    strip = strip_of(qtbot)
    stored = [(1, NOW - 3.0, 200, False, False), (2, NOW - 2.0, 200, False, True)]
    strip.load_history(lambda: stored)
    assert strip.loading
    strip.add_records([arrived(2, NOW - 2.0, 500), arrived(3, NOW - 1.0, 200)])  # 2 finished meanwhile
    qtbot.waitUntil(lambda: not strip.loading, timeout=5000)
    timeline = strip.timeline
    assert len(timeline) == 3
    counts = timeline.count_edges([NOW - 3.5, NOW - 1.5, NOW])
    assert counts[Kind.SUCCESS] == [1, 1] and counts[Kind.SERVER_ERROR] == [1, 0]
    assert counts[Kind.PENDING] == [0, 0]
    strip.discard_before(2)
    assert 1 not in strip.timeline and len(strip.timeline) == 2


def test_a_live_record_the_history_read_already_holds_is_shown_once(qtbot: Any) -> None:
    # the writer can store a request before the live feed's batch with it reaches the window
    strip = strip_of(qtbot)
    stored = [(1, NOW - 3.0, 200, False, False), (2, NOW - 2.0, None, False, True)]
    strip.load_history(lambda: stored)
    qtbot.waitUntil(lambda: not strip.loading, timeout=5000)
    strip.add_records([arrived(1, NOW - 3.0, 200), arrived(2, NOW - 2.0, 404), arrived(3, NOW - 1.0, 200)])
    timeline = strip.timeline
    assert len(timeline) == 3 and 3 in timeline
    counts = timeline.count_edges([NOW - 3.5, NOW - 1.5, NOW])
    assert counts[Kind.SUCCESS] == [1, 1] and counts[Kind.CLIENT_ERROR] == [1, 0]
    assert counts[Kind.PENDING] == [0, 0]


def test_bars_are_painted_from_buckets(qapp: Any) -> None:
    counts = [[0, 0, 0] for _ in range(len(Kind))]
    counts[Kind.SUCCESS] = [4, 0, 1]
    counts[Kind.SERVER_ERROR] = [0, 0, 1]
    buckets = Buckets(start=0.0, width=1.0, counts=tuple(map(tuple, counts)), totals=(4, 0, 2))
    painter = BarPainter()
    image = painter.paint(buckets, 2, 36).toImage()
    assert image.width() == 6 and image.height() == 36
    green, red = QColor(COLOURS[Kind.SUCCESS]), QColor(COLOURS[Kind.SERVER_ERROR])
    assert image.pixelColor(0, 34) == green and image.pixelColor(0, 5) == green  # the peak bar: full height
    assert image.pixelColor(2, 34).alpha() == 0  # an empty bucket paints nothing
    assert image.pixelColor(4, 34) == green and image.pixelColor(4, 10).alpha() == 0
    assert image.pixelColor(4, 24) == red  # stacked on top of the successes
    assert image.pixelColor(4, 0) == red and image.pixelColor(0, 0).alpha() == 0  # the error tick
    assert painter.paint(buckets, 2, 36).toImage() == image  # from the kept rows: the same
    counts[Kind.SUCCESS][1] = 2  # the empty bucket gets arrivals: half the peak
    again = Buckets(start=0.0, width=1.0, counts=tuple(map(tuple, counts)), totals=(4, 2, 2))
    image = painter.paint(again, 2, 36).toImage()
    assert image.pixelColor(2, 34) == green and image.pixelColor(2, 10).alpha() == 0
    assert image.pixelColor(4, 24) == red  # unchanged buckets drawn as before
    assert kinds_text(buckets.at(2).by_kind) == "1 2xx · 1 5xx"
    assert bucket_tooltip(buckets.at(1), 1.0).endswith(": no requests")
    assert bucket_tooltip(buckets.at(0), 1.0).endswith(": 4 requests (4 2xx)")
    assert [duration_text(s) for s in (0.5, 59, 600, 7200 * 3, 86400 * 3)] == [
        "0.5 s",
        "59 s",
        "10 min",
        "6 h",
        "3 d",
    ]


def x_of(strip: TimelineStrip, moment: float) -> int:
    index = strip.view.index_at(moment)
    assert index is not None
    return index * BAR_PX + BAR_PX // 2


def test_click_selects_the_nearest_row_and_a_drag_filters_the_table(qtbot: Any, window: MainWindow) -> None:
    strip = window.timeline
    assert strip.isVisible()  # on by default
    now = strip.view.end - strip.view.width  # within the last bucket of the view as it is
    records = [arrived(i, now - 8.0 + i, 200 if i % 2 else 404) for i in range(1, 8)]
    for record in records:
        window.feed.add(record)
    qtbot.waitUntil(lambda: len(strip.timeline) == 7 and window.model.rowCount() == 7, timeout=5000)
    strip.show_everything()
    target = records[3]  # received at now - 4
    with qtbot.waitSignal(strip.record_picked) as picked:
        qtbot.mouseClick(strip, Qt.MouseButton.LeftButton, pos=QPoint(x_of(strip, target.received_at), 20))
    assert picked.args == [target.id]
    assert window.detail.record is not None and window.detail.record.id == target.id

    start, end = x_of(strip, now - 6.5), x_of(strip, now - 3.5)  # holds records 2, 3 and 4
    qtbot.mousePress(strip, Qt.MouseButton.LeftButton, pos=QPoint(start, 20))
    qtbot.mouseMove(strip, QPoint((start + end) // 2, 20))
    with qtbot.waitSignal(strip.range_selected):
        qtbot.mouseMove(strip, QPoint(end, 20))
        qtbot.mouseRelease(strip, Qt.MouseButton.LeftButton, pos=QPoint(end, 20))
    time_range = window.proxy.time_range
    assert time_range is not None and time_range.ids == frozenset({2, 3, 4})
    assert [window.proxy.index(r, 0).data() for r in range(window.proxy.rowCount())] == ["2", "3", "4"]
    assert window.filter_bar.count_label.text().startswith("showing 3 of 7")
    strip.setFocus()
    with qtbot.waitSignal(strip.range_cleared):
        qtbot.keyClick(strip, Qt.Key.Key_Escape)
    assert window.proxy.time_range is None and window.proxy.rowCount() == 7


def test_an_imported_session_shows_its_own_timeline(qtbot: Any, window: MainWindow, tmp_path: Path) -> None:
    window.feed.add(arrived(1, NOW, 200))
    qtbot.waitUntil(lambda: len(window.timeline.timeline) == 1, timeout=5000)
    har = tmp_path / "s.har"
    export_file(har, [arrived(i, NOW - 3600.0 + i, 500) for i in range(1, 5)])
    with qtbot.waitSignal(window.sessions.changed, timeout=10000):
        window.sessions.import_har_file(str(har))
    timeline = window.timeline.timeline
    assert len(timeline) == 4 and not window.timeline.view.following
    span = timeline.span()
    assert span is not None and window.timeline.view.start <= span[0] and span[1] < window.timeline.view.end
    assert window.timeline._rate_text == "4 req"
    window.sessions.back_to_live()
    assert len(window.timeline.timeline) == 1 and window.timeline.view.following


def test_off_means_hidden_and_not_fed_and_it_is_remembered(
    qtbot: Any, window: MainWindow, settings: QSettings
) -> None:
    link = window.timeline_link
    assert link.on and link.toggle_action.isChecked()
    link.toggle_action.trigger()
    assert not link.on and not window.timeline.isVisible()
    window.feed.add(arrived(1, NOW, 200))
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    assert len(window.timeline.timeline) == 0
    window.close()
    assert settings.value("view/timeline") in (False, "false")
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    assert not again.timeline_link.on
    again.timeline_link.set_on(True)  # built from what the table holds
    again.model.append_records([arrived(5, NOW, 200)])
    again.timeline_link.set_on(False)
    again.timeline_link.set_on(True)
    qtbot.waitUntil(lambda: not again.timeline.loading, timeout=5000)
    assert list(Timeline.ids_between(again.timeline.timeline, NOW - 1, NOW + 1)) == [5]
    again.close()


def test_a_few_spikes_do_not_flatten_the_rest() -> None:
    assert bar_ceiling([]) == 1 and bar_ceiling([0, 0]) == 1
    assert bar_ceiling([5, 6, 7, 0, 8]) == 8  # even traffic: the tallest bucket
    steady = [10] * 99 + [1000]
    assert bar_ceiling(steady) == 20  # one spike: twice the 95th percentile


def test_the_feed_reports_each_finished_record_once(qtbot: Any, record_factory: Any) -> None:
    model = RequestTableModel()
    feed = LiveFeed(model)
    reported: list[list[int]] = []
    feed.batch_added.connect(lambda records: reported.append([r.id for r in records]))
    feed.start(record_factory(id=1, response=None))  # a waiting row: not finished, not reported
    feed.add(record_factory(id=2))
    feed.start(record_factory(id=3, response=None))
    feed.add(record_factory(id=3))  # started and finished in one batch: one row, reported once
    with qtbot.waitSignal(feed.flushed, timeout=2000):
        pass
    assert reported == [[2, 3]] and model.waiting == {1}
    feed.add(record_factory(id=1))  # the waiting row completed in place
    with qtbot.waitSignal(feed.flushed, timeout=2000):
        pass
    assert reported == [[2, 3], [1]] and model.rowCount() == 3 and not model.waiting
    feed.stop()
