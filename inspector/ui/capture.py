"""The window's listeners: one loop thread for all of them, and what each reports.

At most one :class:`inspector.listener.ListenerThread` runs at a time, serving
every listener the window has started (the toolbar's, key :data:`MAIN`, and
the listeners list's) and recording through the window's one recorder (the
requests themselves reach the window by observing that recorder, not through
here). The thread starts with the first listener and stops with the last. Its
signals arrive here through queued connections (docs/ARCHITECTURE.md,
"Threads") and are passed on as this object's signals, so the rest of the
window never holds a thread that comes and goes.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Final, Protocol

from PySide6.QtCore import QObject, Signal, Slot

from inspector.capture import Recorder
from inspector.http.limits import Limits
from inspector.http.response import Responder
from inspector.listen import reachable_urls

if TYPE_CHECKING:
    from inspector.listener import ListenerThread
    from inspector.server import Listening
    from inspector.tls.contexts import ServerContexts

#: how long Stop waits for the listener thread (it takes milliseconds; this is a backstop)
STOP_BACKSTOP_MS: Final = 5000
#: the toolbar's listener
MAIN: Final = 0


class State(Enum):
    """Where one listener is."""

    STOPPED = "Stopped"
    STARTING = "Starting…"
    LISTENING = "Listening"
    FAILED = "Failed"


def browse_url(listening: Listening) -> str:
    """The URL to open for a listener: a wildcard's first reachable one (loopback)."""
    return reachable_urls(listening.host, listening.port)[0].url


class ListenerFactory(Protocol):
    """Builds a listener thread, not started."""

    def __call__(
        self,
        host: str | None,
        port: int,
        responder: Responder,
        parent: QObject,
        *,
        recorder: Recorder,
        limits: Limits,
        tls: ServerContexts | None,
    ) -> ListenerThread: ...


