"""The server loop (inspector/server/loop.py) seen from its clients and its sink, on
real sockets and the test's clock (tests/server/test_loop_rounds.py's ``Stepped``):
when a delayed answer leaves, what a parser failure or a stalled client leaves in
the records and the log when a request was still being answered."""

from __future__ import annotations

import logging
import selectors
import socket
from collections.abc import Callable

import pytest

from inspector.http.deferred import Deferred
from inspector.http.limits import Limits
from inspector.http.parser import Event, RequestParser
from inspector.http.response import Response, serialise
from inspector.server import loop as loop_module
from inspector.server.deadlines import stalled_reason
from tests.harness import WAIT
from tests.server import test_loop_rounds as rounds
from tests.server.test_loop_rounds import Stepped, by_path, get, read_answers

PARSER_BUG = "not answered: the listener failed on these bytes (RuntimeError: a parser bug)"


# the test clock and the stepped server of test_loop_rounds.py, as this module's fixtures
clock = rounds.clock
stepped = rounds.stepped


class _Fragile(RequestParser):
    """A parser with a bug: bytes holding ``BOOM`` make it raise."""

    def receive_data(self, data: bytes, now: float, max_requests: int | None = None) -> list[Event]:
        if b"BOOM" in data:
            raise RuntimeError("a parser bug")
        return super().receive_data(data, now, max_requests)


def _name(client: socket.socket) -> str:
    host, port = client.getsockname()[:2]
    return f"{host}:{port}"


# -- delays ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delay_ms", "early"),
    [
        (1, 0.0),  # the shortest delay still waits for its timer
        (1000, 0.9995),  # a second is a whole second, not a little less
        (2500, 2.4975),
    ],
)
def test_a_delayed_answer_leaves_exactly_when_its_delay_is_over(
    stepped: Callable[..., Stepped], delay_ms: int, early: float
) -> None:
    loop = stepped(by_path({"/slow": Response(status=200, body=b"slow", delay_ms=delay_ms)}))
    client = loop.connect()
    loop.send(client, get("/slow"))
    loop.timers(early)
    assert loop.records == []
    loop.timers(delay_ms / 1000.0 - early)
    [answer] = read_answers(client, 1)
    assert answer.body == b"slow"
    [record] = loop.records
    assert record.response is not None
    assert record.response.duration_ms == pytest.approx(delay_ms)


# -- a parser failure while a request is being answered ------------------------------------


def test_a_parser_failure_finishes_the_waiting_request_with_its_reason_and_logs_the_client(
    stepped: Callable[..., Stepped], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(loop_module, "RequestParser", _Fragile)
    cancelled: list[str] = []
    loop = stepped(lambda record: Deferred(on_cancel=cancelled.append))
    client = loop.connect()
    loop.send(client, get("/wait"))
    assert loop.records == []
    with caplog.at_level(logging.ERROR, logger="inspector.server.loop"):
        loop.send(client, b"GET /BOOM HTTP/1.1\r\n")
    assert loop.server.connection_count == 0
    broke, waited = loop.records
    assert broke.error == PARSER_BUG and broke.raw_head == b"GET /BOOM HTTP/1.1\r\n"
    assert (waited.path, waited.error, waited.response) == ("/wait", PARSER_BUG, None)
    assert cancelled == [PARSER_BUG]  # the answer's owner is told why too
    logged = [r.getMessage() for r in caplog.records if r.name == "inspector.server.loop"]
    assert logged == [f"parsing bytes from {_name(client)} failed"]
    client.settimeout(WAIT)
    assert client.recv(100) == b""


def test_a_parser_failure_during_a_trickle_records_what_was_sent_and_for_how_long(
    stepped: Callable[..., Stepped], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loop_module, "RequestParser", _Fragile)
    trickle = Response(status=200, body=b"abcdefghij", fault="trickle", bytes_per_s=10)
    loop = stepped(by_path({"/trickle": trickle}))
    client = loop.connect()
    loop.send(client, get("/trickle"))  # the first byte goes out at once, the next in 0.1 s
    loop.clock.advance(0.0625)
    loop.send(client, b"GET /BOOM HTTP/1.1\r\n")
    assert loop.server.connection_count == 0
    broke, trickled = loop.records
    assert broke.error == PARSER_BUG
    assert (trickled.path, trickled.error) == ("/trickle", PARSER_BUG)
    assert trickled.response is not None
    assert (trickled.response.bytes, trickled.response.duration_ms) == (1, 62.5)


# -- a client that takes nothing --------------------------------------------------------------


def test_a_trickle_the_client_does_not_take_ends_at_the_send_timeout_with_what_was_handed_out(
    stepped: Callable[..., Stepped],
) -> None:
    piece = 4 * 1024 * 1024  # one piece the client's small window cannot take
    trickle = Response(status=200, body=b"x" * (3 * piece), fault="trickle", bytes_per_s=10 * piece)
    loop = stepped(by_path({"/trickle": trickle}), send_timeout=5.0)
    client = loop.connect(receive_buffer=4096)
    loop.send(client, get("/trickle"))
    loop.sweep(5.0 - 0.125)
    assert loop.server.connection_count == 1
    loop.sweep(0.125)
    assert loop.server.connection_count == 0
    closed, trickled = loop.records
    assert closed.error is not None and closed.error.startswith("connection closed: ")
    why = closed.error.removeprefix("connection closed: ")
    assert trickled.path == "/trickle"
    assert trickled.error == f"not answered: {why}"
    assert trickled.response is not None
    assert (trickled.response.bytes, trickled.response.duration_ms) == (piece, 5000.0)
    unsent = int(why.rpartition("(")[2].split()[0])
    assert why == stalled_reason(Limits(send_timeout=5.0), unsent) and 0 < unsent <= piece


# -- serve_forever itself, on the test's clock ---------------------------------------------


def _serve_until(loop: Stepped, done: Callable[[], bool], rounds: int = 100) -> None:
    """Run ``serve_forever`` until ``done()``: a ``select`` that finds nothing lets its
    whole timeout pass on the test's clock; at most ``rounds`` selects."""
    server = loop.server
    real = server._sel.select
    left = [rounds]

    def select(timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        assert timeout is not None
        left[0] -= 1
        if done() or not left[0]:
            server.stop()
        events = real(0)
        if not events:
            loop.clock.advance(timeout)
        return events

    server._sel.select = select  # type: ignore[method-assign]
    server.serve_forever()


def test_a_delayed_answer_behind_a_trickle_is_timed_from_the_trickle_s_end(
    stepped: Callable[..., Stepped],
) -> None:
    trickle = Response(status=200, body=b"abc", fault="trickle", bytes_per_s=200)  # 20 bytes each 0.1 s
    later = Response(status=200, body=b"later", delay_ms=100)
    loop = stepped(by_path({"/trickle": trickle, "/later": later}))
    client = loop.connect()
    client.sendall(get("/trickle") + get("/later"))
    _serve_until(loop, lambda: len(loop.records) == 2)
    trickled, answered = loop.records
    assert trickled.response is not None and answered.response is not None
    assert (trickled.path, trickled.error, answered.path, answered.error) == (
        "/trickle",
        None,
        "/later",
        None,
    )
    pieces = -(-len(serialise(trickle, method="GET", keep_alive=True)[0]) // 20)
    assert pieces > 2
    assert trickled.response.duration_ms == pytest.approx(100.0 * (pieces - 1))
    assert answered.response.duration_ms == pytest.approx(100.0 * pieces)
    answers = read_answers(client, 2)
    assert [a.body for a in answers] == [b"abc", b"later"]
