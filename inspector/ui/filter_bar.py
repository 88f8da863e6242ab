"""The filter bar above the table: free text, method buttons, and the row count.

Typing waits :data:`FILTER_DELAY_MS` after the last key before the proxy
filters (a named single-shot timer), so a fast typist does not filter once per
character over 100,000 rows. The count line ("showing N of M (+K queued)") is
refreshed by :meth:`FilterBar.refresh_counts`, which the window connects to
every change of the rows.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from inspector.models.request_filter import MethodFilter, RequestFilterProxyModel
from inspector.ui.live_feed import LiveFeed

#: how long typing in the filter box waits before filtering
FILTER_DELAY_MS: Final = 150


def _method_tooltip(method: MethodFilter) -> str:
    if method is MethodFilter.OTHER:
        return "Methods other than GET, POST, PUT, PATCH and DELETE"
    if method is MethodFilter.ALL:
        return "Show every method"
    return f"Show {method.value.lower()} requests"


class FilterBar(QWidget):
    """Filters ``proxy`` and counts its rows (and what waits in ``feed``)."""

    def __init__(self, proxy: RequestFilterProxyModel, feed: LiveFeed, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._proxy = proxy
        self._feed = feed
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)  # as the window's own layout spaces its rows
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText("Filter: method, path, query, headers, body  (Ctrl+F)")
        self.edit.setClearButtonEnabled(True)
        layout.addWidget(self.edit, 1)
        self.method_group = QButtonGroup(self)
        self.method_group.setExclusive(True)
        self.method_buttons: dict[MethodFilter, QToolButton] = {}
        for number, method in enumerate(MethodFilter):
            button = QToolButton(self)
            button.setText(method.value)
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setToolTip(_method_tooltip(method))
            self.method_group.addButton(button, number)
            self.method_buttons[method] = button
            layout.addWidget(button)
        self.method_buttons[MethodFilter.ALL].setChecked(True)
        self.count_label = QLabel(self)
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("showing 000000 of 000000"))
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.count_label)
        #: Ctrl+F: put the cursor in the filter box (the window adds it to itself)
        self.find_action = QAction("Find", self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self._filter_timer.timeout.connect(self._on_filter_timer_timeout)
        self.method_group.idClicked.connect(self._on_method_group_id_clicked)
        self.find_action.triggered.connect(self._on_find_action_triggered)

    @Slot()
    def refresh_counts(self) -> None:
        shown, total = self._proxy.rowCount(), self._proxy.source().rowCount()
        pending = self._feed.pending
        queued = f" (+{pending} queued)" if pending else ""
        self.count_label.setText(f"showing {shown} of {total}{queued}")

    @Slot(str)
    def _on_edit_text_changed(self, _text: str) -> None:
        self._filter_timer.start()

    @Slot()
    def _on_filter_timer_timeout(self) -> None:
        self._proxy.set_filter_text(self.edit.text())
        self.refresh_counts()

    @Slot(int)
    def _on_method_group_id_clicked(self, number: int) -> None:
        self._proxy.set_method_filter(list(MethodFilter)[number])
        self.refresh_counts()

    @Slot()
    def _on_find_action_triggered(self) -> None:
        self.edit.setFocus()
        self.edit.selectAll()
