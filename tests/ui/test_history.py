"""The window with a history store: lazy loading, restart, clear, export, import,
store failures. Real listener on 127.0.0.1, real SQLite files under tmp_path."""

from __future__ import annotations

import argparse
import http.client
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton

from inspector.capture import Recorder
from inspector.formats import import_har
from inspector.http.record import CaptureRecord
from inspector.models.columns import Column, Role
from inspector.store import CaptureStore
from inspector.ui.export_dialog import ExportScope
from inspector.ui.main_window import MainWindow, open_window

Factory = Callable[..., CaptureRecord]


def send(window: MainWindow, method: str, target: str, body: bytes | None = None) -> tuple[int, bytes]:
    parts = urlsplit(window.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=5)
    try:
        conn.request(method, target, body=body)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_rows(qtbot: Any, window: MainWindow, count: int) -> None:
    qtbot.waitUntil(lambda: window.model.rowCount() >= count, timeout=5000)


def args(db: Path | None = None, no_db: bool = False) -> argparse.Namespace:
    return argparse.Namespace(db=str(db) if db else None, no_db=no_db, bind="127.0.0.1", port=0)


class CountingStore:
    """A CaptureStore whose reads are counted (the window must not load everything)."""

    def __init__(self, store: CaptureStore) -> None:
        self._store = store
        self.summary_rows = 0
        self.get_calls = 0

    def summaries(self, offset: int = 0, limit: int = 100) -> Any:
        rows = self._store.summaries(offset, limit)
        self.summary_rows += len(rows)
        return rows

    def summaries_between(self, first_id: int, last_id: int) -> Any:
        rows = self._store.summaries_between(first_id, last_id)
        self.summary_rows += len(rows)
        return rows

    def get(self, record_id: int) -> CaptureRecord:
        self.get_calls += 1
        return self._store.get(record_id)

    def iter_records(self, start_id: int | None = None) -> Any:
        raise AssertionError("the window must not read every record")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def fill(store: CaptureStore, factory: Factory, count: int, first: int = 1) -> None:
    store.add_many(
        factory(id=i, target=f"/old/{i}", path=f"/old/{i}", query=()) for i in range(first, first + count)
    )
    assert store.flush(30)


def start(qtbot: Any, window: MainWindow) -> None:
    window.set_address("127.0.0.1")
    window.set_port(0)
    window.listener_bar.start_action.trigger()
    qtbot.waitUntil(lambda: window.url != "", timeout=5000)


def shown_ids(window: MainWindow) -> list[int]:
    return [window.proxy.index(r, Column.ID).data(Role.SORT) for r in range(window.proxy.rowCount())]


def test_window_opens_on_a_large_history_without_loading_it(
    qtbot: Any, tmp_path: Path, settings: QSettings, record_factory: Factory
) -> None:
    with CaptureStore(tmp_path / "big.sqlite3") as store:
        fill(store, record_factory, 2000)
        counting = CountingStore(store)
        window = MainWindow(settings=settings, recorder=Recorder(counting))  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        assert window.model.rowCount() == 2000
        assert window.filter_bar.count_label.text() == "showing 2000 of 2000"
        # the newest rows are in view; only the pages painted were read, no full record
        last = window.proxy.index(1999, Column.PATH)
        assert window.table.visualRect(last).isValid()
        assert window.proxy.index(1999, Column.PATH).data() == "/old/2000"
        assert 0 < counting.summary_rows <= 2 * 256
        assert counting.get_calls == 0
        # selecting a row reads that one record for the detail pane
        window.table.selectRow(1999)
        assert window.detail.record is not None and window.detail.record.id == 2000
        assert counting.get_calls == 1
        window.close()


def test_restart_keeps_history_and_ids_continue(
    qtbot: Any, tmp_path: Path, settings: QSettings, record_factory: Factory
) -> None:
    db = tmp_path / "history.sqlite3"
    with CaptureStore(db) as store:
        fill(store, record_factory, 5)
    first = open_window(args(db), settings)
    qtbot.addWidget(first)
    assert first.model.rowCount() == 5
    start(qtbot, first)
    for i in range(3):
        assert send(first, "GET", f"/new/{i}")[0] == 200
    wait_rows(qtbot, first, 8)
    assert shown_ids(first) == [1, 2, 3, 4, 5, 6, 7, 8]
    first.close()  # stops the listener, commits and closes the store
    assert not first.is_running()

    second = open_window(args(db), settings)
    qtbot.addWidget(second)
    assert second.model.rowCount() == 8
    assert second.proxy.index(7, Column.PATH).data() == "/new/2"
    start(qtbot, second)
    assert send(second, "GET", "/after-restart")[0] == 200
    wait_rows(qtbot, second, 9)
    assert shown_ids(second)[-1] == 9  # not 1: old history is never overwritten
    second.close()
    with CaptureStore(db) as store:
        assert store.count() == 9
        assert store.get(9).target == "/after-restart"
        assert store.get(1).target == "/old/1"


