"""ListenerThread: the server loop on a QThread, reported through signals.

Bind 127.0.0.1 port 0; every wait is a qtbot wait with a timeout.
"""

from __future__ import annotations

import http.client
import re
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QObject, QThread, Slot

from inspector.capture import Recorder
from inspector.http.record import CaptureRecord
from inspector.http.response import Response
from inspector.listener import ListenerThread, RecorderSignals
from inspector.server import bind_listener
from inspector.store import CaptureStore
from tests.records import make_record

WAIT_MS = 5000


class Collector(QObject):
    """Receives request_finished in the GUI thread (a queued connection to a slot)."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[CaptureRecord] = []

    @Slot(object)
    def on_record(self, record: CaptureRecord) -> None:
        self.records.append(record)


Started = tuple[ListenerThread, str]

_watching: dict[int, RecorderSignals] = {}


def watch(thread: ListenerThread) -> RecorderSignals:
    """The signals of ``thread``'s recorder (as the window observes it)."""
    key = id(thread.recorder)
    if key not in _watching:
        _watching[key] = RecorderSignals(thread.recorder)
    return _watching[key]


@pytest.fixture
def start_listener(qtbot) -> Iterator[Callable[..., Started]]:  # type: ignore[no-untyped-def]
    threads: list[ListenerThread] = []

    def start(
        host: str = "127.0.0.1", port: int = 0, recorder: Recorder | None = None, **kwargs: object
    ) -> Started:
        thread = ListenerThread(host, port, recorder=recorder or Recorder(), **kwargs)  # type: ignore[arg-type]
        watch(thread)
        threads.append(thread)
        with qtbot.waitSignal(thread.listening, timeout=WAIT_MS) as blocker:
            thread.start()
        return thread, blocker.args[0]

    yield start
    for thread in threads:
        assert thread.stop(), "the listener thread did not end"
        assert thread.isFinished()
    for signals in _watching.values():
        signals.detach()
    _watching.clear()


def wait_eof(sock: socket.socket) -> bytes:
    """Read until the peer closes (bounded by select); return what came."""
    data = b""
    deadline = time.monotonic() + WAIT_MS / 1000
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"socket not closed; got {data!r}"
        ready, _, _ = select.select([sock], [], [], left)
        if ready:
            try:
                chunk = sock.recv(4096)
            except ConnectionResetError:
                return data
            if not chunk:
                return data
            data += chunk


def test_start_capture_and_stop(qtbot, start_listener) -> None:  # type: ignore[no-untyped-def]
    thread, url = start_listener()
    assert thread.port != 0
    assert url == f"http://127.0.0.1:{thread.port}"
    collector = Collector()
    watch(thread).request_finished.connect(collector.on_record)
    with qtbot.waitSignal(watch(thread).request_finished, timeout=WAIT_MS) as blocker:
        conn = http.client.HTTPConnection("127.0.0.1", thread.port, timeout=5)
        conn.request("GET", "/index.html?name=jack&age=18")
        response = conn.getresponse()
        assert response.status == 200
        assert response.read() == b"hello world"
        conn.close()
    record = blocker.args[0]
    assert isinstance(record, CaptureRecord)
    assert record.path == "/index.html"
    assert record.query == (("name", "jack"), ("age", "18"))
    assert record.response is not None and record.response.status == 200
    qtbot.waitUntil(lambda: len(collector.records) == 1, timeout=WAIT_MS)
    assert collector.records[0] is record or collector.records[0] == record

    with qtbot.waitSignal(thread.stopped, timeout=WAIT_MS):
        assert thread.stop()
    assert thread.isFinished()
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", thread.port))


def test_many_requests_all_reach_the_gui_thread_in_order(qtbot, start_listener) -> None:  # type: ignore[no-untyped-def]
    thread, _ = start_listener()
    collector = Collector()
    watch(thread).request_finished.connect(collector.on_record)
    conn = http.client.HTTPConnection("127.0.0.1", thread.port, timeout=5)
    for i in range(50):
        conn.request("GET", f"/n/{i}")
        conn.getresponse().read()
    conn.close()
    qtbot.waitUntil(lambda: len(collector.records) == 50, timeout=WAIT_MS)
    assert [r.path for r in collector.records] == [f"/n/{i}" for i in range(50)]
    ids = [r.id for r in collector.records]
    assert ids == sorted(ids) and len(set(ids)) == 50


def test_first_id_continues_numbering(qtbot, start_listener) -> None:  # type: ignore[no-untyped-def]
    thread, _ = start_listener(recorder=Recorder(first_id=1000))
    with qtbot.waitSignal(watch(thread).request_finished, timeout=WAIT_MS) as blocker:
        conn = http.client.HTTPConnection("127.0.0.1", thread.port, timeout=5)
        conn.request("GET", "/")
        conn.getresponse().read()
        conn.close()
    assert blocker.args[0].id == 1000


def test_set_responder_while_running(qtbot, start_listener) -> None:  # type: ignore[no-untyped-def]
    thread, _ = start_listener()
    thread.set_responder(lambda record: Response(status=201, body=b"swapped", rule="new"))
    with qtbot.waitSignal(watch(thread).request_finished, timeout=WAIT_MS) as blocker:
        conn = http.client.HTTPConnection("127.0.0.1", thread.port, timeout=5)
        conn.request("GET", "/")
        response = conn.getresponse()
        assert (response.status, response.read()) == (201, b"swapped")
        conn.close()
    assert blocker.args[0].response.rule == "new"


