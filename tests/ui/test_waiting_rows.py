"""A request is a row from its first parsed head: waiting while its answer is
delayed, completed in place, and recorded with its reason when it is never
answered (Stop, the client hanging up)."""

from __future__ import annotations

import http.client
import socket
import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from inspector.capture import Recorder
from inspector.models.columns import Column
from inspector.responses import Rule, RuleSet
from inspector.server.loop import HUNG_UP, STOPPED
from inspector.store import CaptureStore
from inspector.ui.main_window import MainWindow
from tests.ui.test_main_window import address, cell


def delayed(window: MainWindow, delay_ms: int) -> None:
    window.capture.responder.set_rules(  # type: ignore[attr-defined]
        RuleSet(rules=(Rule(name="slow", path="/slow", delay_ms=delay_ms, body="late"),))
    )


def get_in_thread(window: MainWindow, target: str) -> tuple[threading.Thread, list[object]]:
    """GET ``target`` on a thread; the list gets (status, body) or the exception."""
    host, port = address(window)
    outcome: list[object] = []

    def run() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            conn.request("GET", target)
            response = conn.getresponse()
            outcome.append((response.status, response.read()))
        except OSError as exc:
            outcome.append(exc)
        finally:
            conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_a_delayed_request_is_a_waiting_row_then_completed_in_place(
    qtbot: Any, listening: MainWindow
) -> None:
    window = listening
    delayed(window, 2500)
    thread, outcome = get_in_thread(window, "/slow")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    assert thread.is_alive() and not outcome  # the row came before the answer
    assert cell(window, 0, Column.PATH) == "/slow"
    assert cell(window, 0, Column.STATUS).startswith("waiting ")
    assert cell(window, 0, Column.STATUS).endswith(" s")
    window.table.selectRow(0)
    assert window.detail.record is not None and window.detail.record.response is None
    thread.join(10)
    assert outcome == [(200, b"late")]
    qtbot.waitUntil(lambda: cell(window, 0, Column.STATUS) == "200", timeout=5000)
    assert window.model.rowCount() == 1  # the same row, not a second one
    assert not window.model.waiting
    record = window.detail.record  # the detail pane follows the selected row's new record
    assert record is not None and record.response is not None and record.response.status == 200


