"""Chunked bodies at their edges: what the record notes, how much of the wire it keeps,
and how a trailer section is judged, the same however the bytes are split."""

from __future__ import annotations

import pytest

from inspector.http.limits import Limits
from inspector.http.parser import RequestReceived
from tests.http.feeding import bytewise, feed

H = b"Host: example.com\r\n"
HEAD = b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
SPLITS = ["whole", "bytewise"]


def pieces_of(data: bytes, split: str) -> list[bytes]:
    return [data] if split == "whole" else bytewise(data)


def received(data: bytes, split: str, limits: Limits | None = None) -> RequestReceived:
    (event,) = feed(pieces_of(data, split), limits, eof=False)
    assert isinstance(event, RequestReceived)
    return event


@pytest.mark.parametrize("split", SPLITS)
def test_raw_chunked_bytes_are_capped_and_noted_once(split: str) -> None:
    """The raw bytes keep at most max_body + max_head: sizes and CRLFs can outgrow the body."""
    limits = Limits(max_body=20, max_head=100)
    body = b"1\r\nx\r\n" * 20 + b"0\r\nX-T: 1\r\n\r\n"  # 20 body bytes in 133 bytes on the wire
    record = received(HEAD + body, split, limits).record
    assert record.body == b"x" * 20 and record.trailers == (("X-T", "1"),)
    assert record.raw_body == body[:120]
    assert record.notes == ("raw chunked bytes truncated",)


@pytest.mark.parametrize("split", SPLITS)
def test_raw_chunked_bytes_filling_the_cap_exactly_are_not_noted(split: str) -> None:
    body = b"1\r\nx\r\n" * 3 + b"0\r\nX: " + b"v" * 45 + b"\r\n\r\n"
    assert len(body) == 3 + 70
    record = received(HEAD + body, split, Limits(max_body=3, max_head=70)).record
    assert record.raw_body == body and record.notes == ()
