"""The request table view: copy support, per-request actions in its context
menu (Replay…, Copy URL, Copy as cURL, Copy raw request), and the record of the
selected row (:attr:`RequestTableView.record_selected`) for the detail pane and
the rules preview. Esc deselects.

Copy as cURL uses :func:`inspector.store.to_curl`, the byte-exact builder the
store's tests check against a real server.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QItemSelection,
    QMimeData,
    QModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QWidget

from inspector.formats import to_curl
from inspector.http.record import CaptureRecord
from inspector.models.columns import Column, Role
from inspector.ui.table_view import CopyableTableView

DEFAULT_WIDTHS: dict[Column, int] = {
    Column.ID: 56,
    Column.TIME: 100,
    Column.CLIENT: 130,
    Column.METHOD: 70,
    Column.PATH: 250,
    Column.QUERY: 220,
    Column.HEADERS: 70,
    Column.BODY_SIZE: 80,
    Column.STATUS: 210,
    Column.DURATION: 80,
}


def raw_mime(record: CaptureRecord) -> QMimeData:
    """The raw request: exact bytes as application/octet-stream, readable text as text."""
    mime = QMimeData()
    mime.setText(record.raw.decode("utf-8", "backslashreplace"))
    mime.setData("application/octet-stream", QByteArray(record.raw))
    return mime


def clipboard_text(text: str) -> str:
    """Text a clipboard accepts: lone surrogates become ``\\udcNN`` escapes."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


class RequestTableView(CopyableTableView):
    """Sortable, resizable, movable columns; one row per request.

    Signals:
        replay_requested(object): "Replay…" was chosen for a :class:`CaptureRecord`.
        create_rule_requested(object): "Create rule from this request…" was chosen.
        record_selected(object): the record of the selected row changed (the
            current row when selected, else the first selected; None: none).
    """

    replay_requested = Signal(object)
    create_rule_requested = Signal(object)
    record_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSortingEnabled(True)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        self._menu_record: CaptureRecord | None = None
        self._selected: CaptureRecord | None = None
        self.deselect_action = QAction("Deselect", self)
        self.deselect_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.deselect_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.addAction(self.deselect_action)
        self.deselect_action.triggered.connect(self.clearSelection)
        self.replay_action = QAction("Re&play…", self)
        self.replay_action.setToolTip("Edit this request and send it again")
        self.create_rule_action = QAction("Create &rule from this request…", self)
        self.create_rule_action.setToolTip("Add a response rule matching this method and path")
        self.copy_url_action = QAction("Copy &URL", self)
        self.copy_curl_action = QAction("Copy as c&URL", self)
        self.copy_raw_action = QAction("Copy &raw request", self)
        self.replay_action.triggered.connect(self._on_replay_action_triggered)
        self.create_rule_action.triggered.connect(self._on_create_rule_action_triggered)
        self.copy_url_action.triggered.connect(self._on_copy_url_action_triggered)
        self.copy_curl_action.triggered.connect(self._on_copy_curl_action_triggered)
        self.copy_raw_action.triggered.connect(self._on_copy_raw_action_triggered)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        old = self.model()
        if old is not None:
            old.modelReset.disconnect(self._on_model_reset)
        super().setModel(model)
        if model is None:
            return
        model.modelReset.connect(self._on_model_reset)
        selection = self.selectionModel()
        selection.currentRowChanged.connect(self._on_selection_current_row_changed)
        selection.selectionChanged.connect(self._on_selection_changed)

    def _announce_selection(self) -> None:
        current = self.currentIndex()
        selection = self.selectionModel()
        record = self.record_at(current) if selection.isRowSelected(current.row()) else None
        if record is None:
            rows = selection.selectedRows()
            record = self.record_at(rows[0]) if rows else None
        if record is not self._selected:
            self._selected = record
            self.record_selected.emit(record)

    @Slot(QModelIndex, QModelIndex)
    def _on_selection_current_row_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._announce_selection()

    @Slot(QItemSelection, QItemSelection)
    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._announce_selection()

    @Slot()
    def _on_model_reset(self) -> None:
        self._announce_selection()

    def apply_default_widths(self) -> None:
        for column, width in DEFAULT_WIDTHS.items():
            self.setColumnWidth(column, width)

    def record_at(self, index: QModelIndex) -> CaptureRecord | None:
        if not index.isValid():
            return None
        record = index.data(Role.RECORD)
        return record if isinstance(record, CaptureRecord) else None

    def build_context_menu(self, menu: QMenu, index: QModelIndex) -> None:
        self._menu_record = self.record_at(index)
        if self._menu_record is None:
            return
        menu.addAction(self.replay_action)
        menu.addAction(self.create_rule_action)
        menu.addSeparator()
        menu.addAction(self.copy_url_action)
        menu.addAction(self.copy_curl_action)
        menu.addAction(self.copy_raw_action)
        has_line = bool(self._menu_record.method)
        self.replay_action.setEnabled(has_line)
        self.create_rule_action.setEnabled(has_line)
        self.copy_url_action.setEnabled(has_line)
        self.copy_curl_action.setEnabled(has_line)

    def _target(self) -> CaptureRecord | None:
        return self._menu_record or self.record_at(self.currentIndex())

    @Slot()
    def _on_replay_action_triggered(self) -> None:
        record = self._target()
        if record is not None:
            self.replay_requested.emit(record)

    @Slot()
    def _on_create_rule_action_triggered(self) -> None:
        record = self._target()
        if record is not None:
            self.create_rule_requested.emit(record)

    @Slot()
    def _on_copy_url_action_triggered(self) -> None:
        record = self._target()
        if record is not None:
            QGuiApplication.clipboard().setText(clipboard_text(record.url))

    @Slot()
    def _on_copy_curl_action_triggered(self) -> None:
        record = self._target()
        if record is not None:
            QGuiApplication.clipboard().setText(clipboard_text(to_curl(record)))

    @Slot()
    def _on_copy_raw_action_triggered(self) -> None:
        record = self._target()
        if record is not None:
            QGuiApplication.clipboard().setMimeData(raw_mime(record))
