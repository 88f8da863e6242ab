"""The listening loop over real sockets: raw bytes, http.client and curl.

Each test binds 127.0.0.1 (or ::1) on port 0. Waits are bounded by select or a
deadline (conftest.WAIT); nothing sleeps and no duration is asserted.
"""

from __future__ import annotations

import http.client
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from inspector.http.limits import Limits
from inspector.http.record import CaptureRecord
from inspector.http.response import Response, default_responder
from inspector.server import CallbackSink, bind_listener
from tests.harness import WAIT, Running, ServerFactory, parse_responses
from tests.network import needs_ipv6

H = b"Host: example.com\r\n"
CURL = shutil.which("curl")


def echo_path(record: CaptureRecord) -> Response:
    return Response(status=200, body=record.path.encode(), rule="echo")


def get(path: str = "/", extra: bytes = b"") -> bytes:
    return b"GET " + path.encode() + b" HTTP/1.1\r\n" + H + extra + b"\r\n"


# -- the basics --


def test_http_client_get_is_recorded_and_answered(running: Running) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=WAIT)
    conn.putrequest("GET", "/index.html?name=jack&age=18&x=a+b&e=%C3%A9&blank=", skip_accept_encoding=True)
    conn.putheader("X-First", "1")
    conn.putheader("x-dup", "a")
    conn.putheader("X-DUP", "b")
    conn.endheaders()
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert response.read() == b"hello world"
    conn.close()

    (record,) = running.sink.wait(1)
    assert record.method == "GET"
    assert record.path == "/index.html"
    assert record.target == "/index.html?name=jack&age=18&x=a+b&e=%C3%A9&blank="
    assert record.query == (("name", "jack"), ("age", "18"), ("x", "a b"), ("e", "\u00e9"), ("blank", ""))
    assert record.http_version == "1.1"
    assert record.headers == (
        ("Host", f"127.0.0.1:{running.port}"),
        ("X-First", "1"),
        ("x-dup", "a"),
        ("X-DUP", "b"),
    )
    assert record.error is None
    assert record.client.startswith("127.0.0.1:")
    assert record.server == f"127.0.0.1:{running.port}"
    assert record.response is not None
    assert record.response.status == 200
    assert record.response.rule == "default"
    assert record.response.body == b"hello world"
    assert record.response.bytes > len(b"hello world")
    assert record.response.duration_ms >= 0


def test_http_client_post_body_and_keep_alive(running: Running) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=WAIT)
    for body in (b'{"a": 1}', b"\x00\x01binary\xff"):
        conn.request("POST", "/submit", body=body, headers={"Content-Type": "application/octet-stream"})
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Connection") is None
        response.read()
    conn.close()
    first, second = running.sink.wait(2)
    assert (first.body, second.body) == (b'{"a": 1}', b"\x00\x01binary\xff")
    assert first.body_size == 8
    assert second.id == first.id + 1
    assert first.client == second.client  # the same kept-alive connection


def test_head_gets_headers_without_body(running: Running) -> None:
    client = running.connect()
    client.send(b"HEAD / HTTP/1.1\r\n" + H + b"\r\n" + get("/after"))
    data = client.read_until(b"\r\n\r\n")
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Length: 11\r\n" in data
    # no body follows: the next bytes are the next response's status line
    (after,) = client.responses(1)
    assert after.body == b"hello world"


def test_responder_failure_answers_500_and_keeps_serving(start_server: ServerFactory) -> None:
    def responder(record: CaptureRecord) -> Response:
        if record.path == "/boom":
            raise RuntimeError("template exploded")
        return default_responder(record)

    running = start_server(responder=responder)
    client = running.connect()
    client.send(get("/boom") + get("/fine"))
    boom, fine = client.responses(2)
    assert boom.status == 500
    assert b"template exploded" in boom.body
    assert fine.status == 200
    first, second = running.sink.wait(2)
    assert first.response is not None and first.response.status == 500
    assert first.response.error is not None and "template exploded" in first.response.error
    assert second.response is not None and second.response.error is None


# -- pipelining, chunked, trailers, 100-continue, HTTP/1.0 --


