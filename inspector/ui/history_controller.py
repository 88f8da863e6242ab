"""The window's history: the store behind the table, its reports, and clearing it.

What happens here, and only here (docs/ARCHITECTURE.md, "The capture path"):

- each captured record is queued to the store (:meth:`store_record`: a deque
  append; the store's writer thread writes);
- the store's writer-thread reports (write failures, pruning) are drained from
  :class:`StoreEvents` by a named timer (:data:`POLL_INTERVAL_MS`), never sent
  as cross-thread signals; the same tick turns committed live rows into lazy
  history rows (:meth:`RequestTableModel.convert_committed`) and removes pruned
  ones (:meth:`committed`, :meth:`pruned`);
- the id the next listener starts at (:meth:`next_id`);
- "Clear history" (the table and the store) and the status-bar note.

When the capture path writes the store itself, :meth:`store_record`,
:meth:`next_id` and the polling go, and :meth:`committed`, :meth:`pruned` and
:meth:`report_error` are connected to its notifications instead.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QStyle, QWidget

from inspector.http.record import CaptureRecord
from inspector.models.request_table import RequestTableModel
from inspector.store import CaptureStore
from inspector.text import visible
from inspector.ui.history_store import POLL_INTERVAL_MS, StoreEvents, pruned_note


class HistoryController(QObject):
    """Keeps ``model``'s history rows in step with ``store``.

    Args:
        store: the history store (None: no history at all).
        model: the live table; its history rows are ``store``'s.
        events: the mailbox the store's callbacks write to.
        owns_store: close the store in :meth:`close`.

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
        store: CaptureStore | None,
        model: RequestTableModel,
        parent: QWidget,
        *,
        events: StoreEvents | None = None,
        owns_store: bool = False,
    ) -> None:
        super().__init__(parent)
        self._parent = parent
        self.store = store
        self._model = model
        self._events = events
        self._owns_store = owns_store
        self._pruned_seen = 0
        self._enabled = True
        #: the status-bar note: where history is kept, and pruning
        self.note = QLabel(parent)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.clear_action = QAction("Clear history", self)
        self.clear_action.setIcon(parent.style().standardIcon(QStyle.StandardPixmap.SP_DialogResetButton))
        self.clear_action.setShortcut(QKeySequence("Ctrl+L"))
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(POLL_INTERVAL_MS)
        self._poll_timer.timeout.connect(self._on_poll_timer_timeout)
        self.clear_action.triggered.connect(self._on_clear_action_triggered)
        self.set_session_shown(False)

    def load(self) -> None:
        """Show what is stored (ids only) and start watching the store."""
        store = self.store
        if store is not None:
            try:
                self._model.load_history()
            except Exception as exc:  # an unreadable file: say so, keep capturing
                self.error.emit(f"Cannot read the stored history: {exc}")
        if self._events is not None or store is not None:
            self._poll_timer.start()
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

    @Slot(object)
    def store_record(self, record: CaptureRecord) -> None:
        """Queue a captured record for the store (never blocks)."""
        if self.store is not None:
            self.store.add(record)  # a deque append; the store's writer thread writes

    def next_id(self, shown_max: int) -> int:
        """The id the next listener starts at: after everything stored or
        ``shown_max`` (the highest id in the table or waiting for it)."""
        stored = 0
        if self.store is not None:
            try:
                stored = self.store.max_id()
            except Exception:
                stored = 0
        return max(stored, shown_max) + 1

    # -- the store's reports ---------------------------------------------------

    @Slot(int)
    def committed(self, committed_max_id: int) -> None:
        """The store has committed every id up to ``committed_max_id``: those live
        rows become history rows (no row moves)."""
        self._model.convert_committed(committed_max_id)

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

    @Slot()
    def _on_poll_timer_timeout(self) -> None:
        pruned = 0
        for report in self._events.drain() if self._events is not None else ():
            if report.error is not None:
                self.report_error(report.error)
            pruned += report.pruned
        if self.store is not None:
            # in memory too: the in-memory store holds the rows anyway
            self.committed(self.store.committed_max_id)
            self.pruned(pruned)

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
        """Stop watching; close the store when it is ours (commits what is queued)."""
        self._poll_timer.stop()
        if self._owns_store and self.store is not None:
            self.store.close()
