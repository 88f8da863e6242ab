"""One connection's state and socket I/O (inspector/server/connection.py), on socket pairs:
when it is read, what its waiting requests count in the memory budget, which requests are
announced and which are finished when it ends, and how long its unsent answers have
waited (the send timeout's clock, the test's clock here).
"""

from __future__ import annotations

import itertools
import selectors
import socket
import time
from collections.abc import Iterator

import pytest

from inspector.http.deferred import Deferred
from inspector.http.limits import InFlight
from inspector.http.parser import RequestParser, RequestReceived, RequestRejected
from inspector.http.record import UpstreamExchange
from inspector.server.connection import OUT_HIGH_WATER, Connection, Parked, held_by
from tests.harness import get

NOW = 20.0


class Pair:
    """A :class:`Connection` on one end of a socket pair; the test is the client at the other."""

    def __init__(self) -> None:
        self.budget = InFlight(10**9)
        ours, self.client = socket.socketpair()
        ours.setblocking(False)
        self._ids = itertools.count(1)
        parser = RequestParser(client="c", server="s", next_id=lambda: next(self._ids), budget=self.budget)
        self.conn = Connection(ours, parser)

    def parse(self, raw: bytes) -> None:
        self.conn.enqueue(self.conn.parser.receive_data(raw, NOW), NOW, self.budget)

    def park_head(self, deferred: Deferred) -> RequestReceived:
        """The request at the head of the queue now waits for ``deferred``."""
        event, arrived = self.conn.queue.popleft()
        assert isinstance(event, RequestReceived)
        self.conn.waiting = Parked(event, deferred, arrived)
        return event

    def close(self) -> None:
        self.conn.sock.close()
        self.client.close()


@pytest.fixture
def pair() -> Iterator[Pair]:
    made = Pair()
    yield made
    made.close()


def test_requests_count_in_the_budget_while_they_wait_and_leave_it_once_answered(pair: Pair) -> None:
    pair.parse(get("/1") + b"POST /2 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc")
    records = [event.record for event, _ in pair.conn.queue]  # type: ignore[union-attr]
    sizes = [held_by(record) for record in records]
    assert sizes[1] > sizes[0] > 0
    assert pair.conn.held == sum(sizes)
    parser_held = pair.budget.held - pair.conn.held  # what the parser itself still counts
    pair.conn.answered(records[0], pair.budget)
    assert pair.conn.held == sizes[1]
    assert pair.budget.held == parser_held + sizes[1]
    pair.conn.answered(records[1], pair.budget)
    assert pair.conn.held == 0
    assert pair.budget.held == parser_held


@pytest.mark.parametrize(
    ("queued", "busy", "paused", "expected"),
    [
        (0, False, False, (3, True)),
        (2, False, False, (1, True)),
        (2, True, False, (0, False)),  # the one being answered takes a place too
        (3, False, False, (0, False)),
        (0, True, False, (2, True)),
        (0, False, True, (3, False)),  # the parser holds unparsed requests already
    ],
)
def test_a_connection_is_read_only_with_room_for_more_requests(
    pair: Pair, queued: int, busy: bool, paused: bool, expected: tuple[int, bool]
) -> None:
    if queued + busy:
        pair.parse(b"".join(get(f"/{n}") for n in range(queued + busy)))
    if busy:
        pair.park_head(Deferred())
    pair.conn.parser.paused = paused
    assert (pair.conn.room(3), pair.conn.wants_read(3)) == expected


def test_a_connection_whose_client_has_finished_sending_is_read_only_while_answering(pair: Pair) -> None:
    pair.parse(get("/last"))
    pair.conn.enqueue(pair.conn.parser.receive_data(b"", NOW), NOW, pair.budget)  # the client's end
    assert pair.conn.parser.closed
    assert not pair.conn.wants_read(3)
    pair.park_head(Deferred())
    assert pair.conn.wants_read(3)  # to notice a client that hangs up meanwhile
    pair.conn.out += b"x" * OUT_HIGH_WATER
    assert not pair.conn.wants_read(3)
    pair.conn.linger_until = NOW + 1  # draining after an error answer: always read
    assert pair.conn.wants_read(3)


def test_each_waiting_or_arriving_request_is_announced_once(pair: Pair) -> None:
    arriving = b"POST /4 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nab"
    pair.parse(get("/1") + get("/2") + get("/3") + arriving)
    pair.park_head(Deferred())
    assert [r.path for r in pair.conn.unannounced()] == ["/1", "/2", "/3", "/4"]
    assert pair.conn.announced == 4
    assert pair.conn.unannounced() == []
    pair.parse(b"cde" + get("/5"))  # /4 completes, /5 arrives
    assert [r.path for r in pair.conn.unannounced()] == ["/5"]
    assert pair.conn.unannounced() == []


