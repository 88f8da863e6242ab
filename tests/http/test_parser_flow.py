"""The sans-IO parser's deadlines, flow control, memory budget and what it keeps of a
request it cannot finish. Time is passed in; nothing here waits."""

from __future__ import annotations

import itertools

import pytest

from inspector.http.events import ConnectionClosed, RequestReceived, RequestRejected
from inspector.http.limits import InFlight, Limits
from inspector.http.parser import RequestParser
from tests.http.feeding import CLIENT, SERVER, WALL, bytewise, feed, make_parser

H = b"Host: t\r\n"
CHUNKED_HEAD = b"POST /3 HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"


def get(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\n".encode() + H + b"\r\n"


# -- deadlines ------------------------------------------------------------------------


def test_empty_lines_start_the_head_clock_and_end_quietly() -> None:
    parser = make_parser(Limits(head_timeout=10.0, idle_timeout=15.0))
    parser.touch(0.0)
    assert parser.deadline() == 15.0
    for now in (1.0, 5.0, 9.0):  # a CRLF every 4 s: each used to restart the idle clock
        assert parser.receive_data(b"\r\n", now) == []
        assert parser.deadline() == 11.0
    assert parser.check_timeouts(10.9) == []
    (event,) = parser.check_timeouts(11.0)
    assert event == ConnectionClosed("only empty lines for 10 s")
    assert parser.closed


def test_bytes_of_a_request_after_empty_lines_get_408_from_the_first_empty_line() -> None:
    parser = make_parser(Limits(head_timeout=10.0))
    parser.receive_data(b"\r\n", 1.0)
    parser.receive_data(b"GET / HT", 8.0)
    (event,) = parser.check_timeouts(11.0)
    assert isinstance(event, RequestRejected) and event.status == 408
    assert event.record.raw == b"GET / HT"
    assert "1 empty line(s)" not in " ".join(event.record.notes)  # the line never completed


def test_a_steady_trickle_meets_the_whole_request_deadline() -> None:
    parser = make_parser(Limits(body_timeout=30.0, request_timeout=300.0))
    parser.receive_data(b"POST /t HTTP/1.1\r\n" + H + b"Content-Length: 100\r\n\r\n", 0.0)
    for second in range(29, 300, 29):  # one byte every 29 s: never 30 s of silence
        assert parser.receive_data(b"x", float(second)) == []
        assert parser.check_timeouts(float(second)) == []
    assert parser.deadline() == 300.0
    (event,) = parser.check_timeouts(300.0)
    assert isinstance(event, RequestRejected) and event.status == 408
    assert event.reason == "request not complete 300 s after its first byte"
    assert event.record.body == b"x" * 10


def test_the_idle_clock_counts_from_the_last_answer() -> None:
    parser = make_parser(Limits(idle_timeout=15.0))
    parser.touch(0.0)
    (event,) = parser.receive_data(get("/a"), 1.0)
    assert isinstance(event, RequestReceived)
    parser.touch(2.0)
    assert parser.deadline() == 17.0


# -- flow control -----------------------------------------------------------------------


def test_max_requests_pauses_with_the_rest_buffered() -> None:
    parser = make_parser()
    stream = get("/1") + get("/2") + get("/3") + b"GET /4 HT"
    first = parser.receive_data(stream, 0.0, max_requests=2)
    assert [e.record.path for e in first if isinstance(e, RequestReceived)] == ["/1", "/2"]
    assert parser.paused
    assert parser.deadline() is None  # the server is the slow one now
    (third,) = parser.resume(5.0, max_requests=2)
    assert isinstance(third, RequestReceived) and third.record.path == "/3"
    assert not parser.paused  # what is left is part of a request
    assert parser.deadline() == 15.0  # its head clock started when it was looked at


def test_pending_record_while_the_body_arrives() -> None:
    parser = make_parser()
    assert parser.receive_data(b"PUT /p HTTP/1.1\r\n" + H + b"Content-Length: 4\r\n\r\nab", 0.0) == []
    assert parser.pending_id == 1
    pending = parser.pending_record()
    assert pending is not None
    assert (pending.id, pending.method, pending.path, pending.body) == (1, "PUT", "/p", b"")
    assert pending.raw_head == b"PUT /p HTTP/1.1\r\n" + H + b"Content-Length: 4\r\n\r\n"
    (event,) = parser.receive_data(b"cd", 0.0)
    assert isinstance(event, RequestReceived) and event.record.id == 1
    assert parser.pending_id is None and parser.pending_record() is None


# -- abort: the connection ends before the request does -----------------------------------


def test_abort_records_buffered_requests_and_the_one_cut_short() -> None:
    parser = make_parser()
    cut = b"POST /3 HTTP/1.1\r\n" + H + b"Content-Length: 9\r\n\r\nab"
    parser.receive_data(get("/1") + get("/2") + cut, 0.0, 1)
    records = parser.abort("not answered: the listener stopped", 1.0)
    assert [(r.path, r.error) for r in records] == [
        ("/2", "not answered: the listener stopped"),
        ("/3", "not answered: the listener stopped (2 of 9 body bytes received)"),
    ]
    assert records[1].body == b"ab" and records[1].raw.endswith(b"\r\n\r\nab")
    assert parser.closed and parser.abort("again", 2.0) == []


def test_a_pending_record_carries_the_notes_of_its_head() -> None:
    parser = make_parser()
    parser.receive_data(b"\r\nPUT /p HTTP/1.1\r\n" + H + b"Content-Length: 4\r\n\r\n", 0.0)
    pending = parser.pending_record()
    assert pending is not None and pending.notes == ("1 empty line(s) before the request line ignored",)


@pytest.mark.parametrize(
    ("cut", "missing"),
    [
        (b"GET /3 HTTP/1.1\r\nHo", "request head incomplete"),
        (CHUNKED_HEAD + b"5\r\nab", "chunked body incomplete"),
    ],
)
def test_abort_says_what_was_missing_of_a_cut_request(cut: bytes, missing: str) -> None:
    parser = make_parser()
    parser.receive_data(cut, 0.0)
    (record,) = parser.abort("stopped", 1.0)
    assert (record.path, record.error) == ("/3", f"stopped ({missing})")


def test_abort_keeps_a_buffered_rejections_own_reason() -> None:
    parser = make_parser()
    parser.receive_data(get("/1") + b"BAD\r\n\r\n", 0.0, 1)
    assert parser.paused
    (record,) = parser.abort("not answered: the listener stopped", 1.0)
    assert record.error is not None and "listener stopped" not in record.error


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n", get("/done")])
def test_abort_with_no_bytes_of_a_new_request_records_nothing(data: bytes) -> None:
    parser = make_parser()
    parser.receive_data(data, 0.0)
    assert parser.abort("stopped", 1.0) == []


# -- the memory budget -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "shown"),
    [
        (1023, "1023 bytes"),
        (1024, "1 KiB"),
        (1024 * 1024 - 1, "1024 KiB"),
        (1024 * 1024, "1 MiB"),
        (3 * 1024 * 1024, "3 MiB"),
    ],
)
def test_a_refusal_names_the_bytes_held_in_the_largest_whole_unit(held: int, shown: str) -> None:
    budget = InFlight(8 * 1024 * 1024)
    budget.held = held
    assert budget.refusal() == (
        f"the listener holds {shown} of requests and answers in flight (memory budget 8 MiB); try again later"
    )


