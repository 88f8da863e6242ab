"""Sans-IO parser: table-driven, every input fed whole, byte by byte and in random splits.

Time is driven by the ``now`` argument only: no test here waits.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.http.limits import Limits
from inspector.http.parser import (
    ConnectionClosed,
    Event,
    RequestReceived,
    RequestRejected,
    SendContinue,
)
from tests.http.feeding import CLIENT, WALL, bytewise, feed, make_parser


def received(events: list[Event]) -> list[RequestReceived]:
    return [e for e in events if isinstance(e, RequestReceived)]


def rejected(events: list[Event]) -> list[RequestRejected]:
    return [e for e in events if isinstance(e, RequestRejected)]


def both_ways(data: bytes, limits: Limits | None = None, *, eof: bool = True) -> list[Event]:
    """Feed whole and byte by byte; accepted records must be identical; return the whole-fed events."""
    whole = feed([data], limits, eof=eof)
    pieces = feed(bytewise(data), limits, eof=eof)
    assert received(pieces) == received(whole)
    assert [r.status for r in rejected(pieces)] == [r.status for r in rejected(whole)]
    assert [type(e) for e in whole if not isinstance(e, SendContinue)] == [
        type(e) for e in pieces if not isinstance(e, SendContinue)
    ]
    return whole


# -- accepted requests --

H = b"Host: example.com\r\n"

ACCEPTED: list[tuple[str, bytes, dict[str, object]]] = [
    (
        "simple-get",
        b"GET /index.html?name=jack&age=18 HTTP/1.1\r\n" + H + b"\r\n",
        {
            "method": "GET",
            "target": "/index.html?name=jack&age=18",
            "path": "/index.html",
            "query": (("name", "jack"), ("age", "18")),
            "http_version": "1.1",
            "headers": (("Host", "example.com"),),
            "body": b"",
        },
    ),
    (
        "query-decoding",
        b"GET /q?a=1+2&b=%C3%A9t%C3%A9&c=&d&a=again&bad=%FF%FE&&e=x%3Dy HTTP/1.1\r\n" + H + b"\r\n",
        {
            "path": "/q",
            "query": (
                ("a", "1 2"),
                ("b", "\u00e9t\u00e9"),
                ("c", ""),
                ("d", ""),
                ("a", "again"),
                ("bad", "\ufffd\ufffd"),
                ("e", "x=y"),
            ),
        },
    ),
    (
        "header-order-case-duplicates",
        b"GET / HTTP/1.1\r\nX-Zed: 1\r\nhost: example.com\r\nACCEPT: */*\r\n"
        b"X-Dup: a\r\nx-dup: b\r\nX-Dup: c\r\n\r\n",
        {
            "headers": (
                ("X-Zed", "1"),
                ("host", "example.com"),
                ("ACCEPT", "*/*"),
                ("X-Dup", "a"),
                ("x-dup", "b"),
                ("X-Dup", "c"),
            )
        },
    ),
    (
        "content-length-body",
        b"POST /submit HTTP/1.1\r\n" + H + b"Content-Length: 11\r\n\r\nhello world",
        {"method": "POST", "body": b"hello world", "body_size": 11, "raw_body": None},
    ),
    (
        "binary-body",
        b"PUT /bin HTTP/1.1\r\n" + H + b"Content-Length: 4\r\n\r\n\x00\xff\r\n",
        {"method": "PUT", "body": b"\x00\xff\r\n", "body_size": 4},
    ),
    (
        "chunked-with-trailers",
        b"POST /c HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
        b'5\r\nhello\r\n6 ; name = "v a"\r\n world\r\n0\r\nX-Checksum: abc\r\nx-checksum: def\r\n\r\n',
        {
            "body": b"hello world",
            "body_size": 11,
            "trailers": (("X-Checksum", "abc"), ("x-checksum", "def")),
            "raw_body": b'5\r\nhello\r\n6 ; name = "v a"\r\n world\r\n0\r\n'
            b"X-Checksum: abc\r\nx-checksum: def\r\n\r\n",
        },
    ),
    (
        "chunked-no-trailers",
        b"POST /c HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n000a\r\n0123456789\r\n0\r\n\r\n",
        {"body": b"0123456789", "trailers": ()},
    ),
    (
        "http10-no-host",
        b"GET /old HTTP/1.0\r\n\r\n",
        {"http_version": "1.0", "headers": (), "path": "/old"},
    ),
    (
        "unknown-method-token-kept",
        b"MKCOLA /x HTTP/1.1\r\n" + H + b"\r\n",
        {"method": "MKCOLA", "path": "/x"},
    ),
    (
        "options-asterisk",
        b"OPTIONS * HTTP/1.1\r\n" + H + b"\r\n",
        {"method": "OPTIONS", "target": "*", "path": "*"},
    ),
    (
        "absolute-form",
        b"GET http://example.com/a/b?x=1 HTTP/1.1\r\n" + H + b"\r\n",
        {"target": "http://example.com/a/b?x=1", "path": "/a/b", "query": (("x", "1"),)},
    ),
    (
        "connect-authority",
        b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
        {"method": "CONNECT", "target": "example.com:443", "path": "example.com:443"},
    ),
    (
        "leading-empty-line-ignored",
        b"\r\nGET / HTTP/1.1\r\n" + H + b"\r\n",
        {"path": "/"},
    ),
    (
        "non-utf8-header-value",
        b"GET / HTTP/1.1\r\n" + H + b"X-Latin: caf\xe9\r\n\r\n",
        {"headers": (("Host", "example.com"), ("X-Latin", "caf\ufffd"))},
    ),
    (
        "percent-path-kept-as-sent",
        b"GET /a%20b/%2F?x=%20 HTTP/1.1\r\n" + H + b"\r\n",
        {"path": "/a%20b/%2F", "query": (("x", " "),)},
    ),
]


@pytest.mark.parametrize(("data", "expected"), [c[1:] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_accepted_requests(data: bytes, expected: dict[str, object]) -> None:
    events = both_ways(data)
    assert not rejected(events)
    (event,) = received(events)
    record = event.record
    for name, value in expected.items():
        assert getattr(record, name) == value, name
    assert record.id == 1
    assert record.error is None
    assert record.received_at == WALL
    assert record.client == CLIENT
    assert record.server == "127.0.0.1:8090"
    # Leading empty lines are not part of the request; otherwise raw is exactly what came in.
    assert record.raw == data.lstrip(b"\r\n")


def test_notes_flag_oddities() -> None:
    (event,) = received(both_ways(b"GET /x HTTP/1.1\r\n" + H + b"Content-Length: 2\r\n\r\nhi"))
    assert "GET request with a body" in event.record.notes
    (event,) = received(both_ways(b"GET /a|b HTTP/1.1\r\n" + H + b"\r\n"))
    assert any("RFC 3986" in note and "|" in note for note in event.record.notes)
    (event,) = received(both_ways(b"GET / HTTP/1.1\r\n" + H + b"\r\n"))
    assert event.record.notes == ()


# -- keep-alive, pipelining, HTTP/1.0 --


def test_pipelined_requests_come_out_in_order_with_increasing_ids() -> None:
    data = (
        b"GET /one HTTP/1.1\r\n" + H + b"\r\n"
        b"POST /two HTTP/1.1\r\n" + H + b"Content-Length: 3\r\n\r\nabc"
        b"GET /three HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n"
    )
    events = both_ways(data)
    records = [e.record for e in received(events)]
    assert [r.path for r in records] == ["/one", "/two", "/three"]
    assert [r.id for r in records] == [1, 2, 3]
    assert [r.body for r in records] == [b"", b"abc", b"z"]
    assert b"".join(r.raw for r in records) == data  # each record holds exactly its own bytes
    assert all(e.keep_alive for e in received(events))
    assert isinstance(events[-1], ConnectionClosed)


@pytest.mark.parametrize(
    ("head", "keep_alive"),
    [
        (b"GET / HTTP/1.1\r\n" + H + b"\r\n", True),
        (b"GET / HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n", False),
        (b"GET / HTTP/1.1\r\n" + H + b"Connection: Keep-Alive, CLOSE\r\n\r\n", False),
        (b"GET / HTTP/1.0\r\n\r\n", False),
        (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", True),
        (b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", True),
    ],
)
def test_keep_alive_decision(head: bytes, keep_alive: bool) -> None:
    parser = make_parser()
    (event,) = parser.receive_data(head, 0.0)
    assert isinstance(event, RequestReceived)
    assert event.keep_alive is keep_alive
    assert parser.closed is not keep_alive
    if not keep_alive:
        # After a closing request nothing more is parsed.
        assert parser.receive_data(b"GET /more HTTP/1.1\r\n" + H + b"\r\n", 0.0) == []


def test_http10_is_noted() -> None:
    (event,) = received(both_ways(b"GET / HTTP/1.0\r\n\r\n"))
    assert "HTTP/1.0 request" in event.record.notes


# -- Expect: 100-continue --


def test_expect_continue_when_body_not_yet_sent() -> None:
    parser = make_parser()
    head = b"POST /up HTTP/1.1\r\n" + H + b"Content-Length: 5\r\nExpect: 100-continue\r\n\r\n"
    assert parser.receive_data(head, 0.0) == [SendContinue()]
    (event,) = parser.receive_data(b"hello", 0.0)
    assert isinstance(event, RequestReceived)
    assert event.record.body == b"hello"
    assert any("100-continue" in note for note in event.record.notes)


@pytest.mark.parametrize(
    "head",
    [
        # the body came with the head: the client did not wait, no interim answer
        b"POST /up HTTP/1.1\r\n" + H + b"Content-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
        # no body at all
        b"POST /up HTTP/1.1\r\n" + H + b"Expect: 100-continue\r\n\r\n",
        # HTTP/1.0 clients do not know 100 Continue
        b"POST /up HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
    ],
)
def test_no_continue(head: bytes) -> None:
    events = make_parser().receive_data(head, 0.0)
    assert not any(isinstance(e, SendContinue) for e in events)
    assert len(received(events)) == 1


def test_expect_continue_refused_when_too_large_before_any_continue() -> None:
    parser = make_parser(Limits(max_body=10))
    head = b"POST /up HTTP/1.1\r\n" + H + b"Content-Length: 11\r\nExpect: 100-continue\r\n\r\n"
    (event,) = parser.receive_data(head, 0.0)
    assert isinstance(event, RequestRejected)
    assert event.status == 413


# -- rejections --

REJECTED: list[tuple[str, bytes, int, str]] = [
    ("tls-handshake", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400, "TLS handshake"),
    ("binary-garbage", b"\x00\x01\x02 / HTTP/1.1\r\n\r\n", 400, ""),
    ("binary-no-space", b"\x00\x01\x02\x03", 400, "invalid method token"),
    ("http2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505, "HTTP/2.0"),
    ("http-0.9-style", b"GET /\r\n\r\n", 400, "malformed request line"),
    ("version-2.0", b"GET / HTTP/2.0\r\n" + H + b"\r\n", 505, "not supported"),
    ("version-1.2", b"GET / HTTP/1.2\r\n" + H + b"\r\n", 505, "HTTP/1.2"),
    ("rtsp-version", b"GET / RTSP/1.0\r\n" + H + b"\r\n", 400, "malformed request line"),
    ("double-space", b"GET  / HTTP/1.1\r\n" + H + b"\r\n", 400, "malformed request line"),
    ("bare-lf-request-line", b"GET / HTTP/1.1\n" + H + b"\r\n", 400, "CRLF"),
    ("bare-lf-header", b"GET / HTTP/1.1\r\nHost: example.com\n\n", 400, "malformed"),
    ("bare-cr-header", b"GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400, "malformed"),
    ("space-before-colon", b"GET / HTTP/1.1\r\n" + H + b"X-A : 1\r\n\r\n", 400, "malformed"),
    ("obs-fold", b"GET / HTTP/1.1\r\n" + H + b"X-A: 1\r\n  continued\r\n\r\n", 400, "malformed"),
    ("control-in-target", b"GET /a\x01b HTTP/1.1\r\n" + H + b"\r\n", 400, "0x01"),
    ("fragment-in-target", b"GET /a#frag HTTP/1.1\r\n" + H + b"\r\n", 400, "#"),
    ("high-byte-in-target", b"GET /caf\xc3\xa9 HTTP/1.1\r\n" + H + b"\r\n", 400, "0xc3"),
    ("relative-target", b"GET a/b HTTP/1.1\r\n" + H + b"\r\n", 400, "must start with /"),
    ("userinfo", b"GET http://u@example.com/ HTTP/1.1\r\n" + H + b"\r\n", 400, "userinfo"),
    ("asterisk-not-options", b"GET * HTTP/1.1\r\n" + H + b"\r\n", 400, "OPTIONS"),
    ("connect-origin-form", b"CONNECT /x HTTP/1.1\r\n" + H + b"\r\n", 400, "authority-form"),
    ("no-host-11", b"GET / HTTP/1.1\r\n\r\n", 400, "without a Host"),
    ("two-hosts", b"GET / HTTP/1.1\r\n" + H + H + b"\r\n", 400, "more than one Host"),
    ("bad-host", b"GET / HTTP/1.1\r\nHost: a b/c\r\n\r\n", 400, "invalid Host"),
    (
        "cl-and-te",
        b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        400,
        "",
    ),
    ("two-cl", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400, ""),
    ("cl-not-number", b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3x\r\n\r\nabc", 400, ""),
    # RFC 9112 6.1: chunked must be the final coding of a request body (400) ...
    (
        "te-gzip-alone",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip\r\n\r\n",
        400,
        "Transfer-Encoding",
    ),
    # ... and a coding the server does not know is 501
    (
        "te-gzip-chunked",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip, chunked\r\n\r\n",
        501,
        "gzip",
    ),
    ("te-on-http10", b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "HTTP/1.0"),
    (
        "chunk-size-not-hex",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nhi\r\n0\r\n\r\n",
        400,
        "chunk-size",
    ),
    (
        "chunk-data-no-crlf",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n2\r\nhiX\r\n0\r\n\r\n",
        400,
        "CRLF",
    ),
    (
        "bad-trailer",
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer\r\n\r\n",
        400,
        "",
    ),
]


@pytest.mark.parametrize(
    ("data", "status", "reason_part"), [c[1:] for c in REJECTED], ids=[c[0] for c in REJECTED]
)
def test_rejected_requests(data: bytes, status: int, reason_part: str) -> None:
    for events in (feed([data], eof=False), feed(bytewise(data), eof=False)):
        assert not received(events)
        assert len(events) == 1
        (event,) = events
        assert isinstance(event, RequestRejected)
        assert event.status == status
        assert reason_part in event.reason
        assert "\n" not in event.reason
        record = event.record
        assert record.error == f"{status} {event.reason}"
        assert record.raw, "the bytes received must be kept"
        assert data.startswith(record.raw)
    whole = feed([data], eof=False)[0]
    assert isinstance(whole, RequestRejected)
    assert whole.record.raw == data  # fed at once, every byte received is in the record


def test_rejection_ends_the_parser() -> None:
    parser = make_parser()
    (event,) = parser.receive_data(b"GET / HTTP/9.9\r\n\r\n", 0.0)
    assert isinstance(event, RequestRejected)
    assert parser.closed
    assert parser.receive_data(b"GET / HTTP/1.1\r\n" + H + b"\r\n", 0.0) == []
    assert parser.receive_data(b"", 0.0) == []
    assert parser.check_timeouts(1e9) == []
    assert parser.deadline() is None


def test_rejection_after_good_pipelined_request_keeps_the_good_one() -> None:
    good = b"GET /ok HTTP/1.1\r\n" + H + b"\r\n"
    events = feed([good + b"BAD\x00 / HTTP/1.1\r\n\r\n"], eof=False)
    assert [type(e) for e in events] == [RequestReceived, RequestRejected]
    assert events[0].record.raw == good  # type: ignore[union-attr]
    assert events[1].record.id == 2  # type: ignore[union-attr]


def test_method_recorded_as_sent_in_rejection() -> None:
    (event,) = feed([b"PATCH /a#b HTTP/1.1\r\n" + H + b"\r\n"], eof=False)
    assert isinstance(event, RequestRejected)
    assert event.record.method == "PATCH"
    assert event.record.target == "/a#b"


# -- end of input --


@pytest.mark.parametrize(
    ("data", "reason_part"),
    [
        (b"GET / HT", "head was complete"),
        (b"GET / HTTP/1.1\r\n" + H, "head was complete"),
        (b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 10\r\n\r\nabc", "after 3 of 10 body bytes"),
        (b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhel", "chunked"),
    ],
)
def test_eof_mid_request_is_recorded_as_error(data: bytes, reason_part: str) -> None:
    events = feed([data])
    (event,) = events
    assert isinstance(event, RequestRejected)
    assert event.status == 400
    assert reason_part in event.reason
    assert event.record.raw == data
    assert event.record.error is not None


@pytest.mark.parametrize("data", [b"", b"\r\n", b"GET / HTTP/1.1\r\n" + H + b"\r\n"])
def test_eof_between_requests_is_a_clean_close(data: bytes) -> None:
    events = feed([data])
    assert isinstance(events[-1], ConnectionClosed)
    assert not rejected(events)


# -- limits, each exactly at the boundary and one past it --


def request_line_of(length: int) -> bytes:
    """A request line (without CRLF) of exactly ``length`` bytes."""
    fixed = len(b"GET / HTTP/1.1") - 1
    line = b"GET /" + b"a" * (length - fixed - 1) + b" HTTP/1.1"
    assert len(line) == length
    return line


@pytest.mark.parametrize(("extra", "status"), [(0, None), (1, 414)])
def test_max_request_line(extra: int, status: int | None) -> None:
    limits = Limits(max_request_line=100)
    data = request_line_of(100 + extra) + b"\r\n" + H + b"\r\n"
    for events in (feed([data], limits, eof=False), feed(bytewise(data), limits, eof=False)):
        if status is None:
            assert len(received(events)) == 1
        else:
            (event,) = events
            assert isinstance(event, RequestRejected)
            assert event.status == 414
            assert "100 bytes" in event.reason


def test_max_request_line_rejected_before_the_line_ends() -> None:
    parser = make_parser(Limits(max_request_line=100))
    assert parser.receive_data(b"GET /" + b"a" * 96, 0.0) == []  # 101 bytes: a CR may still come
    (event,) = parser.receive_data(b"a", 0.0)
    assert isinstance(event, RequestRejected)
    assert event.status == 414


def head_of(size: int) -> bytes:
    """A complete head of exactly ``size`` bytes (request line, Host, one padding field)."""
    base = b"GET / HTTP/1.1\r\n" + H + b"X-Pad: \r\n\r\n"
    head = base.replace(b"X-Pad: ", b"X-Pad: " + b"p" * (size - len(base)))
    assert len(head) == size
    return head


@pytest.mark.parametrize(("size", "status"), [(200, None), (201, 431)])
def test_max_head(size: int, status: int | None) -> None:
    limits = Limits(max_head=200)
    data = head_of(size)
    for events in (feed([data], limits, eof=False), feed(bytewise(data), limits, eof=False)):
        if status is None:
            assert len(received(events)) == 1
        else:
            (event,) = events
            assert isinstance(event, RequestRejected)
            assert event.status == 431
            assert event.record.error is not None and event.record.error.startswith("431")


def test_max_head_rejected_before_the_head_ends() -> None:
    parser = make_parser(Limits(max_head=200))
    events = parser.receive_data(b"GET / HTTP/1.1\r\n" + b"X-Long: " + b"x" * 300, 0.0)
    assert [e.status for e in rejected(events)] == [431]


@pytest.mark.parametrize(("fields", "status"), [(10, None), (11, 431)])
def test_max_header_fields(fields: int, status: int | None) -> None:
    limits = Limits(max_header_fields=10)
    data = b"GET / HTTP/1.1\r\n" + H + b"".join(b"X-%d: v\r\n" % i for i in range(fields - 1)) + b"\r\n"
    for events in (feed([data], limits, eof=False), feed(bytewise(data), limits, eof=False)):
        if status is None:
            (event,) = events
            assert isinstance(event, RequestReceived)
            assert len(event.record.headers) == 10
        else:
            (event,) = events
            assert isinstance(event, RequestRejected)
            assert event.status == 431
            assert "10 header fields" in event.reason


@pytest.mark.parametrize(("length", "status"), [(1000, None), (1001, 413)])
def test_max_body_content_length(length: int, status: int | None) -> None:
    limits = Limits(max_body=1000)
    head = b"POST / HTTP/1.1\r\n" + H + b"Content-Length: %d\r\n\r\n" % length
    parser = make_parser(limits)
    events = parser.receive_data(head, 0.0)
    if status is None:
        assert events == []
        (event,) = parser.receive_data(b"b" * length, 0.0)
        assert isinstance(event, RequestReceived)
        assert event.record.body_size == 1000
        assert not event.record.body_truncated
    else:
        # refused on the head alone, before any body byte is read
        (event,) = events
        assert isinstance(event, RequestRejected)
        assert event.status == 413
        assert event.record.body_truncated
        assert event.record.raw == head


@pytest.mark.parametrize(("total", "status"), [(1000, None), (1001, 413)])
def test_max_body_chunked(total: int, status: int | None) -> None:
    limits = Limits(max_body=1000)
    head = b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
    body = (
        b"1f4\r\n"
        + b"x" * 500
        + b"\r\n"
        + b"%x\r\n" % (total - 500)
        + b"y" * (total - 500)
        + b"\r\n0\r\n\r\n"
    )
    for events in (feed([head + body], limits, eof=False), feed(bytewise(head + body), limits, eof=False)):
        if status is None:
            (event,) = events
            assert isinstance(event, RequestReceived)
            assert event.record.body_size == 1000
        else:
            (event,) = events
            assert isinstance(event, RequestRejected)
            assert event.status == 413
            assert event.record.body_size == 500  # refused at the chunk that crosses the limit


def chunked_with_size_line(line: bytes) -> bytes:
    return (
        b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n" + line + b"\r\nhello\r\n0\r\n\r\n"
    )


def test_max_chunk_line_one_past_is_rejected() -> None:
    data = chunked_with_size_line(b"5;e=" + b"v" * 7)  # 11 bytes
    for events in (
        feed([data], Limits(max_chunk_line=10), eof=False),
        feed(bytewise(data), Limits(max_chunk_line=10), eof=False),
    ):
        (event,) = events
        assert isinstance(event, RequestRejected)
        assert event.status == 400
        assert "chunk-size line" in event.reason


def test_max_chunk_line_at_the_limit() -> None:
    data = chunked_with_size_line(b"5;e=" + b"v" * 6)  # 10 bytes
    limits = Limits(max_chunk_line=10)
    for events in (feed([data], limits, eof=False), feed(bytewise(data), limits, eof=False)):
        (event,) = events
        assert isinstance(event, RequestReceived)
        assert event.record.body == b"hello"


def chunked_with_trailer_section(size: int) -> bytes:
    """A chunked request whose trailer section (fields and final CRLF) is ``size`` bytes."""
    head = b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
    trailer = b"X-T: " + b"t" * (size - 9) + b"\r\n\r\n"
    assert len(trailer) == size
    return head + b"2\r\nhi\r\n0\r\n" + trailer


@pytest.mark.parametrize(("size", "status"), [(200, None), (201, 431)])
def test_trailer_section_max_head(size: int, status: int | None) -> None:
    data = chunked_with_trailer_section(size)
    limits = Limits(max_head=200)
    for events in (feed([data], limits, eof=False), feed(bytewise(data), limits, eof=False)):
        (event,) = events
        if status is None:
            assert isinstance(event, RequestReceived)
            assert event.record.trailers == (("X-T", "t" * (size - 9)),)
        else:
            assert isinstance(event, RequestRejected)
            assert event.status == 431
            assert "trailer section" in event.reason


@pytest.mark.parametrize(("fields", "ok"), [(3, True), (4, False)])
def test_trailer_field_count_limit(fields: int, ok: bool) -> None:
    trailers = b"".join(b"T-%d: v\r\n" % i for i in range(fields))
    data = b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n0\r\n" + trailers + b"\r\n"
    (event,) = feed([data], Limits(max_header_fields=3), eof=False)
    if ok:
        assert isinstance(event, RequestReceived)
        assert len(event.record.trailers) == 3
    else:
        assert isinstance(event, RequestRejected)
        assert event.status == 431


def test_raw_capture_of_rejected_request_is_capped() -> None:
    limits = Limits(max_request_line=100, max_raw_capture=50)
    (event,) = feed([b"GET /" + b"a" * 500], limits, eof=False)
    assert isinstance(event, RequestRejected)
    assert event.status == 414
    assert event.record.raw == (b"GET /" + b"a" * 500)[:50]
    assert "raw bytes truncated" in event.record.notes


# -- deadlines (time passed in, never waited for) --


def test_head_timeout_is_absolute_not_reset_per_byte() -> None:
    parser = make_parser(Limits(head_timeout=10.0))
    parser.touch(0.0)
    assert parser.receive_data(b"G", 100.0) == []
    assert parser.deadline() == 110.0
    for i, byte in enumerate(b"ET / HTTP/1.1\r\nHost"):
        now = 100.0 + (i + 1) * 0.45  # a trickle, one byte every 0.45 s
        assert parser.receive_data(bytes([byte]), now) == []
        assert parser.check_timeouts(now) == []
    assert parser.deadline() == 110.0
    assert parser.check_timeouts(109.999) == []
    (event,) = parser.check_timeouts(110.0)
    assert isinstance(event, RequestRejected)
    assert event.status == 408
    assert event.record.error == "408 request head not complete 10 s after its first byte"
    assert event.record.raw == b"GET / HTTP/1.1\r\nHost"
    assert parser.closed


def test_head_timeout_not_reached_when_head_completes() -> None:
    parser = make_parser(Limits(head_timeout=10.0))
    assert parser.receive_data(b"GET / HTTP/1.1\r\n", 0.0) == []
    (event,) = parser.receive_data(H + b"\r\n", 9.9)
    assert isinstance(event, RequestReceived)
    assert parser.check_timeouts(10.5) == []


def test_body_timeout_is_reset_by_each_byte() -> None:
    parser = make_parser(Limits(body_timeout=30.0, head_timeout=1.0))
    assert parser.receive_data(b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3\r\n\r\n", 0.0) == []
    assert parser.receive_data(b"a", 29.0) == []
    assert parser.check_timeouts(58.999) == []  # 29.999 s of silence
    assert parser.deadline() == 59.0
    (event,) = parser.check_timeouts(59.0)
    assert isinstance(event, RequestRejected)
    assert event.status == 408
    assert "body" in event.reason
    assert event.record.body == b"a"


def test_idle_keep_alive_connection_closes_quietly() -> None:
    parser = make_parser(Limits(idle_timeout=15.0))
    parser.touch(0.0)
    assert parser.deadline() == 15.0
    assert parser.check_timeouts(14.9) == []
    (event,) = parser.receive_data(b"GET / HTTP/1.1\r\n" + H + b"\r\n", 5.0)
    assert isinstance(event, RequestReceived)
    parser.touch(6.0)  # the response went out
    assert parser.check_timeouts(20.9) == []
    (closed,) = parser.check_timeouts(21.0)
    assert isinstance(closed, ConnectionClosed)
    assert closed.reason == "idle keep-alive connection closed"
    assert parser.closed


def test_fresh_parser_has_no_deadline_until_touched() -> None:
    parser = make_parser()
    assert parser.deadline() is None
    assert parser.check_timeouts(1e9) == []
    assert not parser.closed


# -- every input split every way gives the same records --

ALL_INPUTS = [c[1] for c in ACCEPTED] + [c[1] for c in REJECTED]


@settings(max_examples=150, deadline=None)
@given(data=st.sampled_from(ALL_INPUTS), cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=8))
def test_any_split_gives_the_same_events(data: bytes, cuts: list[int]) -> None:
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True) if b > a]
    whole = feed([data])
    split = feed(pieces)
    assert received(split) == received(whole)
    assert [r.status for r in rejected(split)] == [r.status for r in rejected(whole)]


# -- conformance corpus (beside the project; skipped when absent) --

#: beside the repository (../shared), found from a worktree a level deeper too
CORPUS = next(
    (
        found
        for parent in Path(__file__).resolve().parents[2:5]
        if (found := parent / "shared" / "conformance" / "corpus.json").exists()
    ),
    Path("/nonexistent/corpus.json"),
)


def without_continue(events: list[RequestReceived]) -> list[RequestReceived]:
    return [
        RequestReceived(
            dataclasses.replace(e.record, notes=tuple(n for n in e.record.notes if "100-continue" not in n)),
            e.keep_alive,
        )
        for e in events
    ]


def corpus_cases() -> list[dict[str, object]]:
    if not CORPUS.exists():
        return []
    return json.loads(CORPUS.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.skipif(not CORPUS.exists(), reason="conformance corpus not present")
@pytest.mark.parametrize("case", corpus_cases(), ids=lambda c: str(c["id"]))
def test_corpus_case_bytewise_matches_segmented(case: dict[str, object]) -> None:
    raw = base64.b64decode(str(case["raw_b64"]))
    segments = [base64.b64decode(s) for s in case.get("segments_b64") or [case["raw_b64"]]]  # type: ignore[attr-defined]
    assert b"".join(segments) == raw
    segmented = feed(segments)
    pieces = feed(bytewise(raw))
    # The one allowed difference: a body that arrives after the head gets a 100 Continue.
    assert without_continue(received(pieces)) == without_continue(received(segmented))
    assert [r.status for r in rejected(pieces)] == [r.status for r in rejected(segmented)]
    for event in rejected(pieces) + rejected(segmented):
        assert event.record.error is not None
    if case["expect"] == "accept" and not case.get("alternatives"):
        expected = case["requests"]
        got = [e.record for e in received(segmented)]
        assert len(got) == len(expected)  # type: ignore[arg-type]
        for record, want in zip(got, expected, strict=True):  # type: ignore[call-overload]
            assert record.method == want["method"]
            assert record.target == want["target"]
            assert record.path == want["path"]
            assert [list(p) for p in record.query] == want["query"]
            # OWS around a value is not part of it (RFC 9110 5.5); the harness strips it too
            assert [[n, v.strip(" \t")] for n, v in record.headers] == want["headers"]
            assert record.body == base64.b64decode(want["body_b64"])
            if "trailers" in want:
                assert [list(p) for p in record.trailers] == want["trailers"]
    elif case["expect"] == "reject" and not case.get("alternatives"):
        assert len(received(segmented)) == len(case["requests"])  # type: ignore[arg-type]
        if raw.strip(b"\r\n"):
            assert rejected(segmented)  # refused, never silently dropped
        else:  # empty lines alone are no request (RFC 9112 §2.2): nothing at all
            assert not rejected(segmented) and not received(segmented)
