"""A connection that meets its send timeout in the very round its deferred answer went
out, and its next request was parked or the answer's trickle began
(inspector/server/connection.py ``unanswered``, read back by inspector/server/rounds.py
at the round's end): it is closed, each request is recorded once, and the loop goes on
serving others.

The loop is stepped by the test on its clock (tests/server/test_loop_rounds.py).
"""

from __future__ import annotations

import socket
import time

import pytest

from inspector.http.deferred import Deferred
from inspector.http.limits import Limits
from inspector.http.record import CaptureRecord
from inspector.http.response import Response
from inspector.server.deadlines import stalled_reason
from tests.harness import read_until_closed
from tests.server.test_loop_rounds import Clock, Stepped, get, read_answers

SEND_TIMEOUT = 5.0
BIG = 400_000  # more than the small socket buffers take, less than the high-water mark
LATE = Response(status=200, body=b"late")
TRICKLE = Response(status=200, body=b"t" * 1000, fault="trickle", bytes_per_s=10)


@pytest.mark.parametrize("late", [LATE, TRICKLE], ids=["answer", "trickle"])
def test_a_send_timeout_in_the_round_a_deferred_answer_went_out_closes_the_connection(
    monkeypatch: pytest.MonkeyPatch, late: Response
) -> None:
    parked: dict[str, Deferred] = {}

    def responder(record: CaptureRecord) -> Response | Deferred:
        if record.path == "/big":
            return Response(status=200, body=b"b" * BIG)
        if record.path == "/other":
            return Response(status=200, body=b"served")
        parked[record.path] = Deferred()
        return parked[record.path]

    clock = Clock()
    monkeypatch.setattr(time, "monotonic", clock)
    loop = Stepped(clock, responder, Limits(send_timeout=SEND_TIMEOUT))
    try:
        _stall_in_the_round_an_answer_goes_out(loop, parked, late)
    finally:
        loop.close()


def _stall_in_the_round_an_answer_goes_out(
    loop: Stepped, parked: dict[str, Deferred], late: Response
) -> None:
    slow = loop.connect(receive_buffer=4096)
    (conn,) = loop.server._conns.values()
    conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    loop.send(slow, get("/big") + get("/wait") + get("/next"))
    assert list(parked) == ["/wait"]
    assert conn.out and conn.stalled_since is not None  # the client takes nothing more
    unsent_before = len(conn.out)
    assert [r.path for r in loop.started] == ["/wait", "/next"]

    # One round: the answer to /wait goes out (behind the unsent bytes), /next is
    # parked in its turn (or the answer's trickle is under way), and the send timeout is due.
    parked["/wait"].resolve(late)
    server = loop.server
    now = loop.clock.advance(SEND_TIMEOUT)
    server._waiting.fire(now)
    server._take_resolved(now)
    assert list(parked) == (["/wait"] if late.fault else ["/wait", "/next"])
    assert conn.busy
    unsent = len(conn.out)
    assert unsent > unsent_before
    server._sweep(now)
    server._rounds.end(server._flush)

    assert server.connection_count == 0
    assert late.fault or parked["/next"].cancelled
    why = stalled_reason(server.limits, unsent)
    by_path = {record.path: record for record in loop.records}
    assert sorted(by_path) == ["", "/big", "/next", "/wait"]
    assert len(loop.records) == 4
    assert by_path["/big"].response is not None and by_path["/wait"].response is not None
    assert by_path["/wait"].error == (f"not answered: {why}" if late.fault else None)
    assert (by_path["/next"].response, by_path["/next"].error) == (None, f"not answered: {why}")
    assert by_path[""].error == f"connection closed: {why}"
    assert read_until_closed(slow).startswith(
        b"HTTP/1.1 200 OK\r\n"
    )  # what the socket had taken, then the end

    other = loop.connect()  # the loop goes on serving
    loop.send(other, get("/other"))
    [answer] = read_answers(other, 1)
    assert answer.body == b"served"
