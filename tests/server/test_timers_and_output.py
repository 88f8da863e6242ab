"""The loop's helpers on their own, on real TCP sockets and with the test's clock: which
deadline is due for a connection (inspector/server/deadlines.py), sending and closing
(inspector/server/output.py), and the faults' timers (inspector/server/faults.py).

Every time here is a number the test chooses (``now``); nothing waits for the wall clock.
"""

from __future__ import annotations

import dataclasses
import itertools
import selectors
import socket
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from inspector.http.deferred import Deferred
from inspector.http.faults import fault_wire, trickle_pace
from inspector.http.limits import InFlight, Limits
from inspector.http.parser import RequestParser, RequestReceived
from inspector.http.record import CaptureRecord, UpstreamExchange
from inspector.http.response import Response, serialise
from inspector.server.connection import Connection, Parked
from inspector.server.deadlines import Due, stalled_reason, what_is_due
from inspector.server.faults import Faults
from inspector.server.listeners import Listeners
from inspector.server.output import LINGER_SECONDS, Output
from tests.harness import WAIT, read_until_closed

NOW = 1000.0
LIMITS = Limits(send_timeout=5.0, idle_timeout=30.0)
BODY = b"0123456789" * 4


class Bench:
    """An :class:`Output` and a :class:`Faults` over real TCP connections, without a loop."""

    def __init__(self) -> None:
        self.sel = selectors.DefaultSelector()
        self.budget = InFlight(10**9)
        self.conns: dict[int, Connection] = {}
        self.listeners = Listeners(self.sel, lambda: None)
        self.out = Output(self.sel, self.budget, self.conns, self.listeners, 2)
        self.emitted: list[CaptureRecord] = []
        self.faults = Faults(self.out, self.budget, self.emitted.append, LIMITS.idle_timeout)
        self._ids = itertools.count(1)
        self._server = socket.create_server(("127.0.0.1", 0))
        self._clients: list[socket.socket] = []

    def connect(self) -> tuple[Connection, socket.socket]:
        """A connection as the loop holds it (watched for reading), and its client's socket."""
        client = socket.create_connection(self._server.getsockname(), timeout=WAIT)
        self._clients.append(client)
        sock, _ = self._server.accept()
        sock.setblocking(False)
        parser = RequestParser(client="c", server="s", next_id=lambda: next(self._ids), budget=self.budget)
        conn = Connection(sock, parser)
        self.conns[sock.fileno()] = conn
        conn.set_mask(self.sel, selectors.EVENT_READ)
        return conn, client

    def request(
        self, conn: Connection, raw: bytes = b"GET /x HTTP/1.1\r\nHost: t\r\n\r\n"
    ) -> RequestReceived:
        """Parse ``raw`` on ``conn`` and take its request off the queue, as the loop does."""
        conn.enqueue(conn.parser.receive_data(raw, NOW), NOW, self.budget)
        event, _ = conn.queue.popleft()
        assert isinstance(event, RequestReceived)
        return event

    def send(self, conn: Connection) -> None:
        """Hand the socket what waits for it (the client reads it later)."""
        assert conn.send_pending(self.budget)
        assert not conn.out

    def events(self, conn: Connection) -> int:
        return self.sel.get_key(conn.sock).events

    def close(self) -> None:
        for conn in list(self.conns.values()):
            self.out.close(conn)
        for client in self._clients:
            client.close()
        self._server.close()
        self.sel.close()


@pytest.fixture
def bench() -> Iterator[Bench]:
    made = Bench()
    yield made
    made.close()


# -- which deadline is due ------------------------------------------------------


def test_a_lingering_connection_is_due_to_close_at_its_linger_end_and_not_before(bench: Bench) -> None:
    conn, _ = bench.connect()
    conn.linger_until = NOW
    conn.out += b"unsent"  # lingering wins over everything else
    conn.stalled_since = NOW - 100
    assert what_is_due(conn, NOW - 0.5, LIMITS) is None
    assert what_is_due(conn, NOW, LIMITS) is Due.LINGER_OVER
    assert what_is_due(conn, NOW + 0.5, LIMITS) is Due.LINGER_OVER