def test_clear_history_deletes_from_the_store(
    qtbot: Any, tmp_path: Path, settings: QSettings, record_factory: Factory
) -> None:
    db = tmp_path / "history.sqlite3"
    with CaptureStore(db) as store:
        store.add_many(record_factory(id=i, body=b"x" * 4000) for i in range(1, 501))
        assert store.flush(10)
    window = open_window(args(db), settings)
    qtbot.addWidget(window)
    assert window.model.rowCount() == 500
    size_before = db.stat().st_size
    window.history.clear(confirm=False)
    assert window.model.rowCount() == 0
    assert window.store is not None and window.store.count() == 0
    assert db.stat().st_size < size_before / 10  # VACUUM shrank the file
    window.close()


def test_clear_asks_first_for_a_history_file(
    qtbot: Any, tmp_path: Path, settings: QSettings, record_factory: Factory, monkeypatch: Any
) -> None:
    db = tmp_path / "history.sqlite3"
    with CaptureStore(db) as store:
        fill(store, record_factory, 3)
    window = open_window(args(db), settings)
    qtbot.addWidget(window)
    asked: list[str] = []

    def answer(button: QMessageBox.StandardButton) -> Any:
        return lambda _parent, title, *_: asked.append(title) or button

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    window.history.clear_action.trigger()
    assert asked == ["Clear history"]
    assert window.model.rowCount() == 3
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    window.history.clear_action.trigger()
    assert window.model.rowCount() == 0
    window.close()


@pytest.mark.parametrize("suffix", [".har", ".jsonl"])
def test_export_selected_filtered_and_all(
    qtbot: Any, tmp_path: Path, settings: QSettings, record_factory: Factory, suffix: str
) -> None:
    db = tmp_path / "history.sqlite3"
    with CaptureStore(db) as store:
        fill(store, record_factory, 300)  # more than the scan threshold
    window = open_window(args(db), settings)
    qtbot.addWidget(window)
    window.show()
    start(qtbot, window)
    for i in range(4):
        send(window, "POST", f"/live/{i}", b"body %d" % i)
    wait_rows(qtbot, window, 304)

    def export(scope: ExportScope) -> list[CaptureRecord]:
        path = tmp_path / f"{scope.value}{suffix}"
        assert window.exports.export_to(scope, str(path)) is not None
        qtbot.waitUntil(lambda: str(path) in window.statusBar().currentMessage(), timeout=20000)
        qtbot.waitUntil(lambda: not window.exports.running)
        assert window.statusBar().currentMessage().startswith("Exported")
        if suffix == ".har":
            return import_har(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        return [CaptureRecord.from_json(json.loads(line)) for line in lines]

    # exports are in arrival order whatever the sort (issue 12, item 7)
    window.table.sortByColumn(Column.ID, Qt.SortOrder.DescendingOrder)
    assert window.model.row_id(window.proxy.source_rows()[0]) != 1
    everything = export(ExportScope.ALL)
    assert [r.id for r in everything] == list(range(1, 305))
    assert everything[-1].body == b"body 3" and everything[0].target == "/old/1"
    assert window.statusBar().currentMessage() == f"Exported 304 requests to {tmp_path / ('all' + suffix)}"

    window.filter_bar.edit.setText("/live/")
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 4)
    assert [r.target for r in export(ExportScope.FILTERED)] == [f"/live/{i}" for i in range(4)]

    window.filter_bar.edit.setText("")
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 304)
    window.table.selectRow(0)
    window.table.selectionModel().select(
        window.proxy.index(303, 0),
        window.table.selectionModel().SelectionFlag.Select | window.table.selectionModel().SelectionFlag.Rows,
    )
    picked = [window.model.row_id(window.proxy.mapToSource(window.proxy.index(r, 0)).row()) for r in (0, 303)]
    assert picked != sorted(picked)  # the view shows them newest first
    assert [r.id for r in export(ExportScope.SELECTED)] == sorted(picked)
    window.close()