def parser_on(budget: InFlight, ids: itertools.count[int]) -> RequestParser:
    return RequestParser(
        client=CLIENT, server=SERVER, next_id=ids.__next__, budget=budget, wall_clock=lambda: WALL
    )


def test_bodies_share_one_budget() -> None:
    budget, ids = InFlight(1000), itertools.count(1)
    holder, refused, chunked = parser_on(budget, ids), parser_on(budget, ids), parser_on(budget, ids)
    head = b"POST /a HTTP/1.1\r\n" + H + b"Content-Length: 800\r\n\r\n"
    assert holder.receive_data(head + b"x" * 10, 0.0) == []
    assert budget.held == len(head) + 800  # announced bytes count in full
    (event,) = refused.receive_data(b"POST /b HTTP/1.1\r\n" + H + b"Content-Length: 200\r\n\r\n", 0.0)
    assert isinstance(event, RequestRejected) and event.status == 503
    assert "memory budget 1000 bytes" in event.reason
    chunked_head = b"POST /c HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
    (event,) = chunked.receive_data(chunked_head + b"c8\r\n", 0.0)  # a chunk of 200
    assert isinstance(event, RequestRejected) and event.status == 503
    (done,) = holder.receive_data(b"x" * 790, 0.0)
    assert isinstance(done, RequestReceived)
    assert budget.held == 0  # handed over with the record


