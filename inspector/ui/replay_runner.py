"""Runs one replay off the GUI thread and reports it through signals."""

from __future__ import annotations

import threading
from typing import ClassVar

from PySide6.QtCore import QObject, Signal, Slot

from inspector.replay import ReplayCall, ReplayError


class ReplayRunner(QObject):
    """Runs one :class:`ReplayCall` on a daemon thread and reports through signals.

    It has no parent and keeps itself alive (:attr:`_running`) until the call has
    ended, so a dialog closed mid-replay neither waits for it nor is reached by
    it, and the app can quit while a server still trickles (daemon threads do
    not hold the process).

    Signals:
        replied(object): the :class:`ReplayResponse`.
        failed(str): one readable line.
        ended(): the call is over (answered, failed or cancelled).
    """

    replied = Signal(object)
    failed = Signal(str)
    ended = Signal()

    _running: ClassVar[set[ReplayRunner]] = set()

    def __init__(self, call: ReplayCall) -> None:
        super().__init__(None)
        self.call = call
        self.ended.connect(self._on_self_ended)

    def start(self) -> None:
        ReplayRunner._running.add(self)
        threading.Thread(target=self._run, name="replay", daemon=True).start()

    def cancel(self) -> None:
        """End the call soon; nothing more is reported but :attr:`ended`."""
        self.call.cancel()

    def _run(self) -> None:  # the daemon thread
        try:
            response = self.call.run()
        except ReplayError as exc:
            if not self.call.cancelled:
                self.failed.emit(str(exc))
        except Exception as exc:  # never a traceback in the window
            self.failed.emit(f"replay failed: {type(exc).__name__}: {exc}")
        else:
            if not self.call.cancelled:
                self.replied.emit(response)
        finally:
            self.ended.emit()

    @Slot()
    def _on_self_ended(self) -> None:
        ReplayRunner._running.discard(self)
        self.deleteLater()
