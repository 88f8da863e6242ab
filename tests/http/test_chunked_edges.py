"""Chunked bodies at their edges: what the record notes, how much of the wire it keeps,
and how a trailer section is judged, the same however the bytes are split."""

from __future__ import annotations

import pytest

from inspector.http.limits import Limits
from inspector.http.parser import RequestReceived, RequestRejected
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
def test_chunk_extensions_are_noted_once(split: str) -> None:
    body = b"1;a=b\r\nx\r\n2 ; c\r\nyz\r\n1\r\nw\r\n0;last\r\n\r\n"
    record = received(HEAD + body, split).record
    assert record.body == b"xyzw"
    assert record.notes == ("chunk extensions present (see Raw)",)
    assert record.raw_body == body


@pytest.mark.parametrize("split", SPLITS)
def test_a_chunked_body_without_extensions_has_no_note(split: str) -> None:
    record = received(HEAD + b"3\r\nabc\r\n0\r\n\r\n", split).record
    assert record.notes == () and record.raw_body == b"3\r\nabc\r\n0\r\n\r\n"


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


TRAILERS_REFUSED: list[tuple[str, bytes]] = [
    ("lf-first", b"\n"),
    ("lf-first-then-more", b"\nX: 1\r\n\r\n"),
    ("lf-first-then-byte", b"\nX"),  # refused at once, not when the section ends
    ("cr-then-byte", b"\rX"),
    ("cr-then-field", b"\rX: 1\r\n\r\n"),
    ("bad-name", b"Bad Trailer\r\n\r\n"),
    ("bare-lf-end", b"X: 1\n\n"),
    ("bare-cr", b"X: 1\r\r\n\r\n"),
    ("space-before-colon", b"X : 1\r\n\r\n"),
]


@pytest.mark.parametrize("trailer", [c[1] for c in TRAILERS_REFUSED], ids=[c[0] for c in TRAILERS_REFUSED])
def test_a_malformed_trailer_section_has_one_reason(trailer: bytes) -> None:
    data = HEAD + b"1\r\nx\r\n0\r\n" + trailer
    for split in SPLITS:
        (event,) = feed(pieces_of(data, split), eof=False)
        assert isinstance(event, RequestRejected)
        assert (event.status, event.reason) == (400, "malformed trailer section")


@pytest.mark.parametrize(
    ("trailer", "trailers"),
    [
        (b"\r\n", ()),
        (b"X: 1\r\n\r\n", (("X", "1"),)),
        (b"X: 1\r\nY:2\t\r\n\r\n", (("X", "1"), ("Y", "2"))),
        (b"X-\n-Y: 1\r\n\r\n", None),
    ],
    ids=["empty", "one", "two", "lf-inside-name"],
)
def test_trailer_sections(trailer: bytes, trailers: tuple[tuple[str, str], ...] | None) -> None:
    data = HEAD + b"0\r\n" + trailer + b"GET /next HTTP/1.1\r\n" + H + b"\r\n"
    for split in SPLITS:
        events = feed(pieces_of(data, split), eof=False)
        if trailers is None:
            (event,) = events
            assert isinstance(event, RequestRejected) and event.status == 400
            continue
        first, second = events
        assert isinstance(first, RequestReceived) and isinstance(second, RequestReceived)
        assert first.record.trailers == trailers and first.record.raw_body == b"0\r\n" + trailer
        assert second.record.path == "/next"


@pytest.mark.parametrize("split", SPLITS)
def test_a_trailer_section_over_max_head_is_431(split: str) -> None:
    limits = Limits(max_head=80)
    trailer = b"X: " + b"v" * 80 + b"\r\n\r\n"
    (event,) = feed(pieces_of(HEAD + b"0\r\n" + trailer, split), limits, eof=False)
    assert isinstance(event, RequestRejected)
    assert (event.status, event.reason) == (431, "trailer section larger than 80 bytes")


@pytest.mark.parametrize("size", [80 - 4, 80])
def test_a_trailer_section_of_exactly_max_head_is_taken(size: int) -> None:
    trailer = b"X: " + b"v" * (size - 7) + b"\r\n\r\n"
    assert len(trailer) == size
    for split in SPLITS:
        record = received(HEAD + b"0\r\n" + trailer, split, Limits(max_head=80)).record
        assert record.trailers == (("X", "v" * (size - 7)),)


@pytest.mark.parametrize("split", SPLITS)
def test_too_many_trailer_fields_is_431(split: str) -> None:
    trailer = b"A: 1\r\nB: 2\r\nC: 3\r\n\r\n"
    (event,) = feed(pieces_of(HEAD + b"0\r\n" + trailer, split), Limits(max_header_fields=2), eof=False)
    assert isinstance(event, RequestRejected)
    assert (event.status, event.reason) == (431, "more than 2 header fields")