# -- what a rejection keeps -----------------------------------------------------------------


def test_a_refused_upload_keeps_only_a_prefix_of_its_body() -> None:
    limits = Limits(max_body=5000, max_rejected_body=100)
    chunk = b"7d0\r\n" + b"z" * 2000 + b"\r\n"
    (event,) = feed([b"POST /u HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n" + chunk * 3], limits)
    assert isinstance(event, RequestRejected) and event.status == 413
    record = event.record
    assert record.body == b"z" * 100 and record.body_size == 4000 and record.body_truncated
    assert "body cut to its first 100 bytes (4000 received)" in record.notes
    assert len(record.raw_body or b"") == 100 and "raw bytes truncated" in record.notes


def test_content_length_with_thousands_of_digits_is_not_a_crash() -> None:
    """Before: int() of 5,001 digits raised ValueError out of the parser (and the loop)."""
    head = b"POST / HTTP/1.1\r\n" + H + b"Content-Length: " + b"0" * 5000 + b"3\r\n\r\n"
    (event,) = feed([head + b"abc"], eof=False)
    assert isinstance(event, RequestReceived) and event.record.body == b"abc"
    (event,) = feed([b"POST / HTTP/1.1\r\n" + H + b"Content-Length: " + b"0" * 5000 + b"9" * 9 + b"\r\n\r\n"])
    assert isinstance(event, RequestRejected) and event.status == 413
    assert event.reason == "body of 999999999 bytes exceeds the 10485760-byte limit"


def test_an_over_long_request_line_keeps_its_method_and_target_start() -> None:
    data = b"DELETE /" + b"k" * 300 + b" HTTP/1.1\r\n"
    limits = Limits(max_request_line=100)
    for pieces in ([data], bytewise(data)):
        (event,) = feed(pieces, limits, eof=False)
        assert isinstance(event, RequestRejected) and event.status == 414
        assert (event.record.method, event.record.target) == ("DELETE", "/" + "k" * 94)


@pytest.mark.parametrize(
    "tail",
    [b"", b"X-Tw", b"Bad Field: 2\r\n"],
    ids=["then-timeout", "then-partial-name", "then-bad-line"],
)
def test_fields_before_an_error_are_kept_for_any_split(tail: bytes) -> None:
    data = b"GET / HTTP/1.1\r\n" + H + b"X-One: 1\r\n" + tail
    outcomes = []
    for pieces in ([data], bytewise(data)):
        parser = make_parser(Limits(head_timeout=1.0))
        events = [e for piece in pieces for e in parser.receive_data(piece, 0.0)]
        events += parser.check_timeouts(1.0)
        (event,) = events
        assert isinstance(event, RequestRejected)
        outcomes.append(event.record.headers)
    assert outcomes[0] == outcomes[1] == (("Host", "t"), ("X-One", "1"))


def test_a_framing_field_sent_as_a_trailer_is_noted() -> None:
    body = b"1\r\na\r\n0\r\ncontent-length: 5\r\nHost: elsewhere\r\n\r\n"
    (event, _) = feed([b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n" + body])
    assert isinstance(event, RequestReceived)
    notes = [n for n in event.record.notes if "trailer" in n]
    assert notes == [
        "content-length sent as a trailer field (ignored: trailers cannot change framing or routing)",
        "Host sent as a trailer field (ignored: trailers cannot change framing or routing)",
    ]