def test_import_har_is_a_read_only_session(
    qtbot: Any, tmp_path: Path, settings: QSettings, record_factory: Factory
) -> None:
    source = tmp_path / "other.har"
    from inspector.formats import export_file

    imported = [record_factory(id=i, target=f"/imported/{i}", path=f"/imported/{i}") for i in (1, 2)]
    export_file(source, imported)
    window = open_window(args(no_db=True), settings)
    qtbot.addWidget(window)
    window.show()
    start(qtbot, window)
    send(window, "GET", "/live")
    wait_rows(qtbot, window, 1)

    with qtbot.waitSignal(window.sessions.opened, timeout=10000):
        assert window.sessions.import_har_file(str(source)) is not None
    assert window.sessions.in_session() and window.sessions.bar.isVisible()
    assert "other.har" in window.sessions.bar.label.text() and "read-only" in window.sessions.bar.label.text()
    assert [window.proxy.index(r, Column.PATH).data() for r in range(2)] == ["/imported/1", "/imported/2"]
    assert not window.history.clear_action.isEnabled()
    window.table.selectRow(1)
    assert window.detail.record is not None and window.detail.record.target == "/imported/2"
    # live capture goes on, into the live table and the store, not the session
    send(window, "GET", "/live-during-session")
    wait_rows(qtbot, window, 2)
    assert window.proxy.rowCount() == 2
    assert window.store is not None and window.store.flush(5)
    assert [window.store.get(i).target for i in (1, 2)] == ["/live", "/live-during-session"]
    assert window.store.count() == 2

    window.sessions.bar.back_to_live_button.click()
    assert not window.sessions.in_session() and not window.sessions.bar.isVisible()
    assert [window.proxy.index(r, Column.PATH).data() for r in range(2)] == ["/live", "/live-during-session"]
    assert window.history.clear_action.isEnabled()

    bad = tmp_path / "bad.har"
    bad.write_text("{not json", encoding="utf-8")
    with qtbot.waitSignal(window.sessions.import_failed, timeout=10000):
        window.sessions.import_har_file(str(bad))
    assert window.error_banner.isVisible() and "bad.har is not a HAR file" in window.error_banner.text()
    assert not window.sessions.in_session()
    window.close()


def test_unusable_history_file_falls_back_to_memory(
    qtbot: Any, tmp_path: Path, settings: QSettings
) -> None:
    db = tmp_path / "corrupt.sqlite3"
    db.write_bytes(b"this is not a database file" * 100)
    window = open_window(args(db), settings)
    qtbot.addWidget(window)
    window.show()
    assert window.error_banner.isVisible()
    assert "corrupt.sqlite3" in window.error_banner.text()
    assert "memory only" in window.error_banner.text()
    assert window.store is not None and window.store.path is None
    assert window.history.note.text() == "history: in memory only"
    start(qtbot, window)
    assert send(window, "GET", "/still-captured")[0] == 200
    wait_rows(qtbot, window, 1)
    assert window.store.flush(5) and window.store.count() == 1
    window.close()
    assert db.read_bytes() == b"this is not a database file" * 100


def test_writer_thread_reports_reach_the_window(
    qtbot: Any, tmp_path: Path, settings: QSettings, record_factory: Factory
) -> None:
    store = CaptureStore(tmp_path / "capped.sqlite3", max_records=50)
    fill(store, record_factory, 50)
    recorder = Recorder(store)
    window = MainWindow(settings=settings, recorder=recorder, owns_recorder=True)
    qtbot.addWidget(window)
    window.show()
    assert window.model.rowCount() == 50
    for i in range(51, 71):
        recorder.finished(record_factory(id=i))  # as the listener's loop does
    recorder.end_round()
    assert store.flush(5)
    qtbot.waitUntil(lambda: "pruned" in window.history.note.text(), timeout=3000)
    assert window.history.note.text() == "history capped at 50 requests: 20 oldest pruned"
    qtbot.waitUntil(lambda: window.model.rowCount() == 50)
    assert window.proxy.index(0, Column.ID).data(Role.SORT) == 21

    # an error reported on another (non-Qt) thread lands in the banner
    thread = threading.Thread(target=recorder.problem, args=("cannot write history: disk I/O error",))
    thread.start()
    thread.join()
    qtbot.waitUntil(window.error_banner.isVisible, timeout=3000)
    assert window.error_banner.text() == "History: cannot write history: disk I/O error"
    window.close()


@pytest.mark.parametrize("in_memory", [False, True])
def test_committed_live_rows_become_history_rows(
    qtbot: Any, tmp_path: Path, settings: QSettings, record_factory: Factory, in_memory: bool
) -> None:
    store = CaptureStore(None if in_memory else tmp_path / "h.sqlite3")
    fill(store, record_factory, 10)
    recorder = Recorder(store)
    window = MainWindow(settings=settings, recorder=recorder, owns_recorder=True)
    qtbot.addWidget(window)
    window.show()
    for i in range(11, 31):
        recorder.finished(record_factory(id=i, target=f"/new/{i}", path=f"/new/{i}"))
    recorder.end_round()  # the loop ends each round so
    qtbot.waitUntil(lambda: window.model.rowCount() == 30, timeout=3000)
    window.table.selectRow(25)
    assert window.detail.record is not None and window.detail.record.id == 26
    assert store.flush(5)
    qtbot.waitUntil(lambda: window.model.live_count == 0, timeout=3000)
    assert window.model.history_count == 30 and not window.model.pinned
    assert shown_ids(window) == list(range(1, 31))
    assert window.proxy.index(25, Column.PATH).data() == "/new/26"
    assert window.table.selectionModel().selectedRows()[0].row() == 25
    # export reads converted rows from the store by id
    assert window.exports.items(ExportScope.ALL) == list(range(1, 31))
    window.filter_bar.edit.setText("/new/2")
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 10, timeout=3000)
    assert shown_ids(window) == list(range(20, 30))
    window.close()


