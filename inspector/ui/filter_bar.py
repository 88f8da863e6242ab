"""The filter bar above the table: free text and terms, method buttons, the
quick filters (errors, 2xx to 5xx, pending), and the row count. When the bar is
narrow (a small screen, the rules beside the table) the buttons fold into two
drop-down buttons.

Typing waits :data:`FILTER_DELAY_MS` after the last key before the proxy
filters (a named single-shot timer), so a fast typist does not filter once per
character over 100,000 rows. The count line ("showing N of M (+K queued)") is
refreshed by :meth:`FilterBar.refresh_counts`, which the window connects to
every change of the rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QMenu, QToolButton, QWidget

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
#: between the bar's parts: as the window's own layout spaces its rows
SPACING = 4
#: the narrowest the filter box is made while the filter buttons are in a row
MIN_EDIT_WIDTH = 220
#: what the empty filter box says, the longest that fits its width
PLACEHOLDERS = (
    "Filter: text, status:404, method:POST, header:x-sig  (Ctrl+F)",
    "Filter: text, status:404, method:POST…",
    "Filter (Ctrl+F)",
)
FILTER_TIP = (
    "Free text matches the method, target, query, headers and body.\n"
    "Terms narrow it down, separated by spaces:\n"
    "  status:404   status:4xx   status:500-599   status:404,500\n"
    "  method:POST   method:get,put\n"
    "  header:x-sig   header:content-type=json\n"
    "  listener:8091   listener:[::1]   listener:127.0.0.1:8090\n"
    "A word the filter does not know as a term is free text."
)


def _method_tooltip(method: MethodFilter) -> str:
    if method is MethodFilter.OTHER:
        return "Methods other than GET, POST, PUT, PATCH and DELETE"
    if method is MethodFilter.ALL:
        return "Show every method"
    return f"Show {method.value.lower()} requests"


class FilterBar(QWidget):
    """Filters ``proxy`` and counts its rows (and what waits in ``feed``).

    Each method and quick filter is a checkable action, shown as a row of buttons
    while the bar is wide enough for them and a filter box of
    :data:`MIN_EDIT_WIDTH`, else as two drop-down buttons ("Method: All",
    "Status: any") holding the same actions: the window never needs more width
    for its filters.
    """

    def __init__(self, proxy: RequestFilterProxyModel, feed: LiveFeed, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._proxy = proxy
        self._feed = feed
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACING)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(PLACEHOLDERS[0])
        self.edit.setToolTip(FILTER_TIP)
        self.edit.installEventFilter(self)
        self.edit.setClearButtonEnabled(True)
        layout.addWidget(self.edit, 1)

        self.method_group = QActionGroup(self)
        self.method_group.setExclusive(True)
        self.method_actions: dict[MethodFilter, QAction] = {}
        for method in MethodFilter:
            action = QAction(method.value, self.method_group)
            action.setCheckable(True)
            action.setToolTip(_method_tooltip(method))
            action.setData(method.name)
            self.method_actions[method] = action
        self.method_actions[MethodFilter.ALL].setChecked(True)
        #: the quick filters (any number at once; none: every request)
        self.quick_actions: dict[Quick, QAction] = {}
        for quick in Quick:
            action = QAction(quick.value, self)
            action.setCheckable(True)
            action.setToolTip(QUICK_TIPS[quick])
            self.quick_actions[quick] = action

        self.method_buttons = self._button_row(layout, self.method_actions)
        layout.addSpacing(6)
        self.quick_buttons = self._button_row(layout, self.quick_actions)
        self.method_menu_button = self._menu_button(layout, list(self.method_actions.values()))
        self.quick_menu_button = self._menu_button(layout, list(self.quick_actions.values()))
        self._rows = [*self.method_buttons.values(), *self.quick_buttons.values()]
        self._compact = False
        self._set_compact(False)

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
        self._update_menu_buttons()

    def _button_row(self, layout: QHBoxLayout, actions: Mapping[Any, QAction]) -> dict[Any, QToolButton]:
        buttons = {}
        for key, action in actions.items():
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            layout.addWidget(button)
            buttons[key] = button
        return buttons

    def _menu_button(self, layout: QHBoxLayout, actions: list[QAction]) -> QToolButton:
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        menu.addActions(actions)
        button = QToolButton(self)
        button.setMenu(menu)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setAutoRaise(True)
        layout.addWidget(button)
        return button

    def _connect_signals(self) -> None:
        self.edit.textChanged.connect(self._on_edit_text_changed)
        self._filter_timer.timeout.connect(self._on_filter_timer_timeout)
        self.method_group.triggered.connect(self._on_method_group_triggered)
        self.find_action.triggered.connect(self._on_find_action_triggered)
        for action in self.quick_actions.values():
            action.toggled.connect(self._on_quick_action_toggled)

    @property
    def compact(self) -> bool:
        """Whether the filters are the two drop-down buttons (the bar is narrow)."""
        return self._compact

    def _set_compact(self, compact: bool) -> None:
        self._compact = compact
        for button in self._rows:
            button.setVisible(not compact)
        self.method_menu_button.setVisible(compact)
        self.quick_menu_button.setVisible(compact)

    def _rows_fit(self, width: int) -> bool:
        spacing = SPACING
        rows = sum(button.sizeHint().width() + spacing for button in self._rows) + 6
        return width - rows - self.count_label.minimumWidth() >= MIN_EDIT_WIDTH

    def _update_menu_buttons(self) -> None:
        method = next(m for m, a in self.method_actions.items() if a.isChecked())
        self.method_menu_button.setText(f"Method: {method.value}")
        chosen = [q.value for q, a in self.quick_actions.items() if a.isChecked()]
        self.quick_menu_button.setText("Status: " + (", ".join(chosen) if chosen else "any"))

    def resizeEvent(self, event: QResizeEvent) -> None:
        compact = not self._rows_fit(event.size().width())
        if compact != self._compact:
            self._set_compact(compact)
        super().resizeEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.edit:
            room = self.edit.width() - 40  # the frame, the margins, the clear button
            metrics = self.edit.fontMetrics()
            fits = next((p for p in PLACEHOLDERS if metrics.horizontalAdvance(p) <= room), PLACEHOLDERS[-1])
            self.edit.setPlaceholderText(fits)
        return super().eventFilter(watched, event)

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

    @Slot(QAction)
    def _on_method_group_triggered(self, action: QAction) -> None:
        self._proxy.set_method_filter(MethodFilter[str(action.data())])
        self._update_menu_buttons()
        self.refresh_counts()

    @Slot(bool)
    def _on_quick_action_toggled(self, _checked: bool) -> None:
        self._proxy.set_quick_filters(q for q, action in self.quick_actions.items() if action.isChecked())
        self._update_menu_buttons()
        self.refresh_counts()

    @Slot()
    def _on_find_action_triggered(self) -> None:
        self.edit.setFocus()
        self.edit.selectAll()