def test_pipelined_requests_answered_in_order(start_server: ServerFactory) -> None:
    running = start_server(responder=echo_path)
    client = running.connect()
    client.send(get("/one") + b"POST /two HTTP/1.1\r\n" + H + b"Content-Length: 3\r\n\r\nabc" + get("/three"))
    responses = client.responses(3)
    assert [r.body for r in responses] == [b"/one", b"/two", b"/three"]
    records = running.sink.wait(3)
    assert [r.path for r in records] == ["/one", "/two", "/three"]
    assert records[0].id < records[1].id < records[2].id
    assert client.is_open()  # keep-alive: still open after all three


def test_pipelined_order_kept_when_the_first_answer_is_delayed(start_server: ServerFactory) -> None:
    def responder(record: CaptureRecord) -> Response:
        return Response(status=200, body=record.path.encode(), delay_ms=150 if record.path == "/first" else 0)

    running = start_server(responder=responder)
    client = running.connect()
    client.send(get("/first") + get("/second") + get("/third"))
    assert [r.body for r in client.responses(3)] == [b"/first", b"/second", b"/third"]


def test_chunked_body_with_trailers(running: Running) -> None:
    client = running.connect()
    body = b"4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Sum: 42\r\nX-Other: y\r\n\r\n"
    head = b"POST /upload HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
    client.send(head + body, bytewise=True)
    assert client.response().status == 200
    (record,) = running.sink.wait(1)
    assert record.body == b"Wikipedia in\r\n\r\nchunks."
    assert record.body_size == len(b"Wikipedia in\r\n\r\nchunks.")
    assert record.trailers == (("X-Sum", "42"), ("X-Other", "y"))
    assert record.raw == head + body
    assert record.to_json()["trailers"] == [["X-Sum", "42"], ["X-Other", "y"]]


def test_expect_100_continue_arrives_before_the_body_is_sent(running: Running) -> None:
    client = running.connect()
    client.send(b"PUT /file HTTP/1.1\r\n" + H + b"Content-Length: 5\r\nExpect: 100-continue\r\n\r\n")
    interim = client.read_until(b"\r\n\r\n")
    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert running.sink.records == []
    client.send(b"hello")
    final = client.response()
    assert final.status == 200
    (record,) = running.sink.wait(1)
    assert record.body == b"hello"
    assert record.header("Expect") == "100-continue"


def test_http10_closes_after_the_answer(running: Running) -> None:
    client = running.connect()
    client.send(b"GET /old HTTP/1.0\r\n\r\n")
    response = client.response()
    assert response.status == 200
    assert response.header("Connection") == "close"
    assert client.wait_closed() == b""
    (record,) = running.sink.wait(1)
    assert record.http_version == "1.0"


