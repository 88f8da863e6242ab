"""Answers that wait for the client, in the server loop (inspector/server/loop.py), on
real sockets and the test's clock: exactly :data:`OUT_HIGH_WATER` bytes unsent hold the
requests behind them, a client that resets while its answer is going out ends what is
queued behind it, a connection ready both ways is read in the same round, and waking
the loop never blocks the thread that does it."""

from __future__ import annotations

import selectors
import socket
import struct
import threading
from collections.abc import Callable

import pytest

from inspector.http.limits import MAX_PIPELINED
from inspector.http.record import CaptureRecord
from inspector.http.response import Response, default_responder, serialise
from inspector.server.connection import OUT_HIGH_WATER
from inspector.server.loop import HUNG_UP, Server
from inspector.server.sink import CallbackSink
from tests.harness import WAIT, parse_responses
from tests.server import test_loop_rounds as rounds
from tests.server.test_loop_rounds import Stepped, get

# the test clock and the stepped server of test_loop_rounds.py, as this module's fixtures
clock = rounds.clock
stepped = rounds.stepped


def _body_for_wire(size: int) -> bytes:
    """A body whose keep-alive answer to a GET is exactly ``size`` bytes on the wire."""
    body_size = size
    for _ in range(5):
        wire = serialise(Response(status=200, body=bytes(body_size)), method="GET", keep_alive=True)[0]
        body_size += size - len(wire)
    body = bytes(body_size)
    assert len(serialise(Response(status=200, body=body), method="GET", keep_alive=True)[0]) == size
    return body


def _big_then_path(big: bytes) -> Callable[[CaptureRecord], Response]:
    def responder(record: CaptureRecord) -> Response:
        return Response(status=200, body=big if record.path == "/big" else record.path.encode())

    return responder


def _step(loop: Stepped) -> None:
    """One round of the loop, which must have something to do (so a stuck loop fails, not hangs)."""
    server = loop.server
    events = server._sel.select(WAIT)
    assert events, "nothing happened"
    for key, mask in events:
        server._dispatch(key, mask)
    server._rounds.end(server._flush)


def _until_closed(loop: Stepped) -> None:
    for _ in range(100):
        if not loop.server.connection_count:
            return
        _step(loop)
    raise AssertionError("still open")


def _take_answers(loop: Stepped, client: socket.socket, count: int) -> list[bytes]:
    """The client reads what arrives, the server runs a round each time, until ``count`` answers."""
    client.setblocking(False)
    data = bytearray()
    for _ in range(10_000):
        try:
            while chunk := client.recv(1 << 20):
                data += chunk
        except BlockingIOError:
            pass
        answers, _ = parse_responses(bytes(data))
        if len(answers) >= count:
            return [answer.body for answer in answers]
        _step(loop)
    raise AssertionError(f"{len(answers)} answers")


def _reset(client: socket.socket) -> None:
    """Close with a TCP reset: the server's next send to it fails."""
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()


@pytest.mark.parametrize(
    ("max_pipelined", "announced"),
    [
        (MAX_PIPELINED, ["/next"]),  # parsed, and waiting in the queue
        (1, []),  # its bytes wait unparsed: the parser is not resumed either
    ],
)
def test_exactly_the_high_water_mark_unsent_holds_the_requests_behind(
    stepped: Callable[..., Stepped], max_pipelined: int, announced: list[str]
) -> None:
    big = _body_for_wire(OUT_HIGH_WATER)
    loop = stepped(_big_then_path(big), max_pipelined=max_pipelined)
    client = loop.connect(receive_buffer=4096)
    loop.send(client, get("/big") + get("/next"))
    # announced as waiting at the round's end, before the socket took part of the answer
    assert [r.path for r in loop.started] == announced
    assert _take_answers(loop, client, 2) == [big, b"/next"]
    assert [r.path for r in loop.records] == ["/big", "/next"]


def test_a_client_that_resets_while_its_answer_goes_out_ends_the_requests_behind(
    stepped: Callable[..., Stepped],
) -> None:
    loop = stepped(_big_then_path(bytes(4 * OUT_HIGH_WATER)))
    client = loop.connect(receive_buffer=4096)
    loop.send(client, get("/big") + get("/next"))
    assert [r.path for r in loop.records] == ["/big"]
    _reset(client)
    _until_closed(loop)
    big, behind = loop.records
    assert big.response is not None and big.error is None
    assert (behind.path, behind.error, behind.response) == ("/next", HUNG_UP, None)
    assert loop.server.bytes_in_flight == 0


def test_a_client_that_resets_during_a_trickle_ends_it_with_what_was_handed_out(
    stepped: Callable[..., Stepped],
) -> None:
    piece = 4 * OUT_HIGH_WATER  # one piece the client's small window cannot take
    trickle = Response(status=200, body=bytes(3 * piece), fault="trickle", bytes_per_s=10 * piece)
    loop = stepped(lambda record: trickle)
    client = loop.connect(receive_buffer=4096)
    loop.send(client, get("/trickle"))
    assert loop.records == []
    loop.clock.advance(0.0625)
    _reset(client)
    _until_closed(loop)
    [record] = loop.records
    assert (record.path, record.error) == ("/trickle", HUNG_UP)
    assert record.response is not None
    assert (record.response.bytes, record.response.duration_ms) == (piece, 62.5)


def test_a_connection_ready_to_read_and_to_write_is_read_in_the_same_round(
    stepped: Callable[..., Stepped],
) -> None:
    big = bytes(OUT_HIGH_WATER // 2)
    loop = stepped(_big_then_path(big))
    client = loop.connect(receive_buffer=4096)
    server = loop.server
    [conn] = server._conns.values()
    conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)  # the kernel takes little of it
    loop.send(client, get("/big"))
    assert 0 < len(conn.out) < OUT_HIGH_WATER  # the answer waits for the client: the loop watches for both
    client.sendall(get("/next"))
    [(key, mask)] = server._sel.select(WAIT)
    assert mask & selectors.EVENT_READ
    server._dispatch(key, mask | selectors.EVENT_WRITE)  # as when the client took some of it meanwhile
    server._rounds.end(server._flush)
    assert [r.path for r in loop.records] == ["/big", "/next"]
    assert _take_answers(loop, client, 2) == [big, b"/next"]


def test_waking_the_loop_never_blocks_the_caller_while_the_loop_is_busy() -> None:
    server = Server("127.0.0.1", 0, sink=CallbackSink(lambda record: None), responder=default_responder)
    try:
        # far more wakes than the wake socket holds, while nothing reads them
        caller = threading.Thread(target=lambda: [server.stop() for _ in range(5000)], daemon=True)
        caller.start()
        caller.join(WAIT)
        assert not caller.is_alive()
    finally:
        server.close()
