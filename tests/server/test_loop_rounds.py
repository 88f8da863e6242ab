"""The loop (inspector/server/loop.py) driven one round at a time by the test, on real
sockets, with the test's clock: what a client receives, when its connection ends, and
what is recorded, at deadlines the test moves to instead of waiting for them.

:class:`Stepped` runs the pieces of ``Server.serve_forever`` the test asks for (one
``select`` round, the sweep, the timers) on the test's thread; ``time.monotonic`` is the
test's :class:`Clock` meanwhile, so every duration recorded is exact.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable, Iterator

import pytest

from inspector.http.deferred import Deferred
from inspector.http.limits import Limits
from inspector.http.record import CaptureRecord, UpstreamExchange
from inspector.http.response import Responder, Response, serialise
from inspector.server.faults import hang_over
from inspector.server.loop import HUNG_UP, Server
from inspector.server.output import LINGER_SECONDS
from inspector.server.sink import CallbackSink
from tests.harness import WAIT, HttpResponse, get, parse_responses, read_until_closed

T0 = 5000.0


class Clock:
    """The monotonic clock of the test: it moves only when told."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


class Stepped:
    """A :class:`Server` on 127.0.0.1 that runs only when the test steps it."""

    def __init__(self, clock: Clock, responder: Responder, limits: Limits) -> None:
        self.clock = clock
        self.records: list[CaptureRecord] = []
        self.started: list[CaptureRecord] = []
        sink = CallbackSink(self.records.append, on_started=self.started.append)
        self.server = Server("127.0.0.1", 0, sink=sink, responder=responder, limits=limits)
        self.clients: list[socket.socket] = []

    def connect(self, receive_buffer: int | None = None) -> socket.socket:
        client = socket.socket()
        if receive_buffer is not None:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        client.settimeout(WAIT)
        client.connect(("127.0.0.1", self.server.port))
        self.clients.append(client)
        count = self.server.connection_count
        while self.server.connection_count == count:
            self.round()
        return client

    def round(self, timeout: float = WAIT) -> None:
        """One select round (waiting up to ``timeout`` for an event), then the round's end."""
        server = self.server
        for key, mask in server._sel.select(timeout):
            server._dispatch(key, mask)
        server._rounds.end(server._flush)

    def send(self, client: socket.socket, data: bytes) -> None:
        """``data`` from ``client``, read and handled by the server."""
        client.sendall(data)
        self.round()

    def sweep(self, seconds: float) -> None:
        """Move the clock on by ``seconds`` and sweep the deadlines, as the loop does."""
        self.server._sweep(self.clock.advance(seconds))
        self.server._rounds.end(self.server._flush)

    def timers(self, seconds: float) -> None:
        """Move the clock on by ``seconds`` and fire the delays and trickles that are due."""
        server = self.server
        now = self.clock.advance(seconds)
        server._waiting.fire(now)
        server._take_resolved(now)
        for conn in server._faults.fire(now):
            server._pump(conn, now)
        server._rounds.end(server._flush)

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.server.close()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    made = Clock()
    monkeypatch.setattr(time, "monotonic", made)
    return made


@pytest.fixture
def stepped(clock: Clock) -> Iterator[Callable[..., Stepped]]:
    made: list[Stepped] = []

    def factory(responder: Responder, **limits: float) -> Stepped:
        made.append(Stepped(clock, responder, Limits(**limits)))  # type: ignore[arg-type]
        return made[-1]

    yield factory
    for one in made:
        one.close()


def read_answers(client: socket.socket, count: int, head_only: set[int] | None = None) -> list[HttpResponse]:
    """The next ``count`` answers ``client`` receives."""
    client.settimeout(WAIT)
    data = b""
    while True:
        answers, _ = parse_responses(data, head_only)
        if len(answers) >= count:
            return answers
        chunk = client.recv(65536)
        assert chunk, f"closed after {len(answers)} answers: {data!r}"
        data += chunk


def by_path(answers: dict[str, Response | Deferred]) -> Responder:
    def responder(record: CaptureRecord) -> Response | Deferred:
        return answers.get(record.path) or Response(status=200, body=record.path.encode())

    return responder


# -- answers ---------------------------------------------------------------------


