"""CaptureStore's arguments, callbacks, observers and messages at their edges, and the
stored size the byte cap counts."""

from __future__ import annotations

import fcntl
import sqlite3
import threading
from pathlib import Path

import pytest

from inspector.http.record import CaptureRecord
from inspector.store import BatchPolicy, CaptureStore, StoreError
from tests.records import make_record, make_response

_POSITIVE = "max_records, max_bytes and max_pending must be positive"


@pytest.mark.parametrize("name", ["max_records", "max_bytes", "max_pending"])
def test_limits_must_be_positive_and_one_is_enough(name: str) -> None:
    with pytest.raises(ValueError, match=f"^{_POSITIVE}$"):
        CaptureStore(None, **{name: 0})  # type: ignore[arg-type]
    with CaptureStore(None, **{name: 1}) as store:  # type: ignore[arg-type]
        assert getattr(store, name, None) in (1, None)
        if name == "max_pending":
            assert store.policy.max_pending == 1


def test_arguments_are_kept() -> None:
    with CaptureStore(None, max_bytes=12345, batch_interval=0.5) as store:
        assert store.max_bytes == 12345
        assert store.policy.interval == 0.5


def test_on_commit_is_told_the_highest_id_and_how_many() -> None:
    commits: list[tuple[int, int]] = []
    with CaptureStore(None, on_commit=lambda max_id, n: commits.append((max_id, n))) as store:
        store.add_many(make_record(id=i) for i in (4, 2, 9))
        assert store.flush(10)
    assert commits and commits[-1][0] == 9 and sum(n for _, n in commits) == 3


def test_a_removed_observer_is_told_nothing_more() -> None:
    class Counter:
        def __init__(self) -> None:
            self.commits = 0

        def history_committed(self, max_id: int, count: int) -> None:
            self.commits += 1

        def history_pruned(self, count: int) -> None:
            pass

        def problem(self, message: str) -> None:
            pass

    kept, removed = Counter(), Counter()
    with CaptureStore(None) as store:
        store.add_observer(kept)
        store.add_observer(removed)
        store.add(make_record(id=1))
        assert store.flush(10)
        assert kept.commits == removed.commits == 1
        store.remove_observer(removed)
        store.add(make_record(id=2))
        assert store.flush(10)
        assert kept.commits == 2 and removed.commits == 1


def test_totals_add_up() -> None:
    with CaptureStore(None) as store:
        store.add_many(make_record(id=i) for i in (1, 2))
        assert store.flush(10)
        store.add(make_record(id=3))
        assert store.flush(10)
        assert store.committed_total == 3


def test_a_closed_store_says_so(tmp_path: Path) -> None:
    store = CaptureStore(tmp_path / "h.sqlite3")
    store.add(make_record(id=1))
    store.close()
    assert store.flush(1)  # nothing is left waiting
    assert store.committed_total == 1 and store.dropped_total == 0
    store.add(make_record(id=2))
    store.add(make_record(id=3))
    store.add_many(make_record(id=i) for i in (4, 5, 6))
    assert store.dropped_total == 5  # added after close: lost, and counted
    with pytest.raises(StoreError, match=r"^the history is closed$"):
        store.count()
    with pytest.raises(StoreError, match=r"^the history is closed$"):
        store.clear()


def test_a_file_that_is_not_a_database_is_named_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"not a database\n" * 500)
    with pytest.raises(StoreError) as failure:
        CaptureStore(path)
    assert str(failure.value) == f"cannot use history file {path}: file is not a database"


def _stored_size(path: Path, record_id: int) -> tuple[int, int]:
    """The size column of a record, and the bytes of its variable-length columns + 64."""
    conn = sqlite3.connect(path)
    try:
        size, *texts = conn.execute(
            "SELECT size, client, server, method, target, path, query, headers, trailers, "
            "error, notes, reason, rule, resp_headers, extra FROM requests WHERE id = ?",
            (record_id,),
        ).fetchone()
        blobs = conn.execute(
            "SELECT body, raw_head, raw_body, resp_body FROM payloads WHERE id = ?", (record_id,)
        ).fetchone()
    finally:
        conn.close()
    return size, sum(len(value) for value in (*texts, *blobs) if value is not None) + 64