def test_an_https_connection_meets_the_handshake_deadline_then_the_parsers(bench: Bench) -> None:
    conn, _ = bench.connect()
    link = SimpleNamespace(handshaking=True)
    conn.tls = link  # type: ignore[assignment]  # what_is_due reads only ``handshaking``
    assert what_is_due(conn, NOW, LIMITS) is Due.HANDSHAKE
    assert what_is_due(conn, NOW + 1000, LIMITS) is Due.HANDSHAKE
    link.handshaking = False  # the handshake is done: requests flow as on plain HTTP
    assert what_is_due(conn, NOW, LIMITS) is Due.PARSER
    assert what_is_due(conn, NOW + 1000, LIMITS) is Due.PARSER
    conn.closing = True  # busy answering: no deadline of the client's runs
    assert what_is_due(conn, NOW + 1000, LIMITS) is None


def test_answers_the_client_does_not_take_meet_the_send_timeout(bench: Bench) -> None:
    conn, _ = bench.connect()
    conn.out += b"unsent"
    assert what_is_due(conn, NOW, LIMITS) is None  # never stalled yet
    conn.stalled_since = NOW
    assert what_is_due(conn, NOW + 4.5, LIMITS) is None
    assert what_is_due(conn, NOW + 5.0, LIMITS) is Due.SEND_STALLED
    assert what_is_due(conn, NOW + 6.0, LIMITS) is Due.SEND_STALLED
    conn.parser.receive_data(b"GET / HTTP/1.1\r\n", NOW)  # answers pending: no parser deadline
    assert what_is_due(conn, NOW + 4.5, LIMITS) is None
    assert stalled_reason(LIMITS, 6) == "the client took none of its answers for 5 s (6 bytes unsent)"


def test_a_hang_is_over_at_its_own_deadline(bench: Bench) -> None:
    conn, _ = bench.connect()
    bench.faults.start(
        conn,
        bench.request(conn).record,
        Response(status=200, fault="hang"),
        keep_alive=True,
        arrived=NOW,
        now=NOW,
    )
    until = NOW + LIMITS.idle_timeout
    assert conn.fault is not None and conn.fault.until == until
    assert what_is_due(conn, until - 0.5, LIMITS) is None  # closing: no parser deadline meanwhile
    assert what_is_due(conn, until, LIMITS) is Due.HANG_OVER
    assert what_is_due(conn, until + 1, LIMITS) is Due.HANG_OVER


def test_a_trickle_under_way_has_no_deadline_while_its_pieces_are_taken(bench: Bench) -> None:
    conn, _ = bench.connect()
    trickle = Response(status=200, body=BODY, fault="trickle", bytes_per_s=20)
    bench.faults.start(conn, bench.request(conn).record, trickle, keep_alive=True, arrived=NOW, now=NOW)
    bench.send(conn)
    assert conn.fault is not None and conn.fault.until is None
    assert what_is_due(conn, NOW + 1000, LIMITS) is None


