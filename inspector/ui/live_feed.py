"""The live feed: captured records into the table, in batches.

Records arrive one signal each (the listener thread emits them; Qt queues them
to the GUI thread). Inserting each one would cost the event loop a model
insert per request, so they are queued here and inserted by a named timer,
one ``beginInsertRows`` per batch every :data:`FLUSH_INTERVAL_MS`
(docs/ARCHITECTURE.md, "Threads"). The timer runs only while records wait.

A request whose answer is not sent by the end of its loop round (a delay, a
deferred answer) is announced twice: :meth:`start` when its head is parsed,
then :meth:`add` when it is finished. It gets its row in the next batch,
marked waiting (the Status says for how long, repainted every second), and the
finished record takes that row's place; if both arrive before the batch goes
in, only the finished one is inserted.

Records must come in id order (the listener relays each loop round's reports
sorted by id); the feed inserts them as they came.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from inspector.http.record import CaptureRecord
from inspector.models.request_table import RequestTableModel

#: how often queued arrivals are inserted into the table
FLUSH_INTERVAL_MS: Final = 40
#: how often the waiting rows' times are repainted
WAITING_TICK_MS: Final = 1000

class LiveFeed(QObject):
    """Batches records into ``model``.

    Signals:
        batch_added(object): the list of finished records this batch put into
            the model, as new rows or in their waiting rows' place (for observers
            that work per batch: the timeline, notifications); waiting ones are not
            in it.
        flushed(): a batch went into the model.
    """

    batch_added = Signal(object)
    flushed = Signal()

    def __init__(self, model: RequestTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._pending: list[CaptureRecord] = []
        #: started records in ``_pending`` (not finished yet), by id: their index there
        self._started: dict[int, int] = {}
        #: finished records of rows already in the table, to put in place
        self._updates: list[CaptureRecord] = []
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_INTERVAL_MS)
        self._flush_timer.timeout.connect(self._on_flush_timer_timeout)
        self._waiting_timer = QTimer(self)
        self._waiting_timer.setInterval(WAITING_TICK_MS)
        self._waiting_timer.timeout.connect(self._on_waiting_timer_timeout)

    @property
    def pending(self) -> int:
        """Records waiting for the next batch."""
        return len(self._pending)

    @Slot(object)
    def start(self, record: CaptureRecord) -> None:
        """Queue a request whose answer is not sent yet: a waiting row."""
        self._started[record.id] = len(self._pending)
        self._pending.append(record)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    @Slot(object)
    def add(self, record: CaptureRecord) -> None:
        """Queue one finished record for the next batch (or for its waiting row)."""
        if self._started:
            at = self._started.pop(record.id, None)
            if at is not None:  # started and finished within one batch: one row
                self._pending[at] = record
                return
        if self._model.waiting and record.id in self._model.waiting:
            self._updates.append(record)
        else:
            self._pending.append(record)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    @Slot()
    def clear(self) -> None:
        """Drop what waits (the table is being cleared)."""
        self._pending.clear()
        self._started.clear()
        self._updates.clear()

    def stop(self) -> None:
        """No more batches (the window is closing)."""
        self._flush_timer.stop()
        self._waiting_timer.stop()

    @Slot()
    def _on_flush_timer_timeout(self) -> None:
        if not self._pending and not self._updates:
            self._flush_timer.stop()
            return
        batch, self._pending = self._pending, []
        started, self._started = self._started, {}
        updates, self._updates = self._updates, []
        model = self._model
        # Already in id (= arrival) order: the listener relays each loop round's
        # reports sorted by id (inspector.listener._SignalObserver), and live rows
        # join the history as a prefix in id order (RequestTableModel.convert_committed).
        model.append_records(batch, started.keys())
        for record in updates:
            if not model.update_record(record):  # its row went (cleared, pruned): a new one
                model.append_records([record])
        if model.waiting:
            if not self._waiting_timer.isActive():
                self._waiting_timer.start()
        else:
            self._waiting_timer.stop()
        finished = [r for r in batch if r.id not in started] if started else batch
        self.batch_added.emit(finished + updates if updates else finished)
        self.flushed.emit()

    @Slot()
    def _on_waiting_timer_timeout(self) -> None:
        if self._model.waiting:
            self._model.refresh_waiting()
        else:
            self._waiting_timer.stop()
