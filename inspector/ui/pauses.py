"""The window's side of pausing: requests held for the user to answer by hand.

The window's responder hands each request of a ``pause`` rule to :class:`Pauses`
on the loop thread (:mod:`inspector.responses.pausing`); it crosses to the GUI
thread as a queued signal (docs/ARCHITECTURE.md, "Threads") and waits on a
:class:`~inspector.responses.pausing.PauseBoard`. Its row is the table's
waiting row, which says "paused" and for how long. The user answers it from
the pause bar above the table, the row's context menu ("Answer paused
request…") or the answer dialog: an edited answer, a fault, or the rule's own
answer; each resolves the request's deferred answer, which the loop sends.
A pause nobody answers ends at the listener's idle limit, closed without an
answer and recorded with an error saying so; a client that hangs up cancels
it, and its row says so (the server records that).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from inspector.http.record import CaptureRecord
from inspector.http.response import Response
from inspector.responses.pausing import PauseBoard, PausedRequest
from inspector.ui.pause_dialog import PauseDialog

#: how often held requests' waiting times are brought up to date and the idle limit checked
TICK_MS: Final = 500


class Pauses(QObject):
    """Holds the paused requests and answers them (a :class:`PauseHandler`).

    Args:
        idle_limit: the seconds a pause may wait (read when one arrives and on each tick).
        parent: the window (the answer dialog's parent).

    Signals:
        changed(object): the ids held now (a frozenset), after every change.
        ticked(): the held requests' waiting times moved on.
        ended(int, str): a held request can no longer be answered (answered, the
            client hung up, the idle limit): its id and why.
        message(str): one line for the status bar.
    """

    changed = Signal(object)
    ticked = Signal()
    ended = Signal(int, str)
    message = Signal(str)
    #: loop thread -> GUI thread (queued: this object lives in the GUI thread)
    _arrived = Signal(object)
    _left = Signal(int, str)

    def __init__(self, idle_limit: Callable[[], float], parent: QWidget) -> None:
        super().__init__(parent)
        self._window = parent
        self._idle_limit = idle_limit
        self.board = PauseBoard(idle_limit())
        self._selected: CaptureRecord | None = None
        self.dialog: PauseDialog | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._arrived.connect(self._on_arrived)
        self._left.connect(self._on_left)
        self.answer_action = QAction("&Answer paused request…", self)
        self.answer_action.setToolTip("Edit the answer of this paused request and send it, or send a fault")
        self.answer_action.setEnabled(False)
        self.answer_action.triggered.connect(self._on_answer_action_triggered)

    # -- PauseHandler: called on the loop thread --------------------------------

    def paused(self, request: PausedRequest) -> None:
        self._arrived.emit(request)

    def gone(self, request_id: int, reason: str) -> None:
        self._left.emit(request_id, reason)

    # -- the GUI thread ---------------------------------------------------------

    def current(self) -> PausedRequest | None:
        """The request the bar and the Answer action act on: the selected row's
        when it is held, else the one held longest."""
        selected = self._selected
        if selected is not None and (held := self.board.get(selected.id)) is not None:
            return held
        return self.board.oldest()

    def left(self, request: PausedRequest) -> float:
        """Seconds before ``request`` ends unanswered."""
        return self.board.left(request)

    @Slot(object)
    def select(self, record: CaptureRecord | None) -> None:
        """The table's selected record (its pause is the one acted on)."""
        self._selected = record
        self._refresh()

    def open_editor(self, request: PausedRequest | None = None) -> PauseDialog | None:
        """Open the answer dialog for ``request`` (default: :meth:`current`)."""
        request = request or self.current()
        if request is None:
            return None
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = PauseDialog(request, self, self._window)
        self.dialog.show()
        return self.dialog

    def send(self, request: PausedRequest, response: Response) -> bool:
        """Answer ``request`` with ``response`` (an edited answer); False when too late."""
        return self._resolved(request, request.send(response), f"sent {response.status}")

    def let_rule_answer(self, request: PausedRequest) -> bool:
        return self._resolved(request, request.let_rule_answer(), f"answered by rule {request.rule!r}")

    def send_fault(self, request: PausedRequest, fault: str, bytes_per_s: int = 0) -> bool:
        return self._resolved(request, request.send_fault(fault, bytes_per_s), f"sent the fault {fault!r}")

    def _resolved(self, request: PausedRequest, done: bool, what: str) -> bool:
        self.board.remove(request.id)
        self._changed()
        if done:
            self.message.emit(f"#{request.id}: {what}")
            self.ended.emit(request.id, f"it was answered ({what})")
        else:
            self.message.emit(f"#{request.id} can no longer be answered")
        return done

    @Slot(object)
    def _on_arrived(self, request: PausedRequest) -> None:
        if request.deferred.cancelled:  # the client left before it reached the window
            return
        self.board.limit = self._idle_limit()
        self.board.add(request)
        if not self._timer.isActive():
            self._timer.start()
        self._changed()

    @Slot(int, str)
    def _on_left(self, request_id: int, reason: str) -> None:
        if self.board.remove(request_id) is not None:
            self._changed()
        self.ended.emit(request_id, reason)

    @Slot()
    def _on_timer_timeout(self) -> None:
        self.board.limit = self._idle_limit()
        expired = self.board.expire()
        for request in expired:
            self.ended.emit(request.id, f"nobody answered it within {self.board.limit:g} s (the idle limit)")
        if expired:
            self._changed()
        if not self.board:
            self._timer.stop()
        self.ticked.emit()

    @Slot()
    def _on_answer_action_triggered(self) -> None:
        self.open_editor()

    def _changed(self) -> None:
        self._refresh()
        self.changed.emit(self.board.ids())

    def _refresh(self) -> None:
        self.answer_action.setEnabled(self.current() is not None)