def test_stop_with_idle_clients_connected(qtbot, start_listener) -> None:  # type: ignore[no-untyped-def]
    thread, _ = start_listener()
    address = ("127.0.0.1", thread.port)
    keep_alive = socket.create_connection(address, timeout=5)
    with qtbot.waitSignal(watch(thread).request_finished, timeout=WAIT_MS):
        keep_alive.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert keep_alive.recv(4096).startswith(b"HTTP/1.1 200 OK")
    silent = socket.create_connection(address, timeout=5)
    partial = socket.create_connection(address, timeout=5)
    partial.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf")
    clients = [keep_alive, silent, partial]
    try:
        with qtbot.waitSignal(thread.stopped, timeout=WAIT_MS):
            assert thread.stop()  # wait() returned True: run() is over
        assert thread.isFinished()
        for client in clients:
            assert wait_eof(client) == b""  # closed by the listener, nothing sent on the way out
        # every socket is closed: the same port can be bound again at once
        bind_listener("127.0.0.1", thread.port).close()
    finally:
        for client in clients:
            client.close()


def test_stop_right_after_start(qtbot) -> None:  # type: ignore[no-untyped-def]
    thread = ListenerThread("127.0.0.1", 0, recorder=Recorder())
    with qtbot.waitSignal(thread.stopped, timeout=WAIT_MS):
        thread.start()
        assert thread.stop()
    assert thread.isFinished()


def test_bind_failure_port_in_use(qtbot) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        thread = ListenerThread("127.0.0.1", port, recorder=Recorder())
        with (
            qtbot.assertNotEmitted(thread.listening),
            qtbot.waitSignal(thread.stopped, timeout=WAIT_MS),
            qtbot.waitSignal(thread.failed, timeout=WAIT_MS) as failed,
        ):
            thread.start()
        message = failed.args[0]
        assert message.startswith(f"port {port} on 127.0.0.1 is in use by ")
        assert re.search(r"; try --port \d+$", message)  # suggests a way out
        assert "\n" not in message
        assert thread.wait(WAIT_MS)


def test_bind_failure_address_not_on_this_host(qtbot) -> None:  # type: ignore[no-untyped-def]
    # TEST-NET-1: never an address of this machine
    thread = ListenerThread("192.0.2.1", 0, recorder=Recorder())
    with qtbot.waitSignal(thread.failed, timeout=WAIT_MS) as blocker:
        thread.start()
    assert "192.0.2.1" in blocker.args[0]
    assert "not an address of this machine" in blocker.args[0]
    assert thread.wait(WAIT_MS)


class HistoryCollector(QObject):
    """Receives a RecorderSignals' reports in the GUI thread."""

    def __init__(self) -> None:
        super().__init__()
        self.committed: list[tuple[int, int]] = []
        self.problems: list[str] = []
        self.threads: set[object] = set()

    @Slot(object, int)
    def on_committed(self, max_id: int, count: int) -> None:
        self.committed.append((max_id, count))
        self.threads.add(QThread.currentThread())

    @Slot(str)
    def on_problem(self, message: str) -> None:
        self.problems.append(message)


def get(port: int, target: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", target)
    conn.getresponse().read()
    conn.close()


def test_one_recorder_serves_listener_after_listener(qtbot, start_listener, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The window's case: stop, start again, the same recorder; ids go on and every
    record is in the history the recorder writes."""
    recorder = Recorder(CaptureStore(tmp_path / "h.sqlite3"))
    seen: list[int] = []
    for run in range(2):
        thread, _ = start_listener(recorder=recorder)
        collector = Collector()
        watch(thread).request_finished.connect(collector.on_record)
        for i in range(3):
            get(thread.port, f"/run{run}/{i}")
        qtbot.waitUntil(lambda collector=collector: len(collector.records) == 3, timeout=WAIT_MS)
        seen += [r.id for r in collector.records]
        assert thread.stop()
    assert seen == [1, 2, 3, 4, 5, 6]
    store = recorder.store
    assert store is not None and store.flush(5)
    assert store.ids() == seen
    assert not recorder.close()


def test_detached_signals_no_longer_relay_the_recorder(qtbot) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    signals = RecorderSignals(recorder)
    collector = Collector()
    signals.request_finished.connect(collector.on_record)
    # emitted here (the GUI thread) a signal reaches the slot at once, when the round ends
    recorder.finished(make_record(id=recorder.next_id()))
    recorder.end_round()
    assert len(collector.records) == 1
    signals.detach()
    recorder.finished(make_record(id=recorder.next_id()))
    recorder.end_round()
    assert len(collector.records) == 1


def test_pending_requests_reach_the_gui_thread(qtbot, start_listener) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder()
    thread, _ = start_listener(recorder=recorder)
    pending = make_record(id=recorder.next_id(), response=None)
    with qtbot.waitSignal(watch(thread).request_started, timeout=WAIT_MS) as blocker:
        recorder.started(pending)  # as the loop does for a request still open at a round's end
        recorder.end_round()
    assert blocker.args[0] is pending


def test_history_reports_arrive_as_signals_in_the_gui_thread(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    recorder = Recorder(CaptureStore(tmp_path / "h.sqlite3"))
    signals = RecorderSignals(recorder)
    collector = HistoryCollector()
    signals.history_committed.connect(collector.on_committed)
    signals.problem.connect(collector.on_problem)
    for _ in range(4):
        recorder.finished(make_record(id=recorder.next_id()))
    recorder.end_round()
    qtbot.waitUntil(lambda: sum(n for _, n in collector.committed) == 4, timeout=WAIT_MS)
    assert collector.committed[-1][0] == 4
    assert collector.threads == {QThread.currentThread()}  # delivered in the GUI thread
    with qtbot.waitSignal(signals.problem, timeout=WAIT_MS):
        threading.Thread(target=recorder.problem, args=("disk on fire",)).start()
    assert collector.problems == ["disk on fire"]
    signals.detach()
    recorder.close()