def test_an_answer_is_recorded_with_what_the_client_received(stepped: Callable[..., Stepped]) -> None:
    upstream = UpstreamExchange(url="http://up/a", status=201)

    made = Response(
        status=201,
        reason="Made",
        headers=(("X-A", "1"),),
        body=b"hello",
        rule="r",
        error="replaced",
        step=1,
        steps=3,
        upstream=upstream,
    )

    def responder(record: CaptureRecord) -> Response:
        loop.clock.advance(0.25)  # the rule takes a while
        return made

    loop = stepped(responder, idle_timeout=10.0)
    client = loop.connect()
    loop.send(client, get("/a"))
    [answer] = read_answers(client, 1)
    assert (answer.status, answer.reason, answer.body) == (201, "Made", b"hello")
    assert answer.header("connection") is None  # kept alive
    [record] = loop.records
    assert record.upstream == upstream
    sent = record.response
    assert sent is not None
    wire, status, reason, headers = serialise(made, method="GET", keep_alive=True)
    assert answer.raw == wire
    assert (sent.status, sent.reason, sent.headers, sent.body) == (status, reason, headers, b"hello")
    assert (sent.rule, sent.error, sent.step, sent.steps) == ("r", "replaced", 1, 3)
    assert sent.bytes == len(wire)
    assert sent.duration_ms == 250.0
    # the idle deadline counts from the answer, not from the connection's start
    loop.sweep(10.0 - 0.125)
    assert loop.server.connection_count == 1
    loop.send(client, get("/b"))
    read_answers(client, 1)
    assert loop.server.connection_count == 1
    loop.sweep(10.0)
    assert loop.server.connection_count == 0
    assert read_until_closed(client) == b""
    assert len(loop.records) == 2  # an idle connection closing is no request


def test_a_head_request_gets_the_head_only(stepped: Callable[..., Stepped]) -> None:
    loop = stepped(by_path({}))
    client = loop.connect()
    loop.send(client, b"HEAD /abc HTTP/1.1\r\nHost: t\r\n\r\n" + get("/next"))
    head, after = read_answers(client, 2, head_only={0})
    assert head.header("content-length") == "4" and head.body == b""
    assert after.body == b"/next"
    first = loop.records[0].response
    assert first is not None and first.bytes == len(head.raw)


def test_a_request_asking_to_close_gets_its_answer_then_eof(stepped: Callable[..., Stepped]) -> None:
    loop = stepped(by_path({}))
    client = loop.connect()
    loop.send(client, get("/last", b"Connection: close\r\n") + get("/never"))
    [answer] = read_answers(client, 1)
    assert answer.header("connection") == "close"
    assert loop.server.connection_count == 0
    assert read_until_closed(client) == b""
    assert [r.path for r in loop.records] == ["/last"]


def test_a_client_that_half_closes_gets_its_answers_then_eof(stepped: Callable[..., Stepped]) -> None:
    loop = stepped(by_path({}))
    client = loop.connect()
    client.sendall(get("/a") + get("/b"))
    client.shutdown(socket.SHUT_WR)
    while loop.server.connection_count:
        loop.round()
    assert [r.body for r in parse_responses(read_until_closed(client))[0]] == [b"/a", b"/b"]
    assert [(r.path, r.error) for r in loop.records] == [("/a", None), ("/b", None)]


