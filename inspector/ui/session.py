"""Imported sessions: a HAR file shown read-only in the table, beside live capture.

Reading a HAR file runs on an :class:`ImportThread` (a 100,000-entry file takes
seconds to parse), with a progress dialog whose Cancel stops the read. The
records become a second :class:`RequestTableModel`, shown through the same
proxy and views; live capture goes on into the live table meanwhile, and
"Back to live" shows it again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QPushButton,
    QStyle,
    QWidget,
)

from inspector.formats import HarImportCancelled, HarImportError, import_har
from inspector.http.record import CaptureRecord
from inspector.models.request_filter import RequestFilterProxyModel
from inspector.models.request_table import RequestTableModel
from inspector.text import visible

#: the progress dialog appears only for imports that take longer than this
PROGRESS_DELAY_MS: Final = 400
#: longest session line shown
SESSION_LINE_LIMIT: Final = 600


class ImportThread(QThread):
    """Reads one HAR file off the GUI thread.

    Signals:
        progressed(int): how much of the file is read, in thousandths.
        imported(object): the list of :class:`CaptureRecord` (not emitted when cancelled).
        failed(str): one readable line (never a traceback).
    """

    progressed = Signal(int)
    imported = Signal(object)
    failed = Signal(str)

    def __init__(self, path: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._cancelled = False

    def cancel(self) -> None:
        """Stop the read at its next chunk of entries and drop the result."""
        self._cancelled = True

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def run(self) -> None:
        name = Path(self.path).name
        try:
            records = import_har(self.path, progress=self._on_progress)
        except HarImportCancelled:
            return
        except HarImportError as exc:
            message = f"Cannot import: {exc}"
        except OSError as exc:
            message = f"Cannot read {name}: {exc.strerror or exc}"
        except RecursionError:
            message = f"Cannot import: {name} is nested too deeply to read"
        except Exception as exc:  # MemoryError, a value no reader expected: one line
            message = f"Cannot import {name}: {type(exc).__name__}: {exc}"
        else:
            if not self._cancelled:
                self.imported.emit(records)
            return
        if not self._cancelled:
            self.failed.emit(message)

    def _on_progress(self, done: int, total: int) -> bool:
        """The importer's progress callback (this thread): False cancels the read."""
        if total > 0:
            self.progressed.emit(min(1000, done * 1000 // total))
        return not self._cancelled


class SessionBar(QFrame):
    """The bar shown while an imported session is in the table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.palette().ColorRole.AlternateBase)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.label, 1)
        self.back_to_live_button = QPushButton("Back to live", self)
        self.back_to_live_button.setToolTip("Show the live capture and its history again")
        layout.addWidget(self.back_to_live_button)
        self.hide()


class Sessions(QObject):
    """Switches ``proxy`` between the live table and an imported one.

    Signals:
        changed(bool): True when an imported session is now shown, False back to live.
        opened(): a file was imported and is shown.
        import_failed(str): a line for the error banner.
    """

    changed = Signal(bool)
    opened = Signal()
    import_failed = Signal(str)

    def __init__(self, proxy: RequestFilterProxyModel, live: RequestTableModel, parent: QWidget) -> None:
        super().__init__(parent)
        self._window = parent
        self._proxy = proxy
        self._live = live
        self._model: RequestTableModel | None = None
        self._thread: ImportThread | None = None
        self._progress: QProgressDialog | None = None
        self.bar = SessionBar(parent)
        self.import_action = QAction("&Import HAR…", self)
        self.import_action.setIconText("Import")  # the toolbar's word: it fits a small screen
        self.import_action.setShortcut(QKeySequence.StandardKey.Open)
        self.import_action.setIcon(parent.style().standardIcon(QStyle.StandardPixmap.SP_DialogOpenButton))
        self.import_action.setToolTip("Open a HAR file as a read-only session (Ctrl+O)")
        self.import_action.triggered.connect(self._on_import_action_triggered)
        self.bar.back_to_live_button.clicked.connect(self._on_back_to_live_button_clicked)

    def in_session(self) -> bool:
        """True while an imported HAR file is shown instead of the live capture."""
        return self._model is not None

    def is_importing(self) -> bool:
        return self._thread is not None

    def import_har_file(self, path: str) -> ImportThread | None:
        """Read ``path`` off the GUI thread and show it as a read-only session
        (not stored). Returns the running thread (None while another runs)."""
        if self._thread is not None:
            return None
        thread = ImportThread(path, self)
        thread.imported.connect(self._on_thread_imported)
        thread.failed.connect(self.import_failed)
        thread.finished.connect(self._on_thread_finished)
        self._thread = thread
        progress = QProgressDialog(
            visible(f"Reading {Path(path).name}…", 200), "Cancel", 0, 1000, self._window
        )
        thread.progressed.connect(progress.setValue)
        progress.setWindowTitle("Import HAR")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(PROGRESS_DELAY_MS)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.canceled.connect(self.cancel_import)
        self._progress = progress
        thread.start()
        return thread

    @Slot()
    def cancel_import(self) -> None:
        """Drop the import under way (its result is never shown)."""
        thread = self._thread
        if thread is not None:
            thread.cancel()
            self._close_progress()

    def back_to_live(self) -> None:
        """Leave the imported session and show the live capture again."""
        session = self._model
        if session is None:
            return
        self._model = None
        self._proxy.setSourceModel(self._live)
        session.deleteLater()
        self.bar.hide()
        self.changed.emit(False)

    def close(self) -> None:
        """The window closes: drop an import under way and wait for its thread."""
        thread = self._thread
        if thread is not None:
            thread.cancel()
            thread.wait()
        self._close_progress()

    def _show(self, records: list[CaptureRecord], name: str) -> None:
        session = RequestTableModel(self)
        session.append_records(records)
        old = self._model
        self._model = session
        self._proxy.setSourceModel(session)
        if old is not None:
            old.deleteLater()
        count = len(records)
        self.bar.label.setText(
            visible(
                f"Imported session: {name} — {count:,} request{'' if count == 1 else 's'}, read-only. "
                "Live capture goes on in the background and is not mixed in.",
                SESSION_LINE_LIMIT,
            )
        )
        self.bar.show()
        self.changed.emit(True)
        self.opened.emit()

    def _close_progress(self) -> None:
        progress = self._progress
        if progress is not None:
            self._progress = None
            progress.canceled.disconnect(self.cancel_import)
            progress.close()
            progress.deleteLater()

    @Slot(object)
    def _on_thread_imported(self, records: list[CaptureRecord]) -> None:
        thread = self._thread
        if thread is None or thread.cancelled:
            return
        self._show(records, Path(thread.path).name)

    @Slot()
    def _on_thread_finished(self) -> None:
        thread = self._thread
        self._thread = None
        self._close_progress()
        if thread is not None:
            thread.deleteLater()

    @Slot()
    def _on_import_action_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self._window, "Import HAR", "", "HAR files (*.har);;All files (*)"
        )
        if path:
            self.import_har_file(path)

    @Slot()
    def _on_back_to_live_button_clicked(self) -> None:
        self.back_to_live()
