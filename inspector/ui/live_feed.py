"""The live feed: captured records into the table, in batches.

Records arrive one signal each (the listener thread emits them; Qt queues them
to the GUI thread). Inserting each one would cost the event loop a model
insert per request, so they are queued here and inserted by a named timer,
one ``beginInsertRows`` per batch every :data:`FLUSH_INTERVAL_MS`
(docs/ARCHITECTURE.md, "Threads"). The timer runs only while records wait.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from inspector.http.record import CaptureRecord
from inspector.models.request_table import RequestTableModel

#: how often queued arrivals are inserted into the table
FLUSH_INTERVAL_MS: Final = 40


class LiveFeed(QObject):
    """Batches records into ``model``.

    Signals:
        flushed(): a batch went into the model.
    """

    flushed = Signal()

    def __init__(self, model: RequestTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._pending: list[CaptureRecord] = []
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_INTERVAL_MS)
        self._flush_timer.timeout.connect(self._on_flush_timer_timeout)

    @property
    def pending(self) -> int:
        """Records waiting for the next batch."""
        return len(self._pending)

    @Slot(object)
    def add(self, record: CaptureRecord) -> None:
        """Queue one record for the next batch."""
        self._pending.append(record)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    @Slot()
    def clear(self) -> None:
        """Drop what waits (the table is being cleared)."""
        self._pending.clear()

    def stop(self) -> None:
        """No more batches (the window is closing)."""
        self._flush_timer.stop()

    @Slot()
    def _on_flush_timer_timeout(self) -> None:
        if not self._pending:
            self._flush_timer.stop()
            return
        batch, self._pending = self._pending, []
        self._model.append_records(batch)
        self.flushed.emit()
