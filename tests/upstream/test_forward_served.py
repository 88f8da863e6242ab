"""Forward rules through the real server: a client on a socket, the listener, a real upstream.

Every wait is bounded (``WAIT``); what must happen first is shown by events
(the upstream holds its answer until the test releases it), not by time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from conftest import UpstreamFactory
from fakeupstream import Received, Reply, response

from inspector.responses import Responder
from inspector.server.loop import HUNG_UP, STOPPED
from tests.harness import ServerFactory

ForwardTo = Callable[..., Responder]


def test_status_headers_in_order_and_case_and_body_are_relayed_and_recorded(
    start_upstream: UpstreamFactory, start_server: ServerFactory, forward_to: ForwardTo
) -> None:
    answer = response(201, b"made", ("X-B", "2"), ("x-a", "1"), ("X-B", "3"), ("Connection", "keep-alive"))
    upstream = start_upstream(lambda received: Reply([answer]))
    served = start_server(responder=forward_to(upstream.url("/base")))
    client = served.connect()
    client.send(
        b"POST /api/items?q=1 HTTP/1.1\r\nHost: front\r\nX-Two: b\r\nx-one: a\r\nContent-Length: 3\r\n\r\nabc"
    )
    got = client.response()
    assert (got.status, got.body) == (201, b"made")
    relayed = [(n, v) for n, v in got.headers if n.lower().startswith("x-")]
    assert relayed == [("X-B", "2"), ("x-a", "1"), ("X-B", "3")]
    assert got.header("Connection") is None  # hop-by-hop: not relayed

    sent = upstream.wait_requests(1)[0]
    assert sent.request_line == b"POST /base/api/items?q=1 HTTP/1.1"
    assert sent.header_lines[:4] == [
        f"Host: 127.0.0.1:{upstream.port}".encode(),
        b"X-Two: b",
        b"x-one: a",
        b"Content-Length: 3",
    ]
    assert b"X-Forwarded-For: 127.0.0.1" in sent.header_lines
    assert b"X-Forwarded-Host: front" in sent.header_lines
    assert sent.body == b"abc"

    record = served.sink.wait(1)[0]
    assert record.response is not None and record.response.rule == "to upstream"
    assert record.upstream is not None
    assert record.upstream.status == record.response.status == 201
    assert record.upstream.url == upstream.url("/base/api/items?q=1")
    assert record.upstream.body == b"made" and record.upstream.error is None
    assert ("Host", f"127.0.0.1:{upstream.port}") in record.upstream.request_headers


def test_keep_host_sends_the_clients_host(
    start_upstream: UpstreamFactory, start_server: ServerFactory, forward_to: ForwardTo
) -> None:
    upstream = start_upstream()
    served = start_server(responder=forward_to(upstream.url(), keep_host=True))
    client = served.connect()
    client.send(b"GET /api/x HTTP/1.1\r\nHost: Front.example:8090\r\n\r\n")
    assert client.response().status == 200
    assert upstream.wait_requests(1)[0].header_lines[0] == b"Host: Front.example:8090"


def test_a_dead_upstream_answers_502_in_one_line_naming_it(
    start_upstream: UpstreamFactory, start_server: ServerFactory, forward_to: ForwardTo
) -> None:
    upstream = start_upstream()
    url = upstream.url("/x")
    upstream.close()  # nobody listens on its port any more
    served = start_server(responder=forward_to(url))
    client = served.connect()
    client.send(b"GET /api/a HTTP/1.1\r\nHost: h\r\n\r\n")
    got = client.response()
    assert got.status == 502
    line = got.body.decode().rstrip("\n")
    assert "\n" not in line and line.startswith(f"upstream {url}: ")
    record = served.sink.wait(1)[0]
    assert record.upstream is not None and record.upstream.status is None
    assert record.upstream.error == line
    assert record.response is not None and record.response.error == line


def test_a_slow_upstream_answers_504_while_another_client_is_served(
    start_upstream: UpstreamFactory, start_server: ServerFactory, forward_to: ForwardTo
) -> None:
    release = threading.Event()
    upstream = start_upstream(lambda received: Reply([response(200, b"late")], release=release))
    served = start_server(responder=forward_to(upstream.url(), timeout_ms=1000))
    slow = served.connect()
    slow.send(b"GET /api/slow HTTP/1.1\r\nHost: h\r\n\r\n")
    upstream.wait_requests(1)  # the call is under way and held
    other = served.connect()
    other.send(b"GET /local HTTP/1.1\r\nHost: h\r\n\r\n")
    assert other.response().body == b"local"
    assert slow.take_response() is None  # still waiting for its upstream
    got = slow.response()
    release.set()
    assert got.status == 504
    assert f"upstream {upstream.url()}: no answer within 1000 ms" in got.body.decode()
    records = {r.path: r for r in served.sink.wait(2)}
    upstream_part = records["/api/slow"].upstream
    assert upstream_part is not None and upstream_part.error is not None
    assert "no answer within 1000 ms" in upstream_part.error


def test_a_client_hanging_up_while_forwarding_is_recorded_and_the_call_is_dropped(
    start_upstream: UpstreamFactory, start_server: ServerFactory, forward_to: ForwardTo
) -> None:
    upstream = start_upstream(lambda received: Reply(hold=True))
    served = start_server(responder=forward_to(upstream.url()))
    client = served.connect()
    client.send(b"GET /api/wait HTTP/1.1\r\nHost: h\r\n\r\n")
    upstream.wait_requests(1)
    client.close()
    record = served.sink.wait(1)[0]
    assert record.error == HUNG_UP
    assert record.upstream is not None
    assert record.upstream.error == f"cancelled: {HUNG_UP}"
    assert record.upstream.url == upstream.url("/api/wait")
    upstream.wait_client_closes(1)  # the upstream connection was dropped, not left to its timeout


def test_stopping_the_listener_cancels_the_upstream_call(
    start_upstream: UpstreamFactory, start_server: ServerFactory, forward_to: ForwardTo
) -> None:
    upstream = start_upstream(lambda received: Reply(hold=True))
    served = start_server(responder=forward_to(upstream.url()))
    served.connect().send(b"GET /api/wait HTTP/1.1\r\nHost: h\r\n\r\n")
    upstream.wait_requests(1)
    served.stop()
    record = served.sink.wait(1)[0]
    assert record.error == STOPPED
    assert record.upstream is not None and record.upstream.error == f"cancelled: {STOPPED}"
    upstream.wait_client_closes(1)


def _head_answer(received: Received) -> Reply:
    return Reply([b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1234\r\n\r\n"])


def test_head_keeps_the_upstreams_content_length_without_a_body(
    start_upstream: UpstreamFactory, start_server: ServerFactory, forward_to: ForwardTo
) -> None:
    upstream = start_upstream(_head_answer)
    served = start_server(responder=forward_to(upstream.url()))
    client = served.connect()
    client.send(b"HEAD /api/file HTTP/1.1\r\nHost: h\r\n\r\nGET /local HTTP/1.1\r\nHost: h\r\n\r\n")
    head = client.read_until(b"\r\n\r\n")
    assert b"\r\nContent-Length: 1234\r\n" in head
    assert client.response().body == b"local"  # nothing of a body came between the two answers
    record = served.sink.wait(2)[0]
    assert record.response is not None and record.response.body == b""
    assert ("Content-Length", "1234") in record.response.headers


def test_304_keeps_its_content_length_and_204_has_none(
    start_upstream: UpstreamFactory, start_server: ServerFactory, forward_to: ForwardTo
) -> None:
    answers = {
        b"/api/304": b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 99\r\n\r\n',
        b"/api/204": b"HTTP/1.1 204 No Content\r\nX-Done: yes\r\n\r\n",
    }
    upstream = start_upstream(lambda received: Reply([answers[received.request_line.split()[1]]]))
    served = start_server(responder=forward_to(upstream.url()))
    client = served.connect()
    client.send(b"GET /api/304 HTTP/1.1\r\nHost: h\r\n\r\n")
    head = client.read_until(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 304 ") and b'ETag: "v1"' in head and b"Content-Length: 99" in head
    client.send(b"GET /api/204 HTTP/1.1\r\nHost: h\r\n\r\n")
    head = client.read_until(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 204 ") and b"X-Done: yes" in head and b"Content-Length" not in head
    client.send(b"GET /local HTTP/1.1\r\nHost: h\r\n\r\n")
    assert client.response().body == b"local"  # no stray body bytes before it


def test_header_bytes_that_are_not_utf8_reach_the_client_unchanged(
    start_upstream: UpstreamFactory, start_server: ServerFactory, forward_to: ForwardTo
) -> None:
    answer = b"HTTP/1.1 200 OK\r\nX-Raw: caf\xe9 \xff\r\nX-Utf8: caf\xc3\xa9\r\nContent-Length: 2\r\n\r\nok"
    upstream = start_upstream(lambda received: Reply([answer]))
    served = start_server(responder=forward_to(upstream.url()))
    client = served.connect()
    client.send(b"GET /api/raw HTTP/1.1\r\nHost: h\r\n\r\n")
    head = client.read_until(b"\r\n\r\n")
    assert b"\r\nX-Raw: caf\xe9 \xff\r\n" in head
    assert b"\r\nX-Utf8: caf\xc3\xa9\r\n" in head
    record = served.sink.wait(1)[0]
    assert record.response is not None
    assert ("X-Raw", "caf\ufffd \ufffd") in record.response.headers  # shown as text, marked
    assert ("X-Utf8", "café") in record.response.headers
    assert record.upstream is not None and ("X-Raw", "caf\ufffd \ufffd") in record.upstream.headers
