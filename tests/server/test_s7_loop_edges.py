"""Edges of the server loop a caller notices: a swapped responder, the record
of a refused connection, what a failing responder or cancel callback leaves in
the log, a reset socket read as the end of input (also while an answer waits), the high-water mark of unsent
answers, and paused listeners resuming each at its own time."""

from __future__ import annotations

import logging
import queue
import selectors
import socket
import struct

import pytest

from inspector.http.deferred import Deferred
from inspector.http.limits import InFlight, Limits
from inspector.http.parser import RequestParser
from inspector.http.record import CaptureRecord
from inspector.http.response import Response
from inspector.server.connection import OUT_HIGH_WATER, Connection
from inspector.server.listeners import Listeners
from inspector.server.loop import HUNG_UP
from tests.harness import WAIT, ServerFactory, get


def test_set_responder_answers_the_next_request_with_the_new_rules(start_server: ServerFactory) -> None:
    running = start_server()
    client = running.connect()
    client.send(get("/before"))
    assert client.response().status == 200
    running.server.set_responder(lambda record: Response(status=201, body=b"swapped"))
    client.send(get("/after"))
    answer = client.response()
    assert (answer.status, answer.body) == (201, b"swapped")
    _, after = running.sink.wait(2)
    assert after.response is not None and after.response.status == 201


def test_the_refused_connection_names_both_ends(start_server: ServerFactory) -> None:
    running = start_server(limits=Limits(max_connections=1))
    running.connect()
    running.wait_connections(1)
    extra = running.connect()
    host, port = extra.sock.getsockname()[:2]
    local = f"{host}:{port}"
    assert extra.response().status == 503
    (refused,) = running.sink.wait(1)
    assert refused.server == f"127.0.0.1:{running.port}"
    assert refused.client == local


def test_a_failing_responder_is_logged_and_answered_500(
    start_server: ServerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(record: CaptureRecord) -> Response:
        raise ValueError("rule broke")

    running = start_server(responder=broken)
    client = running.connect()
    with caplog.at_level(logging.ERROR, logger="inspector.server.loop"):
        client.send(get("/x"))
        assert client.response().status == 500
        (record,) = running.sink.wait(1)
    assert record.response is not None and record.response.error == "responder failed: rule broke"
    logged = [r.getMessage() for r in caplog.records if r.name == "inspector.server.loop"]
    assert logged == ["responder failed"]


def test_a_failing_cancel_callback_is_logged_with_the_request_id(
    start_server: ServerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    asked: queue.Queue[int] = queue.Queue()

    def cancel(reason: str) -> None:
        raise RuntimeError("cancel broke")

    def later(record: CaptureRecord) -> Deferred:
        asked.put(record.id)
        return Deferred(on_cancel=cancel)

    running = start_server(responder=later)
    client = running.connect()
    with caplog.at_level(logging.ERROR, logger="inspector.server.connection"):
        client.send(get("/wait"))
        waiting = asked.get(timeout=WAIT)
        client.close()  # hanging up cancels the request that waits for its answer
        (record,) = running.sink.wait(1)
    assert record.id == waiting
    assert record.error is not None and record.response is None
    messages = [r.getMessage() for r in caplog.records if r.name == "inspector.server.connection"]
    assert messages == [f"the cancel callback of request {waiting} failed"]


class _ResetSocket:
    def recv(self, size: int) -> bytes:
        raise ConnectionResetError("reset by peer")


def _connection(sock: object) -> Connection:
    parser = RequestParser(client="c:1", server="s:2", next_id=lambda: 1)
    return Connection(sock, parser)  # type: ignore[arg-type]


def test_a_reset_reads_as_the_end_of_input_and_drops_the_unsent_answers() -> None:
    conn = _connection(_ResetSocket())
    budget = InFlight(1 << 20)
    conn.out += b"unsent answer"
    budget.held = len(conn.out)
    assert conn.recv(budget) == b""
    assert conn.out == b""
    assert budget.held == 0


def test_a_client_that_resets_while_its_answer_waits_is_recorded_and_the_listener_goes_on(
    start_server: ServerFactory,
) -> None:
    asked: queue.Queue[int] = queue.Queue()

    def later(record: CaptureRecord) -> Deferred | Response:
        if record.path == "/wait":
            asked.put(record.id)
            return Deferred()  # never answered: the server only reads, to notice a hang-up
        return Response(status=200, body=b"next")

    running = start_server(responder=later)
    client = running.connect()
    client.send(get("/wait"))
    waiting = asked.get(timeout=WAIT)
    client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.sock.close()  # a TCP reset: the server's next read fails with ECONNRESET
    (record,) = running.sink.wait(1)
    assert record.id == waiting
    assert record.error == HUNG_UP and record.response is None
    other = running.connect()
    other.send(get("/next"))
    assert other.response().body == b"next"


@pytest.mark.parametrize(("unsent", "reads"), [(OUT_HIGH_WATER - 1, True), (OUT_HIGH_WATER, False)])
def test_reading_stops_once_the_unsent_answers_reach_the_high_water_mark(unsent: int, reads: bool) -> None:
    left, right = socket.socketpair()
    with left, right:
        conn = _connection(left)
        conn.out += bytes(unsent)
        assert conn.wants_read(max_pipelined=4) is reads


class _PausedAcceptor:
    def __init__(self, until: float) -> None:
        self.paused_until: float | None = until

    def resume(self) -> None:
        self.paused_until = None


def test_paused_listeners_resume_each_when_due_or_all_when_a_descriptor_is_freed() -> None:
    with selectors.DefaultSelector() as selector:
        listeners = Listeners(selector, lambda: None)
        early, late = _PausedAcceptor(5.0), _PausedAcceptor(10.0)
        listeners.by_fd.update({1: early, 2: late})  # type: ignore[dict-item]
        listeners.resume(6.0)
        assert (early.paused_until, late.paused_until) == (None, 10.0)
        assert listeners.paused_until == 10.0
        listeners.resume()
        assert late.paused_until is None
        assert listeners.paused_until is None
