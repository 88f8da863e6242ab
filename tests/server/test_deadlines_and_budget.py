"""Deadlines a client cannot walk around, the memory budget, and what a rejection keeps.

Over real sockets with small limits, so each case takes well under a second.
The old behaviour each test guards against is in its docstring.
"""

from __future__ import annotations

import socket

import pytest

from inspector.http.events import Event
from inspector.http.limits import Limits
from inspector.http.parser import RequestParser
from inspector.http.record import CaptureRecord
from inspector.http.response import Response
from inspector.server import BindError, bind_listener, loop
from tests.harness import WAIT, RawClient, Running, ServerFactory, get
from tests.network import needs_ipv6

TRICKLE = 0.1


def trickle_until_closed(running: Running, client: RawClient, pieces: list[bytes]) -> int:
    """Send one piece every TRICKLE seconds until the server closes; how many went out."""
    for sent in range(int(WAIT / TRICKLE)):
        if client.poll(TRICKLE) and client.eof:
            return sent
        try:
            client.send(pieces[sent % len(pieces)])
        except OSError:
            client.wait_closed()
            return sent + 1
    raise AssertionError("hang guard: the server never closed the connection")


def test_empty_lines_do_not_keep_a_connection(start_server: ServerFactory) -> None:
    """Before: CRLF every 4 s kept a connection forever (each byte restarted the idle clock)."""
    running = start_server(Limits(head_timeout=0.5, idle_timeout=60))
    client = running.connect()
    sent = trickle_until_closed(running, client, [b"\r\n"])
    assert 2 <= sent < 20  # cut by the head deadline, counted from the first empty line
    assert client.buffer == b""  # closed quietly: no request, no answer
    running.sink.assert_no_more(0.05)  # and no record


def test_empty_line_senders_cannot_lock_out_new_clients(start_server: ServerFactory) -> None:
    """Before: 1,000 such connections held every slot, and every newcomer got 503."""
    running = start_server(Limits(head_timeout=0.5, max_connections=5))
    holders = [running.connect() for _ in range(5)]
    running.wait_connections(5)
    refused = running.connect()
    assert refused.response().status == 503
    for _ in range(int(WAIT / TRICKLE)):
        for holder in holders:
            if not holder.eof:
                try:
                    holder.send(b"\r\n")
                except OSError:
                    holder.eof = True
        for holder in holders:
            holder.poll(0)
        if all(holder.eof for holder in holders):
            break
        running.thread.join(TRICKLE)
    assert all(holder.eof for holder in holders), "hang guard"
    newcomer = running.connect()
    newcomer.send(get("/newcomer"))
    assert newcomer.response().status == 200


def test_a_client_that_never_reads_its_answers_is_closed_and_recorded(start_server: ServerFactory) -> None:
    """Before: such clients stayed connected for ever (20 of 20 open after 22 s)."""
    big = Response(status=200, body=b"x" * 300_000)
    running = start_server(Limits(send_timeout=0.5), responder=lambda record: big)
    client = running.connect()
    client.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.send(b"".join(get(f"/{i}") for i in range(40)))  # ~12 MB of answers, never read
    record = running.sink.wait_for(lambda r: (r.error or "").startswith("connection closed"))
    assert record.error is not None
    assert "took none of its answers for 0.5 s" in record.error and "bytes unsent" in record.error
    assert record.client.startswith("127.0.0.1:") and record.method == ""
    running.wait_connections(0)
    answered = [r for r in running.sink.drain() if r.response is not None]
    unanswered = [r for r in running.sink.records if r.path and r.response is None]
    assert answered and all(r.error is None for r in answered)
    assert all((r.error or "").startswith("not answered: the client took none") for r in unanswered)
    assert len({r.path for r in answered + unanswered}) == 40  # every request is recorded once


def test_a_body_trickled_forever_meets_the_request_deadline(start_server: ServerFactory) -> None:
    """Before: one byte every 29 s held a slot for ever (each byte restarted the body clock)."""
    running = start_server(Limits(request_timeout=1.0, body_timeout=0.6))
    client = running.connect()
    client.send(b"POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n")
    sent = trickle_until_closed(running, client, [b"b"])
    assert sent < 1000
    response = client.take_response()
    assert response is not None and response.status == 408
    record = running.sink.wait_for(lambda r: r.path == "/slow")
    assert record.error == "408 request not complete 1 s after its first byte"
    assert record.body == b"b" * len(record.body) and 3 <= len(record.body) <= sent


def post(path: str, length: int, body: bytes = b"") -> bytes:
    return f"POST {path} HTTP/1.1\r\nHost: t\r\nContent-Length: {length}\r\n\r\n".encode() + body