def test_the_waiting_time_counts_up(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    delayed(window, 4000)
    thread, _ = get_in_thread(window, "/slow")
    qtbot.waitUntil(lambda: cell(window, 0, Column.STATUS) == "waiting 0 s", timeout=5000)
    qtbot.waitUntil(lambda: cell(window, 0, Column.STATUS) == "waiting 1 s", timeout=5000)
    thread.join(10)


def test_stop_records_a_waiting_request_with_its_reason(
    qtbot: Any, settings: QSettings, tmp_path: Path
) -> None:
    store = CaptureStore(tmp_path / "history.sqlite3")
    window = MainWindow(settings=settings, recorder=Recorder(store), owns_recorder=True)
    qtbot.addWidget(window)
    window.set_port(0)
    window.show()
    window.set_address("127.0.0.1")
    window.listener_bar.start_action.trigger()
    qtbot.waitUntil(lambda: window.url != "", timeout=5000)
    delayed(window, 30_000)
    thread, outcome = get_in_thread(window, "/slow")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    window.listener_bar.start_action.trigger()  # Stop
    qtbot.waitUntil(lambda: STOPPED in cell(window, 0, Column.STATUS), timeout=10000)
    thread.join(10)
    assert outcome and isinstance(outcome[0], OSError | http.client.HTTPException)
    assert window.model.rowCount() == 1
    record_id = window.model.row_id(0)

    def stored_error() -> str | None:
        try:
            return store.get(record_id).error
        except KeyError:  # not written yet: the writer thread takes its time under load
            return None

    qtbot.waitUntil(lambda: stored_error() is not None, timeout=10000)  # no longer pending
    assert store.get(record_id).error == STOPPED and store.ids() == [record_id]
    window.close()


def test_a_client_hanging_up_while_waiting_is_recorded(qtbot: Any, listening: MainWindow) -> None:
    window = listening
    delayed(window, 30_000)
    sock = socket.create_connection(address(window), timeout=5)
    sock.sendall(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    assert cell(window, 0, Column.STATUS).startswith("waiting ")
    sock.close()
    qtbot.waitUntil(lambda: HUNG_UP in cell(window, 0, Column.STATUS), timeout=5000)
    assert window.model.rowCount() == 1 and not window.model.waiting


def test_the_feed_inserts_one_row_for_a_request_started_and_finished_in_one_batch(
    qtbot: Any, record_factory: Any
) -> None:
    from inspector.models.request_table import RequestTableModel
    from inspector.ui.live_feed import LiveFeed

    model = RequestTableModel()
    feed = LiveFeed(model)
    quick = record_factory(id=2)
    slow = record_factory(id=1, response=None)
    feed.start(slow)  # in id order, as the listener relays a round
    feed.add(quick)
    with qtbot.waitSignal(feed.flushed, timeout=2000):
        pass
    assert [model.row_id(row) for row in range(2)] == [1, 2]  # in id order
    assert model.waiting == {1}
    feed.start(record_factory(id=3, response=None))
    answered = record_factory(id=3)
    feed.add(answered)
    with qtbot.waitSignal(feed.flushed, timeout=2000):
        pass
    assert model.rowCount() == 3 and model.record(2) is answered and model.waiting == {1}
    done = record_factory(id=1)
    feed.add(done)
    with qtbot.waitSignal(feed.flushed, timeout=2000):
        pass
    assert model.rowCount() == 3 and model.record(0) is done and not model.waiting
    feed.stop()


def test_a_rounds_reports_reach_the_window_in_id_order(qtbot: Any, record_factory: Any) -> None:
    """The loop reports a round's finished requests before the ones still waiting
    at its end; the window gets them sorted, so rows go in in id order."""
    from inspector.listener import RecorderSignals

    recorder = Recorder()
    signals = RecorderSignals(recorder)
    seen: list[tuple[str, int]] = []
    signals.request_started.connect(lambda record: seen.append(("started", record.id)))
    signals.request_finished.connect(lambda record: seen.append(("finished", record.id)))
    recorder.finished(record_factory(id=6))
    recorder.started(record_factory(id=5, response=None))
    recorder.finished(record_factory(id=7))
    assert seen == []  # nothing before the round ends
    recorder.end_round()
    assert seen == [("started", 5), ("finished", 6), ("finished", 7)]
    recorder.finished(record_factory(id=5))
    recorder.end_round()
    assert seen[-1] == ("finished", 5)
    signals.detach()


def test_a_rounds_reports_land_in_the_table_in_id_order(qtbot: Any, record_factory: Any) -> None:
    """The listener's per-round sort is the only one: reports made out of id
    order within rounds reach the table's rows in id order through the feed."""
    from inspector.listener import RecorderSignals
    from inspector.models.request_table import RequestTableModel
    from inspector.ui.live_feed import LiveFeed

    recorder = Recorder()
    signals = RecorderSignals(recorder)
    model = RequestTableModel()
    feed = LiveFeed(model)
    signals.request_started.connect(feed.start)
    signals.request_finished.connect(feed.add)
    recorder.finished(record_factory(id=3))
    recorder.started(record_factory(id=1, response=None))
    recorder.finished(record_factory(id=2))
    recorder.end_round()
    recorder.finished(record_factory(id=6))
    recorder.started(record_factory(id=4, response=None))
    recorder.finished(record_factory(id=5))
    recorder.end_round()
    with qtbot.waitSignal(feed.flushed, timeout=2000):
        pass
    assert [model.row_id(row) for row in range(model.rowCount())] == [1, 2, 3, 4, 5, 6]
    assert model.waiting == {1, 4}
    feed.stop()
    signals.detach()
