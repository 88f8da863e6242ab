"""The QThread that runs the server loop, and the recorder's reports as Qt signals.

Only this module joins the Qt-free capture path to Qt (docs/ARCHITECTURE.md,
"The capture path" and "Threads"). The loop runs in ``run()`` and reports to
a :class:`~inspector.capture.Recorder` (ids, history, JSONL). ``stop()`` wakes
the loop through its socket pair and waits for ``run()`` to return, which
takes milliseconds whatever the clients are doing.

:class:`RecorderSignals` is how a window observes a recorder: its requests
(loop thread) and its history's commits, pruning and problems (writer thread)
become signals, delivered to the GUI thread through queued connections as
immutable objects (Qt's "Threads and QObjects").
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, Signal

from inspector.capture import Recorder, RecorderObserver
from inspector.http.limits import Limits
from inspector.http.record import CaptureRecord
from inspector.http.response import Responder, default_responder
from inspector.server import BindError, Server
from inspector.tls.contexts import ServerContexts

#: stop() waits at most this long for the loop (it normally takes a few ms).
STOP_WAIT_MS = 2000


class ListenerThread(QThread):
    """Listens on ``host``:``port`` until :meth:`stop`, recording through ``recorder``.

    With ``host`` None the loop starts with no listener, and :meth:`open` and
    :meth:`close` add and remove listeners while it serves (one loop for all;
    docs/ARCHITECTURE.md, "Threads"). Each bind runs on a short-lived thread of
    its own, as naming a port's holder may take a second: neither the loop nor
    the GUI waits for it.

    Args:
        tls: certificates for HTTPS on the same port (None: plain HTTP only).
        recorder: where records go (ids, history, JSONL); one recorder serves
            every listener a window starts, so ids go on across restarts.
            Observe it (:class:`RecorderSignals`) to see the requests.

    Signals:
        listening(str): the real URL once bound (port 0 gives the chosen port).
        failed(str): one readable line (bind failure, or the loop died).
        stopped(): the loop ended and every socket is closed.
        opened(int, object): :meth:`open`'s key and the bound :class:`~inspector.server.Listening`.
        open_failed(int, str, int): its key, one readable line, and a free port
            to offer when the port was in use (else 0).
    """

    listening = Signal(str)
    failed = Signal(str)
    stopped = Signal()
    opened = Signal(int, object)
    open_failed = Signal(int, str, int)

    def __init__(
        self,
        host: str | None,
        port: int,
        responder: Responder | None = None,
        parent: QObject | None = None,
        *,
        limits: Limits | None = None,
        recorder: Recorder,
        tls: ServerContexts | None = None,
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.port = port
        self.recorder = recorder
        self._responder = responder or default_responder
        self._limits = limits
        self._tls = tls
        self._server: Server | None = None
        if host is None:  # no bind: cheap enough to build here, so open() works at once
            self._server = Server(None, sink=recorder, responder=self._responder, limits=limits, tls=tls)

    def set_responder(self, responder: Responder) -> None:
        """Swap the responder atomically; requests in flight keep the old one."""
        self._responder = responder
        server = self._server
        if server is not None:
            server.set_responder(responder)

    def open(self, key: int, host: str, port: int) -> None:
        """Bind ``host``:``port`` on a thread of its own and serve it on this loop;
        ``opened`` or ``open_failed`` says how it went. Safe from any thread."""
        server = self._server
        if server is None:
            self.open_failed.emit(key, "the listener thread has stopped", 0)
            return
        threading.Thread(target=self._open, args=(server, key, host, port), daemon=True).start()

    def _open(self, server: Server, key: int, host: str, port: int) -> None:
        try:
            listening = server.listen(host, port)
        except BindError as exc:
            free = exc.in_use.free_port if exc.in_use and exc.in_use.free_port else 0
            self.open_failed.emit(key, str(exc), free)
            return
        self.opened.emit(key, listening)

    def close(self, name: str) -> None:
        """Stop the listener ``name`` (its connections end); the others serve on."""
        server = self._server
        if server is not None:
            server.unlisten(name)

    def run(self) -> None:
        server = self._server
        if server is None:
            try:
                server = Server(
                    self.host,
                    self.port,
                    sink=self.recorder,
                    responder=self._responder,
                    limits=self._limits,
                    tls=self._tls,
                )
            except BindError as exc:
                self.failed.emit(str(exc))
                self.stopped.emit()
                return
            self._server = server
            self.port = server.port
            self.listening.emit(server.url)
        if self.isInterruptionRequested():
            server.stop()
        try:
            server.serve_forever()
        except Exception as exc:  # keep the window alive and say what happened
            self.failed.emit(f"the listener stopped unexpectedly: {exc}")
        finally:
            self._server = None
            self.stopped.emit()

    def stop(self) -> bool:
        """End the loop, close every socket and wait; True when the thread ended."""
        self.requestInterruption()
        server = self._server
        if server is not None:
            server.stop()
            if not self.isRunning() and not self.isFinished():
                server.close()  # never started: nothing else will close it
        return self.wait(STOP_WAIT_MS)


class RecorderSignals(QObject):
    """What a recorder reports, as Qt signals (emitted on the loop thread or the
    store's writer thread, delivered to receivers in their own thread through
    queued connections).

    Signals:
        request_started(object): a :class:`CaptureRecord` still pending after its
            loop round (no response yet); the same id comes in request_finished later.
        request_finished(object): one finished :class:`CaptureRecord`, response
            included (answered, rejected, or given up: ``error`` says why).
        history_committed(int, int): finished records are stored for good:
            ``(highest id, how many)`` (the table can turn live rows into history rows).
        history_pruned(int): the caps deleted this many of the oldest rows.
        problem(str): one line for the user (a failed write, writes working again).
    """

    request_started = Signal(object)
    request_finished = Signal(object)
    history_committed = Signal(object, int)
    history_pruned = Signal(int)
    problem = Signal(str)

    def __init__(self, recorder: Recorder, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._observer = _SignalObserver(self)
        self._recorder = recorder
        recorder.add_observer(self._observer)

    def detach(self) -> None:
        """Stop relaying (before the recorder or this object goes away)."""
        self._recorder.remove_observer(self._observer)


class _SignalObserver(RecorderObserver):
    """Relays a loop round's records when the round ends, in id order.

    Within a round the loop reports finished requests as it answers them and
    the ones still waiting at the round's end, so a waiting request (a lower id)
    would reach the table after a later one. Sorted per round, new rows arrive
    in id order, which the table's conversion to history rows relies on
    (docs/ARCHITECTURE.md, "The capture path").
    """

    def __init__(self, signals: RecorderSignals) -> None:
        self._started = signals.request_started
        self._finished = signals.request_finished
        self._committed = signals.history_committed
        self._pruned = signals.history_pruned
        self._problem = signals.problem
        #: this round's reports: (id, 0 started / 1 finished, record)
        self._round: list[tuple[int, int, CaptureRecord]] = []

    def request_started(self, record: CaptureRecord) -> None:
        self._round.append((record.id, 0, record))

    def request_finished(self, record: CaptureRecord) -> None:
        self._round.append((record.id, 1, record))

    def round_ended(self) -> None:
        if not self._round:
            return
        reports, self._round = self._round, []
        reports.sort(key=_id_then_kind)
        started, finished = self._started, self._finished
        for _, kind, record in reports:
            (finished if kind else started).emit(record)

    def history_committed(self, max_id: int, count: int) -> None:
        self._committed.emit(max_id, count)

    def history_pruned(self, count: int) -> None:
        self._pruned.emit(count)

    def problem(self, message: str) -> None:
        self._problem.emit(message)


def _id_then_kind(report: tuple[int, int, CaptureRecord]) -> tuple[int, int]:
    return report[0], report[1]