@pytest.mark.parametrize("busy", ["queue", "waiting", "closing"])
def test_a_connection_busy_answering_has_no_parser_deadline(bench: Bench, busy: str) -> None:
    conn, _ = bench.connect()
    assert what_is_due(conn, NOW, LIMITS) is Due.PARSER
    if busy == "queue":
        conn.enqueue(conn.parser.receive_data(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n", NOW), NOW, bench.budget)
    elif busy == "waiting":
        conn.waiting = Parked(bench.request(conn), Deferred(), NOW)
    else:
        conn.closing = True
    assert what_is_due(conn, NOW + 1000, LIMITS) is None


def test_an_idle_connection_is_left_to_its_parser(bench: Bench) -> None:
    conn, _ = bench.connect()
    assert conn.tls is None
    assert what_is_due(conn, NOW, LIMITS) is Due.PARSER
    assert what_is_due(conn, NOW + 1000, LIMITS) is Due.PARSER


# -- sending and closing ------------------------------------------------------------


def test_appended_bytes_wait_in_order_and_count_in_the_budget(bench: Bench) -> None:
    conn, client = bench.connect()
    bench.budget.held = 100  # what other connections hold
    bench.out.append(conn, b"first ")
    bench.out.append(conn, b"second")
    assert conn.out == b"first second"
    assert bench.budget.held == 112
    bench.send(conn)
    assert bench.budget.held == 100
    client.settimeout(WAIT)
    assert client.recv(100) == b"first second"


def test_watch_follows_what_the_connection_can_use(bench: Bench) -> None:
    conn, _ = bench.connect()
    bench.out.watch(conn)
    assert bench.events(conn) == selectors.EVENT_READ
    bench.out.append(conn, b"answer")
    bench.out.watch(conn)
    assert bench.events(conn) == selectors.EVENT_READ | selectors.EVENT_WRITE
    for _ in range(2):  # max_pipelined requests wait: no more reading
        conn.enqueue(conn.parser.receive_data(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n", NOW), NOW, bench.budget)
    bench.out.watch(conn)
    assert bench.events(conn) == selectors.EVENT_WRITE
    bench.send(conn)
    bench.out.watch(conn)
    assert conn.mask == 0
    assert conn.sock not in [key.fileobj for key in bench.sel.get_map().values()]
    conn.queue.popleft()
    bench.out.watch(conn)
    assert bench.events(conn) == selectors.EVENT_READ


def test_close_gives_back_what_the_connection_held_and_forgets_it(bench: Bench) -> None:
    conn, client = bench.connect()
    other, _ = bench.connect()
    bench.budget.held = 50  # what the other connection holds
    conn.enqueue(conn.parser.receive_data(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n", NOW), NOW, bench.budget)
    bench.out.append(conn, b"never sent")
    assert conn.held > 0
    registered = len(bench.sel.get_map())
    bench.out.close(conn)
    assert bench.budget.held == 50
    assert conn.held == 0
    assert not conn.out
    assert not conn.open
    assert list(bench.conns.values()) == [other]
    assert len(bench.sel.get_map()) == registered - 1
    assert read_until_closed(client) == b""
    bench.out.close(conn)  # a second close changes nothing
    assert bench.budget.held == 50
    assert list(bench.conns.values()) == [other]


def test_close_resumes_paused_listeners_only_when_paused(bench: Bench) -> None:
    conn, _ = bench.connect()
    other, _ = bench.connect()
    bench.listeners.paused_until = NOW
    bench.out.close(conn)
    assert bench.listeners.paused_until is None  # a descriptor is free again
    resumed: list[float | None] = []
    bench.listeners.resume = resumed.append  # type: ignore[method-assign]
    bench.out.close(other)
    assert resumed == []


def test_finish_closes_a_connection_that_ended_normally(bench: Bench) -> None:
    conn, client = bench.connect()
    bench.out.append(conn, b"bye")
    bench.send(conn)
    bench.out.finish(conn)
    assert not conn.open
    assert conn.linger_until is None
    assert bench.conns == {}
    assert read_until_closed(client) == b"bye"


def test_finish_after_an_error_half_closes_and_lingers_reading(
    bench: Bench, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.setattr(time, "monotonic", lambda: NOW)
    conn, client = bench.connect()
    conn.error_close = True
    bench.out.append(conn, b"HTTP/1.1 400 Bad Request\r\n\r\n")
    bench.send(conn)
    conn.set_mask(bench.sel, selectors.EVENT_WRITE)
    bench.out.finish(conn)
    assert conn.open
    assert conn.linger_until == NOW + LINGER_SECONDS
    assert bench.events(conn) == selectors.EVENT_READ
    # then EOF: the write side is shut
    assert read_until_closed(client) == b"HTTP/1.1 400 Bad Request\r\n\r\n"
    client.sendall(b"more bytes")  # still read (and dropped), not answered with a reset
    assert conn.sock.recv(100) == b"more bytes"


def test_finish_after_an_error_on_a_socket_no_longer_connected_just_closes(bench: Bench) -> None:
    conn, _ = bench.connect()
    unconnected = socket.socket()
    conn.sock.close()
    del bench.conns[next(iter(bench.conns))]
    conn.mask = 0
    conn.sock = unconnected
    bench.conns[unconnected.fileno()] = conn
    conn.error_close = True
    bench.out.finish(conn)  # shutdown fails: ENOTCONN
    assert not conn.open
    assert conn.linger_until is None
    assert bench.conns == {}


def test_finish_with_the_reset_fault_aborts_the_connection(bench: Bench) -> None:
    conn, client = bench.connect()
    conn.reset = True
    conn.error_close = True  # the reset wins
    bench.out.finish(conn)
    assert not conn.open
    assert bench.conns == {}
    client.settimeout(WAIT)
    with pytest.raises(ConnectionResetError):
        client.recv(100)


# -- faults and their timers ----------------------------------------------------------


def start(
    bench: Bench,
    conn: Connection,
    response: Response,
    *,
    keep_alive: bool = True,
    now: float = NOW,
    raw: bytes = b"GET /x HTTP/1.1\r\nHost: t\r\n\r\n",
) -> CaptureRecord:
    record = bench.request(conn, raw).record
    bench.faults.start(conn, record, response, keep_alive=keep_alive, arrived=now - 0.5, now=now)
    return record


@pytest.mark.parametrize("keep_alive", [True, False])
def test_a_trickle_goes_out_a_piece_per_timer_while_the_client_takes_them(
    bench: Bench, keep_alive: bool
) -> None:
    conn, client = bench.connect()
    upstream = UpstreamExchange(url="http://up/x", status=200)
    trickle = Response(
        status=200, body=BODY, rule="r", fault="trickle", bytes_per_s=20, step=1, steps=2, upstream=upstream
    )
    wire = serialise(trickle, method="GET", keep_alive=keep_alive)[0]
    piece, interval = trickle_pace(20)
    assert (piece, interval) == (2, 0.1)
    assert bench.faults.next_due() is None
    assert bench.faults.fire(NOW + 100) == []  # no timers: nothing to do
    behind = b"GET /behind HTTP/1.1\r\nHost: t\r\n\r\n"  # pipelined: waits, held in the budget
    record = start(
        bench, conn, trickle, keep_alive=keep_alive, raw=b"GET /x HTTP/1.1\r\nHost: t\r\n\r\n" + behind
    )
    waiting = len(behind)
    assert bench.budget.held == waiting + len(wire)  # the request's bytes left, the answer's came
    assert conn.out == wire[:2]
    assert conn.held == waiting + len(wire) - 2
    assert conn.busy and not conn.closing
    due = NOW + interval
    assert bench.faults.next_due() == due
    assert bench.faults.fire(due - 0.01) == []
    assert conn.out == wire[:2]
    assert bench.faults.fire(due) == []  # the client has not taken the first piece yet
    assert bench.faults.next_due() == due + interval
    bench.send(conn)
    now = due + interval
    sent = 2
    while sent < len(wire):
        assert bench.faults.fire(now) == [conn]
        assert conn.out == wire[sent : sent + 2]
        sent += 2
        assert bench.budget.held == waiting + len(wire) - sent + 2
        bench.send(conn)
        if sent < len(wire):
            assert bench.faults.next_due() == now + interval
            assert bench.emitted == []
            now += interval
    assert bench.faults.next_due() is None
    assert conn.fault is None and conn.held == waiting and bench.budget.held == waiting
    assert conn.closing is (not keep_alive)
    assert conn.parser.deadline() == now + conn.parser.limits.idle_timeout  # idle from the last piece
    [finished] = bench.emitted
    assert finished.id == record.id and finished.error is None
    assert finished.upstream == upstream
    assert finished.response is not None
    assert (finished.response.status, finished.response.fault, finished.response.body) == (
        200,
        "trickle",
        BODY,
    )
    assert (finished.response.rule, finished.response.step, finished.response.steps) == ("r", 1, 2)
    assert finished.response.bytes == len(wire)
    assert finished.response.duration_ms == (now - (NOW - 0.5)) * 1000.0
    client.settimeout(WAIT)
    received = b""
    while len(received) < len(wire):
        received += client.recv(65536)
    assert received == wire


def test_a_trickle_to_a_head_request_sends_only_the_head(bench: Bench) -> None:
    conn, client = bench.connect()
    trickle = Response(status=200, body=BODY, fault="trickle", bytes_per_s=10_000)
    start(bench, conn, trickle, raw=b"HEAD /x HTTP/1.1\r\nHost: t\r\n\r\n")
    now = NOW
    while conn.fault is not None:
        bench.send(conn)
        now += 1
        bench.faults.fire(now)
    bench.send(conn)
    [finished] = bench.emitted
    assert finished.response is not None
    assert finished.response.bytes == len(serialise(trickle, method="HEAD", keep_alive=True)[0])
    client.settimeout(WAIT)
    assert client.recv(65536).endswith(b"\r\n\r\n")


def test_trickles_that_ended_early_are_dropped_from_the_timers(bench: Bench) -> None:
    left, _ = bench.connect()
    stopped, _ = bench.connect()
    waiting, _ = bench.connect()
    going, client = bench.connect()
    slow = Response(status=200, body=BODY, fault="trickle", bytes_per_s=20)
    for conn in (left, stopped, waiting, going):
        start(bench, conn, slow)
        if conn is not waiting:
            bench.send(conn)
    bench.out.close(left)  # the client left: its timer stays, the connection is gone
    [early] = stopped.unanswered("the listener stops", NOW)  # finished with what was sent so far
    assert early.error == "the listener stops" and early.response is not None and early.response.bytes == 2
    assert bench.faults.fire(NOW + 0.1) == [going]  # the others were due first, in the order they started
    assert going.out == serialise(slow, method="GET", keep_alive=True)[0][2:4]
    assert waiting.out == serialise(slow, method="GET", keep_alive=True)[0][:2]
    assert bench.faults.next_due() == NOW + 0.2
    bench.faults.clear()
    assert bench.faults.next_due() is None
    client.settimeout(WAIT)
    assert client.recv(2) == b"HT"


def test_next_due_is_the_earliest_timer(bench: Bench) -> None:
    late, _ = bench.connect()
    early, _ = bench.connect()
    start(bench, late, Response(status=200, body=BODY, fault="trickle", bytes_per_s=1), now=NOW + 5)
    start(bench, early, Response(status=200, body=BODY, fault="trickle", bytes_per_s=1))
    assert bench.faults.next_due() == NOW + 1.0


@pytest.mark.parametrize(
    ("fault", "error_close", "reset"),
    [("close", True, False), ("truncate", True, False), ("malformed", True, False), ("reset", False, True)],
)
def test_a_fault_that_ends_the_connection_finishes_the_requests_behind_it(
    bench: Bench, fault: str, error_close: bool, reset: bool
) -> None:
    conn, _ = bench.connect()
    response = Response(
        status=200,
        body=BODY,
        rule="r",
        fault=fault,
        step=2,
        steps=2,
        upstream=UpstreamExchange(url="http://up/", status=201),
    )
    pipelined = b"GET /x HTTP/1.1\r\nHost: t\r\n\r\nGET /later HTTP/1.1\r\nHost: t\r\n\r\n"
    record = start(bench, conn, response, raw=pipelined, keep_alive=False)
    plan = fault_wire(response, method="GET", keep_alive=False)
    assert conn.out == plan.wire
    assert bench.budget.held == len(plan.wire) + conn.held  # the later request is given back at the close
    assert (conn.error_close, conn.reset, conn.closing, conn.fault) == (error_close, reset, True, None)
    assert not conn.queue
    answered, later = bench.emitted
    assert answered.response == dataclasses.replace(plan.shown, bytes=len(plan.wire), duration_ms=500.0)
    assert answered.error is None and answered.upstream == response.upstream
    assert later.path == "/later"
    assert later.error == f"not answered: the answer to request {record.id} before it had the fault {fault!r}"
    assert bench.faults.next_due() is None


def test_a_hang_sends_nothing_and_ends_at_the_idle_limit(bench: Bench) -> None:
    conn, _ = bench.connect()
    hang = Response(
        status=200, body=BODY, rule="r", fault="hang", upstream=UpstreamExchange(url="u", status=200)
    )
    record = start(bench, conn, hang)
    assert conn.out == b"" and bench.emitted == [] and bench.budget.held == 0
    assert conn.fault is not None and conn.fault.until == NOW + LIMITS.idle_timeout
    assert conn.closing and not conn.error_close and not conn.reset
    assert bench.faults.next_due() is None
    [ended] = conn.unanswered("gave up", NOW + 2)
    assert ended.id == record.id and ended.error == "gave up" and ended.upstream == hang.upstream
    assert ended.response is not None
    assert (ended.response.fault, ended.response.status, ended.response.bytes) == ("hang", 0, 0)
    assert ended.response.duration_ms == 2500.0
