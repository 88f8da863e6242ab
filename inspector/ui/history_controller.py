"""The window's history: the store behind the table, its reports, and clearing it.

The capture path writes the store (the recorder, on the listener's thread:
docs/ARCHITECTURE.md, "The capture path"); the window only observes. What
happens here, and only here:

- the recorder's history reports arrive as signals: committed live rows become
  lazy history rows (:meth:`committed`, :meth:`RequestTableModel.convert_committed`),
  pruned ones go (:meth:`pruned`), problems go to the banner (:meth:`report_error`);
- "Clear history" (the table and the store) and the status-bar note;
- closing the recorder (and with it the store) when the window closes.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QStyle, QWidget

from inspector.capture import Recorder
from inspector.models.request_table import RequestTableModel
from inspector.text import visible
from inspector.ui.history_store import pruned_note


class HistoryController(QObject):
    """Keeps ``model``'s history rows in step with the recorder's store.

    Args:
        recorder: the capture path's recorder; its store (None: no history at
            all) holds the table's history rows.
        model: the live table.
        owns_recorder: close the recorder (and its store) in :meth:`close`.

    Signals:
        error(str): a line for the error banner.
        rows_changed(): rows went away (pruned, cleared): counts are stale.
        about_to_clear(): the table and the store are about to be emptied.
    """

    error = Signal(str)
    rows_changed = Signal()
    about_to_clear = Signal()

    def __init__(
        self,
        recorder: Recorder,
        model: RequestTableModel,
        parent: QWidget,
        *,
        owns_recorder: bool = False,
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self.recorder = recorder
        self.store = recorder.store
        self._model = model
        self._owns_recorder = owns_recorder
        #: the highest id the store has committed so far
        self._committed_max = 0
        self._pruned_seen = 0
        self._enabled = True
        #: the status-bar note: where history is kept, and pruning
        self.note = QLabel(parent)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.clear_action = QAction("Clear history", self)
        self.clear_action.setIconText("Clear")  # the toolbar's word: it fits a small screen
        self.clear_action.setIcon(parent.style().standardIcon(QStyle.StandardPixmap.SP_DialogResetButton))
        self.clear_action.setShortcut(QKeySequence("Ctrl+L"))
        self.clear_action.triggered.connect(self._on_clear_action_triggered)
        self.set_session_shown(False)

    def load(self) -> None:
        """Show what is stored (ids only)."""
        store = self.store
        if store is not None:
            try:
                self._model.load_history()
            except Exception as exc:  # an unreadable file: say so, keep capturing
                self.error.emit(f"Cannot read the stored history: {exc}")
        if store is None:
            self.note.setText("history: off")
        elif store.path is None:
            self.note.setText("history: in memory only")
        else:
            self.note.setText("")
            self.note.setToolTip(visible(f"History file: {store.path}", 500))

    @Slot(bool)
    def set_session_shown(self, shown: bool) -> None:
        """Clearing is off while an imported session is shown instead of the live table."""
        enabled = not shown
        self._enabled = enabled
        self.clear_action.setEnabled(enabled)
        self.clear_action.setToolTip(
            "Delete every request, from the table and the history file (Ctrl+L)"
            if enabled
            else "Not available in an imported session"
        )

    # -- the store's reports ---------------------------------------------------

    @Slot(object, int)
    def committed(self, committed_max_id: int, _count: int) -> None:
        """The store has committed every id up to ``committed_max_id``: those live
        rows become history rows (no row moves)."""
        self._committed_max = max(self._committed_max, committed_max_id)
        self._model.convert_committed(self._committed_max)

    @Slot()
    def rows_added(self) -> None:
        """Live rows were added: the store may have committed them before they
        reached the table (the live feed batches), so convert what it has."""
        if self._committed_max:
            self._model.convert_committed(self._committed_max)

    @Slot(int)
    def pruned(self, count: int) -> None:
        """The store's caps deleted ``count`` old rows: drop the history rows older
        than the store's oldest (by id: converted rows included, pinned or not)."""
        store = self.store
        if store is None or not count:
            return
        try:
            oldest = store.ids(0, 1)
        except Exception:  # the store failed: leave the rows, they show as gone
            oldest = []
        if oldest:
            self._model.remove_history_before(oldest[0])
        self._pruned_seen += count
        self.note.setText(pruned_note(store, self._pruned_seen))
        self.rows_changed.emit()

    @Slot(str)
    def report_error(self, message: str) -> None:
        self.error.emit(f"History: {message}")

    # -- clearing --------------------------------------------------------------

    def clear(self, *, confirm: bool = True) -> None:
        """Delete every request: from the table and from the store (the file shrinks)."""
        if not self._enabled:
            return
        store = self.store
        stored = store is not None and store.path is not None and self._model.rowCount() > 0
        if confirm and stored and not self._confirm_clear():
            return
        self.about_to_clear.emit()
        if store is not None:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                store.clear()
            except Exception as exc:
                self.error.emit(f"Clearing the stored history failed: {exc}")
            finally:
                QApplication.restoreOverrideCursor()
        self._model.clear()
        self._pruned_seen = store.pruned_total if store is not None else 0
        self.note.clear()
        self.rows_changed.emit()

    def _confirm_clear(self) -> bool:
        answer = QMessageBox.question(
            self._parent,
            "Clear history",
            "Delete every captured request, from the table and from the history file?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    @Slot()
    def _on_clear_action_triggered(self) -> None:
        self.clear()

    def close(self) -> None:
        """Close the recorder when it is ours (its store commits what is queued)."""
        if self._owns_recorder:
            self.recorder.close()