def default_listener_factory(
    host: str | None,
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
    """Runs the listeners; says what each does.

    Args:
        responder: answers every request (swapped rule sets take effect at once).
        recorder: where every listener records (ids go on across restarts).
        listener_factory: builds the loop thread.

    Signals (the toolbar's listener):
        starting(str, int): it was started on that host and port.
        listening(str): it is bound; the URL to open (port 0 resolved; a
            wildcard's loopback URL).
        error(str): a line for the error banner (bind failure, a loop that
            died or did not stop).
        stopped(bool): it is gone; True when it failed.

    Signals (every listener, by key):
        state_changed(int, object, object): the key, its :class:`State`, and
            the bound :class:`~inspector.server.Listening` (while listening) or
            a failure's line and free port as ``(str, int)`` (else None).
    """

    starting = Signal(str, int)
    listening = Signal(str)
    error = Signal(str)
    stopped = Signal(bool)
    state_changed = Signal(int, object, object)

    def __init__(
        self,
        responder: Responder,
        parent: QObject | None = None,
        *,
        recorder: Recorder,
        listener_factory: ListenerFactory = default_listener_factory,
    ) -> None:
        super().__init__(parent)
        #: what the next loop answers with
        self.responder = responder
        #: the limits the next loop enforces
        self.limits = Limits()
        #: the next listener's certificates for HTTPS on its port (None: plain HTTP only)
        self.tls: ServerContexts | None = None
        self._recorder = recorder
        self._factory = listener_factory
        self._listener: ListenerThread | None = None
        self._states: dict[int, State] = {}
        self._bound: dict[int, Listening] = {}
        self._url = ""

    @property
    def listener(self) -> ListenerThread | None:
        """The running loop thread, if any."""
        return self._listener

    @property
    def url(self) -> str:
        """The toolbar listener's URL while it listens, else ""."""
        return self._url

    def is_running(self) -> bool:
        """Whether the toolbar's listener is starting or listening."""
        return self.state(MAIN) in (State.STARTING, State.LISTENING)

    def state(self, key: int) -> State:
        return self._states.get(key, State.STOPPED)

    @Slot(object)
    def set_limits(self, limits: Limits) -> None:
        """The limits the next loop enforces (a running one keeps its own)."""
        self.limits = limits

    @Slot(str, int)
    def start(self, host: str, port: int) -> None:
        """Start the toolbar's listener on ``host``:``port`` (0: any free port)."""
        if not self.is_running():
            self.starting.emit(host, port)
            self.open(MAIN, host, port)

    @Slot()
    def stop(self) -> None:
        """Stop the toolbar's listener (with the last listener, returns once the thread has ended)."""
        if self.is_running():
            self.close(MAIN)

    def open(self, key: int, host: str, port: int) -> None:
        """Start listener ``key`` on ``host``:``port``; ``state_changed`` follows."""
        if self.state(key) in (State.STARTING, State.LISTENING):
            return
        listener = self._listener
        if listener is None:
            listener = self._factory(
                None, 0, self.responder, self, recorder=self._recorder, limits=self.limits, tls=self.tls
            )
            listener.opened.connect(self._on_listener_opened)
            listener.open_failed.connect(self._on_listener_open_failed)
            listener.failed.connect(self._on_listener_failed)
            listener.stopped.connect(self._on_listener_stopped)
            self._listener = listener
            listener.start()
        self._set(key, State.STARTING, None)
        listener.open(key, host, port)

    def close(self, key: int) -> None:
        """Stop listener ``key``; its connections end, the others serve on."""
        state = self.state(key)
        if state is State.STOPPED or state is State.FAILED:
            return
        bound = self._bound.pop(key, None)
        listener = self._listener
        if bound is not None and listener is not None:
            listener.close(bound.name)
        self._set(key, State.STOPPED, None)
        if key == MAIN:
            self._url = ""
            self.stopped.emit(False)
        self._stop_when_idle()

    def shut_down(self) -> None:
        """Stop every listener and the thread."""
        for key in list(self._states):
            self.close(key)
        self._end_thread()

    # -- the thread ----------------------------------------------------------------

    def _set(self, key: int, state: State, detail: object) -> None:
        self._states[key] = state
        self.state_changed.emit(key, state, detail)

    def _stop_when_idle(self) -> None:
        if not any(state in (State.STARTING, State.LISTENING) for state in self._states.values()):
            self._end_thread()

    def _end_thread(self) -> None:
        listener = self._listener
        if listener is None:
            return
        self._listener = None
        listener.stop()
        if not listener.wait(STOP_BACKSTOP_MS):  # stop() already waits; this is the backstop
            self.error.emit(f"The listener did not stop within {STOP_BACKSTOP_MS // 1000} s.")
        listener.deleteLater()

    def _is_current(self) -> bool:
        return self._listener is not None and self.sender() is self._listener

    @Slot(int, object)
    def _on_listener_opened(self, key: int, listening: Listening) -> None:
        if not self._is_current() or self.state(key) is not State.STARTING:
            if self._listener is not None:  # stopped while binding: close it again
                self._listener.close(listening.name)
            return
        self._bound[key] = listening
        self._set(key, State.LISTENING, listening)
        if key == MAIN:
            self._url = browse_url(listening)
            self.listening.emit(self._url)

    @Slot(int, str, int)
    def _on_listener_open_failed(self, key: int, message: str, free_port: int) -> None:
        if not self._is_current() or self.state(key) is not State.STARTING:
            return
        self._set(key, State.FAILED, (message, free_port))
        if key == MAIN:
            self.error.emit(message)
            self.stopped.emit(True)
        self._stop_when_idle()

    @Slot(str)
    def _on_listener_failed(self, message: str) -> None:
        if self._is_current():
            self.error.emit(message)

    @Slot()
    def _on_listener_stopped(self) -> None:
        # the loop ended on its own (a fatal error); after _end_thread() the
        # thread is no longer current and this is ignored
        listener = self._listener
        if listener is None or self.sender() is not listener:
            return
        self._listener = None
        listener.wait(1000)  # run() returns right after emitting stopped
        listener.deleteLater()
        self._bound.clear()
        for key, state in list(self._states.items()):
            if state in (State.STARTING, State.LISTENING):
                self._set(key, State.FAILED, ("the listener stopped unexpectedly", 0))
        if self._url:
            self._url = ""
            self.stopped.emit(True)
