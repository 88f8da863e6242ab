"""The window's listener: starts and stops the listener thread and passes on what it reports.

At most one :class:`inspector.listener.ListenerThread` runs at a time, recording
through the window's one recorder (the requests themselves reach the window by
observing that recorder, not through here). The thread's signals arrive here
through queued connections (it runs ``run()`` on its own thread;
docs/ARCHITECTURE.md, "Threads") and are passed on as this object's signals, so
the rest of the window never holds a thread that comes and goes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Protocol

from PySide6.QtCore import QObject, Signal, Slot

from inspector.capture import Recorder
from inspector.http.limits import Limits
from inspector.http.response import Responder

if TYPE_CHECKING:
    from inspector.listener import ListenerThread
    from inspector.tls.contexts import ServerContexts

#: how long Stop waits for the listener thread (it takes milliseconds; this is a backstop)
STOP_BACKSTOP_MS: Final = 5000


class ListenerFactory(Protocol):
    """Builds a listener thread, not started."""

    def __call__(
        self,
        host: str,
        port: int,
        responder: Responder,
        parent: QObject,
        *,
        recorder: Recorder,
        limits: Limits,
        tls: ServerContexts | None,
    ) -> ListenerThread: ...


def default_listener_factory(
    host: str,
    port: int,
    responder: Responder,
    parent: QObject,
    *,
    recorder: Recorder,
    limits: Limits,
    tls: ServerContexts | None,
) -> ListenerThread:
    from inspector.listener import ListenerThread  # the listener loads the server layers

    return ListenerThread(host, port, responder, parent, recorder=recorder, limits=limits, tls=tls)


class Capture(QObject):
    """Runs the listener; says what it does.

    Args:
        responder: answers every request (swapped rule sets take effect at once).
        recorder: where every listener records (ids go on across restarts).
        listener_factory: builds the listener thread.

    Signals:
        starting(str, int): a listener was started on that host and port.
        listening(str): it is bound; the URL (port 0 resolved).
        error(str): a line for the error banner (bind failure, a listener that
            died or did not stop).
        stopped(bool): the listener is gone; True when it failed.
    """

    starting = Signal(str, int)
    listening = Signal(str)
    error = Signal(str)
    stopped = Signal(bool)

    def __init__(
        self,
        responder: Responder,
        parent: QObject | None = None,
        *,
        recorder: Recorder,
        listener_factory: ListenerFactory = default_listener_factory,
    ) -> None:
        super().__init__(parent)
        #: what the next listener answers with
        self.responder = responder
        #: the limits the next listener enforces
        self.limits = Limits()
        #: the next listener's certificates for HTTPS on its port (None: plain HTTP only)
        self.tls: ServerContexts | None = None
        self._recorder = recorder
        self._factory = listener_factory
        self._listener: ListenerThread | None = None
        self._failed = False
        self._url = ""

    @property
    def listener(self) -> ListenerThread | None:
        """The running listener thread, if any."""
        return self._listener

    @property
    def url(self) -> str:
        """The live URL while listening, else ""."""
        return self._url

    def is_running(self) -> bool:
        return self._listener is not None

    @Slot(object)
    def set_limits(self, limits: Limits) -> None:
        """The limits the next listener enforces (a running one keeps its own)."""
        self.limits = limits

    @Slot(str, int)
    def start(self, host: str, port: int) -> None:
        """Start listening on ``host``:``port`` (0: any free port)."""
        if self._listener is not None:
            return
        listener = self._factory(
            host, port, self.responder, self, recorder=self._recorder, limits=self.limits, tls=self.tls
        )
        listener.listening.connect(self._on_listener_listening)
        listener.failed.connect(self._on_listener_failed)
        listener.stopped.connect(self._on_listener_stopped)
        self._listener = listener
        self._failed = False
        self.starting.emit(host, port)
        listener.start()

    @Slot()
    def stop(self) -> None:
        """Stop listening (returns once the listener thread has ended)."""
        listener = self._listener
        if listener is None:
            return
        self._listener = None
        self._url = ""
        listener.stop()
        if not listener.wait(STOP_BACKSTOP_MS):  # stop() already waits; this is the backstop
            self.error.emit(f"The listener did not stop within {STOP_BACKSTOP_MS // 1000} s.")
        listener.deleteLater()
        self.stopped.emit(False)

    def _is_current(self) -> bool:
        return self._listener is not None and self.sender() is self._listener

    @Slot(str)
    def _on_listener_listening(self, url: str) -> None:
        if self._is_current():
            self._url = url
            self.listening.emit(url)

    @Slot(str)
    def _on_listener_failed(self, message: str) -> None:
        if self._is_current():
            self._failed = True
            self.error.emit(message)

    @Slot()
    def _on_listener_stopped(self) -> None:
        # the loop ended on its own (bind failure, fatal error); after stop() the
        # listener is no longer current and this is ignored
        listener = self._listener
        if listener is None or self.sender() is not listener:
            return
        self._listener = None
        self._url = ""
        listener.wait(1000)  # run() returns right after emitting stopped
        listener.deleteLater()
        self.stopped.emit(self._failed)