def test_a_closing_connection_finishes_each_request_with_the_reason(pair: Pair) -> None:
    cancelled: list[str] = []
    waited = Deferred(on_cancel=cancelled.append)
    waited.upstream = UpstreamExchange(url="http://up/1", status=None, error="cut")
    pair.parse(get("/1") + get("/2") + get("/3") + b"GET /4 HT")
    pair.park_head(waited)
    records = pair.conn.unanswered("the listener stops", NOW + 1)
    assert [(r.path, r.error) for r in records] == [
        ("/1", "the listener stops"),
        ("/2", "the listener stops"),
        ("/3", "the listener stops"),
        ("", "the listener stops (request head incomplete)"),
    ]
    assert records[0].upstream == waited.upstream
    assert records[1].upstream is None
    assert b"GET /4 HT" in records[3].raw_head
    assert cancelled == ["the listener stops"]
    assert pair.conn.waiting is None and not pair.conn.queue and not pair.conn.busy
    assert pair.conn.unanswered("again", NOW + 2) == []


def test_a_rejected_request_keeps_its_own_error_when_the_connection_ends(pair: Pair) -> None:
    pair.parse(get("/1") + b"BROKEN\r\n\r\n")
    kinds = [type(event) for event, _ in pair.conn.queue]
    assert kinds == [RequestReceived, RequestRejected]
    rejected = pair.conn.queue[1][0].record  # type: ignore[union-attr]
    records = pair.conn.unanswered("gone", NOW)
    assert [r.error for r in records] == ["gone", rejected.error]
    assert rejected.error and rejected.error != "gone"


def test_unsent_answers_wait_from_the_last_time_the_client_took_some(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    conn, budget = pair.conn, pair.budget
    assert conn.send_pending(budget) and conn.stalled_since is None  # nothing to send
    pair.client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    while True:  # fill the socket until it takes nothing more
        try:
            conn.sock.send(b"f" * 65536)
        except BlockingIOError:
            break
    conn.out += b"a" * 100_000
    budget.held += 100_000
    assert conn.send_pending(budget)
    assert len(conn.out) == 100_000  # the socket took none
    assert conn.stalled_since == 100.0  # waiting from now on
    now[0] = 101.0
    assert conn.send_pending(budget)
    assert conn.stalled_since == 100.0  # still nothing taken: it waits since then
    pair.client.setblocking(False)
    taken = 0
    while True:  # the client reads what the socket holds
        try:
            taken += len(pair.client.recv(1 << 20))
        except BlockingIOError:
            break
    assert taken
    now[0] = 102.0
    held = budget.held
    assert conn.send_pending(budget)
    sent = 100_000 - len(conn.out)
    assert 0 < sent < 100_000
    assert budget.held == held - sent
    assert conn.stalled_since == 102.0  # the client took some: the clock starts again
    conn.out.clear()
    assert conn.send_pending(budget)
    assert conn.stalled_since is None


def test_sending_to_a_client_gone_fails_and_keeps_the_answers(pair: Pair) -> None:
    pair.conn.out += b"answer"
    pair.client.close()
    assert pair.conn.send_pending(pair.budget) is False
    assert pair.conn.out == b"answer"


def test_the_socket_is_watched_for_exactly_what_is_asked(pair: Pair) -> None:
    conn = pair.conn
    with selectors.DefaultSelector() as selector:
        conn.set_mask(selector, 0)
        assert selector.get_map() == {}
        conn.set_mask(selector, selectors.EVENT_READ)
        assert selector.get_key(conn.sock).events == selectors.EVENT_READ
        conn.set_mask(selector, selectors.EVENT_READ)  # unchanged: nothing to do
        conn.set_mask(selector, selectors.EVENT_READ | selectors.EVENT_WRITE)
        assert selector.get_key(conn.sock).events == selectors.EVENT_READ | selectors.EVENT_WRITE
        conn.set_mask(selector, selectors.EVENT_WRITE)
        assert selector.get_key(conn.sock).events == selectors.EVENT_WRITE
        assert conn.mask == selectors.EVENT_WRITE
        conn.set_mask(selector, 0)
        assert selector.get_map() == {}
        assert conn.mask == 0
