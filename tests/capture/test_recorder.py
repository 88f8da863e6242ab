"""The recorder: ids that are never reused, the store and the JSONL file written,
observers told in order, pending requests stored until they finish."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import sqlite3
from pathlib import Path

import pytest

from inspector.capture import JsonlOutput, Losses, Recorder, RecorderObserver
from inspector.formats import jsonl_line
from inspector.http.record import CaptureRecord
from inspector.store import CaptureStore
from tests.records import make_record


class Log(RecorderObserver):
    def __init__(self) -> None:
        self.events: list[tuple[object, ...]] = []

    def request_started(self, record: CaptureRecord) -> None:
        self.events.append(("started", record.id))

    def request_finished(self, record: CaptureRecord) -> None:
        self.events.append(("finished", record.id))

    def round_ended(self) -> None:
        self.events.append(("round",))

    def history_committed(self, max_id: int, count: int) -> None:
        self.events.append(("committed", max_id, count))

    def problem(self, message: str) -> None:
        self.events.append(("problem", message))


def jsonl_to(path: Path) -> JsonlOutput:
    return JsonlOutput.open(str(path))


def record_for(recorder: Recorder, **fields: object) -> CaptureRecord:
    return make_record(id=recorder.next_id(), **fields)


def test_ids_continue_after_the_store_and_the_jsonl_file(tmp_path: Path) -> None:
    db, out = tmp_path / "h.sqlite3", tmp_path / "r.jsonl"
    with CaptureStore(db) as store:
        store.add(make_record(id=7))
    out.write_bytes(jsonl_line(make_record(id=12)) + b"\n" + jsonl_line(make_record(id=9)) + b"\n")
    recorder = Recorder(CaptureStore(db), jsonl_to(out))
    assert recorder.next_id() == 13  # the larger of 7 (store) and 12 (file)
    recorder.close()
    # the store alone, when it has the larger id
    with CaptureStore(db) as store:
        store.add(make_record(id=40))
    recorder = Recorder(CaptureStore(db), jsonl_to(out))
    assert recorder.next_id() == 41
    recorder.close()


def test_ids_are_not_reused_after_clearing_or_pruning(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    recorder = Recorder(CaptureStore(db, max_records=2))
    for _ in range(5):
        recorder.finished(record_for(recorder))
        recorder.end_round()
    assert recorder.store is not None and recorder.store.flush(5)
    assert recorder.store.ids() == [4, 5]
    recorder.store.clear()
    recorder.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM requests").fetchone()[0] == 0
    conn.close()
    recorder = Recorder(CaptureStore(db))
    assert recorder.next_id() == 6
    recorder.close()


def test_memory_history_and_a_reused_jsonl_file(tmp_path: Path) -> None:
    """--no-db with the same --jsonl file across restarts: ids go on."""
    out = tmp_path / "r.jsonl"
    for run in range(3):
        recorder = Recorder(CaptureStore(None), jsonl_to(out))
        for _ in range(4):
            recorder.finished(record_for(recorder))
        recorder.end_round()
        assert not recorder.close(), run
    ids = [json.loads(line)["id"] for line in out.read_bytes().splitlines()]
    assert ids == list(range(1, 13))


def test_finished_goes_to_store_jsonl_and_observers_in_order(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    recorder = Recorder(CaptureStore(tmp_path / "h.sqlite3"), jsonl_to(out))
    log = Log()
    recorder.add_observer(log)
    first, second = record_for(recorder), record_for(recorder)
    recorder.finished(first)
    recorder.finished(second)
    assert out.read_bytes() == b""  # written at the end of the round, not per record
    recorder.end_round()
    assert out.read_bytes() == jsonl_line(first) + b"\n" + jsonl_line(second) + b"\n"
    assert log.events[:3] == [("finished", 1), ("finished", 2), ("round",)]
    store = recorder.store
    assert store is not None and store.flush(5)
    assert store.get(1) == first and store.get(2) == second
    assert ("committed", 2, 2) in log.events
    assert not recorder.close()


def test_a_pending_request_is_stored_and_replaced_once_finished(tmp_path: Path) -> None:
    db, out = tmp_path / "h.sqlite3", tmp_path / "r.jsonl"
    recorder = Recorder(CaptureStore(db), jsonl_to(out))
    log = Log()
    recorder.add_observer(log)
    pending = record_for(recorder, response=None, body=b"", body_size=0, raw_body=None)
    recorder.started(pending)
    recorder.end_round()
    store = recorder.store
    assert store is not None and store.flush(5)
    assert store.get(pending.id) == pending
    assert store.ids_between(0, 100) == []  # not stored for good yet
    assert out.read_bytes() == b""  # the JSONL file gets finished records only
    done = dataclasses.replace(pending, body=b"late body", body_size=9, response=make_record().response)
    recorder.finished(done)
    recorder.end_round()
    assert store.flush(5)
    assert store.get(pending.id) == done and store.count() == 1
    assert store.ids_between(0, 100) == [pending.id]
    assert [json.loads(line)["id"] for line in out.read_bytes().splitlines()] == [pending.id]
    assert log.events[0] == ("started", pending.id)
    assert ("finished", pending.id) in log.events
    recorder.close()


def test_a_pending_request_survives_a_crash_marked_unfinished(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    store = CaptureStore(db)
    recorder = Recorder(store)
    pending = record_for(recorder, response=None, error=None)
    recorder.started(pending)
    assert store.flush(5)
    # no finished(), no close(): as after kill -9, the next start reads the file
    copy = tmp_path / "copy.sqlite3"
    with sqlite3.connect(db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    source.close()
    target.close()
    recorder.close()
    with CaptureStore(copy) as reopened:
        back = reopened.get(pending.id)
        assert back.error is not None and back.error.startswith("unfinished")
        assert back.target == pending.target and back.response is None
        assert reopened.ids_between(0, 100) == [pending.id]


def test_a_broken_observer_does_not_stop_recording(tmp_path: Path) -> None:
    class Broken(RecorderObserver):
        def request_finished(self, record: CaptureRecord) -> None:
            raise RuntimeError("observer bug")

        def round_ended(self) -> None:
            raise RuntimeError("observer bug")

    recorder = Recorder(CaptureStore(None))
    log = Log()
    recorder.add_observer(Broken())
    recorder.add_observer(log)
    recorder.finished(record_for(recorder))
    recorder.end_round()
    assert log.events[:2] == [("finished", 1), ("round",)]
    store = recorder.store
    assert store is not None and store.flush(5) and store.count() == 1
    recorder.remove_observer(log)
    recorder.finished(record_for(recorder))
    assert ("finished", 2) not in log.events
    recorder.close()


def test_without_a_store_or_file_records_only_reach_observers() -> None:
    recorder = Recorder(first_id=100)
    log = Log()
    recorder.add_observer(log)
    recorder.finished(make_record(id=recorder.next_id()))
    recorder.end_round()
    assert log.events == [("finished", 100), ("round",)]
    assert not recorder.close()


def test_jsonl_lines_equal_the_export_encoder() -> None:
    """The recorder's lines are formats.jsonl_line's bytes (one encoder)."""
    stream = io.BytesIO()
    recorder = Recorder(jsonl=JsonlOutput(stream, "memory", owns_stream=False))
    records = [make_record(id=recorder.next_id(), headers=(("X-Bad", "\udcff"),)), record_for(recorder)]
    for record in records:
        recorder.finished(record)
    recorder.end_round()
    assert stream.getvalue() == b"".join(jsonl_line(r) + b"\n" for r in records)


def test_ids_start_at_one_without_a_store_or_with_a_new_output() -> None:
    assert Recorder().next_id() == 1
    recorder = Recorder(jsonl=JsonlOutput(io.BytesIO(), "memory", owns_stream=False))
    assert recorder.next_id() == 1
    assert not recorder.close()


def test_every_round_writes_its_own_lines(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    recorder = Recorder(CaptureStore(None), jsonl_to(out))
    written: list[int] = []
    for _ in range(3):
        records = [record_for(recorder), record_for(recorder)]
        for record in records:
            recorder.finished(record)
        recorder.end_round()
        written += [r.id for r in records]
        assert [json.loads(line)["id"] for line in out.read_bytes().splitlines()] == written
    last = record_for(recorder)
    recorder.finished(last)  # its round never ended: close writes it
    assert not recorder.close()
    assert [json.loads(line)["id"] for line in out.read_bytes().splitlines()] == [*written, last.id]


def test_jsonl_problems_reach_every_observer_and_count_as_losses(tmp_path: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")

    class Broken(RecorderObserver):
        def problem(self, message: str) -> None:
            raise RuntimeError("observer bug")

    recorder = Recorder(CaptureStore(None), JsonlOutput.open("/dev/full"))
    log = Log()
    recorder.add_observer(Broken())
    recorder.add_observer(log)
    recorder.finished(record_for(recorder))
    recorder.finished(record_for(recorder))
    recorder.end_round()
    assert (
        "problem",
        "cannot write JSONL file /dev/full: No space left on device; keeping unwritten lines to try again",
    ) in log.events
    losses = recorder.close()
    assert losses == Losses(store=0, jsonl=2)
    assert losses  # a loss of either kind is a loss (headless exits with EXIT_RECORDS_LOST)
    assert Losses(store=3, jsonl=0)
    assert not Losses()


def test_a_removed_observer_hears_nothing_from_the_store(tmp_path: Path) -> None:
    recorder = Recorder(CaptureStore(tmp_path / "h.sqlite3"))
    gone, kept = Log(), Log()
    recorder.add_observer(gone)
    recorder.add_observer(kept)
    recorder.remove_observer(gone)
    recorder.finished(record_for(recorder))
    recorder.end_round()
    store = recorder.store
    assert store is not None and store.flush(5)
    recorder.close()
    assert gone.events == []
    # (the commit comes on the store's writer thread: before or after the round's end)
    assert sorted(kept.events, key=str) == [("committed", 1, 1), ("finished", 1), ("round",)]
