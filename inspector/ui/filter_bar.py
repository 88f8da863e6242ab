"""The filter bar above the table: free text and terms, method buttons, the
quick filters (errors, 2xx to 5xx, pending), and the row count.

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

from inspector.filter_query import Quick
from inspector.models.request_filter import MethodFilter, RequestFilterProxyModel
from inspector.ui.live_feed import LiveFeed

#: how long typing in the filter box waits before filtering
FILTER_DELAY_MS: Final = 150


QUICK_TIPS = {
    Quick.ERRORS: "Requests that were rejected or whose answer failed",
    Quick.S2XX: "Answered 200-299",
    Quick.S3XX: "Answered 300-399",
    Quick.S4XX: "Answered 400-499",
    Quick.S5XX: "Answered 500-599",
    Quick.PENDING: "Requests not answered yet",
}
FILTER_TIP = (
    "Free text matches the method, target, query, headers and body.\n"
    "Terms narrow it down, separated by spaces:\n"
    "  status:404   status:4xx   status:500-599   status:404,500\n"
    "  method:POST   method:get,put\n"
    "  header:x-sig   header:content-type=json\n"
    "A word the filter does not know as a term is free text."
)


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
        self.edit.setPlaceholderText("Filter: text, status:404, method:POST, header:x-sig  (Ctrl+F)")
        self.edit.setToolTip(FILTER_TIP)
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
        layout.addSpacing(6)
        #: the quick filters (any number at once; none: every request)
        self.quick_buttons: dict[Quick, QToolButton] = {}
        for quick in Quick:
            button = QToolButton(self)
            button.setText(quick.value)
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setToolTip(QUICK_TIPS[quick])
            self.quick_buttons[quick] = button
            layout.addWidget(button)
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
        for button in self.quick_buttons.values():
            button.toggled.connect(self._on_quick_button_toggled)

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

    @Slot(bool)
    def _on_quick_button_toggled(self, _checked: bool) -> None:
        self._proxy.set_quick_filters(q for q, button in self.quick_buttons.items() if button.isChecked())
        self.refresh_counts()

    @Slot()
    def _on_find_action_triggered(self) -> None:
        self.edit.setFocus()
        self.edit.selectAll()
