"""Answers that come later, and requests that are never answered, over real sockets.

A responder may return a Deferred, resolved from any thread; a rule's delay is
a Deferred a timer resolves. Meanwhile the connection is read only up to
``max_pipelined`` requests. A request that will not be finished in the round
its head arrived is announced through ``started``; every request that reached
the server is finished exactly once, with ``error`` saying why when it was
never answered (the client hung up, the listener stopped).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

from inspector.http.deferred import Deferred
from inspector.http.limits import Limits
from inspector.http.record import CaptureRecord
from inspector.http.response import Response, default_responder
from inspector.server.loop import HUNG_UP, STOPPED
from tests.harness import WAIT, Records, Running, ServerFactory, get


class Handles:
    """A responder that parks paths starting with /wait on Deferreds the test resolves."""

    def __init__(self) -> None:
        self.deferreds: dict[str, Deferred] = {}
        self.cancelled: dict[str, str] = {}
        self.arrived = threading.Condition()

    def __call__(self, record: CaptureRecord) -> Response | Deferred:
        if not record.path.startswith("/wait"):
            return Response(status=200, body=record.path.encode())
        path = record.path

        def on_cancel(reason: str) -> None:
            with self.arrived:
                self.cancelled[path] = reason
                self.arrived.notify_all()

        deferred = Deferred(on_cancel=on_cancel)
        with self.arrived:
            self.deferreds[path] = deferred
            self.arrived.notify_all()
        return deferred

    def wait(self, what: Callable[[], bool]) -> None:
        with self.arrived:
            assert self.arrived.wait_for(what, WAIT), "hang guard"


def wait_until(running: Running, what: Callable[[Records], bool]) -> None:
    """Poll (bounded) until ``what(running.sink)`` holds; the loop thread updates the sink."""
    for _ in range(int(WAIT / 0.01)):
        if what(running.sink):
            return
        running.thread.join(0.01)
    raise AssertionError(f"hang guard: {running.sink.log}")


def test_a_deferred_resolved_from_another_thread_is_sent(start_server: ServerFactory) -> None:
    handles = Handles()
    running = start_server(responder=handles)
    client = running.connect()
    client.send(get("/wait/1"))
    handles.wait(lambda: "/wait/1" in handles.deferreds)
    wait_until(running, lambda sink: len(sink.announced) == 1)
    (announced,) = running.sink.announced
    assert announced.path == "/wait/1" and announced.response is None and announced.error is None
    assert client.is_open(0.05) and client.buffer == b""  # nothing sent while it waits

    resolver = threading.Thread(
        target=lambda: handles.deferreds["/wait/1"].resolve(Response(status=201, body=b"later", rule="r"))
    )
    resolver.start()
    resolver.join(WAIT)
    response = client.response()
    assert (response.status, response.body) == (201, b"later")
    (record,) = running.sink.wait(1)
    assert record.id == announced.id
    assert record.response is not None and record.response.rule == "r"
    assert running.sink.log.index(("started", record.id)) < running.sink.log.index(("finished", record.id))
    assert handles.cancelled == {}
    assert not handles.deferreds["/wait/1"].resolve(Response(status=200))  # once only


def test_requests_answered_in_their_round_are_not_announced(running: Running) -> None:
    client = running.connect()
    client.send(get("/a") + get("/b"))
    assert [r.status for r in client.responses(2)] == [200, 200]
    running.sink.wait(2)
    assert running.sink.announced == []


def test_a_body_still_arriving_is_announced_with_its_head(running: Running) -> None:
    client = running.connect()
    head = b"POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\nX-A: 1\r\n\r\n"
    client.send(head + b"01234")
    wait_until(running, lambda sink: len(sink.announced) == 1)
    (announced,) = running.sink.announced
    assert (announced.method, announced.path, announced.body) == ("POST", "/upload", b"")
    assert announced.headers[-1] == ("X-A", "1")
    assert announced.raw_head == head
    client.send(b"56789")
    assert client.response().status == 200
    (record,) = running.sink.wait(1)
    assert record.id == announced.id and record.body == b"0123456789"
    running.sink.assert_no_more(0.05)


def test_a_delay_is_a_deferred_that_a_timer_resolves(start_server: ServerFactory) -> None:
    running = start_server(responder=lambda r: Response(status=200, body=b"slow", delay_ms=200))
    client = running.connect()
    client.send(get("/slow") + get("/next"))
    assert [r.body for r in client.responses(2)] == [b"slow", b"slow"]
    first, second = running.sink.wait(2)
    assert [r.id for r in running.sink.announced] == [first.id, second.id]
    assert first.response is not None and first.response.duration_ms >= 200
    assert second.response is not None and second.response.duration_ms >= 400  # waited behind the first


def test_resolved_before_the_responder_returns_is_sent_at_once(start_server: ServerFactory) -> None:
    def responder(record: CaptureRecord) -> Deferred:
        deferred = Deferred()
        deferred.resolve(Response(status=202, body=b"ready"))
        return deferred

    running = start_server(responder=responder)
    client = running.connect()
    client.send(get("/x"))
    assert client.response().status == 202
    assert running.sink.wait(1)[0].response is not None


def test_pipelining_behind_a_waiting_answer_is_not_read_beyond_a_few_requests(
    start_server: ServerFactory,
) -> None:
    """The issue's 873 MiB in 12 s: a client pipelining behind a delayed answer."""
    handles = Handles()
    limits = Limits(max_pipelined=4)
    running = start_server(limits, responder=handles)
    client = running.connect()
    client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
    client.sock.setblocking(False)
    # ~19 MB: more than the socket buffers of both ends hold
    stream = get("/wait/first") + b"".join(get(f"/p/{i}") for i in range(500_000))
    sent = 0
    while sent < len(stream):  # write until the socket buffers are full: the server stopped reading
        try:
            sent += client.sock.send(stream[sent : sent + 65536])
        except BlockingIOError:
            break
    handles.wait(lambda: "/wait/first" in handles.deferreds)
    wait_until(running, lambda sink: len(sink.announced) == 4)
    assert sent < len(stream), "the server kept reading behind a waiting answer"
    held = running.server.bytes_in_flight
    assert held < 256 * 1024, held  # four small requests and one read's worth of bytes
    running.sink.assert_no_more(0.2)
    assert len(running.sink.announced) == 4  # the waiting one and three read ahead

    handles.deferreds["/wait/first"].resolve(Response(status=200, body=b"first"))
    client.sock.setblocking(True)
    assert client.response().body == b"first"
    assert [r.body for r in client.responses(10)[1:]] == [f"/p/{i}".encode() for i in range(9)]


