"""A rejected request keeps what was received before the error: the fields accepted before
a bad one, however its bytes arrived (inspector/http/fields.py, ``fields_before_error``),
and its raw bytes up to the cap. The table and the detail pane show them with the error."""

from __future__ import annotations

import httptools
import pytest

from inspector.http import fields
from inspector.http.events import ProtocolError
from inspector.http.limits import Limits
from inspector.http.parser import RequestRejected
from tests.http.feeding import bytewise, make_parser, records

LIMITS = Limits(max_header_fields=3)


@pytest.mark.parametrize("split", [False, True], ids=["at once", "byte by byte"])
@pytest.mark.parametrize(
    ("head", "kept", "error"),
    [
        (b"Host: t\r\nX-One: 1\r\nBad Field: 2\r\n", (("Host", "t"), ("X-One", "1")), "Invalid header token"),
        (b"Host: t\r\nX-One: 1\r\n folded\r\n", (("Host", "t"), ("X-One", "1")), "Unexpected whitespace"),
        (b"\nX-A: 1\r\n", (), "Invalid header field char"),  # refused at the first line
        (b"X-A: 1\r\n\n", (("X-A", "1"),), "Invalid header field char"),  # a bare LF after a field
        (b"A: 1\r\n\nX-A: 1\r\n", (("A", "1"),), "Invalid header field char"),
        (b"Host: t\r\nA: 1\r\nB: 2\r\nC: 3\r\n", (("Host", "t"), ("A", "1"), ("B", "2")), "431 more than 3"),
    ],
    ids=["bad name", "obs-fold", "bare LF first", "bare LF last", "bare LF between", "one field too many"],
)
def test_the_fields_before_the_error_are_kept(
    head: bytes, kept: tuple[tuple[str, str], ...], error: str, split: bool
) -> None:
    data = b"POST /x HTTP/1.1\r\n" + head + b"\r\n"
    (record,) = records(bytewise(data) if split else [data], LIMITS)

    assert record.error is not None and error in record.error
    assert record.headers == kept


@pytest.mark.parametrize("cap", [8, 16, 200])
def test_a_rejected_body_keeps_its_raw_bytes_up_to_the_cap(cap: int) -> None:
    """Chunked data already read, then the bytes not yet parsed: ``max_rejected_body`` in all."""
    body = b"5\r\nhello\r\nZZ\r\n" + b"x" * 100  # the second chunk-size line is malformed
    head = b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    (record,) = records([head + body], Limits(max_rejected_body=cap))

    assert record.error == "400 malformed chunk-size line"
    assert record.raw_body == body[:cap]
    assert ("raw bytes truncated" in record.notes) is (cap < len(body))


def test_nothing_is_said_cut_at_exactly_the_caps() -> None:
    """A body of exactly ``max_rejected_body`` bytes, raw bytes of exactly the cap, a head
    of exactly ``max_raw_capture``: all kept whole, and no note says otherwise."""
    body = b"5\r\nhello\r\nZZ\r\n" + b"x" * 100
    head = b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
    bad = b"GE\x01T / HTTP/1.1\r\n"
    cases = [
        # the decoded body is 5 bytes: not cut, though the raw bytes are
        (head + body, Limits(max_rejected_body=5), ("raw bytes truncated",)),
        (head + body, Limits(max_rejected_body=len(body)), ()),
        (head + body, Limits(max_raw_capture=len(head)), ()),
        (bad, Limits(max_raw_capture=len(bad)), ()),  # refused before its head was complete
    ]
    for data, limits, notes in cases:
        (record,) = records([data], limits)
        assert record.notes == notes
        assert not record.body_truncated
        if not notes:
            assert record.raw == data


@pytest.mark.parametrize("cap", [8, 12, 100])
def test_a_body_that_went_silent_keeps_its_raw_bytes_up_to_the_cap(cap: int) -> None:
    """408 in the middle of a chunk-size line: the chunks read, then the bytes of the line
    not yet parsed, ``max_rejected_body`` in all."""
    parser = make_parser(Limits(max_rejected_body=cap, body_timeout=5.0))
    body = b"5\r\nhello\r\n1234567"  # the second size line is still arriving
    assert (
        parser.receive_data(b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + body, 0.0)
        == []
    )

    (event,) = parser.check_timeouts(10.0)

    assert isinstance(event, RequestRejected) and event.status == 408
    assert event.record.raw_body == body[:cap]
    assert ("raw bytes truncated" in event.record.notes) is (cap < len(body))


class _FailingSink:
    """llhttp callbacks that fail with something other than a ProtocolError."""

    def on_header(self, name: bytes, value: bytes) -> None:
        raise RuntimeError("callback broke")


def test_a_callback_failing_otherwise_is_a_400_from_llhttp() -> None:
    parser = httptools.HttpRequestParser(_FailingSink())
    with pytest.raises(ProtocolError) as caught:
        fields.feed(parser, b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n")
    assert caught.value.status == 400
    assert caught.value.reason.startswith("malformed request: ")
