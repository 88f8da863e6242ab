"""The request head and the parser's bookkeeping at their edges: verdicts that must
not depend on how the bytes arrive, the work done on a head fed byte by byte, the
clock a record takes, the reason a quiet close gives, and what the memory budget
counts while a chunked body arrives."""

from __future__ import annotations

import itertools
from typing import SupportsIndex

import pytest

from inspector.http.head import HeadReader
from inspector.http.limits import InFlight, Limits
from inspector.http.parser import ConnectionClosed, RequestParser, RequestReceived, RequestRejected
from tests.http.feeding import CLIENT, SERVER, bytewise, feed

H = b"Host: example.com\r\n"

# -- verdicts on the request line ----------------------------------------------------------

LINES: list[tuple[str, bytes, bool, str]] = [
    # A CR right after the method is judged only once the next byte shows what it is.
    ("method-cr-then-close", b"GET\r", True, "connection closed before the request head was complete"),
    ("method-cr-then-byte", b"GET\rX", False, "not an HTTP request: invalid method token"),
    ("method-crlf", b"GET\r\n", False, "not an HTTP request: invalid method token"),
    ("lf-first", b"\nGET / HTTP/1.1\r\n" + H + b"\r\n", False, "not an HTTP request: invalid method token"),
    ("cr-lf-lf", b"\r\n\nGET / HTTP/1.1\r\n", False, "not an HTTP request: invalid method token"),
    # A malformed line that ends in a supported version is a 400, never a 505.
    (
        "double-space-1.0",
        b"GET  / HTTP/1.0\r\n\r\n",
        False,
        "malformed request line (expected METHOD SP target SP HTTP/1.x)",
    ),
    (
        "double-space-1.1",
        b"GET  / HTTP/1.1\r\n" + H + b"\r\n",
        False,
        "malformed request line (expected METHOD SP target SP HTTP/1.x)",
    ),
    ("double-space-1.2", b"GET  / HTTP/1.2\r\n\r\n", False, "HTTP version HTTP/1.2 not supported"),
    (
        "lowercase-version",
        b"GET / http/1.0\r\n\r\n",
        False,
        "malformed request line (expected METHOD SP target SP HTTP/1.x)",
    ),
]


@pytest.mark.parametrize(("data", "eof", "reason"), [c[1:] for c in LINES], ids=[c[0] for c in LINES])
def test_request_line_verdicts_for_any_split(data: bytes, eof: bool, reason: str) -> None:
    for pieces in ([data], bytewise(data)):
        (event,) = feed(pieces, eof=eof)
        assert isinstance(event, RequestRejected)
        assert event.reason == reason


@pytest.mark.parametrize("data", [b"GET\r", b"GET / HTTP/1.1\r", b"\r", b"\r\n\r"])
def test_a_trailing_cr_waits_for_the_next_byte(data: bytes) -> None:
    for pieces in ([data], bytewise(data)):
        assert feed(pieces, eof=False) == []


# -- linear work on a head fed byte by byte -------------------------------------------------


class CountingBuffer(bytearray):
    """A buffer that counts the bytes its ``find`` calls may look at."""

    scanned = 0

    def find(  # type: ignore[override]
        self, sub: bytes, start: SupportsIndex | None = None, end: SupportsIndex | None = None
    ) -> int:
        lo = 0 if start is None else max(0, int(start))
        hi = len(self) if end is None else min(len(self), int(end))
        self.scanned += max(0, hi - lo)
        return super().find(sub, start, end)


def bytes_scanned(head: bytes) -> int:
    reader, buf = HeadReader(Limits(), []), CountingBuffer()
    done = False
    for byte in bytewise(head):
        buf += byte
        done = reader.read(buf)
    assert done and reader.head == head
    return buf.scanned


@pytest.mark.parametrize(
    "head",
    [
        b"GET /" + b"p" * 4000 + b" HTTP/1.1\r\n" + H + b"\r\n",
        b"GET / HTTP/1.1\r\n" + H + b"X-Long: " + b"v" * 4000 + b"\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + H + b"".join(b"X-%d: v\r\n" % i for i in range(90)) + b"\r\n",
    ],
    ids=["long-target", "long-value", "many-fields"],
)
def test_a_head_fed_byte_by_byte_is_scanned_a_few_times_at_most(head: bytes) -> None:
    """Each search resumes where the last one stopped (a rescan from the start would
    look at the bytes once per byte received: millions here)."""
    assert bytes_scanned(head) <= 8 * len(head)


# -- the record's clock, a quiet close, the shared budget -----------------------------------


def test_received_at_is_the_wall_clock_at_the_first_byte() -> None:
    clock = itertools.count(100.0, 10.0)
    parser = RequestParser(
        client=CLIENT, server=SERVER, next_id=itertools.count(1).__next__, wall_clock=clock.__next__
    )
    assert parser.receive_data(b"GET /a HTTP/1.1\r\n", 0.0) == []
    assert parser.receive_data(H, 1.0) == []
    (first,) = parser.receive_data(b"\r\nGET /b HTTP", 2.0)
    (second,) = parser.receive_data(b"/1.1\r\n" + H + b"\r\n", 3.0)
    assert isinstance(first, RequestReceived) and isinstance(second, RequestReceived)
    assert (first.record.received_at, second.record.received_at) == (100.0, 110.0)


@pytest.mark.parametrize("before", [b"", b"\r\n\r\n", b"GET / HTTP/1.1\r\n" + H + b"\r\n"])
def test_a_close_between_requests_says_the_client_closed(before: bytes) -> None:
    *_, last = feed([before] if before else [])
    assert last == ConnectionClosed("client closed the connection")


def test_an_announced_chunk_counts_in_the_shared_budget_until_it_is_handed_over() -> None:
    budget, ids = InFlight(1000), itertools.count(1)

    def parser() -> RequestParser:
        return RequestParser(client=CLIENT, server=SERVER, next_id=ids.__next__, budget=budget)

    chunked, other = parser(), parser()
    head = b"POST /c HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
    assert chunked.receive_data(head + b"1c2\r\n" + b"x" * 10, 0.0) == []  # a chunk of 450 bytes
    upload = b"POST /u HTTP/1.1\r\n" + H + b"Content-Length: 100\r\n\r\n"
    (event,) = other.receive_data(upload, 0.0)  # 440 to come, held twice: 100 more do not fit
    assert isinstance(event, RequestRejected) and event.status == 503
    (done,) = chunked.receive_data(b"x" * 440 + b"\r\n0\r\n\r\n", 0.0)
    assert isinstance(done, RequestReceived) and done.record.body == b"x" * 450
    assert budget.held == 0
    (event,) = parser().receive_data(upload + b"u" * 100, 0.0)
    assert isinstance(event, RequestReceived)
