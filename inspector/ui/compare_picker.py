""" "Compare with…": pick the request to compare one with, from any table.

The sources are the live table (history and live rows), an imported session
when one is shown, and any HAR file opened here (read off the GUI thread by
the session importer's :class:`~inspector.ui.session.ImportThread`, shown
only in this dialog). Rows are filtered with the table's own proxy and never
re-sorted (sorting would reorder the shared live table).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.http.record import CaptureRecord
from inspector.models.columns import Column, Role
from inspector.models.request_filter import RequestFilterProxyModel
from inspector.models.request_table import RequestTableModel
from inspector.text import visible
from inspector.ui.compare_view import side_line
from inspector.ui.filter_bar import FILTER_DELAY_MS
from inspector.ui.request_view import FIXED_WIDTHS
from inspector.ui.session import ImportThread
from inspector.ui.table_view import CopyableTableView


class ComparePicker(QDialog):
    """Chooses the right-hand request for ``record``.

    Args:
        record: the request to compare (the left side).
        sources: (name, table model) pairs to pick from, the first shown first.

    Signals:
        har_failed(str): a HAR file could not be read (one line).
    """

    har_failed = Signal(str)

    def __init__(
        self,
        record: CaptureRecord,
        sources: list[tuple[str, RequestTableModel]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Compare #{record.id} with…")
        self._record = record
        self._models: list[RequestTableModel] = []
        self._thread: ImportThread | None = None
        self.source_combo = QComboBox(self)
        self.open_har_button = QPushButton("Open HAR file…", self)
        self.open_har_button.setToolTip("Pick the request from a HAR file (read here only, not imported)")
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter: method, path, query, headers, body")
        self.filter_edit.setClearButtonEnabled(True)
        self.proxy = RequestFilterProxyModel(self)
        self.table = CopyableTableView(self)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.note = QLabel(self)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Compare")
        heading = QLabel(self)
        heading.setTextFormat(Qt.TextFormat.PlainText)
        heading.setText(visible(f"Compare {side_line(record)} with:", 300))
        bar = QHBoxLayout()
        bar.addWidget(QLabel("From:", self))
        bar.addWidget(self.source_combo, 1)
        bar.addWidget(self.open_har_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(bar)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        for name, model in sources:
            self.add_source(name, model)
        self.resize(860, 520)
        self._connect_signals()
        self._on_source_combo_current_index_changed(self.source_combo.currentIndex())

    def _connect_signals(self) -> None:
        self.source_combo.currentIndexChanged.connect(self._on_source_combo_current_index_changed)
        self.open_har_button.clicked.connect(self._on_open_har_button_clicked)
        self.filter_edit.textChanged.connect(self._filter_timer.start)
        self._filter_timer.timeout.connect(self._on_filter_timer_timeout)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def add_source(self, name: str, model: RequestTableModel) -> None:
        """Offer ``model``'s rows (listed last, and chosen)."""
        self._models.append(model)
        self.source_combo.addItem(visible(name, 200))
        self.source_combo.setCurrentIndex(self.source_combo.count() - 1)

    def chosen(self) -> CaptureRecord | None:
        """The record of the selected row, None when none is selected."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        record = rows[0].data(Role.RECORD)
        return record if isinstance(record, CaptureRecord) else None

    def open_har(self, path: str) -> ImportThread | None:
        """Read ``path`` off the GUI thread and offer its requests (None while another is read)."""
        if self._thread is not None:
            return None
        thread = ImportThread(path, self)
        thread.imported.connect(self._on_thread_imported)
        thread.failed.connect(self._on_thread_failed)
        thread.finished.connect(self._on_thread_finished)
        self._thread = thread
        self.note.setText(visible(f"Reading {Path(path).name}…", 300))
        self.open_har_button.setEnabled(False)
        thread.start()
        return thread

    def done(self, result: int) -> None:
        thread = self._thread
        if thread is not None:
            thread.cancel()
            thread.wait()
        super().done(result)

    # -- slots -------------------------------------------------------------------

    @Slot(int)
    def _on_source_combo_current_index_changed(self, index: int) -> None:
        if not 0 <= index < len(self._models):
            return
        self.proxy.setSourceModel(self._models[index])
        if self.table.model() is None:
            self.table.setModel(self.proxy)
            for column, width in FIXED_WIDTHS.items():
                self.table.setColumnWidth(column, width)
            # the path takes what the short columns leave, as in the window's table
            self.table.horizontalHeader().setSectionResizeMode(Column.PATH, QHeaderView.ResizeMode.Stretch)
        count = self._models[index].rowCount()
        self.note.setText(f"{count:,} request{'' if count == 1 else 's'}; double-click one to compare")
        self.table.scrollToBottom()

    @Slot()
    def _on_filter_timer_timeout(self) -> None:
        self.proxy.set_filter_text(self.filter_edit.text())

    @Slot(QModelIndex)
    def _on_table_double_clicked(self, _index: QModelIndex) -> None:
        if self.chosen() is not None:
            self.accept()

    @Slot()
    def _on_open_har_button_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open HAR file", "", "HAR files (*.har);;All files (*)")
        if path:
            self.open_har(path)

    @Slot(object)
    def _on_thread_imported(self, records: list[CaptureRecord]) -> None:
        thread = self._thread
        if thread is None:
            return
        model = RequestTableModel(self)
        model.append_records(records)
        self.add_source(f"HAR file: {Path(thread.path).name}", model)

    @Slot(str)
    def _on_thread_failed(self, message: str) -> None:
        self.note.setText(visible(message, 300))
        self.har_failed.emit(message)

    @Slot()
    def _on_thread_finished(self) -> None:
        thread, self._thread = self._thread, None
        self.open_har_button.setEnabled(True)
        if thread is not None:
            thread.deleteLater()