def test_client_hanging_up_while_its_answer_waits(start_server: ServerFactory) -> None:
    handles = Handles()
    running = start_server(responder=handles)
    client = running.connect()
    client.send(get("/wait/gone") + get("/queued"))
    handles.wait(lambda: "/wait/gone" in handles.deferreds)
    wait_until(running, lambda sink: len(sink.announced) == 2)
    client.close()
    handles.wait(lambda: "/wait/gone" in handles.cancelled)  # the owner is told, promptly
    assert handles.cancelled["/wait/gone"] == HUNG_UP
    waited, queued = running.sink.wait(2)
    assert (waited.path, waited.error, waited.response) == ("/wait/gone", HUNG_UP, None)
    assert (queued.path, queued.error, queued.response) == ("/queued", HUNG_UP, None)
    assert handles.deferreds["/wait/gone"].cancelled
    assert not handles.deferreds["/wait/gone"].resolve(Response(status=200))
    running.wait_connections(0)


def test_stop_finishes_every_request_that_reached_the_server(start_server: ServerFactory) -> None:
    handles = Handles()
    running = start_server(responder=handles)
    waiting = running.connect()
    waiting.send(get("/wait/stop") + get("/behind"))
    half_head = running.connect()
    half_head.send(b"GET /half HTTP/1.1\r\nHost: t\r\nX-Par")
    half_body = running.connect()
    half_body.send(b"PUT /body HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\nabc")
    idle = running.connect()
    idle.send(get("/done"))
    assert idle.response().status == 200
    blank = running.connect()
    blank.send(b"\r\n\r\n")
    untouched = running.connect()
    handles.wait(lambda: "/wait/stop" in handles.deferreds)
    running.wait_connections(6)
    wait_until(running, lambda sink: len(sink.announced) == 3)  # waiting, behind, the body
    assert untouched.is_open(0)

    running.stop()
    assert handles.cancelled == {"/wait/stop": STOPPED}
    records = {r.path: r for r in running.sink.wait(5)}
    assert set(records) == {"/done", "/wait/stop", "/behind", "/half", "/body"}
    assert records["/done"].error is None
    assert records["/wait/stop"].error == STOPPED and records["/behind"].error == STOPPED
    half = records["/half"]
    assert half.error == f"{STOPPED} (request head incomplete)"
    assert half.raw == b"GET /half HTTP/1.1\r\nHost: t\r\nX-Par"
    assert (half.method, half.target, half.headers) == ("GET", "/half", (("Host", "t"),))
    body = records["/body"]
    assert body.error == f"{STOPPED} (3 of 9 body bytes received)"
    assert body.body == b"abc" and body.response is None
    # the blank lines and the untouched connection gave no record; end_round came last
    running.sink.assert_no_more(0.05)
    log = running.sink.log
    assert log[-1] == ("end_round", 0)
    finished_at = [log.index(("finished", r.id)) for r in records.values() if r.path != "/done"]
    assert ("end_round", 0) not in log[min(finished_at) : -1]  # one end_round, after all of them
    for client in (waiting, half_head, half_body, idle, blank, untouched):
        assert client.wait_closed() == b""  # closed without an answer


def test_a_deferred_may_carry_a_delay(start_server: ServerFactory) -> None:
    handles = Handles()
    running = start_server(responder=handles)
    client = running.connect()
    client.send(get("/wait/d"))
    handles.wait(lambda: "/wait/d" in handles.deferreds)
    handles.deferreds["/wait/d"].resolve(Response(status=200, body=b"d", delay_ms=150))
    assert client.response().body == b"d"
    (record,) = running.sink.wait(1)
    assert record.response is not None and record.response.duration_ms >= 150


def test_a_failing_cancel_callback_does_not_stop_the_server(start_server: ServerFactory) -> None:
    def boom(reason: str) -> None:
        raise RuntimeError(reason)

    parked: list[Deferred] = []

    def responder(record: CaptureRecord) -> Response | Deferred:
        if record.path == "/park":
            parked.append(Deferred(on_cancel=boom))
            return parked[-1]
        return default_responder(record)

    running = start_server(responder=responder)
    client = running.connect()
    client.send(get("/park"))
    wait_until(running, lambda sink: len(sink.announced) == 1)
    client.sock.shutdown(socket.SHUT_WR)
    (record,) = running.sink.wait(1)
    assert record.error == HUNG_UP
    other = running.connect()
    other.send(get("/fine"))
    assert other.response().status == 200
