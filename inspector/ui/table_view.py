"""A QTableView that copies: Ctrl+C copies the selection, the context menu
offers "Copy" and "Copy all", both as tab-separated text.

Cells are copied from the model's copy role (the whole value, escaped so a
tab or newline inside a value cannot break the rows), falling back to the
display text.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, Slot
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QMenu, QTableView, QWidget

#: the role models here use for copy text (Role.COPY / PairsRole.COPY)
COPY_ROLE = Qt.ItemDataRole.UserRole + 3


def cell_text(index: QModelIndex) -> str:
    value = index.data(COPY_ROLE)
    if value is None:
        value = index.data(Qt.ItemDataRole.DisplayRole)
    return "" if value is None else str(value)


class CopyableTableView(QTableView):
    """A read-only table view with copy support."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.horizontalHeader().setStretchLastSection(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.copy_action = QAction("&Copy", self)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.addAction(self.copy_action)
        self.copy_all_action = QAction("Copy &all", self)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.copy_action.triggered.connect(self._on_copy_action_triggered)
        self.copy_all_action.triggered.connect(self._on_copy_all_action_triggered)
        self.customContextMenuRequested.connect(self._on_self_context_menu_requested)

    # -- text ---------------------------------------------------------------

    def _header_line(self) -> list[str]:
        model = self.model()
        columns = self._visible_columns()
        return [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in columns]

    def _visible_columns(self) -> list[int]:
        model = self.model()
        header = self.horizontalHeader()
        columns = [c for c in range(model.columnCount()) if not self.isColumnHidden(c)]
        return sorted(columns, key=header.visualIndex)

    def selection_text(self) -> str:
        """The selected cells shown as TSV: one line per row, in view order (a selected
        row's hidden columns are left out, as they are from :meth:`all_text`)."""
        model = self.model()
        if model is None:
            return ""
        indexes = self.selectionModel().selectedIndexes() if self.selectionModel() else []
        indexes = [i for i in indexes if not self.isColumnHidden(i.column())]
        if not indexes:
            return ""
        header = self.horizontalHeader()
        rows = sorted({i.row() for i in indexes})
        columns = sorted({i.column() for i in indexes}, key=header.visualIndex)
        selected = {(i.row(), i.column()) for i in indexes}
        lines = []
        for row in rows:
            cells = [cell_text(model.index(row, c)) if (row, c) in selected else "" for c in columns]
            lines.append("\t".join(cells))
        return "\n".join(lines)

    def all_text(self) -> str:
        """Every row (with a header line) as TSV."""
        model = self.model()
        if model is None:
            return ""
        columns = self._visible_columns()
        lines = ["\t".join(self._header_line())]
        for row in range(model.rowCount()):
            lines.append("\t".join(cell_text(model.index(row, c)) for c in columns))
        return "\n".join(lines)

    # -- menu ----------------------------------------------------------------

    def build_context_menu(self, menu: QMenu, index: QModelIndex) -> None:
        """Subclasses add row actions here; the copy actions are added after."""

    @Slot(QPoint)
    def _on_self_context_menu_requested(self, pos: QPoint) -> None:
        menu = QMenu(self)
        self.build_context_menu(menu, self.indexAt(pos))
        if not menu.isEmpty():
            menu.addSeparator()
        menu.addAction(self.copy_action)
        menu.addAction(self.copy_all_action)
        self.copy_action.setEnabled(
            self.selectionModel() is not None and self.selectionModel().hasSelection()
        )
        menu.popup(self.viewport().mapToGlobal(pos))

    @Slot()
    def _on_copy_action_triggered(self) -> None:
        text = self.selection_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    @Slot()
    def _on_copy_all_action_triggered(self) -> None:
        QGuiApplication.clipboard().setText(self.all_text())