# -- HAR import off the GUI thread (issue: hardening, item 14) -------------------------------


def big_har(path: Path, factory: Factory, count: int) -> Path:
    from inspector.formats import export_file

    records = (factory(id=i, target=f"/h/{i}", path=f"/h/{i}", query=()) for i in range(1, count + 1))
    export_file(path, records)
    return path


def test_har_import_runs_off_the_gui_thread_with_progress(
    qtbot: Any, tmp_path: Path, settings: QSettings, record_factory: Factory
) -> None:
    path = big_har(tmp_path / "big.har", record_factory, 20_000)
    window = open_window(args(no_db=True), settings)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.sessions.opened, timeout=120_000):
        assert window.sessions.import_har_file(str(path)) is not None
        # returned before the file was read: the reading goes on in its thread
        assert window.sessions.is_importing() and not window.sessions.in_session()
        progress = window.findChild(QProgressDialog)
        assert progress is not None and progress.labelText() == "Reading big.har…"
        assert window.sessions.import_har_file(str(path)) is None  # one import at a time
    assert window.proxy.rowCount() == 20_000
    assert window.proxy.index(19_999, Column.PATH).data() == "/h/20000"
    qtbot.waitUntil(lambda: window.findChild(QProgressDialog) is None and not window.sessions.is_importing())
    window.close()


def test_har_import_can_be_cancelled(
    qtbot: Any, tmp_path: Path, settings: QSettings, record_factory: Factory
) -> None:
    path = big_har(tmp_path / "big.har", record_factory, 5_000)
    window = open_window(args(no_db=True), settings)
    qtbot.addWidget(window)
    window.show()
    opened: list[bool] = []
    window.sessions.opened.connect(lambda: opened.append(True))
    assert window.sessions.import_har_file(str(path)) is not None
    progress = window.findChild(QProgressDialog)
    assert progress is not None
    cancel = progress.findChild(QPushButton)
    assert cancel is not None and cancel.text() == "Cancel"
    cancel.click()
    qtbot.waitUntil(lambda: not window.sessions.is_importing(), timeout=60_000)
    assert not opened and not window.sessions.in_session()
    assert not window.error_banner.isVisible()
    window.close()


EXTREME_HARS = {
    "deep": "[" * 10_000 + "]" * 10_000,
    "huge-float": '{"log": {"entries": [{"startedDateTime": "2024-01-01T00:00:00Z", "time": 1e400, '
    '"request": {"method": "GET", "url": "http://h/", "httpVersion": "HTTP/1.1", "headers": [], '
    '"queryString": [], "bodySize": 1e400}, "response": {"status": 1e400}}]}}',
    "long-int": '{"log": {"entries": [{"request": {"method": "GET", "url": "http://h/", "bodySize": '
    + "9" * 5000
    + "}}]}}",
    "nan": '{"log": {"entries": [{"request": {"method": "GET", "url": "http://h/"}, "time": NaN, '
    '"response": {"status": NaN}}]}}',
}


@pytest.mark.parametrize("name", list(EXTREME_HARS))
def test_an_extreme_har_is_one_line_never_a_traceback(
    qtbot: Any, tmp_path: Path, settings: QSettings, name: str
) -> None:
    path = tmp_path / f"{name}.har"
    path.write_text(EXTREME_HARS[name], encoding="utf-8")
    window = open_window(args(no_db=True), settings)
    qtbot.addWidget(window)
    window.show()
    failures: list[str] = []
    window.sessions.import_failed.connect(failures.append)
    assert window.sessions.import_har_file(str(path)) is not None
    qtbot.waitUntil(lambda: not window.sessions.is_importing(), timeout=60_000)
    if not window.sessions.in_session():  # refused: one readable line naming the file
        assert len(failures) == 1
        assert f"{name}.har" in failures[0] and "\n" not in failures[0] and "Traceback" not in failures[0]
        assert window.error_banner.isVisible() and window.error_banner.text() == failures[0]
    window.close()
