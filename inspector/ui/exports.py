"""Export from the window: the Export menu and button, and the export threads.

Which rows (:class:`ExportScope`: selected, filtered, everything) is decided
here from the table as shown; the writing runs on an :class:`ExportThread`
(:mod:`inspector.ui.export_dialog`), and its one-line result goes to the
status bar (and the error banner when it failed).
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QStyle, QToolButton, QWidget

from inspector.models.request_filter import RequestFilterProxyModel
from inspector.models.request_table import RequestTableModel
from inspector.store import CaptureStore
from inspector.text import visible
from inspector.ui.export_dialog import ExportItem, ExportScope, ExportThread, ask_export_path
from inspector.ui.request_view import RequestTableView

#: how long an export's result stays in the status bar
RESULT_MS: Final = 15000
NOTHING_MS: Final = 8000
NOTHING = "Nothing to export: no rows in that choice."


class Exports(QObject):
    """Writes the rows of ``table`` (as ``proxy`` shows them) to HAR or JSONL.

    Args:
        store: where history rows are read (the live table's store).
        live: the live table: its history rows are ids read from ``store``; an
            imported session's rows are records.

    Signals:
        message(str, int): a status-bar line and how long to show it (ms).
        error(str): a line for the error banner.
    """

    message = Signal(str, int)
    error = Signal(str)

    def __init__(
        self,
        table: RequestTableView,
        proxy: RequestFilterProxyModel,
        live: RequestTableModel,
        store: CaptureStore | None,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._window = parent
        self._table = table
        self._proxy = proxy
        self._live = live
        self._store = store
        #: export threads still writing
        self.running: list[ExportThread] = []
        self.actions: dict[ExportScope, QAction] = {}
        self.menu = QMenu("&Export", parent)
        for scope in ExportScope:
            action = QAction(scope.label, self)
            action.setData(scope.value)
            self.menu.addAction(action)
            self.actions[scope] = action
        self.actions[ExportScope.ALL].setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.menu.setToolTipsVisible(True)
        self.button = QToolButton(parent)
        self.button.setText("Export")
        self.button.setIcon(parent.style().standardIcon(QStyle.StandardPixmap.SP_DialogSaveButton))
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setMenu(self.menu)
        self.button.setToolTip("Export the selected rows, the filtered rows or everything (HAR, JSONL)")
        self.menu.triggered.connect(self._on_menu_triggered)

    def items(self, scope: ExportScope) -> list[ExportItem]:
        """What ``scope`` covers in the table shown: records (live, imported) or
        history ids (read by the export thread), in arrival order whatever the
        sort: an exported file is a log of what came, oldest first."""
        source = self._proxy.source()
        if scope is ExportScope.ALL:
            rows: list[int] = list(range(source.rowCount()))
        elif scope is ExportScope.FILTERED:
            rows = self._proxy.source_rows()
        else:
            selected = self._table.selectionModel().selectedRows()
            rows = [self._proxy.mapToSource(index).row() for index in selected]
        rows.sort(key=source.arrival_key)
        return [source.row_id(row) if source.is_history_row(row) else source.record(row) for row in rows]

    def export_to(self, scope: ExportScope, path: str) -> ExportThread | None:
        """Write the rows of ``scope`` to ``path`` (.har or .jsonl) off the GUI thread;
        the result appears in the status bar. Returns the running thread."""
        items = self.items(scope)
        if not items:
            self.message.emit(NOTHING, NOTHING_MS)
            return None
        store = self._store if self._proxy.source() is self._live else None
        thread = ExportThread(path, items, store, self)
        thread.done.connect(self._on_thread_done)
        thread.finished.connect(self._on_thread_finished)
        self.running.append(thread)
        self.message.emit(visible(f"Exporting {len(items):,} requests to {path}…", 500), 0)
        thread.start()
        return thread

    def wait(self) -> None:
        """Let every export finish writing (the window is closing)."""
        for thread in list(self.running):
            thread.wait()

    @Slot(QAction)
    def _on_menu_triggered(self, action: QAction) -> None:
        scope = ExportScope(action.data())
        count = len(self.items(scope))
        if not count:
            self.message.emit(NOTHING, NOTHING_MS)
            return
        path = ask_export_path(self._window, scope, count)
        if path:
            self.export_to(scope, path)

    @Slot(bool, str)
    def _on_thread_done(self, ok: bool, message: str) -> None:
        self.message.emit(visible(message, 500), RESULT_MS)
        if not ok:
            self.error.emit(message)

    @Slot()
    def _on_thread_finished(self) -> None:
        thread = self.sender()
        if isinstance(thread, ExportThread) and thread in self.running:
            self.running.remove(thread)
            thread.wait()
            thread.deleteLater()
