"""CaptureStore: round trips, batching, caps, clear, failures, lazy reads."""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from inspector.http.record import CaptureRecord, TLSFacts, UpstreamExchange
from inspector.store import CaptureStore, StoreError, Summary, queries, schema
from tests.records import make_record, record_variants


@pytest.fixture(params=["file", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    path = tmp_path / "h.sqlite3" if request.param == "file" else None
    s = CaptureStore(path, batch_interval=0.02)
    yield s
    s.close()


def test_every_field_round_trips(store: CaptureStore) -> None:
    records = record_variants()
    for record in records:
        store.add(record)
    assert store.flush(timeout=10)
    for record in records:
        back = store.get(record.id)
        # field by field first, for a readable failure
        for f in dataclasses.fields(CaptureRecord):
            assert getattr(back, f.name) == getattr(record, f.name), f.name
        assert back == record
    assert list(store.iter_records()) == records
    assert store.count() == len(records)
    assert store.max_id() == len(records)


def test_round_trip_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    records = record_variants()
    with CaptureStore(path) as s:
        for r in records:
            s.add(r)
    with CaptureStore(path) as s:
        assert list(s.iter_records()) == records


def test_new_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with CaptureStore(path) as s:
        s.add(make_record(id=1))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_default_path_is_in_app_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUEST_INSPECTOR_HOME", str(tmp_path / "home"))
    with CaptureStore() as s:
        assert s.path == tmp_path / "home" / "history.sqlite3"
    assert (tmp_path / "home" / "history.sqlite3").exists()


@pytest.mark.parametrize("memory", [None, ":memory:"])
def test_memory_store_writes_no_file(memory: str | None, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with CaptureStore(memory) as s:
        assert s.path is None
        s.add(make_record(id=1))
        assert s.flush(5)
        assert s.count() == 1
    assert list(tmp_path.iterdir()) == []


def test_many_adds_are_batched(tmp_path: Path) -> None:
    commits: list[tuple[int, int]] = []
    s = CaptureStore(tmp_path / "h.sqlite3", on_commit=lambda m, n: commits.append((m, n)))
    n = 20_000
    rec = make_record(id=1)
    for i in range(1, n + 1):
        s.add(dataclasses.replace(rec, id=i))
    assert s.flush(timeout=30)
    assert s.count() == n
    assert sum(c for _, c in commits) == n
    assert commits[-1][0] == n
    # far fewer transactions than records
    assert len(commits) < 20
    assert s.committed_total == n
    s.close()


def test_add_is_non_blocking_and_flush_waits(tmp_path: Path) -> None:
    s = CaptureStore(tmp_path / "h.sqlite3", batch_interval=60)  # writer would sleep a minute
    s.add(make_record(id=1))
    assert s.pending == 1
    assert s.flush(timeout=10)  # flush wakes the writer at once
    assert s.count() == 1
    s.close()


def test_reads_while_writing(tmp_path: Path) -> None:
    s = CaptureStore(tmp_path / "h.sqlite3", batch_interval=0.001)
    stop = threading.Event()
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            while not stop.is_set():
                n = s.count()
                if n:
                    s.summaries(max(0, n - 10), 10)
                    s.get(s.max_id())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=reader)
    t.start()
    rec = make_record()
    for i in range(1, 30_001):
        s.add(dataclasses.replace(rec, id=i))
    assert s.flush(30)
    stop.set()
    t.join()
    assert errors == []
    assert s.count() == 30_000
    s.close()


def test_count_cap_prunes_oldest(tmp_path: Path) -> None:
    pruned: list[int] = []
    s = CaptureStore(tmp_path / "h.sqlite3", max_records=100, on_pruned=pruned.append)
    rec = make_record()
    for i in range(1, 251):
        s.add(dataclasses.replace(rec, id=i))
        if i % 50 == 0:
            assert s.flush(5)
    assert s.count() == 100
    assert s.ids(0, 1) == [151]
    assert s.max_id() == 250
    assert s.pruned_total == 150 == sum(pruned)
    with pytest.raises(KeyError):
        s.get(150)
    s.close()


def test_bytes_cap_prunes_oldest(tmp_path: Path) -> None:
    s = CaptureStore(tmp_path / "h.sqlite3", max_bytes=100_000)
    rec = make_record(body=b"x" * 10_000, raw_body=None)
    for i in range(1, 31):
        s.add(dataclasses.replace(rec, id=i))
        assert s.flush(5)
    total = s._read("SELECT total(size) FROM requests")[0][0]
    assert total <= 100_000
    ids = s.ids()
    assert ids == list(range(ids[0], 31))  # the newest survive, contiguous
    assert 5 <= len(ids) < 10
    assert s.pruned_total == 30 - len(ids)
    s.close()


def test_existing_id_is_replaced_and_counted_once(tmp_path: Path) -> None:
    s = CaptureStore(tmp_path / "h.sqlite3", max_records=3)
    for i in (1, 2, 3):
        s.add(make_record(id=i))
    s.flush(5)
    s.add(make_record(id=2, method="PUT"))
    s.flush(5)
    assert s.count() == 3 and s.pruned_total == 0
    assert s.get(2).method == "PUT"
    s.close()


def test_clear_deletes_and_shrinks(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    s = CaptureStore(path)
    rec = make_record(body=os.urandom(20_000), raw_body=None)
    for i in range(1, 501):
        s.add(dataclasses.replace(rec, id=i))
    assert s.flush(10)

    def size() -> int:
        return sum(p.stat().st_size for p in tmp_path.iterdir())

    before = size()
    assert before > 10_000_000
    s.clear()
    assert s.count() == 0
    assert size() < 200_000
    s.add(make_record(id=1))
    assert s.flush(5) and s.count() == 1
    s.close()


def test_clear_drops_what_was_queued_before(tmp_path: Path) -> None:
    s = CaptureStore(tmp_path / "h.sqlite3", batch_interval=60)
    s.add(make_record(id=1))
    s.clear()
    s.add(make_record(id=2))
    assert s.flush(5)
    assert s.ids() == [2]
    s.close()


def test_summaries_have_the_table_fields_and_no_bodies(store: CaptureStore) -> None:
    for r in record_variants():
        store.add(r)
    store.flush(5)
    rows = store.summaries(1, 2)
    assert [r.id for r in rows] == [2, 3]
    first = store.summaries(0, 1)[0]
    rec = make_record(id=1)
    assert first == Summary(
        id=1, received_at=rec.received_at, client=rec.client, server=rec.server, method="POST",
        target=rec.target, path=rec.path, query=rec.query, headers=rec.headers,
        header_count=len(rec.headers), body_size=rec.body_size,
        status=201, duration_ms=rec.response.duration_ms if rec.response else None, error=None,
    )
    assert store.summaries(1, 1)[0].status is None
    assert store.summary(2).error == "malformed request line"
    assert store.ids(5, 100) == [6, 7]


def test_summaries_say_which_rows_came_over_https(store: CaptureStore) -> None:
    tls = TLSFacts(version="TLSv1.3", sni="x.test", ja4="t13d0000h1_000000000000_000000000000")
    upstream = UpstreamExchange(url="https://up.test/", status=200, reason="OK", body=b"{}", body_size=2)
    store.add(make_record(id=1))
    store.add(dataclasses.replace(make_record(id=2), scheme="https"))
    store.add(dataclasses.replace(make_record(id=3), scheme="https", tls=tls, upstream=upstream))
    store.add(dataclasses.replace(make_record(id=4), upstream=upstream))
    store.flush(5)
    assert [row.scheme for row in store.summaries(0, 4)] == ["http", "https", "https", "http"]


def test_search(store: CaptureStore) -> None:
    store.add(make_record(id=1, method="GET", target="/alpha", body=b""))
    store.add(make_record(id=2, target="/beta", body=b"needle in a haystack"))
    store.add(make_record(id=3, target="/gamma", headers=(("X-Token", "Secret_50%"),)))
    store.add(make_record(id=4, method="GET", target="/axb", body=b"axb"))
    store.add(make_record(id=5, method="GET", target="/a_b", body=b""))
    store.flush(5)
    assert store.search("ALPHA") == [1]
    assert store.search("needle") == [2]
    assert store.search("secret_50%") == [3]
    assert store.search("_5") == [3]  # LIKE wildcards are literal
    assert store.search("a_b") == [5]  # "_" is not "any one character": /axb is not found
    assert store.search_any(["a_b"]) == [5]
    assert store.search("%") == [3]
    assert store.search("POST", limit=1) == [2]
    assert store.search("nothing") == []


def test_get_missing_raises_keyerror(store: CaptureStore) -> None:
    with pytest.raises(KeyError):
        store.get(42)


def test_add_after_close_is_counted_not_raised(tmp_path: Path) -> None:
    s = CaptureStore(tmp_path / "h.sqlite3")
    s.close()
    s.close()  # idempotent
    s.add(make_record(id=1))
    assert s.dropped_total == 1
    with pytest.raises(StoreError):
        s.count()


def test_opening_100k_rows_reads_only_a_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "h.sqlite3"
    rec = make_record(body=b"b" * 100, raw_body=None)
    with CaptureStore(path, max_records=200_000) as s:
        s.add_many(dataclasses.replace(rec, id=i) for i in range(1, 100_001))
    built = 0
    original = queries.record_from_row
    summarised = 0
    original_summary = queries.summary_from_row

    def counting(row):  # type: ignore[no-untyped-def]
        nonlocal built
        built += 1
        return original(row)

    def counting_summary(row):  # type: ignore[no-untyped-def]
        nonlocal summarised
        summarised += 1
        return original_summary(row)

    monkeypatch.setattr(queries, "record_from_row", counting)
    monkeypatch.setattr(queries, "summary_from_row", counting_summary)
    statements: list[str] = []
    with CaptureStore(path, max_records=200_000) as s:
        s._reader.set_trace_callback(statements.append)
        assert s.count() == 100_000
        page = s.summaries(0, 100)
        assert [r.id for r in page] == list(range(1, 101))
        assert s.get(100_000).id == 100_000
        s._reader.set_trace_callback(None)
    assert built == 1  # only the one get()
    assert summarised == 100
    assert not any("payloads" in q for q in statements if "WHERE r.id = " not in q)


def _corrupt(path: Path) -> None:
    path.write_bytes(b"this is not a database at all, just text" * 100)


def test_corrupt_file_raises_store_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    _corrupt(path)
    with pytest.raises(StoreError) as info:
        CaptureStore(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message
    # the lock is released: after repair the file opens
    path.unlink()
    CaptureStore(path).close()


def test_newer_schema_raises_store_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    CaptureStore(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer"):
        CaptureStore(path)


def test_second_store_on_same_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with CaptureStore(path) as s:
        with pytest.raises(StoreError, match="already open"):
            CaptureStore(path)
        s.add(make_record(id=1))
        assert s.flush(5)


def test_locked_by_other_process_raises(tmp_path: Path, subprocess_env: dict[str, str]) -> None:
    path = tmp_path / "h.sqlite3"
    code = (
        "import sys; from inspector.store import CaptureStore\n"
        "s = CaptureStore(sys.argv[1]); print('open', flush=True); sys.stdin.read()\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code, str(path)], env=subprocess_env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "open\n"
        with pytest.raises(StoreError, match="in use") as info:
            CaptureStore(path)
        assert str(path) in str(info.value)
    finally:
        child.communicate("", timeout=10)


def test_locked_by_sqlite_transaction_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "h.sqlite3"
    CaptureStore(path).close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr(schema, "BUSY_TIMEOUT_MS", 100)
    try:
        with pytest.raises(StoreError, match="locked") as info:
            CaptureStore(path)
        assert str(path) in str(info.value)
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_read_only_file_raises_store_error(tmp_path: Path) -> None:
    """A file we may not write. Root ignores file modes, so as root it is made immutable."""
    path = tmp_path / "h.sqlite3"
    CaptureStore(path).close()
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(path)], check=False, capture_output=True).returncode != 0:
            pytest.skip("running as root and chattr +i is not available")
    else:
        path.chmod(0o444)
    try:
        with pytest.raises(StoreError) as info:
            CaptureStore(path)
        message = str(info.value)
        assert str(path) in message and "\n" not in message
        assert "ermission denied" in message or "not permitted" in message
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=True)


def test_write_failure_reported_and_retried(tmp_path: Path) -> None:
    errors: list[str] = []
    s = CaptureStore(tmp_path / "h.sqlite3", on_error=errors.append, batch_interval=0.01)
    s.add(make_record(id=1))
    assert s.flush(5)
    # Break writes from outside: a trigger that aborts every insert.
    with sqlite3.connect(tmp_path / "h.sqlite3") as other:
        other.execute("CREATE TRIGGER no_insert BEFORE INSERT ON requests "
                      "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
    other.close()
    s.add(make_record(id=2))
    assert not s.flush(5)
    assert s.pending == 1
    assert any("disk on fire" in e for e in errors)
    assert len([e for e in errors if "disk on fire" in e]) == 1  # reported once, not per retry
    with sqlite3.connect(tmp_path / "h.sqlite3") as other:
        other.execute("DROP TRIGGER no_insert")
    other.close()
    assert s.flush(5)
    assert s.ids() == [1, 2]
    assert s.pending == 0
    s.close()


def test_failing_writes_drop_beyond_max_pending(tmp_path: Path) -> None:
    errors: list[str] = []
    s = CaptureStore(tmp_path / "h.sqlite3", on_error=errors.append, max_pending=10)
    with sqlite3.connect(tmp_path / "h.sqlite3") as other:
        other.execute("CREATE TRIGGER no_insert BEFORE INSERT ON requests "
                      "BEGIN SELECT RAISE(ABORT, 'nope'); END")
    other.close()
    for i in range(1, 26):
        s.add(make_record(id=i))
    assert not s.flush(5)
    assert s.pending == 10
    assert s.dropped_total == 15
    assert any("dropped" in e for e in errors)
    with sqlite3.connect(tmp_path / "h.sqlite3") as other:
        other.execute("DROP TRIGGER no_insert")
    other.close()
    assert s.flush(5)
    assert s.ids() == list(range(16, 26))  # the newest were kept
    s.close()


def test_callback_exceptions_do_not_kill_writer(tmp_path: Path) -> None:
    def bad(*_: object) -> None:
        raise RuntimeError("callback bug")

    s = CaptureStore(tmp_path / "h.sqlite3", on_commit=bad, on_pruned=bad, max_records=1)
    for i in (1, 2, 3):
        s.add(make_record(id=i))
        assert s.flush(5)
    assert s.ids() == [3]
    s.close()