def _sized(i: int, **overrides: object) -> CaptureRecord:
    """Every variable-length field of a different length, so no two cancel out."""
    fields: dict[str, object] = {
        "id": i,
        "body": b"b" * 101,
        "raw_head": b"h" * 203,
        "raw_body": b"r" * 307,
        "target": "/t" * 5,
        "path": "/p" * 7,
        "client": "c" * 11,
        "server": "s" * 13,
        "method": "M" * 17,
        "error": "e" * 19,
        "response": make_response(body=b"x" * 23, reason="R" * 29, rule="u" * 31),
    }
    fields.update(overrides)
    return make_record(**fields)


def test_the_stored_size_counts_every_stored_byte(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    records = [
        _sized(1),
        _sized(2, raw_body=None, response=None, error=None, notes=(), query=(), trailers=()),
        _sized(3, headers=(("X-Sur", "\udcff é"), ("Host", "h"))),
        _sized(4, response=make_response(rule=None, headers=())),
    ]
    with CaptureStore(path) as store:
        store.add_many(records)
        assert store.flush(10)
    for record in records:
        size, expected = _stored_size(path, record.id)
        assert size == expected, record.id



def test_the_lock_descriptor_is_not_inherited(tmp_path: Path) -> None:
    """A child process (a browser the app starts, say) must not keep the file locked."""
    with CaptureStore(tmp_path / "h.sqlite3") as store:
        assert store._lock_fd is not None
        assert fcntl.fcntl(store._lock_fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC


def test_an_app_data_folder_that_cannot_be_made_is_named_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("REQUEST_INSPECTOR_HOME", str(blocker / "ri"))
    with pytest.raises(StoreError) as failure:
        CaptureStore()
    assert str(failure.value) == f"cannot create the app-data folder {blocker / 'ri'}: Not a directory"


def test_the_writer_thread_is_named_and_does_not_hold_the_process() -> None:
    before = set(threading.enumerate())
    with CaptureStore(None):
        (writer,) = set(threading.enumerate()) - before
        assert writer.name == "capture-store-writer"
        assert writer.daemon  # a store left open does not keep the process from exiting


def test_a_newer_file_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    CaptureStore(path).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(StoreError) as failure:
        CaptureStore(path)
    assert str(failure.value).startswith(f"history file {path} was written by a newer Request Inspector")


def test_a_record_the_writer_cannot_encode_is_reported_and_writing_goes_on() -> None:
    errors: list[str] = []
    with CaptureStore(None, on_error=errors.append) as store:
        store.add(make_record(id=1, notes=(object(),)))  # not what a parser makes
        assert not store.flush(10)  # told at once that it failed, not after the timeout
        assert errors == ["history writer error: Object of type object is not JSON serializable"]
        store.add(make_record(id=2))
        assert store.flush(10)
        assert 2 in store.ids()


def test_a_batch_over_max_batch_is_committed_in_parts() -> None:
    commits: list[tuple[int, int]] = []
    policy = BatchPolicy(max_batch=2)
    with CaptureStore(None, policy=policy, on_commit=lambda max_id, n: commits.append((max_id, n))) as store:
        store.add_many([make_record(id=i) for i in range(1, 6)])  # queued at once: one batch
        assert store.flush(10)
    assert commits == [(2, 2), (4, 2), (5, 1)]


def test_pending_records_are_not_told_as_committed() -> None:
    commits: list[tuple[int, int]] = []
    with CaptureStore(None, on_commit=lambda max_id, n: commits.append((max_id, n))) as store:
        store.add_pending(make_record(id=1))
        assert store.flush(10)
        assert commits == [] and store.ids() == [1] and store.ids_between(1, 1) == []
        store.add(make_record(id=1))
        assert store.flush(10)
        assert commits == [(1, 1)] and store.ids_between(1, 1) == [1]


def test_flush_gives_up_at_its_timeout() -> None:
    """A memory store's writer shares the readers' lock: held here, nothing can commit."""
    with CaptureStore(None) as store:
        store.add(make_record(id=1))
        with store._read_lock:
            assert not store.flush(0.05)
        assert store.flush(10)
        assert store.ids() == [1]
