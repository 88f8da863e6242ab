"""Answers that leave the loop later than they were made: one too big for the
socket at once (sent as the client reads it, while the client's next request is
read), and deferred answers resolved together after one client left."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from inspector.http.deferred import Deferred
from inspector.http.limits import Limits
from inspector.http.record import CaptureRecord
from inspector.http.response import Response
from inspector.server.connection import OUT_HIGH_WATER
from tests.harness import WAIT, RawClient, ServerFactory, get, parse_responses
from tests.server.test_loop_rounds import Clock, Stepped

BIG = 3 * OUT_HIGH_WATER + 12345


def test_an_answer_bigger_than_the_socket_takes_arrives_whole_and_the_next_request_is_answered(
    start_server: ServerFactory,
) -> None:
    def answer(record: CaptureRecord) -> Response:
        body = b"x" * BIG if record.path == "/big" else b"small"
        return Response(status=200, body=body)

    running = start_server(responder=answer)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the server's sends fill it at once
    sock.settimeout(WAIT)
    sock.connect(running.address)
    client = RawClient(sock)
    running.clients.append(client)
    client.send(get("/big") + get("/next"))
    first, second = client.responses(2)
    assert (first.status, len(first.body)) == (200, BIG)
    assert first.body == b"x" * BIG
    assert (second.status, second.body) == (200, b"small")
    big, small = running.sink.wait(2)
    assert big.response is not None and big.response.bytes > BIG
    assert small.path == "/next"


@pytest.fixture
def stepped_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Stepped, list[Deferred]]]:
    clock = Clock()
    monkeypatch.setattr(time, "monotonic", clock)
    parked: list[Deferred] = []

    def later(record: CaptureRecord) -> Deferred:
        parked.append(Deferred())
        return parked[-1]

    made = Stepped(clock, later, Limits())
    yield made, parked
    made.close()


def _answers(client: socket.socket) -> bytes:
    client.settimeout(WAIT)
    data = b""
    while not parse_responses(data)[0]:
        chunk = client.recv(65536)
        assert chunk, "closed before an answer"
        data += chunk
    return data


def test_answers_resolved_together_reach_the_clients_still_there(
    stepped_server: tuple[Stepped, list[Deferred]],
) -> None:
    stepped, parked = stepped_server
    gone, first, last = stepped.connect(), stepped.connect(), stepped.connect()
    for client in (gone, first, last):
        stepped.send(client, get("/wait"))
    assert len(parked) == 3
    for deferred, body in zip(parked, (b"lost", b"one", b"two"), strict=True):
        deferred.resolve(Response(status=200, body=body))
    gone.close()  # it leaves after its answer was resolved, before the loop took it
    while stepped.server.connection_count == 3:
        stepped.round()
    stepped.timers(0.0)  # the resolved answers go out in this one round
    (one,), _ = parse_responses(_answers(first))
    (two,), _ = parse_responses(_answers(last))
    assert (one.body, two.body) == (b"one", b"two")
