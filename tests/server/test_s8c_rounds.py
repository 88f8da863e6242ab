"""What the capture sink hears from one loop, round by round (inspector/server/rounds.py):
``end_round`` only after a round that reported something (a finished or an announced
request), which connections are announced and flushed at a round's end, and the
record of something that happened to a connection rather than to a request.

Connections are real (a socket pair and a parser); the sink logs every call in order.
"""

from __future__ import annotations

import itertools
import socket
import time
from collections.abc import Iterator

import pytest

from inspector.http.deferred import Deferred
from inspector.http.limits import InFlight
from inspector.http.parser import RequestParser, RequestReceived
from inspector.http.record import CaptureRecord
from inspector.server.connection import Connection, Parked
from inspector.server.rounds import Rounds

NOW = 100.0


class LoggingSink:
    """A capture sink that notes every call, in order."""

    def __init__(self) -> None:
        self._ids = itertools.count(41)
        self.log: list[tuple[str, int]] = []
        self.records: list[CaptureRecord] = []

    def next_id(self) -> int:
        return next(self._ids)

    def started(self, record: CaptureRecord) -> None:
        self.log.append(("started", record.id))

    def finished(self, record: CaptureRecord) -> None:
        self.log.append(("finished", record.id))
        self.records.append(record)

    def end_round(self) -> None:
        self.log.append(("end_round", 0))


class Table:
    """A :class:`Rounds` over connections on socket pairs, as one loop holds them."""

    def __init__(self) -> None:
        self.sink = LoggingSink()
        self.conns: dict[int, Connection] = {}
        self.rounds = Rounds(self.sink, self.conns)
        self.budget = InFlight(10**9)
        self.flushed: list[Connection] = []
        self._ids = itertools.count(1)
        self._peers: list[socket.socket] = []

    def connect(self) -> Connection:
        ours, theirs = socket.socketpair()
        self._peers.append(theirs)
        parser = RequestParser(client="10.0.0.1:5", server="127.0.0.1:80", next_id=lambda: next(self._ids))
        conn = Connection(ours, parser)
        self.conns[ours.fileno()] = conn
        return conn

    def parse(self, conn: Connection, raw: bytes) -> None:
        conn.enqueue(conn.parser.receive_data(raw, NOW), NOW, self.budget)

    def park(self, conn: Connection) -> RequestReceived:
        """``conn``'s first request waits for its answer (as a delay or a paused rule makes it)."""
        self.parse(conn, b"GET /wait HTTP/1.1\r\nHost: t\r\n\r\n")
        event, arrived = conn.queue.popleft()
        assert isinstance(event, RequestReceived)
        conn.waiting = Parked(event, Deferred(), arrived)
        return event

    def end(self) -> None:
        self.rounds.end(self.flushed.append)

    def close(self) -> None:
        for conn in self.conns.values():
            conn.sock.close()
        for peer in self._peers:
            peer.close()


@pytest.fixture
def table() -> Iterator[Table]:
    made = Table()
    yield made
    made.close()


def test_a_round_that_reported_nothing_does_not_ask_the_sink_to_write(table: Table) -> None:
    table.end()
    table.rounds.touched(table.connect())  # touched, with nothing to announce
    table.end()
    assert table.sink.log == []
    assert len(table.flushed) == 1


def test_a_finished_request_is_written_at_the_end_of_its_round_and_only_then(table: Table) -> None:
    table.rounds.emit(CaptureRecord(id=7, received_at=0.0, client="c", server="s"))
    table.end()
    table.end()
    assert table.sink.log == [("finished", 7), ("end_round", 0)]


def test_a_round_that_only_announced_a_waiting_request_is_written_too(table: Table) -> None:
    conn = table.connect()
    event = table.park(conn)
    table.rounds.touched(conn)
    table.end()
    assert table.sink.log == [("started", event.record.id), ("end_round", 0)]
    assert table.flushed == [conn]
    table.rounds.touched(conn)
    table.end()  # announced already: nothing new, nothing to write
    assert table.sink.log == [("started", event.record.id), ("end_round", 0)]
    assert table.flushed == [conn, conn]


def test_requests_queued_behind_and_a_body_still_arriving_are_announced(table: Table) -> None:
    queued = table.connect()
    table.parse(queued, b"GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\n")
    arriving = table.connect()
    table.parse(arriving, b"POST /up HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
    assert arriving.parser.pending_id is not None and not arriving.queue
    idle = table.connect()
    for conn in (queued, arriving, idle):
        table.rounds.touched(conn)
    table.end()
    started = [ident for what, ident in table.sink.log if what == "started"]
    assert started == [1, 2, 3]
    assert table.sink.log[-1] == ("end_round", 0)
    assert table.flushed == [queued, arriving, idle]


def test_a_connection_touched_again_in_a_later_round_is_flushed_again(table: Table) -> None:
    conn = table.connect()
    for _ in range(3):
        table.rounds.touched(conn)
        table.rounds.touched(conn)  # once per round, however often touched
        table.end()
    assert table.flushed == [conn, conn, conn]
    assert not conn.dirty


def test_a_flush_that_touches_more_connections_flushes_them_in_the_same_round(table: Table) -> None:
    first, second = table.connect(), table.connect()
    flushed: list[Connection] = []

    def flush(conn: Connection) -> None:
        flushed.append(conn)
        if conn is first:
            table.rounds.touched(second)
            table.rounds.emit(CaptureRecord(id=9, received_at=0.0, client="c", server="s"))

    table.rounds.touched(first)
    table.rounds.end(flush)
    assert flushed == [first, second]
    assert table.sink.log == [("finished", 9), ("end_round", 0)]


def test_a_connection_closed_during_the_round_is_not_flushed(table: Table) -> None:
    gone, kept = table.connect(), table.connect()
    table.rounds.touched(gone)
    table.rounds.touched(kept)
    del table.conns[gone.sock.fileno()]  # the loop closed it meanwhile
    gone.sock.close()
    table.end()
    assert table.flushed == [kept]


def test_a_record_about_a_connection_names_its_ends_and_keeps_only_the_bytes_given(table: Table) -> None:
    conn = table.connect()
    before = time.time()
    table.rounds.about_connection(conn.parser, "connection closed: why")
    table.rounds.about_connection(conn.parser, "broke", b"\x16\x03junk")
    after = time.time()
    plain, with_bytes = table.sink.records
    assert (plain.id, with_bytes.id) == (41, 42)
    for record in (plain, with_bytes):
        assert (record.client, record.server) == ("10.0.0.1:5", "127.0.0.1:80")
        assert before <= record.received_at <= after
        assert record.response is None
    assert (plain.error, plain.raw_head) == ("connection closed: why", b"")
    assert (with_bytes.error, with_bytes.raw_head) == ("broke", b"\x16\x03junk")
    table.end()
    assert table.sink.log == [("finished", 41), ("finished", 42), ("end_round", 0)]
