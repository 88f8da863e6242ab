"""The timeline strip joined to the table: what it shows, and what it does to the rows.

- Live batches (the live feed's), pending requests, pruning and clearing of
  the history reach the strip only while it is on: with the timeline off the
  capture path pays nothing for it. Turning it on builds it from one store
  query off the GUI thread, plus the live rows not stored yet.
- A click on the strip selects the nearest request's row; a drag filters the
  table to the time range (:class:`~inspector.models.request_filter.TimeRange`).
- An imported session shows its own timeline while it is in the table.
- On or off is remembered (``view/timeline``; on by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from PySide6.QtCore import QItemSelectionModel, QObject, QSettings, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView

from inspector.http.record import CaptureRecord
from inspector.models.request_filter import RequestFilterProxyModel, TimeRange
from inspector.models.request_table import RequestTableModel
from inspector.store import CaptureStore
from inspector.ui.request_view import RequestTableView
from inspector.ui.timeline_strip import TimelineStrip

#: the setting that says whether the timeline is shown
SETTING: Final = "view/timeline"


class TimelineLink(QObject):
    """Feeds ``strip`` and applies what is done on it to ``table`` and ``proxy``.

    Args:
        live: the live table (history and live rows), whatever ``proxy`` shows.
        store: where the history's arrivals are read from (None: no history).

    Signals:
        message(str, int): a status-bar line and how long to show it (ms).
    """

    message = Signal(str, int)

    def __init__(
        self,
        strip: TimelineStrip,
        *,
        table: RequestTableView,
        proxy: RequestFilterProxyModel,
        live: RequestTableModel,
        store: CaptureStore | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.strip = strip
        self._table = table
        self._proxy = proxy
        self._live = live
        self._store = store
        self._session_shown = False
        self._on = False
        self.toggle_action = QAction("&Timeline", self)
        self.toggle_action.setCheckable(True)
        self.toggle_action.setToolTip(
            "Show requests over time above the table: click a bar for its nearest request, "
            "drag to filter by time"
        )
        self.toggle_action.toggled.connect(self._on_toggle_action_toggled)
        strip.hide_requested.connect(self._on_strip_hide_requested)
        strip.hide()

    @property
    def on(self) -> bool:
        return self._on

    def set_on(self, on: bool) -> None:
        """Show and feed the strip, or hide it and stop feeding it."""
        self.toggle_action.setChecked(on)  # toggled() does the work

    def restore(self, settings: QSettings) -> None:
        value = settings.value(SETTING, True)
        self.set_on(value if isinstance(value, bool) else str(value).strip().lower() not in ("false", "0"))

    def save(self, settings: QSettings) -> None:
        settings.setValue(SETTING, self._on)

    def _switch(self, on: bool) -> None:
        if on == self._on:
            return
        self._on = on
        strip = self.strip
        if not on:
            strip.clear_range()
            strip.hide()
            strip.clear()
            return
        store = self._store
        strip.load_history(store.arrivals if store is not None else list)
        strip.add_records(self._live.records())  # not stored yet: merged when the history is read
        if self._session_shown:
            strip.show_session(self._proxy.source().records())
        strip.show()

    # -- what reaches the strip ------------------------------------------------

    @Slot(object)
    def add_records(self, records: Sequence[CaptureRecord]) -> None:
        """A batch of the live feed."""
        if self._on:
            self.strip.add_records(records)

    @Slot(object)
    def add_pending(self, record: CaptureRecord) -> None:
        if self._on:
            self.strip.add_pending(record)

    @Slot(int)
    def history_pruned(self, count: int) -> None:
        """The history's caps dropped its oldest requests: so does the timeline."""
        store = self._store
        if not self._on or store is None or not count:
            return
        try:
            oldest = store.ids(0, 1)
        except Exception:  # the store failed: the history controller reports it
            return
        if oldest:
            self.strip.discard_before(oldest[0])

    @Slot()
    def history_cleared(self) -> None:
        if self._on:
            self.strip.clear()

    @Slot(bool)
    def session_shown(self, shown: bool) -> None:
        """An imported session replaced the live rows in the table (or went)."""
        self._session_shown = shown
        if self._on:
            self.strip.show_session(self._proxy.source().records() if shown else None)

    # -- what the strip does to the table --------------------------------------

    @Slot(float, float)
    def select_range(self, start: float, end: float) -> None:
        ids = frozenset(self.strip.timeline.ids_between(start, end))
        self._proxy.set_time_range(TimeRange(start, end, ids))
        self.message.emit(
            f"Showing the {len(ids):,} requests of the chosen time range (Esc on the timeline shows all)",
            5000,
        )

    @Slot()
    def clear_range(self) -> None:
        self._proxy.set_time_range(None)

    @Slot(int)
    def pick(self, record_id: int) -> None:
        """Select the row of ``record_id`` (the request nearest to a click)."""
        model = self._proxy.source()
        row = model.row_of_id(record_id)
        index = self._proxy.mapFromSource(model.index(row, 0)) if row is not None else None
        if index is None or not index.isValid():
            self.message.emit(f"Request #{record_id} is not shown: the filter hides it", 5000)
            return
        table = self._table
        table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
        )
        table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    # -- slots -----------------------------------------------------------------

    @Slot(bool)
    def _on_toggle_action_toggled(self, checked: bool) -> None:
        self._switch(checked)

    @Slot()
    def _on_strip_hide_requested(self) -> None:
        self.set_on(False)