def test_http10_keep_alive_stays_open(running: Running) -> None:
    client = running.connect()
    client.send(b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
    first = client.response()
    assert first.header("Connection") is None
    client.send(b"GET /b HTTP/1.0\r\n\r\n")
    second = client.response()
    assert second.header("Connection") == "close"
    client.wait_closed()
    a, b = running.sink.wait(2)
    assert (a.path, b.path) == ("/a", "/b")
    assert a.client == b.client


def test_connection_close_request_closes(running: Running) -> None:
    client = running.connect()
    client.send(get("/", b"Connection: close\r\n") + get("/ignored"))
    response = client.response()
    assert response.header("Connection") == "close"
    assert client.wait_closed() == b""
    running.sink.wait(1)
    running.sink.assert_no_more()


# -- malformed input: each kind gets its status, a one-line body, and the close --

MALFORMED = [
    ("garbage-request-line", b"HELLO\r\n\r\n", 400),
    ("tls-handshake", b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", 400),
    ("bad-header", b"GET / HTTP/1.1\r\n" + H + b"Bad Header : x\r\n\r\n", 400),
    ("obs-fold", b"GET / HTTP/1.1\r\n" + H + b"X: a\r\n b\r\n\r\n", 400),
    ("bare-lf", b"GET / HTTP/1.1\nHost: x\n\n", 400),
    ("missing-host", b"GET / HTTP/1.1\r\n\r\n", 400),
    ("duplicate-host", b"GET / HTTP/1.1\r\n" + H + H + b"\r\n", 400),
    (
        "cl-and-te",
        b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
    ),
    ("bad-chunk", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\nxyz\r\n", 400),
    ("fragment", b"GET /#x HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("unknown-coding", b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: br, chunked\r\n\r\n", 501),
    ("http-2", b"GET / HTTP/2.0\r\n" + H + b"\r\n", 505),
    ("http-0.9", b"GET / HTTP/0.9\r\n\r\n", 505),
]


def check_rejection(running: Running, data: bytes, status: int, *, bytewise: bool = False) -> CaptureRecord:
    """Send ``data``; check the answer, the close and the record; return the record."""
    client = running.connect()
    client.send(data, bytewise=bytewise)
    response = client.response()
    assert response.status == status
    assert response.header("Connection") == "close"
    assert response.header("Content-Type") == "text/plain; charset=utf-8"
    assert response.body.endswith(b"\n")
    assert response.body.count(b"\n") == 1
    assert len(response.body) > 1
    client.wait_closed()
    (record,) = running.sink.wait(1)
    assert record.error is not None
    assert record.error.startswith(f"{status} ")
    assert response.body.decode().strip() in record.error
    assert record.response is not None
    assert record.response.status == status
    assert record.response.rule is None
    running.sink.assert_no_more(0.05)
    return record


@pytest.mark.parametrize(("data", "status"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_malformed_input_is_rejected_and_recorded(running: Running, data: bytes, status: int) -> None:
    record = check_rejection(running, data, status)
    assert record.raw == data


def test_malformed_input_fed_byte_by_byte(running: Running) -> None:
    data = b"GET / HTTP/1.1\r\n" + H + b"X-Bad\x01Name: v\r\n\r\n"
    record = check_rejection(running, data, 400, bytewise=True)
    assert data.startswith(record.raw)
    assert record.raw.startswith(b"GET / HTTP/1.1\r\n")


def test_connection_cut_mid_body_is_recorded(running: Running) -> None:
    client = running.connect()
    sent = b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 100\r\n\r\npartial"
    client.send(sent)
    client.sock.shutdown(socket.SHUT_WR)
    (record,) = running.sink.wait(1)
    assert record.error is not None and "7 of 100" in record.error
    assert record.raw == sent


def test_bad_request_after_good_one_on_same_connection(running: Running) -> None:
    client = running.connect()
    client.send(get("/good") + b"BROKEN\r\n\r\n")
    good, bad = client.responses(2)
    assert good.status == 200
    assert bad.status == 400
    client.wait_closed()
    first, second = running.sink.wait(2)
    assert first.error is None and second.error is not None
    assert second.raw == b"BROKEN\r\n\r\n"


# -- limits: exactly at each one, and one past it --

SMALL = Limits(max_request_line=100, max_head=300, max_header_fields=10, max_body=1000)


def line_of(length: int) -> bytes:
    path = b"/" + b"a" * (length - len(b"GET / HTTP/1.1"))
    line = b"GET " + path + b" HTTP/1.1"
    assert len(line) == length
    return line


def head_of(size: int) -> bytes:
    base = b"GET / HTTP/1.1\r\n" + H + b"X-Pad: \r\n\r\n"
    head = base.replace(b"X-Pad: ", b"X-Pad: " + b"p" * (size - len(base)))
    assert len(head) == size
    return head


def fields(count: int) -> bytes:
    return b"GET / HTTP/1.1\r\n" + H + b"".join(b"X-%d: v\r\n" % i for i in range(count - 1)) + b"\r\n"


def content_length(length: int) -> bytes:
    return b"POST / HTTP/1.1\r\n" + H + b"Content-Length: %d\r\n\r\n" % length


def chunked(total: int) -> bytes:
    return (
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
        b"258\r\n"
        + b"x" * 600
        + b"\r\n"
        + b"%x\r\n" % (total - 600)
        + b"y" * (total - 600)
        + b"\r\n0\r\n\r\n"
    )


LIMIT_CASES = [
    ("request-line-at-limit", line_of(100) + b"\r\n" + H + b"\r\n", 200),
    ("request-line-over", line_of(101) + b"\r\n" + H + b"\r\n", 414),
    ("head-at-limit", head_of(300), 200),
    ("head-over", head_of(301), 431),
    ("fields-at-limit", fields(10), 200),
    ("fields-over", fields(11), 431),
    ("content-length-at-limit", content_length(1000) + b"b" * 1000, 200),
    ("chunked-at-limit", chunked(1000), 200),
    ("chunked-over", chunked(1001), 413),
]


@pytest.mark.parametrize(("data", "status"), [c[1:] for c in LIMIT_CASES], ids=[c[0] for c in LIMIT_CASES])
def test_size_limits(start_server: ServerFactory, data: bytes, status: int) -> None:
    running = start_server(limits=SMALL)
    if status == 200:
        client = running.connect()
        client.send(data)
        assert client.response().status == 200
        (record,) = running.sink.wait(1)
        assert record.error is None
        assert record.raw == data
    else:
        record = check_rejection(running, data, status)
        assert record.raw  # the bytes received are kept


def test_content_length_over_limit_refused_before_the_body(start_server: ServerFactory) -> None:
    running = start_server(limits=SMALL)
    head = content_length(1001)
    record = check_rejection(running, head, 413)  # no body byte sent: refused on the head alone
    assert record.body_truncated
    assert record.raw == head


def test_head_timeout_answers_408(start_server: ServerFactory) -> None:
    running = start_server(limits=Limits(head_timeout=0.5))
    record = check_rejection(running, b"GET / HTTP/1.1\r\nHost: slo", 408)
    assert record.raw == b"GET / HTTP/1.1\r\nHost: slo"
    assert "head not complete" in (record.error or "")


def test_body_timeout_answers_408(start_server: ServerFactory) -> None:
    running = start_server(limits=Limits(body_timeout=0.5))
    sent = content_length(10) + b"abc"
    record = check_rejection(running, sent, 408)
    assert record.body == b"abc"
    assert record.raw == sent


def test_idle_keep_alive_connection_is_closed_without_a_record(start_server: ServerFactory) -> None:
    running = start_server(limits=Limits(idle_timeout=0.5))
    client = running.connect()
    client.send(get())
    assert client.response().status == 200
    assert client.wait_closed() == b""  # closed, and nothing was written (no 408 for an idle client)
    running.sink.wait(1)
    running.sink.assert_no_more()
    running.wait_connections(0)


def test_connection_limit_answers_503(start_server: ServerFactory) -> None:
    running = start_server(limits=Limits(max_connections=5))
    held = [running.connect() for _ in range(5)]
    running.wait_connections(5)
    extra = running.connect()
    response = extra.response()
    assert response.status == 503
    assert response.header("Connection") == "close"
    assert b"5 open connections" in response.body
    extra.wait_closed()
    (record,) = running.sink.wait(1)
    assert record.error is not None and record.error.startswith("503")
    assert record.response is not None and record.response.status == 503
    # the five held connections are still served
    held[0].send(get("/held"))
    assert held[0].response().status == 200
    # one leaves, so a newcomer is served
    held[1].close()
    running.wait_connections(4)
    newcomer = running.connect()
    newcomer.send(get("/new"))
    assert newcomer.response().status == 200


# -- concurrency --


def test_slow_client_does_not_delay_fast_ones(start_server: ServerFactory) -> None:
    running = start_server(responder=echo_path)
    slow = running.connect()
    slow.send(b"GET /slow HTTP/1.1\r\nHo")  # a head trickling in
    fast = http.client.HTTPConnection("127.0.0.1", running.port, timeout=WAIT)
    for i in range(20):
        fast.request("GET", f"/fast/{i}")
        response = fast.getresponse()
        assert response.read() == f"/fast/{i}".encode()
    fast.close()
    assert slow.is_open(0)  # still waiting for its head, not answered, not dropped
    slow.send(b"st: x\r\n\r\n")
    assert slow.response().body == b"/slow"
    records = running.sink.wait(21)
    assert records[-1].path == "/slow"  # the fast ones were all recorded while it trickled


def test_delayed_answer_parks_only_its_own_connection(start_server: ServerFactory) -> None:
    def responder(record: CaptureRecord) -> Response:
        delay = 60_000 if record.path == "/parked" else 0
        return Response(status=200, body=record.path.encode(), delay_ms=delay)

    running = start_server(responder=responder)
    parked = running.connect()
    parked.send(get("/parked"))
    running.wait_connections(1)
    other = running.connect()
    for i in range(5):
        other.send(get(f"/other/{i}"))
        assert other.response().body == f"/other/{i}".encode()
    assert parked.is_open(0)
    assert parked.buffer == b""


def test_two_hundred_concurrent_connections(running: Running) -> None:
    clients = [running.connect() for _ in range(200)]
    running.wait_connections(200)
    for i, client in enumerate(clients):
        client.send(get(f"/c/{i}"))
    for client in clients:
        assert client.response().status == 200
    records = running.sink.wait(200)
    assert sorted(r.path for r in records) == sorted(f"/c/{i}" for i in range(200))
    assert len({r.id for r in records}) == 200
    assert len({r.client for r in records}) == 200
    assert all(r.error is None for r in records)


# -- IPv6, stopping --


@needs_ipv6
def test_ipv6_loopback(start_server: ServerFactory) -> None:
    running = start_server(host="::1")
    assert running.server.url == f"http://[::1]:{running.port}"
    client = running.connect()
    client.send(b"GET /six HTTP/1.1\r\nHost: [::1]\r\n\r\n")
    assert client.response().status == 200
    (record,) = running.sink.wait(1)
    assert record.client.startswith("[::1]:")
    assert record.server == f"[::1]:{running.port}"
    assert record.header("Host") == "[::1]"


def test_stop_with_idle_clients_connected(running: Running) -> None:
    kept_alive = running.connect()
    kept_alive.send(get())
    assert kept_alive.response().status == 200
    silent = running.connect()
    partial = running.connect()
    partial.send(b"GET / HTTP/1.1\r\n")
    running.wait_connections(3)
    running.stop()  # asserts the loop returned and no connection is left
    for client in (kept_alive, silent, partial):
        assert client.wait_closed() == b""
    # the port is free again at once
    again = bind_listener("127.0.0.1", running.port)
    again.close()


def test_record_callback_failure_does_not_stop_the_server(start_server: ServerFactory) -> None:
    calls: list[int] = []

    def broken(record: CaptureRecord) -> None:
        calls.append(record.id)
        raise RuntimeError("sink broke")

    running = start_server(sink=CallbackSink(broken))  # a sink that fails
    client = running.connect()
    client.send(get("/a") + get("/b"))
    assert [r.status for r in client.responses(2)] == [200, 200]
    assert len(calls) == 2


# -- curl --

pytestmark_curl = pytest.mark.skipif(CURL is None, reason="curl not installed")


def curl(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    assert CURL is not None
    return subprocess.run(
        [CURL, "-sS", "--max-time", "10", *args], input=stdin, capture_output=True, check=True, timeout=20
    )


@pytestmark_curl
def test_curl_get_with_headers(running: Running) -> None:
    out = curl(
        "-i", "-H", "X-Custom: Mixed Case", "-H", "x-custom: second", f"{running.server.url}/p?q=1&q=2"
    )
    responses, _ = parse_responses(out.stdout)
    assert [r.status for r in responses] == [200]
    assert responses[0].body == b"hello world"
    (record,) = running.sink.wait(1)
    assert record.query == (("q", "1"), ("q", "2"))
    names = [name for name, _ in record.headers]
    assert names[:3] == ["Host", "User-Agent", "Accept"]
    assert record.headers[-2:] == (("X-Custom", "Mixed Case"), ("x-custom", "second"))
    assert (record.header("User-Agent") or "").startswith("curl/")


@pytestmark_curl
def test_curl_expect_100_continue(running: Running, tmp_path: Path) -> None:
    payload = tmp_path / "payload.bin"
    payload.write_bytes(b"z" * 2000)
    out = curl(
        "-i",
        "-H",
        "Expect: 100-continue",
        "--expect100-timeout",
        "30",
        "--data-binary",
        f"@{payload}",
        f"{running.server.url}/upload",
    )
    text = out.stdout
    assert text.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")
    (record,) = running.sink.wait(1)
    assert record.body == b"z" * 2000
    assert any("100-continue" in note for note in record.notes)


@pytestmark_curl
def test_curl_chunked_upload(running: Running) -> None:
    curl(
        "-H",
        "Transfer-Encoding: chunked",
        "--data-binary",
        "@-",
        f"{running.server.url}/chunks",
        stdin=b"streamed body \x00\xff",
    )
    (record,) = running.sink.wait(1)
    assert record.header("Transfer-Encoding") == "chunked"
    assert record.body == b"streamed body \x00\xff"
    assert record.raw_body is not None and record.raw_body.endswith(b"0\r\n\r\n")


@pytestmark_curl
def test_curl_http10_and_connection_reuse(running: Running) -> None:
    curl("--http1.0", f"{running.server.url}/ten")
    curl(f"{running.server.url}/one", f"{running.server.url}/two")
    ten, one, two = running.sink.wait(3)
    assert ten.http_version == "1.0"
    assert (one.path, two.path) == ("/one", "/two")
    assert one.client == two.client  # curl reused the kept-alive connection
    assert ten.client != one.client


# -- a client that does not read, half-closes, or keeps sending -------------


def test_many_pipelined_large_answers_to_a_client_not_reading(start_server: ServerFactory) -> None:
    """Past the output high-water mark the server stops reading, then resumes; order holds."""
    running = start_server(responder=lambda record: Response(status=200, body=record.path.encode() * 20_000))
    client = running.connect()
    client.send(b"".join(get(f"/{i:02d}") for i in range(60)))  # ~3 MiB of answers wanted
    responses = client.responses(60, timeout=20)
    assert [r.body[:3] for r in responses] == [f"/{i:02d}".encode() for i in range(60)]
    assert all(len(r.body) == 60_000 for r in responses)


def test_half_closed_client_gets_the_answers_ready_at_once(start_server: ServerFactory) -> None:
    """``printf ... | nc`` sends its requests, then FIN: answers ready at once still go out.

    (An answer that has to wait is another matter: a FIN then means the client
    gave up; tests/server/test_answers.py.)
    """
    running = start_server(responder=echo_path)
    client = running.connect()
    client.send(get("/one") + get("/two"))
    client.sock.shutdown(socket.SHUT_WR)
    assert [r.body for r in client.responses(2)] == [b"/one", b"/two"]
    assert client.wait_closed() == b""
    assert [r.error for r in running.sink.wait(2)] == [None, None]
    running.sink.assert_no_more()


def test_chunked_body_over_limit_after_100_continue(start_server: ServerFactory) -> None:
    running = start_server(limits=Limits(max_body=10))
    client = running.connect()
    client.send(b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n")
    assert client.read_until(b"\r\n\r\n") == b"HTTP/1.1 100 Continue\r\n\r\n"
    client.send(b"a\r\n" + b"x" * 10 + b"\r\n1\r\ny\r\n0\r\n\r\n")  # 11 bytes in all
    response = client.response()
    assert response.status == 413
    assert response.header("Connection") == "close"
    client.wait_closed()
    (record,) = running.sink.wait(1)
    assert record.body == b"x" * 10
    assert record.error is not None and record.error.startswith("413")


def test_error_answer_reaches_a_client_that_keeps_sending(start_server: ServerFactory) -> None:
    """The 413 is not lost to a reset: the server drains what the client still sends."""
    running = start_server(limits=Limits(max_body=1000))
    client = running.connect()
    client.send(content_length(200_000))
    try:
        client.send(b"x" * 200_000)
    except OSError:
        pass  # the server may close first; the answer must still be readable
    assert client.response().status == 413
