"""The QThread that runs the server loop and turns its callbacks into signals.

Only this module joins the Qt-free server to Qt. The loop runs in ``run()``;
records cross to the GUI thread as immutable objects through queued signal
connections (Qt's "Threads and QObjects"). ``stop()`` wakes the loop through
its socket pair and waits for ``run()`` to return, which takes milliseconds
whatever the clients are doing.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QObject, QThread, Signal

from inspector.http.limits import Limits
from inspector.http.record import CaptureRecord
from inspector.http.response import Responder, default_responder
from inspector.server import BindError, Server

#: stop() waits at most this long for the loop (it normally takes a few ms).
STOP_WAIT_MS = 2000


class ListenerThread(QThread):
    """Listens on ``host``:``port`` until :meth:`stop`.

    Signals:
        listening(str): the real URL once bound (port 0 gives the chosen port).
        request_captured(object): one :class:`CaptureRecord`, response included.
        failed(str): one readable line (bind failure, or the loop died).
        stopped(): the loop ended and every socket is closed.
    """

    listening = Signal(str)
    request_captured = Signal(object)
    failed = Signal(str)
    stopped = Signal()

    def __init__(
        self,
        host: str,
        port: int,
        responder: Responder | None = None,
        parent: QObject | None = None,
        *,
        limits: Limits | None = None,
        first_id: int = 1,
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.port = port
        self._responder = responder or default_responder
        self._limits = limits
        self._server: Server | None = None
        self._ids = itertools.count(first_id)

    def set_responder(self, responder: Responder) -> None:
        """Swap the responder atomically; requests in flight keep the old one."""
        self._responder = responder
        server = self._server
        if server is not None:
            server.set_responder(responder)

    def run(self) -> None:
        try:
            server = Server(
                self.host,
                self.port,
                sink=self,
                responder=self._responder,
                limits=self._limits,
            )
        except BindError as exc:
            self.failed.emit(str(exc))
            self.stopped.emit()
            return
        self._server = server
        self.port = server.port
        if self.isInterruptionRequested():
            server.stop()
        self.listening.emit(server.url)
        try:
            server.serve_forever()
        except Exception as exc:  # keep the window alive and say what happened
            self.failed.emit(f"the listener stopped unexpectedly: {exc}")
        finally:
            self._server = None
            self.stopped.emit()

    # -- the server's capture sink (called on the loop thread) ---------------

    def next_id(self) -> int:
        return next(self._ids)

    def finished(self, record: CaptureRecord) -> None:
        self.request_captured.emit(record)

    def end_round(self) -> None:
        pass

    def stop(self) -> bool:
        """End the loop, close every socket and wait; True when the thread ended."""
        self.requestInterruption()
        server = self._server
        if server is not None:
            server.stop()
        return self.wait(STOP_WAIT_MS)