def test_past_the_memory_budget_new_bodies_get_503(start_server: ServerFactory) -> None:
    """Before: nothing capped the total (1,000 uploads of 10 MiB: ~20 GiB)."""
    running = start_server(Limits(memory_budget=100_000))
    holder = running.connect()
    holder.send(post("/holds", 80_000, b"x" * 1000))  # 80 kB announced: budgeted in full
    running.wait_connections(1)
    refused = running.connect()
    refused.send(post("/refused", 30_000))
    response = refused.response()
    assert response.status == 503
    assert b"memory budget" in response.body
    record = running.sink.wait_for(lambda r: r.path == "/refused")
    assert record.error is not None and record.error.startswith("503 the listener holds")
    chunked = running.connect()
    chunked.send(b"POST /chunks HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + b"7530\r\n")
    assert chunked.response().status == 503  # a chunk of 30,000 bytes does not fit either
    bodiless = running.connect()
    bodiless.send(get("/no-body"))
    assert bodiless.response().status == 200  # requests without a body still pass
    holder.send(b"x" * 79_000)
    assert holder.response().status == 200
    again = running.connect()
    again.send(post("/again", 30_000, b"y" * 30_000))
    assert again.response().status == 200  # the budget was released


def test_an_oversized_upload_keeps_only_a_prefix_of_its_body(start_server: ServerFactory) -> None:
    """Before: each 413 row kept its whole body (~20 MiB each, 3.2 GiB for 150 uploads)."""
    running = start_server(Limits(max_body=300_000))
    client = running.connect()
    head = b"PUT /big HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nX-Kept: yes\r\n\r\n"
    chunk = b"186a0\r\n" + b"z" * 100_000 + b"\r\n"  # 100,000-byte chunks
    client.send(head + chunk * 3)
    try:
        client.send(chunk)  # crosses the limit
    except OSError:
        pass
    assert client.response().status == 413
    record = running.sink.wait_for(lambda r: r.path == "/big")
    assert record.body == b"z" * 65536
    assert record.body_size == 300_000 and record.body_truncated
    assert "body cut to its first 65536 bytes (300000 received)" in record.notes
    assert len(record.raw) <= len(head) + 65536 and record.raw.startswith(head + chunk[:1000])
    assert record.header("X-Kept") == "yes"


def test_a_rejected_request_keeps_what_was_parsed(start_server: ServerFactory) -> None:
    """Before: a 414 showed ``GET /long…`` only in Raw; fields before an error were dropped."""
    running = start_server(Limits(max_request_line=100))
    client = running.connect()
    client.send(b"GET /" + b"a" * 200 + b" HTTP/1.1\r\n")
    assert client.response().status == 414
    record = running.sink.wait(1)[0]
    # what fits in the line limit and its CRLF: 102 bytes, less "GET "
    assert (record.method, record.target) == ("GET", "/" + "a" * 97)
    assert record.path == record.target
    assert "request-target cut after 98 bytes (the line is over the limit)" in record.notes
    bad = running.connect()
    bad.send(b"POST /x HTTP/1.1\r\nHost: t\r\nX-One: 1\r\nBad Field: 2\r\n\r\n")
    assert bad.response().status == 400
    record = running.sink.wait(2)[1]
    assert (record.method, record.path) == ("POST", "/x")
    assert record.headers == (("Host", "t"), ("X-One", "1"))


def test_framing_fields_sent_as_trailers_are_noted(running: Running) -> None:
    client = running.connect()
    client.send(
        b"POST /t HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"3\r\nabc\r\n0\r\nContent-Length: 99\r\nX-Fine: 1\r\n\r\n"
    )
    assert client.response().status == 200
    record: CaptureRecord = running.sink.wait(1)[0]
    assert record.body == b"abc"  # the trailer changed nothing
    assert record.trailers == (("Content-Length", "99"), ("X-Fine", "1"))
    assert any(n.startswith("Content-Length sent as a trailer field") for n in record.notes)
    assert not any("X-Fine" in n for n in record.notes)


@needs_ipv6
def test_bracketed_ipv6_is_accepted_and_never_doubled(start_server: ServerFactory) -> None:
    """Before: ``--bind '[::1]'`` was refused, with ``[[::1]]`` in the message."""
    running = start_server(host="[::1]")
    assert running.server.host == "::1"
    assert running.server.url == f"http://[::1]:{running.port}"
    client = running.connect()
    client.send(get("/six", host=b"[::1]"))
    assert client.response().status == 200
    with pytest.raises(BindError) as info:
        bind_listener("[::1]", running.port)
    assert str(info.value).startswith(f"port {running.port} on ::1 is in use by ")
    assert "[[" not in str(info.value)


def test_a_parser_failure_costs_one_connection_not_the_listener(
    start_server: ServerFactory, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Before: an exception out of the parser (a 5,001-digit Content-Length raised
    ValueError) ended serve_forever, and with it every connection."""

    class Fragile(RequestParser):
        def receive_data(self, data: bytes, now: float, max_requests: int | None = None) -> list[Event]:
            if b"BOOM" in data:
                raise RuntimeError("a parser bug")
            return super().receive_data(data, now, max_requests)

    monkeypatch.setattr(loop, "RequestParser", Fragile)
    running = start_server()
    bystander = running.connect()
    bystander.send(get("/before"))
    assert bystander.response().status == 200
    victim = running.connect()
    victim.send(b"GET /BOOM HTTP/1.1\r\n")
    assert victim.wait_closed() == b""
    record = running.sink.wait_for(lambda r: (r.error or "").startswith("not answered: the listener failed"))
    assert record.error is not None and "RuntimeError: a parser bug" in record.error
    assert record.raw == b"GET /BOOM HTTP/1.1\r\n"
    assert "parsing bytes from" in caplog.text
    bystander.send(get("/after"))
    assert bystander.response().status == 200


def test_a_content_length_of_thousands_of_digits_is_served(running: Running) -> None:
    """Before: ``Content-Length: 000…0003`` (5,001 digits) raised out of the parser and
    stopped the listener."""
    client = running.connect()
    client.send(b"POST /zeros HTTP/1.1\r\nHost: t\r\nContent-Length: " + b"0" * 5000 + b"3\r\n\r\nabc")
    assert client.response().status == 200
    assert running.sink.wait(1)[0].body == b"abc"
    other = running.connect()
    other.send(get("/still-serving"))
    assert other.response().status == 200
