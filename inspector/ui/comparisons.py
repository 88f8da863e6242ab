"""Comparing requests from the table: the actions, the compare windows, and rules from differences.

- "Compare" (two rows selected) opens a compare window on them, the older
  request on the left.
- "Compare with…" (one row) picks the other request in a dialog: from the
  live table, an imported session shown in the table, or a HAR file.
- A compare window's "Make rule condition" puts the condition into the rules
  editor as an unsaved change (:func:`inspector.ui.difference_rule.add_to_rules`)
  and says in that window what the rule now does with both requests.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QItemSelection, QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from inspector.http.record import CaptureRecord
from inspector.models.request_filter import RequestFilterProxyModel
from inspector.models.request_table import RequestTableModel
from inspector.responses import MatchResult
from inspector.text import visible
from inspector.ui.compare_picker import ComparePicker
from inspector.ui.compare_view import CompareView, RuleRequest
from inspector.ui.difference_rule import add_to_rules
from inspector.ui.request_view import RequestTableView
from inspector.ui.rules_window import RulesWindow
from inspector.ui.session import Sessions

#: a compare window's size when the screen has room for it
WINDOW_SIZE: Final = (980, 680)


class CompareWindow(QWidget):
    """A top-level window holding one :class:`CompareView`.

    Signals:
        closed(): the window was closed (it deletes itself).
    """

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.view = CompareView(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.view)
        width, height = WINDOW_SIZE
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        if screen is not None:
            room = screen.availableGeometry()
            width, height = min(width, room.width() - 40), min(height, room.height() - 60)
        self.resize(width, height)
        self.view.compared.connect(self._on_view_compared)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.view.wait()
        self.closed.emit()
        super().closeEvent(event)

    @Slot()
    def _on_view_compared(self) -> None:
        records = self.view.records
        if records is not None:
            self.setWindowTitle(f"Compare #{records[0].id} and #{records[1].id}")


def verdict_text(
    placed_row: int, name: str, left: tuple[int, MatchResult], right: tuple[int, MatchResult]
) -> str:
    """What a rule now does with the two requests, in one line."""
    parts = []
    for side, (record_id, result) in (("left", left), ("right", right)):
        if result.matched:
            parts.append(f"matches #{record_id} ({side})")
        else:
            parts.append(f"does not match #{record_id} ({side}: {result.message})")
    return f"Rule {placed_row + 1} “{name}” (unsaved) {'; '.join(parts)}. Save it in the Rules panel."


class Comparisons(QObject):
    """The compare actions of ``table`` and the windows they open.

    Args:
        table: the request table (its selection decides what is compared).
        proxy: the table's filter, on the live table or an imported session.
        live: the live table (history and live rows).
        sessions: imported sessions (whether one is shown).
        rules: the rules window that receives conditions.

    Signals:
        message(str, int): a status-bar line and how long to show it (ms).
    """

    message = Signal(str, int)

    def __init__(
        self,
        table: RequestTableView,
        *,
        proxy: RequestFilterProxyModel,
        live: RequestTableModel,
        sessions: Sessions,
        rules: RulesWindow,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._window = parent
        self._table = table
        self._proxy = proxy
        self._live = live
        self._sessions = sessions
        self._rules = rules
        self.windows: list[CompareWindow] = []
        self.compare_action = QAction("Co&mpare", self)
        self.compare_action.setShortcut(QKeySequence("Ctrl+D"))
        self.compare_action.setToolTip("Compare the two selected requests (Ctrl+D)")
        self.compare_with_action = QAction("Compare &with…", self)
        self.compare_with_action.setToolTip("Compare this request with another, or with one of a HAR file")
        self.compare_action.triggered.connect(self._on_compare_action_triggered)
        self.compare_with_action.triggered.connect(self._on_compare_with_action_triggered)
        table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self._update_actions()

    def selected_records(self) -> list[CaptureRecord]:
        """The records of the selected rows, oldest first (rows no longer stored left out)."""
        records = [self._table.record_at(index) for index in self._table.selectionModel().selectedRows()]
        return sorted((r for r in records if r is not None), key=lambda r: (r.received_at, r.id))

    def sources(self) -> list[tuple[str, RequestTableModel]]:
        """What "Compare with…" offers; the one not shown in the table last (chosen first)."""
        live = ("Live capture and history", self._live)
        if self._sessions.in_session():
            return [("Imported session (in the table)", self._proxy.source()), live]
        return [live]

    def open(self, left: CaptureRecord, right: CaptureRecord) -> CompareWindow:
        """A new compare window on ``left`` and ``right``."""
        window = CompareWindow(self._window)
        view = window.view
        view.rule_requested.connect(lambda request: self.make_rule(view, request))
        window.closed.connect(lambda: self._forget(window))
        self.windows.append(window)
        window.view.compare(left, right)
        window.show()
        return window

    def pick_and_open(self, record: CaptureRecord) -> CompareWindow | None:
        """Ask which request to compare ``record`` with, then compare them."""
        picker = ComparePicker(record, self.sources(), self._window)
        try:
            if picker.exec() != QDialog.DialogCode.Accepted:
                return None
            other = picker.chosen()
        finally:
            picker.deleteLater()
        return self.open(record, other) if other is not None else None

    def close_all(self) -> None:
        for window in list(self.windows):
            window.close()

    def make_rule(self, view: CompareView, request: RuleRequest) -> None:
        """Put ``request``'s condition into the rules; say in ``view`` what it does."""
        try:
            placed = add_to_rules(self._rules, request)
        except ValueError as exc:
            view.show_message(f"No rule condition added: {exc}", error=True)
            return
        text = verdict_text(
            placed.row,
            visible(placed.rule.name, 80),
            (request.left.id, placed.left),
            (request.right.id, placed.right),
        )
        exactly_one = placed.left.matched != placed.right.matched
        view.show_message(text, error=not exactly_one)
        self.message.emit(f"Rule condition added: {visible(request.separation.reason, 200)}", 5000)

    def _update_actions(self) -> None:
        count = len(self._table.selectionModel().selectedRows())
        self.compare_action.setEnabled(count == 2)
        self.compare_with_action.setEnabled(count >= 1)

    # -- slots -------------------------------------------------------------------

    @Slot(QItemSelection, QItemSelection)
    def _on_table_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_actions()

    @Slot()
    def _on_compare_action_triggered(self) -> None:
        records = self.selected_records()
        if len(records) == 2:
            self.open(*records)
        else:
            self.message.emit("Select two requests to compare them", 5000)

    @Slot()
    def _on_compare_with_action_triggered(self) -> None:
        record = self._table.record_at(self._table.currentIndex())
        if record is None:
            chosen = self.selected_records()
            record = chosen[0] if chosen else None
        if record is not None:
            self.pick_and_open(record)

    def _forget(self, window: CompareWindow) -> None:
        self.windows = [w for w in self.windows if w is not window]
