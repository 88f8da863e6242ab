"""Edges of a request's framing and record: one-byte bodies, zero-padded chunk sizes,
the limits at their exact boundary, what a rejection's record and the parser still say."""

from __future__ import annotations

import itertools

from inspector.http.events import ConnectionClosed, RequestReceived, RequestRejected
from inspector.http.limits import InFlight, Limits
from inspector.http.parser import RequestParser
from tests.http.feeding import CLIENT, SERVER, WALL, bytewise, feed, make_parser, records

H = b"Host: t\r\n"
CHUNKED_HEAD = b"POST /c HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"


def test_a_one_byte_body_is_waited_for_and_kept() -> None:
    parser = make_parser()
    assert parser.receive_data(b"POST /1 HTTP/1.1\r\n" + H + b"Content-Length: 1\r\n\r\n", 0.0) == []
    assert parser.pending_id == 1
    (event,) = parser.receive_data(b"x", 0.0)
    assert isinstance(event, RequestReceived)
    assert (event.record.body, event.record.body_size) == (b"x", 1)


def test_zero_padded_chunk_sizes_count_their_value_not_their_digits() -> None:
    body = b"0" * 19 + b"5\r\nhello\r\n" + b"0" * 30 + b"3\r\nabc\r\n0\r\n\r\n"
    for pieces in ([CHUNKED_HEAD + body], bytewise(CHUNKED_HEAD + body)):
        (record,) = records(pieces, Limits(max_body=8))
        assert record.body == b"helloabc"
        assert record.error is None


def test_a_chunked_body_over_the_limit_names_the_limit() -> None:
    data = CHUNKED_HEAD + b"3\r\nabc\r\n2\r\nde"
    for pieces in ([data], bytewise(data)):
        events = feed(pieces, Limits(max_body=4), eof=False)
        (event,) = events
        assert isinstance(event, RequestRejected)
        assert (event.status, event.reason) == (413, "chunked body exceeds the 4-byte limit")


def test_a_chunked_body_cut_by_the_client_closing() -> None:
    events = feed([CHUNKED_HEAD + b"5\r\nhel"])
    (event,) = events
    assert isinstance(event, RequestRejected)
    assert (event.status, event.reason) == (400, "connection closed in the middle of a chunked body")
    assert event.record.body == b"hel"


def test_trailers_are_measured_alone_not_with_the_next_request() -> None:
    """The trailer section is small; the pipelined request after it is larger than
    ``max_head`` only because of its body, which is not head."""
    second = b"POST /2 HTTP/1.1\r\n" + H + b"Content-Length: 300\r\n\r\n" + b"y" * 300
    data = CHUNKED_HEAD + b"2\r\nab\r\n0\r\nX-T: 1\r\n\r\n" + second
    first, again = records([data], Limits(max_head=120))
    assert (first.path, first.body, first.trailers, first.error) == ("/c", b"ab", (("X-T", "1"),), None)
    assert (again.path, len(again.body), again.error) == ("/2", 300, None)


def test_a_head_over_the_limit_is_431_even_when_a_bad_field_line_lies_past_it() -> None:
    """Only the bytes within ``max_head`` are judged, so the answer is the same
    whether the bytes arrive at once or one by one."""
    data = b"GET / HTTP/1.1\r\n" + H + b"X-Long: " + b"a" * 60 + b"\r\nBad Field\r\n"
    for pieces in ([data], bytewise(data)):
        (event,) = feed(pieces, Limits(max_head=80), eof=False)
        assert isinstance(event, RequestRejected)
        assert (event.status, event.reason) == (431, "request head larger than 80 bytes")
        assert event.record.headers == (("Host", "t"),)


def test_a_chunked_request_is_admitted_when_the_budget_is_exactly_full() -> None:
    """A chunked head announces no size: each chunk is weighed as it comes."""
    budget = InFlight(1000)
    budget.held = 1000  # other connections hold all of it, none of it spare
    ids = itertools.count(1)
    parser = RequestParser(
        client=CLIENT, server=SERVER, next_id=ids.__next__, budget=budget, wall_clock=lambda: WALL
    )
    events = parser.receive_data(CHUNKED_HEAD + b"0\r\n\r\n", 0.0)
    (event,) = events
    assert isinstance(event, RequestReceived)
    assert (event.record.body, event.record.error) == (b"", None)


def test_a_rejection_mid_body_leaves_nothing_pending() -> None:
    parser = make_parser()
    assert parser.receive_data(CHUNKED_HEAD + b"5\r\nhel", 0.0) == []
    assert parser.pending_id == 1
    (event,) = parser.receive_data(b"loXX", 0.0)
    assert isinstance(event, RequestRejected)
    assert parser.pending_id is None
    assert parser.pending_record() is None


def test_a_target_that_is_not_utf8_is_shown_with_backslash_escapes() -> None:
    (event,) = feed([b"GET /a\xffb HTTP/1.1\r\n" + H + b"\r\n"], eof=False)
    assert isinstance(event, RequestRejected)
    assert event.reason == "invalid characters in request-target: 0xff"
    assert (event.record.target, event.record.path) == ("/a\\xffb", "/a\\xffb")


def test_a_rejection_before_any_request_line_has_an_empty_path() -> None:
    (event,) = feed([b"\x16\x03\x01\x00"], eof=False)
    assert isinstance(event, RequestRejected)
    record = event.record
    assert (record.method, record.target, record.path, record.query) == ("", "", "", ())


def test_an_absolute_form_target_is_noted() -> None:
    events = feed([b"GET http://example.com/x?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n"])
    received, closed = events
    assert isinstance(received, RequestReceived) and isinstance(closed, ConnectionClosed)
    assert received.record.path == "/x"
    assert received.record.notes == ("absolute-form target (sent as to a proxy)",)
