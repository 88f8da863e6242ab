"""Request-targets and head ends at their edges: an absolute-form target whose
authority is empty, a refused CONNECT target kept whole, the end of a field
section found from any resume point, and a raw capture split back into head and
body. (split_target's table is in tests/http/test_query.py.)"""

from __future__ import annotations

import base64

import pytest

from inspector.http.parser import RequestReceived, RequestRejected
from inspector.http.record import CaptureRecord
from inspector.http.syntax import absolute_authority, find_head_end
from tests.http.feeding import bytewise, feed

H = b"Host: example.com\r\n"


@pytest.mark.parametrize(
    ("target", "authority"),
    [
        (b"http://h", b"h"),
        (b"http://h/p@q", b"h"),
        (b"http://h?q@r", b"h"),
        (b"http:///p@q", b""),
        (b"http://?q@r", b""),
        (b"http://", b""),
        (b"http:/h", None),
        (b"http://h:80/p", b"h:80"),
        (b"a://h", b"h"),
        (b"a1+.-://h", b"h"),
        (b"1a://h", None),
        (b"http://h/a/b", b"h"),
        (b"http://h?a?b", b"h"),
        (b"1http://h", None),
    ],
)
def test_absolute_authority_stops_at_the_first_slash_or_question_mark(
    target: bytes, authority: bytes | None
) -> None:
    assert absolute_authority(target) == authority


@pytest.mark.parametrize(
    ("target", "path", "query"),
    [(b"http:///x@y", "/x@y", ()), (b"http://?x@y", "/", (("x@y", ""),))],
)
def test_an_at_sign_after_an_empty_authority_is_not_userinfo(
    target: bytes, path: str, query: tuple[tuple[str, str], ...]
) -> None:
    data = b"GET " + target + b" HTTP/1.1\r\n" + H + b"\r\n"
    for pieces in ([data], bytewise(data)):
        (event,) = feed(pieces, eof=False)
        assert isinstance(event, RequestReceived)
        assert (event.record.path, event.record.query) == (path, query)


def test_a_refused_connect_records_its_target_whole() -> None:
    (event,) = feed([b"CONNECT /x?y HTTP/1.1\r\n" + H + b"\r\n"], eof=False)
    assert isinstance(event, RequestRejected)
    assert (event.record.target, event.record.path, event.record.query) == ("/x?y", "/x?y", ())


@pytest.mark.parametrize(
    ("buf", "start", "end"),
    [
        (b"\n\n", 0, 2),
        (b"\n\nX", 0, 2),
        (b"A\n\nB", 0, 3),
        (b"A\n\nB\n\nC", 0, 3),
        (b"\n\r\n", 0, 3),
        (b"\n\r\nA\n\r\n", 1, 7),
        (b"A\n\r\nB\n\r\n", 0, 4),
        (b"A\r\n\r\nB", 0, 5),
        (b"GET / HTTP/1.1\r\nX: 1\n\n", 14, 22),
        (b"GET / HTTP/1.1\r\nX: 1\r\n\r\n", 14, 24),
        (b"A\n\nB\r\n\r\n", 2, 8),  # an earlier end before ``start`` is not looked at again
        (b"A\n\nB\n\r\n", 3, 7),
        (b"A\r\n\nB\r\n\r\n", 0, 4),  # whichever ends first
        (b"A\r\n\r\n\n\n", 0, 5),
        (b"A\r\nB\r\n", 0, -1),
        (b"A\nB\n", 0, -1),
    ],
)
def test_find_head_end(buf: bytes, start: int, end: int) -> None:
    assert find_head_end(buf, start) == end


def test_raw_bytes_read_back_split_at_the_first_empty_line() -> None:
    raw = b"\r\n\r\nXYZ"  # the empty line first: the head is that line alone
    record = CaptureRecord.from_json(
        {
            "id": 1,
            "received_at": "2026-01-01T00:00:00Z",
            "body_b64": base64.b64encode(b"abc").decode(),
            "raw_b64": base64.b64encode(raw).decode(),
        }
    )
    assert (record.raw_head, record.raw_body) == (b"\r\n\r\n", b"XYZ")
