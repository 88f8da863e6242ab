"""Forwarding against real upstreams on 127.0.0.1: what goes out, what comes back, failures."""

from __future__ import annotations

import socket

import pytest
from conftest import UpstreamFactory
from fakeupstream import Received, Reply, forward, one_connection, read_head, response

from inspector.upstream import Forwarder

GET = b"GET /api/items?id=7&q=a%20b HTTP/1.1\r\nHost: client.example:8090\r\nUser-Agent: test\r\n\r\n"


def test_the_upstream_receives_exactly_the_forwarded_bytes(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream()
    raw = (
        b"POST /api/items?x=%2F HTTP/1.1\r\nHost: client.example:8090\r\nX-Dup: 1\r\nx-lower: a\r\n"
        b"X-Dup: 2\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n"
        b"4\r\nbody\r\n0\r\n\r\n"
    )
    forward(forwarder, raw, upstream.url("/v1/"))
    (received,) = upstream.wait_requests(1)
    assert received.raw == (
        b"POST /v1/api/items?x=%2F HTTP/1.1\r\nHost: 127.0.0.1:" + str(upstream.port).encode() + b"\r\n"
        b"X-Dup: 1\r\nx-lower: a\r\nX-Dup: 2\r\nContent-Length: 4\r\n"
        b"X-Forwarded-For: 192.0.2.7\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Host: client.example:8090\r\n"
        b"\r\nbody"
    )


def test_keep_host_sends_the_clients_host(forwarder: Forwarder, start_upstream: UpstreamFactory) -> None:
    upstream = start_upstream()
    forward(forwarder, GET, upstream.url(), keep_host=True)
    assert upstream.wait_requests(1)[0].header_lines[0] == b"Host: client.example:8090"


def test_the_client_gets_status_headers_and_body_and_the_record_gets_both_sides(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    answer = response(
        201,
        b'{"id": 7}',
        ("Content-Type", "application/json"),
        ("Set-Cookie", "a=1"),
        ("Connection", "keep-alive"),
        ("Keep-Alive", "timeout=5"),
        ("set-cookie", "b=2"),
        reason="Made It",
    )
    upstream = start_upstream(lambda r: Reply([answer]))
    result = forward(forwarder, GET, upstream.url("/base"), rule="to api")
    client = result.response
    assert (client.status, client.reason, client.body, client.rule, client.error) == (
        201,
        "Made It",
        b'{"id": 7}',
        "to api",
        None,
    )
    assert client.headers == (
        ("Content-Type", "application/json"),
        ("Set-Cookie", "a=1"),
        ("set-cookie", "b=2"),
        ("Content-Length", "9"),
    )
    record = result.upstream
    assert record.url == f"http://127.0.0.1:{upstream.port}/base/api/items?id=7&q=a%20b"
    assert (record.status, record.body, record.body_size, record.error) == (201, b'{"id": 7}', 9, None)
    assert ("Keep-Alive", "timeout=5") in record.headers  # as received
    assert record.request_headers[0] == ("Host", f"127.0.0.1:{upstream.port}")
    assert record.connect_ms is not None and record.first_byte_ms is not None
    assert 0 <= record.connect_ms <= record.first_byte_ms <= record.duration_ms


def test_a_redirect_is_relayed_not_followed(forwarder: Forwarder, start_upstream: UpstreamFactory) -> None:
    upstream = start_upstream(lambda r: Reply([response(302, b"", ("Location", "/elsewhere"))]))
    result = forward(forwarder, GET, upstream.url())
    assert (result.response.status, result.response.headers[0]) == (302, ("Location", "/elsewhere"))
    assert len(upstream.wait_requests(1)) == 1


def test_a_chunked_answer_is_dechunked(forwarder: Forwarder, start_upstream: UpstreamFactory) -> None:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
    chunked = head + b"3\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\n"
    upstream = start_upstream(lambda r: Reply([chunked]))
    result = forward(forwarder, GET, upstream.url())
    assert result.response.body == b"abcde"
    assert result.response.headers == (("X-A", "1"),)
    assert result.upstream.headers == (("Transfer-Encoding", "chunked"), ("X-A", "1"))


def test_a_close_delimited_answer_is_read_to_the_end(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(lambda r: Reply([b"HTTP/1.1 200 OK\r\n\r\nall of ", b"it"], close=True))
    assert forward(forwarder, GET, upstream.url()).response.body == b"all of it"


def test_informational_answers_before_the_final_one_are_skipped(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    early = b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
    cont = b"HTTP/1.1 100 Continue\r\n\r\n"
    upstream = start_upstream(lambda r: Reply([cont, early + early, response(200, b"final")]))
    result = forward(forwarder, GET, upstream.url())
    assert (result.response.status, result.response.body) == (200, b"final")
    assert result.upstream.informational == (103, 103)
    # the connection is still in step: the next request gets its own answer
    assert forward(forwarder, GET, upstream.url()).response.body == b"final"
    assert upstream.connections == 1


def test_101_without_an_upgrade_is_a_502(forwarder: Forwarder, start_upstream: UpstreamFactory) -> None:
    upstream = start_upstream(lambda r: Reply([b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n"]))
    result = forward(forwarder, GET, upstream.url())
    assert result.response.status == 502
    assert "switched protocols" in (result.response.error or "")


@pytest.mark.parametrize(("method", "status"), [("HEAD", 200), ("GET", 204), ("GET", 304)])
def test_head_204_and_304_have_no_body_and_keep_the_connection_in_step(
    forwarder: Forwarder, start_upstream: UpstreamFactory, method: str, status: int
) -> None:
    # The upstream announces a length but sends no body, as RFC 9110 §9.3.2, §15.3.5, §15.4.5 say.
    head = f'HTTP/1.1 {status} X\r\nContent-Length: 42\r\nETag: "e"\r\n\r\n'.encode()
    upstream = start_upstream(lambda r: Reply([head]))
    raw = f"{method} /x HTTP/1.1\r\nHost: h\r\n\r\n".encode()
    for _ in range(2):
        result = forward(forwarder, raw, upstream.url())
        assert (result.response.status, result.response.body, result.upstream.body_size) == (status, b"", 0)
        assert ("Content-Length", "42") in result.upstream.headers
    assert upstream.wait_requests(2)[1].request_line.startswith(method.encode())
    assert upstream.connections == 1


def test_an_unreachable_upstream_answers_502_naming_it(forwarder: Forwarder) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/base"
    result = forward(forwarder, GET, url)
    assert result.response.status == 502
    assert result.response.body == f"upstream {url}: unreachable: connection refused\n".encode()
    assert result.upstream.error == f"upstream {url}: unreachable: connection refused"
    assert result.upstream.status is None


def test_an_unresolvable_name_answers_502(forwarder: Forwarder, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_name(host: str, *args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)  # no query leaves the machine
    result = forward(forwarder, GET, "http://name.invalid:9/")
    assert result.response.status == 502
    assert result.response.error == (
        "upstream http://name.invalid:9/: unreachable: "
        "cannot resolve name.invalid (Name or service not known)"
    )


def test_no_answer_within_the_timeout_answers_504(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(lambda r: Reply(hold=True))
    result = forward(forwarder, GET, upstream.url(), timeout_ms=200)
    assert result.response.status == 504
    assert result.response.error == f"upstream {upstream.url()}: no answer within 200 ms"
    assert result.upstream.duration_ms >= 200
    upstream.wait_client_closes(1)  # the connection was given up, not kept


def test_an_answer_trickling_past_the_timeout_answers_504(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    """The deadline is total: each byte arriving in time does not extend it."""
    slow = b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"x" * 10_000 + b"\r\n\r\n"
    upstream = start_upstream(lambda r: Reply([slow], trickle=0.01))
    result = forward(forwarder, GET, upstream.url(), timeout_ms=300)
    assert result.response.status == 504
    assert result.upstream.duration_ms >= 300


def test_a_content_length_body_trickling_past_the_timeout_answers_504(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    """A body within the limit is read into one buffer; the deadline still holds for each read."""
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"
    upstream = start_upstream(lambda r: Reply([head + b"b" * 100_000], trickle=0.001))
    result = forward(forwarder, GET, upstream.url(), timeout_ms=500)
    assert result.response.status == 504
    assert result.upstream.duration_ms >= 500


def test_an_answer_body_over_the_limit_answers_502(
    start_forwarder: object, start_upstream: UpstreamFactory
) -> None:
    forwarder = start_forwarder(max_body=1000)  # type: ignore[operator]
    declared = start_upstream(lambda r: Reply([response(200, b"x" * 1001)]))
    result = forward(forwarder, GET, declared.url())
    assert result.response.status == 502
    assert result.response.error == f"upstream {declared.url()}: answer body over the 1000-byte limit"
    assert (result.upstream.status, result.upstream.body_size, result.upstream.body) == (200, 1001, b"")
    chunks = b"".join(b"64\r\n" + b"y" * 100 + b"\r\n" for _ in range(50)) + b"0\r\n\r\n"
    chunked = start_upstream(
        lambda r: Reply([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks])
    )
    result = forward(forwarder, GET, chunked.url())
    assert result.response.status == 502
    assert result.upstream.body_size == 1001  # it stopped reading just past the limit
    exact = start_upstream(lambda r: Reply([response(200, b"z" * 1000)]))
    assert forward(forwarder, GET, exact.url()).response.body == b"z" * 1000


def test_an_answer_cut_short_answers_502(forwarder: Forwarder, start_upstream: UpstreamFactory) -> None:
    upstream = start_upstream(
        lambda r: Reply([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"], close=True)
    )
    result = forward(forwarder, GET, upstream.url())
    assert result.response.status == 502
    assert "closed the connection in the middle of its answer's body (3 bytes received)" in (
        result.response.error or ""
    )


def test_a_garbage_answer_answers_502(forwarder: Forwarder, start_upstream: UpstreamFactory) -> None:
    upstream = start_upstream(lambda r: Reply([b"SSH-2.0-OpenSSH\r\n\r\n"], close=True))
    result = forward(forwarder, GET, upstream.url())
    assert result.response.status == 502
    assert "sent an invalid answer" in (result.response.error or "")


def test_a_large_request_body_goes_through_whole(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    body = bytes(range(256)) * 8192  # 2 MiB
    upstream = start_upstream(lambda r: Reply([response(200, str(len(r.body)).encode())]))
    raw = b"PUT /blob HTTP/1.1\r\nHost: h\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    assert forward(forwarder, raw, upstream.url()).response.body == str(len(body)).encode()
    assert upstream.wait_requests(1)[0].body == body


def test_an_answer_sent_before_the_body_was_read_is_relayed(forwarder: Forwarder) -> None:
    """An upstream that refuses a large body answers and closes without reading it: the
    send breaks off, and the answer that arrived is what the client gets."""

    def refuse(sock: socket.socket) -> None:
        read_head(sock)
        sock.sendall(response(413, b"too big", ("Connection", "close")))

    body = b"b" * (8 * 1024 * 1024)
    raw = b"POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    with one_connection(refuse) as port:
        result = forward(forwarder, raw, f"http://127.0.0.1:{port}")
    assert (result.response.status, result.response.body) == (413, b"too big")


def test_a_request_the_upstream_answers_received_whole(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    def echo(received: Received) -> Reply:
        return Reply([response(200, received.raw)])

    upstream = start_upstream(echo)
    result = forward(forwarder, GET, upstream.url())
    assert result.response.body == upstream.wait_requests(1)[0].raw


def test_a_broken_chunk_answers_502(forwarder: Forwarder, start_upstream: UpstreamFactory) -> None:
    broken = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n"
    upstream = start_upstream(lambda r: Reply([broken], close=True))
    result = forward(forwarder, GET, upstream.url())
    assert result.response.status == 502
    assert "in the middle of its answer's body (3 bytes received)" in (result.response.error or "")
    assert result.upstream.status == 200


def test_connect_is_answered_501_without_calling_the_upstream(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream()
    result = forward(
        forwarder, b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", upstream.url()
    )
    assert result.response.status == 501
    assert (
        result.response.error
        == f"upstream {upstream.url()}: CONNECT is not forwarded: a forward rule relays HTTP requests"
    )
    assert (result.upstream.url, result.upstream.status) == (upstream.url(), None)
    assert upstream.connections == 0
