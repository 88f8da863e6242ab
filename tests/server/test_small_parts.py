"""The server's small pieces on their own: peer names, the 503 of a refused
connection, the 500 for an unknown fault, the memory a waiting request holds,
and what a broken sink leaves in the log."""

from __future__ import annotations

import logging
import socket

import pytest

from inspector.http.record import CaptureRecord
from inspector.http.response import FAULTS, Response
from inspector.server.accepting import peer_name, raise_fd_limit, refuse
from inspector.server.connection import Connection, held_by
from inspector.server.faults import checked
from inspector.server.rounds import Rounds
from inspector.server.sink import CallbackSink
from inspector.server.waiting import Waiting


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        (("127.0.0.1", 8080), "127.0.0.1:8080"),
        (("::ffff:127.0.0.1", 8080), "127.0.0.1:8080"),
        (("::ffff:10.1.2.3", 1), "10.1.2.3:1"),
        (("::1", 80, 0, 0), "[::1]:80"),
        (("::ffff:abcd", 80, 0, 0), "[::ffff:abcd]:80"),
        ("/tmp/sock", "/tmp/sock"),
    ],
)
def test_peer_name(address: tuple[object, ...] | str, expected: str) -> None:
    assert peer_name(address) == expected


def test_refuse_sends_a_503_and_records_its_size() -> None:
    ours, theirs = socket.socketpair()
    with theirs:
        record = refuse(ours, 7, "127.0.0.1:1", "127.0.0.1:2", "too many connections")
        theirs.settimeout(5)
        wire = b""
        while chunk := theirs.recv(65536):
            wire += chunk
    assert ours.fileno() == -1  # closed
    assert wire.startswith(b"HTTP/1.1 503 ")
    assert b"connection: close" in wire.lower()
    assert b"too many connections" in wire
    assert record.id == 7
    assert (record.client, record.server) == ("127.0.0.1:1", "127.0.0.1:2")
    assert record.error == "503 too many connections"
    assert record.response is not None
    assert record.response.status == 503
    assert record.response.bytes == len(wire)


def test_an_unknown_fault_becomes_a_500_naming_it_and_the_known_ones() -> None:
    fault = "x" * 39 + "yz"
    answer = checked(Response(status=200, body=b"ok", rule="my rule", fault=fault, step=2, steps=3))
    assert answer.status == 500
    assert answer.fault is None
    assert (answer.rule, answer.step, answer.steps) == ("my rule", 2, 3)
    assert answer.error == f"unknown fault {fault[:40]!r} (known: {', '.join(FAULTS)})"
    assert "'" + "x" * 39 + "y'" in answer.error
    assert answer.error.encode() in answer.body


def test_known_faults_and_none_pass_unchanged() -> None:
    plain = Response(status=200)
    assert checked(plain) is plain
    for fault in FAULTS:
        faulty = Response(status=200, fault=fault)
        assert checked(faulty) is faulty


def _record(**fields: object) -> CaptureRecord:
    return CaptureRecord(id=1, received_at=0.0, client="c", server="s", **fields)  # type: ignore[arg-type]


def test_a_waiting_request_holds_its_head_body_and_raw_body() -> None:
    assert held_by(_record(raw_head=b"h" * 10, body=b"b" * 5)) == 15
    assert held_by(_record(raw_head=b"h" * 10, body=b"b" * 5, raw_body=b"r" * 8)) == 23


def test_callback_sink_announces_started_records() -> None:
    started: list[CaptureRecord] = []
    finished: list[CaptureRecord] = []
    sink = CallbackSink(finished.append, 5, on_started=started.append)
    record = _record()
    sink.started(record)
    sink.finished(record)
    assert started == [record]
    assert finished == [record]
    assert sink.next_id() == 5
    CallbackSink(finished.append).started(record)  # no on_started: nothing to call


def test_a_callback_sink_numbers_records_from_one_by_default() -> None:
    finished: list[CaptureRecord] = []
    sink = CallbackSink(finished.append)
    assert [sink.next_id() for _ in range(3)] == [1, 2, 3]
    record = _record()
    sink.finished(record)
    sink.end_round()
    assert finished == [record]


class _BrokenSink:
    def next_id(self) -> int:
        return 1

    def started(self, record: CaptureRecord) -> None:
        raise RuntimeError("started broke")

    def finished(self, record: CaptureRecord) -> None:
        raise RuntimeError("finished broke")

    def end_round(self) -> None:
        raise RuntimeError("end_round broke")


def test_a_broken_sink_is_logged_with_the_request_id(caplog: pytest.LogCaptureFixture) -> None:
    conns: dict[int, Connection] = {}
    rounds = Rounds(_BrokenSink(), conns)
    with caplog.at_level(logging.ERROR, logger="inspector.server.rounds"):
        rounds.emit(CaptureRecord(id=42, received_at=0.0, client="c", server="s"))
        rounds.end(lambda conn: None)
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["recording request 42 failed", "writing recorded requests failed"]
    caplog.clear()
    rounds.end(lambda conn: None)  # nothing reported since: the sink is not asked again
    assert caplog.records == []


def test_waiting_next_due_is_the_earliest_delay() -> None:
    waiting = Waiting(lambda: None)
    assert waiting.next_due() is None
    waiting.delay(7.5, Response(status=200, delay_ms=100))
    waiting.delay(3.25, Response(status=200, delay_ms=100))
    assert waiting.next_due() == 3.25


@pytest.mark.parametrize(
    ("soft", "hard", "wanted", "expected"),
    [
        (1024, 4096, 10_000, (4096, 4096)),  # never above the hard limit
        (1024, "infinity", 10_000, (10_000, "infinity")),
        (1024, 65536, 10_000, (10_000, 65536)),
        (20_000, 65536, 10_000, None),  # already enough
        ("infinity", "infinity", 10_000, None),
    ],
)
def test_raise_fd_limit(
    monkeypatch: pytest.MonkeyPatch,
    soft: int | str,
    hard: int | str,
    wanted: int,
    expected: tuple[int | str, int | str] | None,
) -> None:
    import resource

    def limit(value: int | str) -> int:
        return resource.RLIM_INFINITY if value == "infinity" else int(value)

    calls: list[tuple[int, tuple[int, int]]] = []
    monkeypatch.setattr(resource, "getrlimit", lambda which: (limit(soft), limit(hard)))
    monkeypatch.setattr(resource, "setrlimit", lambda which, limits: calls.append((which, limits)))
    raise_fd_limit(wanted)
    if expected is None:
        assert calls == []
    else:
        assert calls == [(resource.RLIMIT_NOFILE, (limit(expected[0]), limit(expected[1])))]
