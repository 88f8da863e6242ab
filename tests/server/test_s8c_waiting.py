"""Answers that come later (inspector/server/waiting.py), on their own: a delay resolves at
its due time and not before, without its delay; an answer resolved on another thread
wakes the loop and one resolved on the loop's own thread does not; the loop takes each
resolved answer once, in order, for connections still waiting on it.

Times are numbers the test chooses; connections are real (socket pairs).
"""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Iterator

import pytest

from inspector.http.deferred import Deferred
from inspector.http.parser import RequestParser, RequestReceived
from inspector.http.response import Response
from inspector.server.connection import Connection, Parked
from inspector.server.waiting import Waiting

NOW = 50.0


class Loop:
    """A :class:`Waiting` with its wake-ups counted, and connections to park requests on."""

    def __init__(self) -> None:
        self.wakes = 0
        self.waiting = Waiting(self._wake)
        self._ids = itertools.count(1)
        self._sockets: list[socket.socket] = []

    def _wake(self) -> None:
        self.wakes += 1

    def connect(self) -> Connection:
        ours, theirs = socket.socketpair()
        self._sockets += [ours, theirs]
        parser = RequestParser(client="c", server="s", next_id=lambda: next(self._ids))
        return Connection(ours, parser)

    def park(self, conn: Connection, deferred: Deferred) -> Parked:
        (event,) = conn.parser.receive_data(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n", NOW)
        assert isinstance(event, RequestReceived)
        parked = Parked(event, deferred, NOW)
        self.waiting.park(conn, parked)
        return parked

    def taken(self) -> list[tuple[Connection, Parked, Response]]:
        return list(self.waiting.take())

    def close(self) -> None:
        for sock in self._sockets:
            sock.close()


@pytest.fixture
def loop() -> Iterator[Loop]:
    made = Loop()
    yield made
    made.close()


def test_a_delay_resolves_at_its_due_time_not_before_and_without_its_delay(loop: Loop) -> None:
    first = loop.waiting.delay(NOW + 2.0, Response(status=201, body=b"one", delay_ms=2000))
    second = loop.waiting.delay(NOW + 2.0, Response(status=202, body=b"two", delay_ms=2000))
    later = loop.waiting.delay(NOW + 3.0, Response(status=203, delay_ms=3000))
    loop.waiting.fire(NOW + 1.999)
    assert (first.response, second.response, later.response) == (None, None, None)
    loop.waiting.fire(NOW + 2.0)
    assert first.response is not None and second.response is not None
    assert [(r.status, r.body, r.delay_ms) for r in (first.response, second.response)] == [
        (201, b"one", 0),
        (202, b"two", 0),
    ]
    assert later.response is None
    assert loop.waiting.next_due() == NOW + 3.0
    loop.waiting.fire(NOW + 10.0)
    assert later.response is not None and later.response.status == 203
    assert loop.waiting.next_due() is None


def test_delays_due_at_the_same_time_reach_their_connections_in_the_order_they_were_made(loop: Loop) -> None:
    conns = [loop.connect() for _ in range(3)]
    for number, conn in enumerate(conns):
        loop.park(conn, loop.waiting.delay(NOW + 1.0, Response(status=200 + number, delay_ms=1000)))
    loop.waiting.fire(NOW + 1.0)
    taken = loop.taken()
    assert [(conn, response.status) for conn, _, response in taken] == [
        (conns[0], 200),
        (conns[1], 201),
        (conns[2], 202),
    ]
    assert all(conn.waiting is None for conn in conns)
    assert loop.taken() == []  # each answer is taken once


def test_an_answer_from_another_thread_wakes_the_loop_and_one_from_its_own_does_not(loop: Loop) -> None:
    loop.waiting.run_on_this_thread()
    here, there = loop.connect(), loop.connect()
    mine, theirs = Deferred(), Deferred()
    loop.park(here, mine)
    loop.park(there, theirs)
    assert loop.waiting.next_due() is None
    mine.resolve(Response(status=204))
    assert loop.wakes == 0  # the loop is running already: it takes the answer this round
    assert loop.waiting.next_due() == 0.0
    worker = threading.Thread(target=theirs.resolve, args=(Response(status=205),))
    worker.start()
    worker.join()
    assert loop.wakes == 1
    assert [(conn, response.status) for conn, _, response in loop.taken()] == [(here, 204), (there, 205)]


def test_an_answer_ready_or_cancelled_before_parking_is_taken_at_once(loop: Loop) -> None:
    ready_conn, cancelled_conn, pending_conn = loop.connect(), loop.connect(), loop.connect()
    ready = Deferred()
    ready.resolve(Response(status=206, body=b"early"))
    cancelled = Deferred()
    cancelled.cancel("the responder gave up")
    ready_parked = loop.park(ready_conn, ready)
    loop.park(cancelled_conn, cancelled)
    loop.park(pending_conn, Deferred())
    taken = loop.taken()
    (first_conn, first_parked, early), (conn, _, refused) = taken
    assert (first_conn, first_parked) == (ready_conn, ready_parked)
    assert (early.status, early.body) == (206, b"early")
    assert conn is cancelled_conn
    assert refused.status == 500
    assert b"the answer was cancelled by its responder" in refused.body
    assert pending_conn.waiting is not None  # still waiting: nothing to take
    assert loop.wakes == 0


def test_answers_for_connections_no_longer_waiting_on_them_are_passed_over(loop: Loop) -> None:
    gone, moved_on, kept = loop.connect(), loop.connect(), loop.connect()
    answers = [Deferred() for _ in range(3)]
    for conn, deferred in zip((gone, moved_on, kept), answers, strict=True):
        loop.park(conn, deferred)
    gone.sock.close()  # the client left (the server closed the connection)
    newer = loop.park(moved_on, Deferred())  # waits on another answer now
    for number, deferred in enumerate(answers):
        deferred.resolve(Response(status=200 + number))
    assert [(conn, response.status) for conn, _, response in loop.taken()] == [(kept, 202)]
    assert moved_on.waiting is newer
    assert gone.waiting is not None  # left alone: the loop finishes it as the connection ends
