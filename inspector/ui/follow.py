""""Follow newest": keep the newest live row in view while rows arrive, and say
when that is paused.

Following pauses while the user has a row selected or has scrolled the newest
row out of view, and while an imported session is shown instead of the live
table. While "Follow newest" is on but paused, a small button over the table
says so and counts the rows that arrived meanwhile (those the filter shows);
one click clears the selection and jumps to the newest row, as checking the
action again does.

New rows land where the sort puts them (:meth:`RequestTableModel.append_records`):
at the bottom, at the top for # or Time descending, anywhere for other sorts.
So "the newest row" is tracked as a row, not as an edge: each batch's newest
row that the filter shows is kept as a persistent index, following means it was
in view before the batch, and jumping scrolls to it.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Slot,
)
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QStyle, QToolButton

from inspector.models.columns import ARRIVAL_ORDERED
from inspector.models.request_filter import RequestFilterProxyModel
from inspector.models.request_table import RequestTableModel
from inspector.ui.request_view import RequestTableView

#: the button's distance from the table's edges
PILL_MARGIN = 10


class Follower(QObject):
    """Scrolls ``table`` to the newest row of ``model`` (the live table) as rows arrive.

    Attributes:
        action: "Follow newest" (checkable, in the toolbar).
        pill: the "N new requests" button shown while following is paused.
    """

    def __init__(
        self,
        table: RequestTableView,
        proxy: RequestFilterProxyModel,
        model: RequestTableModel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._table = table
        self._proxy = proxy
        self._model = model
        self._follow_batch = False
        self._shown_before = 0
        self._batch_newest = (-1, QPersistentModelIndex())
        #: the newest row the filter showed after the last batch (a source index)
        self._newest = QPersistentModelIndex()
        #: rows that arrived while paused
        self.new_count = 0
        self.action = QAction("Follow newest", self)
        self.action.setIconText("Follow")  # the toolbar's word: it fits a small screen
        self.action.setCheckable(True)
        self.action.setChecked(True)
        self.action.setIcon(table.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown))
        self.action.setToolTip(
            "Scroll to each new request as it arrives.\n"
            "Pauses while you scroll away or select a row (Esc deselects)."
        )
        self.pill = QToolButton(table)
        self.pill.setObjectName("follow_pill")
        self.pill.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.pill.setAutoRaise(False)
        self.pill.setCursor(Qt.CursorShape.PointingHandCursor)
        self.pill.hide()
        self._connect_signals()

    def _connect_signals(self) -> None:
        table, model = self._table, self._model
        self.action.toggled.connect(self._on_action_toggled)
        self.pill.clicked.connect(self.jump)
        model.appending.connect(self._on_model_appending)
        model.rowsInserted.connect(self._on_model_rows_inserted)
        model.appended.connect(self._on_model_appended)
        model.modelReset.connect(self._on_model_reset)
        table.verticalScrollBar().valueChanged.connect(self._on_view_changed)
        self._proxy.layoutChanged.connect(self._on_view_changed)
        table.selectionModel().selectionChanged.connect(self._on_view_changed)  # the table has its model
        self._viewport = table.viewport()
        self._viewport.installEventFilter(self)  # its geometry is final when it gets its resize

    # -- where the newest row is ----------------------------------------------

    def _arrival_sorted(self) -> bool:
        return self._table.horizontalHeader().sortIndicatorSection() in ARRIVAL_ORDERED

    def _newest_at_top(self) -> bool:
        header = self._table.horizontalHeader()
        return self._arrival_sorted() and header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder

    def _newest_index(self) -> QModelIndex:
        """The newest row the filter shows, as a proxy index (invalid: none known)."""
        if self._newest.isValid():
            index = self._proxy.mapFromSource(self._model.index(self._newest.row(), 0))
            if index.isValid():
                return index
        row = self._model.newest_row()
        if row is None:
            return QModelIndex()
        return self._proxy.mapFromSource(self._model.index(row, 0))

    def _at_newest(self) -> bool:
        """Whether the newest row is in view (or, when the filter hides it, the
        view is at the edge where arrivals land)."""
        index = self._newest_index()
        table = self._table
        if index.isValid():
            rect = table.visualRect(index)
            return rect.bottom() >= 0 and rect.top() < table.viewport().height()
        bar = table.verticalScrollBar()
        if self._newest_at_top():
            return bar.value() <= bar.minimum() + 1
        return bar.value() >= bar.maximum() - 1

    def _live(self) -> bool:
        return self._proxy.source() is self._model  # not an imported session

    def paused_reason(self) -> str:
        """Why following is paused ("" while following, or when it is off)."""
        if not self.action.isChecked() or not self._live() or not self._proxy.rowCount():
            return ""
        if self._table.selectionModel().hasSelection():
            return "a row is selected"
        if not self._at_newest():
            return "the newest request is scrolled out of view"
        return ""

    # -- doing it ---------------------------------------------------------------

    @Slot()
    def scroll_to_newest(self) -> None:
        index = self._newest_index()
        table = self._table
        last = self._proxy.rowCount() - 1
        if index.isValid() and 0 < index.row() < last:
            table.updateGeometries()  # the scroll range still lacks the rows just inserted
            table.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        elif index.row() == 0 if index.isValid() else self._newest_at_top():
            table.scrollToTop()
        else:
            table.scrollToBottom()

    @Slot()
    def jump(self) -> None:
        """Clear the selection and show the newest row (the button, or the action)."""
        self._table.clearSelection()
        self.scroll_to_newest()
        self.new_count = 0
        self._update_pill()

    @Slot(bool)
    def session_shown(self, shown: bool) -> None:
        """Back to the live table from an imported session: show its newest rows."""
        if not shown:
            self.scroll_to_newest()
        self._update_pill()

    def _update_pill(self) -> None:
        reason = self.paused_reason()
        pill = self.pill
        if not reason:
            self.new_count = 0
            pill.hide()
            return
        arrow = "↑" if self._newest_at_top() else "↓"
        count = self.new_count
        if count:
            pill.setText(f"{arrow} {count:,} new request{'s' if count != 1 else ''}")
        else:
            pill.setText(f"{arrow} Following paused")
        pill.setToolTip(
            f"Follow newest is paused: {reason}.\n"
            "Click to clear the selection and jump to the newest request."
        )
        pill.adjustSize()
        viewport = self._table.viewport().geometry()
        x = viewport.right() - pill.width() - PILL_MARGIN
        y = viewport.top() + PILL_MARGIN if arrow == "↑" else viewport.bottom() - pill.height() - PILL_MARGIN
        pill.move(max(viewport.left(), x), max(viewport.top(), y))
        pill.show()
        pill.raise_()

    # -- slots ------------------------------------------------------------------

    @Slot(bool)
    def _on_action_toggled(self, checked: bool) -> None:
        if checked:
            self.jump()
        else:
            self._update_pill()

    @Slot()
    def _on_model_appending(self) -> None:
        # decided before the rows land: was the newest row in view?
        self._follow_batch = self._live() and not self.paused_reason() and self.action.isChecked()
        self._shown_before = self._proxy.rowCount()
        self._batch_newest = (-1, QPersistentModelIndex())

    @Slot(QModelIndex, int, int)
    def _on_model_rows_inserted(
        self, _parent: QModelIndex | QPersistentModelIndex, first: int, last: int
    ) -> None:
        # the proxy has taken these rows in already (it connected first)
        model, proxy = self._model, self._proxy
        if not self._live():  # an imported session is shown: the live rows are not in the proxy
            return
        best_id, best = self._batch_newest
        rows = range(first, last + 1)
        if proxy.keeps_everything():  # no filter: the newest of these rows, no mapping
            row = max(rows, key=model.row_id)
            if model.row_id(row) > best_id:
                self._batch_newest = (model.row_id(row), QPersistentModelIndex(model.index(row, 0)))
            return
        for row in rows:
            record_id = model.row_id(row)
            if record_id > best_id and proxy.mapFromSource(model.index(row, 0)).isValid():
                best_id, best = record_id, QPersistentModelIndex(model.index(row, 0))
        self._batch_newest = (best_id, best)

    @Slot()
    def _on_model_appended(self) -> None:
        _best_id, best = self._batch_newest
        self._batch_newest = (-1, QPersistentModelIndex())
        if best.isValid():
            self._newest = best
        if self._follow_batch:
            self._follow_batch = False
            self.scroll_to_newest()
        elif self.action.isChecked() and self._live():
            self.new_count += max(0, self._proxy.rowCount() - self._shown_before)
        self._update_pill()

    @Slot()
    def _on_model_reset(self) -> None:
        self._newest = QPersistentModelIndex()
        self.new_count = 0
        self._update_pill()

    @Slot()
    def _on_view_changed(self) -> None:
        self._update_pill()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # (compared with the viewport kept at the start: the table may be gone by now)
        if event.type() == QEvent.Type.Resize and watched is self._viewport and self.pill.isVisible():
            self._update_pill()
        return super().eventFilter(watched, event)
