"""Setting up and taking down what the server loop (inspector/server/loop.py) listens
on, as a caller sees it: a server without a port gets a free one, the open-file limit
makes room for every connection allowed, every connection over the limit is refused
in the round it arrives, and closing a listener ends a trickle under way on it."""

from __future__ import annotations

import resource
import socket
from collections.abc import Callable

import pytest

from inspector.http.limits import Limits
from inspector.http.response import Response, default_responder
from inspector.server.accepting import FD_HEADROOM
from inspector.server.loop import STOPPED, Server
from inspector.server.sink import CallbackSink
from tests.harness import WAIT
from tests.server import test_loop_rounds as rounds
from tests.server.test_loop_rounds import Stepped, by_path, get

# the test clock and the stepped server of test_loop_rounds.py, as this module's fixtures
clock = rounds.clock
stepped = rounds.stepped


def _server(**limits: int) -> Server:
    return Server(
        "127.0.0.1",
        sink=CallbackSink(lambda record: None),
        responder=default_responder,
        limits=Limits(**limits),
    )


def test_servers_made_without_a_port_each_get_a_free_one() -> None:
    first = _server()
    try:
        second = _server()
        second.close()
    finally:
        first.close()
    assert first.port and second.port and first.port != second.port


def test_the_open_file_limit_is_lifted_for_every_connection_allowed_and_some_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(resource, "getrlimit", lambda which: (1024, resource.RLIM_INFINITY))
    monkeypatch.setattr(resource, "setrlimit", lambda which, limits: calls.append(limits))
    _server(max_connections=5000).close()
    assert calls == [(5000 + FD_HEADROOM, resource.RLIM_INFINITY)]


def test_every_connection_over_the_limit_is_refused_in_the_round_it_arrives(
    stepped: Callable[..., Stepped],
) -> None:
    loop = stepped(by_path({}), max_connections=1)
    kept = loop.connect()
    extra = [socket.create_connection(("127.0.0.1", loop.server.port), timeout=WAIT) for _ in range(3)]
    loop.clients.extend(extra)
    loop.round()
    assert [r.error for r in loop.records] == ["503 more than 1 open connections"] * 3
    for client in extra:
        assert client.recv(100).startswith(b"HTTP/1.1 503 ")
    loop.send(kept, get("/kept"))
    assert [r.path for r in loop.records][-1] == "/kept"


def test_closing_a_listener_ends_the_trickle_under_way_with_what_was_sent(
    stepped: Callable[..., Stepped],
) -> None:
    trickle = Response(status=200, body=b"abcdefghij", fault="trickle", bytes_per_s=10)  # a byte each 0.1 s
    loop = stepped(by_path({"/trickle": trickle}))
    client = loop.connect()
    loop.send(client, get("/trickle"))
    loop.clock.advance(0.0625)
    closed = loop.server.unlisten(loop.server.listening[0].name)
    assert closed is not None
    loop.round()  # the loop wakes and closes the listener, with its connections
    assert closed.is_set() and loop.server.connection_count == 0
    [record] = loop.records
    assert (record.path, record.error) == ("/trickle", STOPPED)
    assert record.response is not None
    assert (record.response.bytes, record.response.duration_ms) == (1, 62.5)
