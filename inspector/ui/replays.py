"""The window's open Replay dialogs (non-modal; several may be open at once)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QWidget

from inspector.http.record import CaptureRecord
from inspector.ui.replay_dialog import ReplayDialog


class Replays(QObject):
    """Opens Replay dialogs over ``parent`` and closes them with it.

    Args:
        listener_url: the running listener's URL ("" when stopped), asked when
            a dialog opens.
    """

    def __init__(self, parent: QWidget, *, listener_url: Callable[[], str]) -> None:
        super().__init__(parent)
        self._window = parent
        self._listener_url = listener_url
        #: the local CA's ca.pem, trusted by https:// replays
        self.cafile: str | None = None
        #: the dialogs open now
        self.dialogs: list[ReplayDialog] = []

    @Slot(object)
    def open(self, record: CaptureRecord) -> ReplayDialog:
        """The Replay dialog for ``record``, shown."""
        dialog = ReplayDialog(record, self._listener_url(), self._window, self.cafile)
        dialog.finished.connect(self._on_dialog_finished)
        self.dialogs.append(dialog)
        dialog.show()
        return dialog

    def close_all(self) -> None:
        """Close every dialog (a replay in flight is cancelled, not waited for)."""
        for dialog in list(self.dialogs):
            dialog.close()

    @Slot(int)
    def _on_dialog_finished(self, _result: int) -> None:
        dialog = self.sender()
        if isinstance(dialog, ReplayDialog) and dialog in self.dialogs:
            self.dialogs.remove(dialog)
            dialog.deleteLater()
