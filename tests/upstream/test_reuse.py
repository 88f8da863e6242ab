"""Connections to an upstream are reused, and only when that is safe."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from conftest import ForwarderFactory, UpstreamFactory
from fakeupstream import WAIT, Received, Reply, capture, forward, response

from inspector.upstream import Forwarder, parse_target

GET = b"GET /r HTTP/1.1\r\nHost: h\r\n\r\n"
POST = b"POST /r HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi"


def test_sequential_requests_share_one_connection(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream()
    for _ in range(5):
        assert forward(forwarder, GET, upstream.url("/a")).response.status == 200
    assert {r.connection for r in upstream.wait_requests(5)} == {1}
    assert upstream.connections == forwarder.connections.opened == 1
    # a different base path on the same upstream shares it too
    forward(forwarder, GET, upstream.url("/other"))
    assert upstream.connections == 1


def test_different_upstreams_and_tls_settings_do_not_share(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    one, two = start_upstream(), start_upstream()
    forward(forwarder, GET, one.url())
    forward(forwarder, GET, two.url())
    forward(forwarder, GET, one.url())
    assert (one.connections, two.connections) == (1, 1)


@pytest.mark.parametrize(
    "answer",
    [
        response(200, b"x", ("Connection", "close")),
        b"HTTP/1.1 200 OK\r\n\r\nread until close",
        b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx",
    ],
    ids=["connection-close", "close-delimited", "http-1.0"],
)
def test_an_answer_that_ends_its_connection_is_not_reused(
    forwarder: Forwarder, start_upstream: UpstreamFactory, answer: bytes
) -> None:
    upstream = start_upstream(lambda r: Reply([answer], close=True))
    for _ in range(3):
        assert forward(forwarder, GET, upstream.url()).response.status == 200
    assert upstream.connections == 3
    assert forwarder.connections.idle_count == 0


def test_a_connection_the_upstream_closed_while_idle_is_not_used(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    """The upstream keeps-alive in words but closes after each answer (as servers do
    when their idle timeout passes): the next request sees it and opens a new one."""
    upstream = start_upstream(lambda r: Reply([response(200, b"ok")], close=True))
    results = []
    for count, raw in enumerate((GET, POST, GET, POST), 1):
        results.append(forward(forwarder, raw, upstream.url()))
        upstream.wait_server_closes(count)
    assert [r.response.status for r in results] == [200, 200, 200, 200]
    assert [r.upstream.connect_ms is None for r in results] == [False] * 4  # each on a new connection
    assert upstream.connections == 4


def _close_second_request_unanswered() -> Callable[[Received], Reply]:
    """A handler answering the first request on each connection and closing on the
    second without a word: the race of a reused connection with the upstream's idle timeout."""
    seen: dict[int, int] = {}

    def handler(received: Received) -> Reply:
        seen[received.connection] = seen.get(received.connection, 0) + 1
        if seen[received.connection] == 1:
            return Reply([response(200, b"first")])
        return Reply(close=True)

    return handler


def test_an_idempotent_request_is_retried_once_on_a_new_connection(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(_close_second_request_unanswered())
    forward(forwarder, GET, upstream.url())
    retried = forward(forwarder, GET, upstream.url())
    assert (retried.response.status, retried.response.body) == (200, b"first")
    assert retried.upstream.connect_ms is not None  # answered on the new connection
    assert [r.connection for r in upstream.wait_requests(3)] == [1, 1, 2]


def test_a_post_sent_whole_is_not_retried(forwarder: Forwarder, start_upstream: UpstreamFactory) -> None:
    upstream = start_upstream(_close_second_request_unanswered())
    forward(forwarder, GET, upstream.url())
    failed = forward(forwarder, POST, upstream.url())
    assert failed.response.status == 502
    assert failed.response.error == f"upstream {upstream.url()}: closed the connection without answering"
    assert len(upstream.wait_requests(2)) == 2  # the POST reached it once, never twice


def test_a_new_connection_that_closes_unanswered_is_not_retried(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(lambda r: Reply(close=True))
    assert forward(forwarder, GET, upstream.url()).response.status == 502
    assert upstream.connections == 1


def test_concurrent_calls_open_connections_that_are_then_reused(
    start_forwarder: ForwarderFactory, start_upstream: UpstreamFactory
) -> None:
    release = threading.Event()
    upstream = start_upstream(lambda r: Reply([response(200, b"ok")], release=release))
    forwarder = start_forwarder(workers=4)
    target = parse_target(upstream.url())
    calls = [forwarder.submit(capture(GET), target) for _ in range(3)]
    upstream.wait_requests(3)  # all three in flight at once: three connections
    release.set()
    assert [c.result(WAIT).response.status for c in calls] == [200, 200, 200]  # type: ignore[union-attr]
    assert upstream.connections == 3
    for _ in range(6):
        forward(forwarder, GET, upstream.url())
    assert upstream.connections == 3
    assert forwarder.connections.opened == 3


def test_idle_connections_are_closed_after_the_idle_timeout(
    start_forwarder: ForwarderFactory, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream()
    forwarder = start_forwarder(idle_timeout=0.0)
    forward(forwarder, GET, upstream.url())
    forward(forwarder, GET, upstream.url())
    assert upstream.connections == 2
    upstream.wait_client_closes(1)
