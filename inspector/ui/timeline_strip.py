"""The timeline strip above the table: requests per second over time, by status class.

Strategy (docs/ARCHITECTURE.md, "Threads"). The strip never touches rows:
arrivals go into a Qt-free :class:`~inspector.timeline.Timeline` (compact
arrays), live ones in the live feed's batches (:meth:`TimelineStrip.add_records`),
stored ones from one store query run off the GUI thread
(:meth:`TimelineStrip.load_history`). What is drawn comes from the buckets of a
:class:`~inspector.timeline.view.TimelineView`, recounted only where arrivals
landed. A named timer (:data:`REFRESH_MS`) refreshes the counts and repaints,
only while the strip is shown and only when something changed; the bars are
painted once into a pixmap per refresh, so hovering and dragging repaint
overlays only.

Mouse: hover shows a bucket's counts; a click selects the nearest request
(:attr:`TimelineStrip.record_picked`); a drag selects a time range
(:attr:`TimelineStrip.range_selected`, Esc or the menu clears it); the wheel
zooms around the pointer (Shift+wheel pans); a double click shows everything.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Final

from PySide6.QtCore import QRect, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QHideEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QMenu, QToolTip, QWidget

from inspector.http.record import CaptureRecord
from inspector.text import tooltip
from inspector.timeline import Arrival, Timeline, arrival
from inspector.timeline.view import TimelineView
from inspector.ui.preview_worker import PreviewWorker
from inspector.ui.timeline_paint import (
    PANEL_WIDTH,
    STRIP_HEIGHT,
    BarPainter,
    bucket_tooltip,
    paint_labels,
    span_text,
    time_text,
)

#: how often counts are refreshed and the strip repainted (4 Hz), while shown
REFRESH_MS: Final = 250
#: horizontal pixels per bucket
BAR_PX: Final = 2
#: a press that moves less than this is a click, not a drag
DRAG_SLOP_PX: Final = 4


class TimelineStrip(QWidget):
    """Arrivals over time, for the live capture or an imported session.

    Args:
        clock: the current time as ``received_at`` counts it (POSIX seconds).

    Signals:
        record_picked(int): a click chose the request with this id (the nearest).
        range_selected(float, float): a drag chose ``[start, end)``.
        range_cleared(): the time range was dropped.
        hide_requested(): the user chose "Hide timeline".
    """

    record_picked = Signal(int)
    range_selected = Signal(float, float)
    range_cleared = Signal()
    hide_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, clock: Callable[[], float] = time.time) -> None:
        super().__init__(parent)
        self._clock = clock
        self._live = Timeline()
        self._session: Timeline | None = None
        self._pending: set[int] = set()
        #: arrivals that came while history loads, by id (the latest state of each)
        self._loading: dict[int, Arrival] | None = None
        self._view = TimelineView(1, clock())
        self._range: tuple[float, float] | None = None
        self._press_x: int | None = None
        self._drag_x: int | None = None
        self._hover: int | None = None
        self._bars: QPixmap | None = None
        self._painter = BarPainter()
        self._shown = self._view.buckets()
        self._rate_text = ""
        #: the view fits everything and grows with the traffic (until zoomed or panned)
        self._fitted = True
        self.setFixedHeight(STRIP_HEIGHT)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setAccessibleName("Timeline")
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._worker = PreviewWorker(self)
        self._worker.ready.connect(self._on_worker_ready)

    # -- data ------------------------------------------------------------------

    @property
    def timeline(self) -> Timeline:
        """The timeline shown: the imported session's, else the live one."""
        return self._session if self._session is not None else self._live

    @property
    def view(self) -> TimelineView:
        return self._view

    @property
    def time_range(self) -> tuple[float, float] | None:
        return self._range

    @property
    def loading(self) -> bool:
        return self._loading is not None

    def load_history(self, read: Callable[[], Sequence[Arrival]]) -> None:
        """Build the live timeline from ``read()`` (one store query) off the GUI
        thread; arrivals added meanwhile are merged in when it is ready."""
        self._loading = {}
        self._worker.submit(lambda: Timeline.from_arrivals(read()))

    def wait(self, msecs: int = -1) -> bool:
        """Wait for a history load under way (teardown and tests)."""
        return self._worker.wait(msecs)

    @Slot(object)
    def add_records(self, records: Sequence[CaptureRecord]) -> None:
        """Finished records (a batch of the live feed)."""
        if not records:
            return
        if self._loading is not None:
            for record in records:
                self._pending.discard(record.id)
                self._loading[record.id] = arrival(record)
            return
        arrivals = list(map(arrival, records))
        live, last = self._live, self._live.last_id
        if last is not None and min(item[0] for item in arrivals) <= last:
            fresh = []
            for item in arrivals:
                record_id, _, status, error, _ = item
                # already shown: the answer of a waiting request, or a request the writer
                # stored before its live batch came and that a history read picked up
                if record_id <= last and record_id in live:
                    self._pending.discard(record_id)
                    live.update(record_id, status, error)
                else:
                    fresh.append(item)
            arrivals = fresh
        live.extend(arrivals)
        if self._session is None:
            self._view.arrived(min(record.received_at for record in records))

    @Slot(object)
    def add_pending(self, record: CaptureRecord) -> None:
        """A request still waiting for its answer (it finishes through :meth:`add_records`)."""
        record_id, received_at, status, error, _ = arrival(record)
        if self._loading is not None:
            self._loading[record_id] = (record_id, received_at, status, error, True)
        elif record_id not in self._live:
            self._live.append(record_id, received_at, status, error, True)
            if self._session is None:
                self._view.arrived(received_at)
        self._pending.add(record_id)

    def discard_before(self, first_kept_id: int) -> None:
        """The history dropped its requests older than ``first_kept_id``."""
        if self._live.discard_before(first_kept_id) and self._session is None:
            self._view.invalidate()

    @Slot()
    def clear(self) -> None:
        """Forget every live arrival (the history was cleared)."""
        self._live.clear()
        self._pending.clear()
        if self._loading is not None:
            self._loading.clear()
        if self._session is None:
            self.clear_range()
            self.show_everything()

    def show_session(self, records: Sequence[CaptureRecord] | None) -> None:
        """Show an imported session's requests (None: the live timeline again)."""
        self._session = None if records is None else Timeline.from_arrivals(map(arrival, records))
        self.clear_range()
        self.show_everything()

    # -- the view --------------------------------------------------------------

    def show_everything(self) -> None:
        """Fit the whole timeline in the strip (following live traffic when live); the
        view then grows as traffic goes on, until the user zooms or pans."""
        self._fitted = True
        span = self.timeline.span()
        if self._session is not None and span is not None:
            self._view.fit(span[0], span[1] + self._view.width)
            self._view.following = False
        else:
            self._view.fit(span[0] if span else None, self._clock())
        self._refresh(force=True)

    def clear_range(self) -> None:
        if self._range is not None:
            self._range = None
            self.range_cleared.emit()
            self.update()

    def _refresh(self, *, force: bool = False) -> None:
        """Slide, recount what changed, repaint when anything did."""
        now = self._clock()
        changed = force
        if self._session is None:
            span = self._live.span()
            if self._fitted and span is not None and span[0] < self._view.start:
                self._view.fit(span[0], now)  # a step up the ladder: everything still shows
            self._view.follow(now)
        if self._view.needs_refresh:
            self._view.refresh(self.timeline)
            changed = True
        if changed:
            self._shown = self._view.buckets()
            self._bars = None
        rate = self._rate(now)
        if changed or rate != self._rate_text:
            self._rate_text = rate
            self.update()

    def _rate(self, now: float) -> str:
        if self._session is not None:
            count = len(self._session)
            return f"{count:,} req"
        return f"{self._live.rate(now):,.0f}/s"

    def _bars_width(self) -> int:
        return self._view.count * BAR_PX

    def _time_at_x(self, x: int) -> float:
        return self._view.time_at(max(0, min(x, self._bars_width())) / self._bars_width())

    def _x_of(self, moment: float) -> int:
        view = self._view
        return round((moment - view.start) / (view.end - view.start) * self._bars_width())

    # -- Qt events -------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        self._refresh(force=True)
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._view.resize(max(1, (self.width() - PANEL_WIDTH) // BAR_PX), self._clock())
        if self._fitted:
            self.show_everything()
        else:
            self._refresh(force=True)
        super().resizeEvent(event)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.base())
        height = self.height()
        if self._bars is None:
            self._bars = self._painter.paint(self._shown, BAR_PX, height, self.devicePixelRatioF())
        painter.drawPixmap(0, 0, self._bars)
        highlight = QColor(palette.highlight().color())
        highlight.setAlpha(70)
        if self._range is not None:
            left, right = (self._x_of(t) for t in self._range)
            painter.fillRect(QRect(left, 0, max(1, right - left), height), highlight)
        if self._press_x is not None and self._drag_x is not None:
            left, right = sorted((self._press_x, self._drag_x))
            painter.fillRect(QRect(left, 0, right - left, height), highlight)
        if self._hover is not None:
            painter.setPen(palette.text().color())
            painter.drawRect(QRect(self._hover * BAR_PX, 0, BAR_PX - 1, height - 1))
        paint_labels(
            painter,
            palette,
            self.rect(),
            self._bars_width(),
            (time_text(self._view.start, self._view.width), self._rate_text, span_text(self._view)),
        )
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and event.position().x() < self._bars_width():
            self._press_x = int(event.position().x())
            self._drag_x = None
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        x = int(event.position().x())
        if self._press_x is not None and (self._drag_x is not None or abs(x - self._press_x) > DRAG_SLOP_PX):
            self._drag_x = max(0, min(x, self._bars_width()))
            self.update()
            return
        hover = x // BAR_PX if 0 <= x < self._bars_width() else None
        if hover != self._hover:
            self._hover = hover
            self.update()
            if hover is None:
                QToolTip.hideText()
            else:
                text = bucket_tooltip(self._shown.at(hover), self._shown.width)
                QToolTip.showText(event.globalPosition().toPoint(), tooltip(text, None), self)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        press, drag = self._press_x, self._drag_x
        self._press_x = self._drag_x = None
        if event.button() != Qt.MouseButton.LeftButton or press is None:
            return
        if drag is None:
            picked = self.timeline.nearest(self._time_at_x(press))
            if picked is not None:
                self.record_picked.emit(picked)
            return
        start, end = sorted((self._time_at_x(press), self._time_at_x(drag)))
        self._range = (start, end)
        self.update()
        self.range_selected.emit(start, end)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.show_everything()

    def leaveEvent(self, event: object) -> None:
        if self._hover is not None:
            self._hover = None
            self.update()

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        pan = event.modifiers() & Qt.KeyboardModifier.ShiftModifier or abs(delta.x()) > abs(delta.y())
        notches = (delta.x() or delta.y()) // 120 if pan else delta.y() // 120
        if not notches:
            return
        now = self._clock()
        self._fitted = False
        if pan:
            self._view.pan(-notches * max(1, self._view.count // 10), now)
        else:
            anchor = self._time_at_x(int(event.position().x()))
            self._view.zoom(-notches, anchor, now)
        self._refresh(force=True)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self._range is not None:
            self.clear_range()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        menu.addAction("Show everything", self.show_everything)
        clear = menu.addAction("Clear time range", self.clear_range)
        clear.setEnabled(self._range is not None)
        menu.addSeparator()
        menu.addAction("Hide timeline", self.hide_requested.emit)
        menu.popup(event.globalPos())

    # -- slots -----------------------------------------------------------------

    @Slot()
    def _on_timer_timeout(self) -> None:
        self._refresh()

    @Slot(object)
    def _on_worker_ready(self, result: object) -> None:
        waiting, self._loading = self._loading or {}, None
        if isinstance(result, Timeline):
            self._live = result
        for record_id, received_at, status, error, pending in waiting.values():
            if record_id in self._live:
                self._live.update(record_id, status, error, pending)
            else:
                self._live.append(record_id, received_at, status, error, pending)
        if self._session is None:
            self.show_everything()