def test_expect_100_continue_is_answered_before_the_body(stepped: Callable[..., Stepped]) -> None:
    loop = stepped(by_path({}))
    client = loop.connect()
    loop.send(client, b"POST /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
    client.settimeout(WAIT)
    assert client.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
    loop.send(client, b"hello")
    [answer] = read_answers(client, 1)
    assert answer.body == b"/up"
    assert loop.records[0].body == b"hello"


@pytest.mark.parametrize("max_pipelined", [1, 2])
def test_pipelined_requests_are_all_answered_in_order(
    stepped: Callable[..., Stepped], max_pipelined: int
) -> None:
    loop = stepped(by_path({}), max_pipelined=max_pipelined)
    client = loop.connect()
    loop.send(client, get("/1") + get("/2") + get("/3") + get("/4"))
    assert [a.body for a in read_answers(client, 4)] == [b"/1", b"/2", b"/3", b"/4"]
    assert [r.path for r in loop.records] == ["/1", "/2", "/3", "/4"]


def test_behind_a_waiting_answer_only_max_pipelined_requests_are_parsed(
    stepped: Callable[..., Stepped],
) -> None:
    deferred = Deferred()
    loop = stepped(by_path({"/wait": deferred}), max_pipelined=2)
    client = loop.connect()
    loop.send(client, get("/1") + get("/wait") + get("/3") + get("/4") + get("/5"))
    assert [a.body for a in read_answers(client, 1)] == [b"/1"]
    assert [r.path for r in loop.started] == ["/wait", "/3"]  # the rest stays unparsed
    deferred.resolve(Response(status=200, body=b"late"))
    loop.timers(0)
    assert [a.body for a in read_answers(client, 4)] == [b"late", b"/3", b"/4", b"/5"]
    assert [r.path for r in loop.records] == ["/1", "/wait", "/3", "/4", "/5"]


def test_bytes_read_behind_a_waiting_answer_are_parsed_up_to_the_room_left(
    stepped: Callable[..., Stepped],
) -> None:
    deferred = Deferred()
    loop = stepped(by_path({"/wait": deferred}), max_pipelined=2)
    client = loop.connect()
    loop.send(client, get("/wait"))
    assert [r.path for r in loop.started] == ["/wait"]
    loop.send(client, get("/2") + get("/3") + get("/4"))  # room for one more
    assert [r.path for r in loop.started] == ["/wait", "/2"]
    assert loop.server.connection_count == 1  # more bytes while waiting: no hang-up
    deferred.resolve(Response(status=200, body=b"late"))
    loop.timers(0)
    assert [a.body for a in read_answers(client, 4)] == [b"late", b"/2", b"/3", b"/4"]


def test_a_client_leaving_while_its_answer_waits_is_recorded_as_hung_up(
    stepped: Callable[..., Stepped],
) -> None:
    cancelled: list[str] = []
    loop = stepped(by_path({"/wait": Deferred(cancelled.append)}))
    client = loop.connect()
    loop.send(client, get("/wait") + get("/behind"))
    client.close()
    loop.round()
    assert loop.server.connection_count == 0
    assert cancelled == [HUNG_UP]
    assert [(r.path, r.error) for r in loop.records] == [("/wait", HUNG_UP), ("/behind", HUNG_UP)]


def test_a_client_leaving_midway_through_a_request_is_recorded_by_the_parser(
    stepped: Callable[..., Stepped],
) -> None:
    loop = stepped(by_path({}))
    client = loop.connect()
    loop.send(client, b"GET /cut HTTP/1.1\r\nHost:")
    client.shutdown(socket.SHUT_WR)
    loop.round()
    [record] = loop.records
    assert record.path == "/cut"
    assert record.error is not None and record.error != HUNG_UP


def test_bytes_after_the_last_request_are_not_read_as_requests(stepped: Callable[..., Stepped]) -> None:
    deferred = Deferred()
    loop = stepped(by_path({"/wait": deferred}))
    client = loop.connect()
    loop.send(client, get("/wait", b"Connection: close\r\n"))
    loop.send(client, get("/ignored"))
    assert loop.server.connection_count == 1
    deferred.resolve(Response(status=200, body=b"late"))
    loop.timers(0)
    assert parse_responses(read_until_closed(client))[0][0].body == b"late"
    assert [r.path for r in loop.records + loop.started] == ["/wait", "/wait"]


def test_a_delay_is_sent_when_its_timer_fires(stepped: Callable[..., Stepped]) -> None:
    loop = stepped(by_path({"/slow": Response(status=200, body=b"slow", delay_ms=500)}))
    client = loop.connect()
    loop.send(client, get("/slow") + get("/after"))
    loop.timers(0.25)
    assert loop.records == []
    loop.timers(0.25)
    assert [a.body for a in read_answers(client, 2)] == [b"slow", b"/after"]
    slow = loop.records[0].response
    assert slow is not None and slow.duration_ms == 500.0


# -- rejections, lingering -------------------------------------------------------------


def test_a_rejected_request_is_answered_with_close_and_the_connection_lingers(
    stepped: Callable[..., Stepped],
) -> None:
    loop = stepped(by_path({}))
    client = loop.connect()
    loop.send(client, get("/ok") + b"GET /x HTTP/1.1\r\nHost: t\r\nBad Field: 1\r\n\r\n" + get("/after"))
    ok, rejected = read_answers(client, 2)
    assert ok.body == b"/ok" and ok.header("connection") is None
    assert rejected.status == 400 and rejected.header("connection") == "close"
    [_, record] = loop.records
    assert record.response is not None and record.response.status == 400
    assert record.error == "400 " + rejected.body.decode().strip()
    assert read_until_closed(client) == b""  # the write side is shut ...
    assert loop.server.connection_count == 1  # ... while what the client still sends is drained
    loop.send(client, get("/dropped"))
    assert loop.server.connection_count == 1
    loop.sweep(LINGER_SECONDS - 0.125)
    assert loop.server.connection_count == 1
    loop.sweep(0.125)
    assert loop.server.connection_count == 0
    assert len(loop.records) == 2


def test_a_lingering_connection_closes_when_the_client_does(stepped: Callable[..., Stepped]) -> None:
    loop = stepped(by_path({}))
    client = loop.connect()
    loop.send(client, b"NOT HTTP\r\n\r\n")
    assert read_answers(client, 1)[0].status == 400
    client.shutdown(socket.SHUT_WR)
    loop.round()
    assert loop.server.connection_count == 0


# -- deadlines ------------------------------------------------------------------------


def test_a_head_not_complete_in_time_is_answered_408(stepped: Callable[..., Stepped]) -> None:
    loop = stepped(by_path({}), head_timeout=3.0)
    client = loop.connect()
    loop.send(client, b"GET /slow HTTP/1.1\r\n")
    loop.sweep(3.0 - 0.125)
    assert loop.records == []
    loop.sweep(0.125)
    [answer] = read_answers(client, 1)
    assert answer.status == 408 and answer.header("connection") == "close"
    [record] = loop.records
    assert record.response is not None and record.response.status == 408
    assert record.error == "408 request head not complete 3 s after its first byte"


def test_a_client_that_takes_none_of_its_answers_is_closed_at_the_send_timeout(
    stepped: Callable[..., Stepped],
) -> None:
    big = b"x" * (4 * 1024 * 1024)
    loop = stepped(by_path({"/big": Response(status=200, body=big)}), send_timeout=5.0)
    client = loop.connect(receive_buffer=4096)
    loop.send(client, get("/big") + get("/behind"))
    assert [r.path for r in loop.records] == ["/big"]  # answered: its bytes wait for the client
    loop.sweep(5.0 - 0.125)
    assert loop.server.connection_count == 1
    loop.sweep(0.125)
    assert loop.server.connection_count == 0
    big_record, closed, behind = loop.records
    assert big_record.response is not None and big_record.response.bytes > len(big)
    assert closed.path == "" and closed.error is not None
    assert re.fullmatch(
        r"connection closed: the client took none of its answers for 5 s \(\d+ bytes unsent\)", closed.error
    )
    assert behind.path == "/behind"
    assert behind.error == "not answered: " + closed.error.removeprefix("connection closed: ")
    assert closed.raw_head == b""  # nothing the client sent broke it
    assert len({big_record.id, closed.id, behind.id}) == 3 and isinstance(closed.id, int)


def test_a_hang_is_ended_at_the_idle_limit(stepped: Callable[..., Stepped]) -> None:
    loop = stepped(by_path({"/hang": Response(status=200, fault="hang")}), idle_timeout=7.0)
    client = loop.connect()
    loop.send(client, get("/hang"))
    loop.sweep(7.0 - 0.125)
    assert loop.records == [] and loop.server.connection_count == 1
    loop.sweep(0.125)
    assert read_until_closed(client) == b""
    [record] = loop.records
    assert record.error == hang_over(7.0)
    assert record.response is not None and record.response.duration_ms == 7000.0


def test_a_keep_alive_trickle_then_the_next_request(stepped: Callable[..., Stepped]) -> None:
    trickle = Response(status=200, body=b"abcdefghij", fault="trickle", bytes_per_s=1000)
    loop = stepped(by_path({"/trickle": trickle}))
    client = loop.connect()
    loop.send(client, get("/trickle") + get("/next"))
    while len(loop.records) < 2:
        loop.round(0)  # the client takes each piece
        loop.timers(0.125)
    first, second = read_answers(client, 2)
    assert first.body == b"abcdefghij" and first.header("connection") is None
    assert second.body == b"/next"
    assert [r.path for r in loop.records] == ["/trickle", "/next"]


def test_a_head_resumed_from_the_buffer_meets_the_head_deadline(stepped: Callable[..., Stepped]) -> None:
    loop = stepped(by_path({}), max_pipelined=1, head_timeout=3.0)
    client = loop.connect()
    loop.send(client, get("/1") + b"GET /2 HTTP/1.1\r\n")  # the second head waits in the buffer, then is cut
    assert read_answers(client, 1)[0].body == b"/1"
    loop.sweep(3.0)
    assert read_answers(client, 1)[0].status == 408
    assert [r.path for r in loop.records] == ["/1", "/2"]
