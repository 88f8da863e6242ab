""""Follow newest": keep the newest live rows in view while they arrive.

Following pauses while the user has scrolled away from the newest edge or has
a row selected, and while an imported session is shown instead of the live
table; checking the action again clears the selection and jumps to the newest
rows. Where the newest rows are depends on the sort: at the bottom, or at the
top while sorted by # or Time descending (the table model puts arrivals there).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QStyle

from inspector.models.columns import ARRIVAL_ORDERED
from inspector.models.request_filter import RequestFilterProxyModel
from inspector.models.request_table import RequestTableModel
from inspector.ui.request_view import RequestTableView


class Follower(QObject):
    """Scrolls ``table`` to the newest rows of ``model`` (the live table) as they arrive."""

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
        self.action = QAction("Follow newest", self)
        self.action.setCheckable(True)
        self.action.setChecked(True)
        self.action.setIcon(table.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown))
        self.action.setToolTip(
            "Scroll to each new request as it arrives.\n"
            "Pauses while you scroll away or select a row (Esc deselects)."
        )
        self.action.toggled.connect(self._on_action_toggled)
        model.rowsAboutToBeInserted.connect(self._on_model_rows_about_to_be_inserted)
        model.rowsInserted.connect(self._on_model_rows_inserted)

    def _newest_at_bottom(self) -> bool:
        header = self._table.horizontalHeader()
        if header.sortIndicatorSection() in ARRIVAL_ORDERED:
            return header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
        return True

    def _at_newest_edge(self) -> bool:
        bar = self._table.verticalScrollBar()
        if self._newest_at_bottom():
            return bar.value() >= bar.maximum() - 1
        return bar.value() <= bar.minimum() + 1

    def _should_follow(self) -> bool:
        if self._proxy.source() is not self._model:  # an imported session is shown
            return False
        return self.action.isChecked() and not self._table.selectionModel().hasSelection()

    @Slot()
    def scroll_to_newest(self) -> None:
        table = self._table
        if table.horizontalHeader().sortIndicatorSection() in ARRIVAL_ORDERED:
            if self._newest_at_bottom():
                table.scrollToBottom()
            else:
                table.scrollToTop()
            return
        rows = self._model.rowCount()
        if rows:
            index = self._proxy.mapFromSource(self._model.index(rows - 1, 0))
            if index.isValid():
                table.scrollTo(index)

    @Slot(bool)
    def session_shown(self, shown: bool) -> None:
        """Back to the live table from an imported session: show its newest rows."""
        if not shown:
            self.scroll_to_newest()

    @Slot(bool)
    def _on_action_toggled(self, checked: bool) -> None:
        if checked:
            self._table.clearSelection()
            self.scroll_to_newest()

    @Slot(QModelIndex, int, int)
    def _on_model_rows_about_to_be_inserted(
        self, _parent: QModelIndex | QPersistentModelIndex, _first: int, _last: int
    ) -> None:
        # decided before the rows land: were we at the newest edge?
        self._follow_batch = self._should_follow() and self._at_newest_edge()

    @Slot(QModelIndex, int, int)
    def _on_model_rows_inserted(
        self, _parent: QModelIndex | QPersistentModelIndex, _first: int, _last: int
    ) -> None:
        if self._follow_batch:
            self._follow_batch = False
            self.scroll_to_newest()
