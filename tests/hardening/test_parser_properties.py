"""Property tests on the sans-IO parser (the "Hardening" issue, item 1).

Three properties, 1,000 generated examples each:

* robustness: any bytes at all (random binary, and text stitched together from
  HTTP-looking fragments), in any split, followed by end of input and by the
  deadlines passing, give only the four event types and never another
  exception; a rejection or a close is the last event and nothing follows it;
* round trip: generated *valid* requests (any method token, percent-encoded
  UTF-8 queries with ``+``, repeated keys and blank values, header lists with
  duplicates and mixed case, Content-Length or chunked bodies with random chunk
  sizes, extensions and trailers, pipelines of 1-4 requests) come out as records
  equal to what was generated;
* split invariance: the same valid stream fed whole, byte by byte and at random
  cut points gives identical records; so does any input for the records of
  rejections (what was parsed before the error is kept: method, target, the
  fields llhttp accepted; only the raw bytes may be fewer);
* flow control: parsing at most N requests at a time and resuming gives the
  same events as parsing everything at once.

tests/http/test_parser.py checks hand-written cases and their splits; these
generate the cases. The coverage-guided fuzzer (tools/fuzz_parser.py) explores
further, off CI.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.http.limits import Limits
from inspector.http.parser import (
    ConnectionClosed,
    Event,
    RequestReceived,
    RequestRejected,
    SendContinue,
)
from inspector.http.record import CaptureRecord
from tests.http.feeding import feed, make_parser

PROPERTY = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
EVENT_TYPES = (RequestReceived, RequestRejected, SendContinue, ConnectionClosed)
ERROR_STATUSES = {400, 408, 413, 414, 431, 501, 503, 505}
#: limits small enough that random input reaches every limit branch
SMALL = Limits(max_request_line=64, max_head=256, max_header_fields=8, max_body=512, max_chunk_line=32)


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    bounds = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(bounds) if b > a]


# -- (a) any bytes: only events, never an exception ---------------------------------

FRAGMENTS = [
    b"GET ",
    b"POST ",
    b"HEAD ",
    b"MKCOLA ",
    b"CONNECT ",
    b"OPTIONS ",
    b"PRI ",
    b"get ",
    b"/",
    b"/a",
    b"?",
    b"?a=1&b",
    b"%",
    b"%zz",
    b"%E2%80%AE",
    b"#frag",
    b"*",
    b"http://h/p",
    b"user@host",
    b"host:80",
    b"[::1]:80",
    b" HTTP/1.1",
    b" HTTP/1.0",
    b" HTTP/2.0",
    b" RTSP/1.0",
    b"  ",
    b"\r\n",
    b"\n",
    b"\r",
    b"\r\n\r\n",
    b"\t",
    b" ",
    b":",
    b";",
    b"=",
    b",",
    b'"',
    b"Host: x",
    b"Host:",
    b"host: a\r\nHost: b",
    b"Content-Length: 5",
    b"Content-Length: -1",
    b"Content-Length: 99999999999999999999",
    b"content-length: 3, 3",
    b"Transfer-Encoding: chunked",
    b"Transfer-Encoding: gzip, chunked",
    b"Transfer-Encoding: chunked, chunked",
    b"Expect: 100-continue",
    b"Connection: close",
    b"Connection: keep-alive, upgrade",
    b"Upgrade: websocket",
    b"X-A: b",
    b" folded",
    b"0\r\n\r\n",
    b"5\r\nhello\r\n",
    b"5;x=1\r\n",
    b"ffffffffffffffffff\r\n",
    b'0;a = "b"\r\n',
    b"Trailer: x\r\n",
    b"hello",
    b"\x00",
    b"\x7f",
    b"\xff",
    b"\xe2\x80\xae",
    b"\x1b[2J",
    b"\x16\x03\x01\x00",
    b"A" * 70,
]
http_ish = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(b"".join)
any_bytes = st.one_of(st.binary(max_size=600), http_ish)


def check_events(events: list[Event]) -> None:
    for i, event in enumerate(events):
        assert isinstance(event, EVENT_TYPES), event
        if isinstance(event, RequestRejected | ConnectionClosed):
            assert i == len(events) - 1, f"{event} is followed by {events[i + 1 :]}"
        if isinstance(event, RequestRejected):
            assert event.status in ERROR_STATUSES, event
            assert event.record.error and event.record.error.startswith(str(event.status))
        if isinstance(event, RequestReceived | RequestRejected):
            event.record.to_json()  # every record serialises


@PROPERTY
@given(
    data=any_bytes,
    cuts=st.lists(st.integers(0, 10_000), max_size=10),
    small=st.booleans(),
    eof=st.booleans(),
)
def test_any_bytes_give_only_events(data: bytes, cuts: list[int], small: bool, eof: bool) -> None:
    parser = make_parser(SMALL if small else None)
    events: list[Event] = []
    for piece in split_at(data, cuts):
        events += parser.receive_data(piece, 0.0)
        parser.deadline()
    if eof:
        events += parser.receive_data(b"", 1.0)
        events += parser.receive_data(b"more after the end", 1.0)
    events += parser.check_timeouts(1e9)
    events += parser.check_timeouts(2e9)
    events += parser.receive_data(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 2e9)
    check_events(events)
    assert parser.closed or not eof


# -- generated valid requests ---------------------------------------------------------

TCHAR = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
VCHAR = "".join(chr(c) for c in range(0x21, 0x7F))
#: field names the parser acts on; generated separately so framing stays valid
SPECIAL = {
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "proxy-connection",
    "expect",
    "upgrade",
    "te",
    "keep-alive",
}
KNOWN_METHODS = [
    "GET",
    "POST",
    "PUT",
    "PATCH",
    "DELETE",
    "HEAD",
    "OPTIONS",
    "TRACE",
    "PROPFIND",
    "MKCOL",
    "MKCOLA",
    "ANNOUNCE",
    "PRI",
    "SOURCE",
    "BREW",
    "QUERY",
    "M-SEARCH",
    "PURGE",
]
COMMON_NAMES = [
    "User-Agent",
    "Accept",
    "Accept-Language",
    "Cookie",
    "Set-Cookie",
    "X-Forwarded-For",
    "Authorization",
    "Content-Type",
    "X-Request-Id",
    "Cache-Control",
    "Via",
]

token = st.text(alphabet=TCHAR, min_size=1, max_size=12)
method = st.one_of(st.sampled_from(KNOWN_METHODS), token).filter(lambda m: m != "CONNECT")
unicode_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)


# Strategies are built once here: building them inside a draw costs a validation each time.
CASE_STYLE = st.sampled_from(["as-is", "lower", "upper", "random"])
BITS = st.integers(0, 2**64 - 1)
PICK = st.integers(0, 2**16)
BOOL = st.booleans()
ONE_IN_TEN = st.integers(0, 9)


def pick(draw: st.DrawFn, choices: list[str]) -> str:
    """One of ``choices`` (built per example, so not a sampled_from)."""
    return choices[draw(PICK) % len(choices)]


def mixed_case(draw: st.DrawFn, name: str) -> str:
    style = draw(CASE_STYLE)
    if style == "lower":
        return name.lower()
    if style == "upper":
        return name.upper()
    if style == "random":
        flips = draw(BITS)
        return "".join(c.swapcase() if flips >> (i % 64) & 1 else c for i, c in enumerate(name))
    return name


def lower_escapes(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), text)


ENCODING_STYLE = st.sampled_from(["plus", "percent", "lenient"])


def encoded(draw: st.DrawFn, text: str, is_value: bool) -> str:
    """``text`` percent-encoded as UTF-8 in one of the ways clients do."""
    style = draw(ENCODING_STYLE)
    if style == "plus":
        out = quote_plus(text, safe="")
    elif style == "percent":
        out = quote(text, safe="")
    else:  # leave the sub-delimiters that do not split a query as they are
        out = quote(text, safe="!$'()*,;:@/?~" + ("=" if is_value else ""))
    return lower_escapes(out) if draw(BOOL) else out


QUERY_NAMES = st.lists(unicode_text.filter(bool), min_size=1, max_size=4)
QUERY_COUNT = st.integers(0, 6)
QUERY_VALUE = st.one_of(st.just(""), unicode_text)


@st.composite
def query_part(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]]]:
    """A raw query string and the pairs it decodes to."""
    names = draw(QUERY_NAMES)
    pairs: list[tuple[str, str]] = []
    segments: list[str] = []
    for _ in range(draw(QUERY_COUNT)):
        name = pick(draw, names)  # repeated keys
        value = draw(QUERY_VALUE)
        pairs.append((name, value))
        raw_name = encoded(draw, name, False)
        if value == "" and draw(BOOL):
            segments.append(raw_name)  # "a" alone: a blank value
        else:
            segments.append(raw_name + "=" + encoded(draw, value, True))
        if draw(ONE_IN_TEN) == 0:
            segments.append("")  # "a=1&&b=2": an empty segment carries nothing
    return "&".join(segments), pairs


PATH_SEGMENTS = st.lists(unicode_text, max_size=4)
ABSOLUTE_PREFIX = st.from_regex(r"(http|HTTP|https)://[a-z0-9.-]{1,20}(:[0-9]{1,5})?", fullmatch=True)


@st.composite
def target_part(draw: st.DrawFn) -> tuple[str, str, list[tuple[str, str]]]:
    segments = draw(PATH_SEGMENTS)
    path = "/" + "/".join(quote(s, safe="!$&'()*+,;=:@~") for s in segments)
    target = path
    pairs: list[tuple[str, str]] = []
    if draw(BOOL):
        raw_query, pairs = draw(query_part())
        target += "?" + raw_query
    if draw(ONE_IN_TEN) == 0:
        target = draw(ABSOLUTE_PREFIX) + target
    return target, path, pairs


VALUE_TEXT = st.text(st.one_of(st.sampled_from(VCHAR + " \t"), st.sampled_from("éü€日本\u202e")), max_size=30)
NAME_LIST = st.lists(st.one_of(st.sampled_from(COMMON_NAMES), token), max_size=8)
FIELD_COUNT = st.integers(0, 10)
WS_BEFORE = st.sampled_from(["", " ", "  ", "\t"])
WS_AFTER = st.sampled_from(["", "", " ", "\t "])


def header_value(draw: st.DrawFn) -> str:
    return draw(VALUE_TEXT).strip(" \t")


@st.composite
def header_list(draw: st.DrawFn) -> list[tuple[str, str]]:
    names = [n for n in draw(NAME_LIST) if n.lower() not in SPECIAL]
    fields = []
    for _ in range(draw(FIELD_COUNT) if names else 0):
        name = mixed_case(draw, pick(draw, names))  # duplicates, mixed case
        fields.append((name, header_value(draw)))
    return fields


def field_lines(fields: list[tuple[str, str]], draw: st.DrawFn) -> bytes:
    out = b""
    for name, value in fields:
        before = draw(WS_BEFORE)
        after = draw(WS_AFTER)
        if name.lower() == "transfer-encoding":
            after = after.replace("\t", "")  # see test_transfer_encoding_with_trailing_htab
        out += name.encode() + b":" + (before + value + after).encode("utf-8") + b"\r\n"
    return out


EXT_COUNT = st.integers(0, 2)
EXT_WS = st.sampled_from(["", "", " ", "\t"])
QUOTED_TEXT = st.text(st.sampled_from("abc xyz;=,\\t"), max_size=8)


def chunk_extensions(draw: st.DrawFn) -> str:
    out = ""
    for _ in range(draw(EXT_COUNT)):
        out += draw(EXT_WS) + ";" + draw(EXT_WS) + draw(token)
        if draw(BOOL):
            quoted = '"' + draw(QUOTED_TEXT).replace("\\", "\\\\") + '"'
            value = draw(token) if draw(BOOL) else quoted
            out += draw(EXT_WS) + "=" + draw(EXT_WS) + value
    return out


HEX_CASE = st.sampled_from(["x", "X"])
ZEROS = st.integers(0, 3)
TRAILER_NAMES = st.lists(token, min_size=1, max_size=3)


def chunked_body(draw: st.DrawFn, body: bytes) -> tuple[bytes, list[tuple[str, str]]]:
    """The chunked framing of ``body`` (random chunk sizes, extensions, trailers)."""
    wire = b""
    pos = 0
    while pos < len(body):
        size = 1 + draw(PICK) % (len(body) - pos)
        digits = "0" * draw(ZEROS) + format(size, draw(HEX_CASE))
        wire += (digits + chunk_extensions(draw) + "\r\n").encode() + body[pos : pos + size] + b"\r\n"
        pos += size
    wire += ("0" * (1 + draw(ZEROS)) + chunk_extensions(draw) + "\r\n").encode()
    trailers = []
    if draw(BOOL):
        names = [n for n in draw(TRAILER_NAMES) if n.lower() not in SPECIAL]
        trailers = [(mixed_case(draw, n), header_value(draw)) for n in names]
    wire += field_lines(trailers, draw) + b"\r\n"
    return wire, trailers


@dataclass(frozen=True)
class Generated:
    """One generated request and what its record must hold."""

    wire: bytes
    method: str
    target: str
    path: str
    query: tuple[tuple[str, str], ...]
    version: str
    headers: tuple[tuple[str, str], ...]
    trailers: tuple[tuple[str, str], ...]
    body: bytes


VERSION = st.sampled_from(["1.1", "1.1", "1.1", "1.0"])
BODY = st.binary(max_size=300)
FRAMING = st.sampled_from(["length", "chunked", "none"])
HOST = st.sampled_from(["example.com", "127.0.0.1:8090", "[::1]:80", "a-b.c", ""])


@st.composite
def valid_request(draw: st.DrawFn, last: bool) -> Generated:
    verb = draw(method)
    target, path, pairs = draw(target_part())
    version = draw(VERSION) if last else "1.1"
    fields = draw(header_list())
    body = draw(BODY)
    framing = draw(FRAMING)
    if version == "1.0" and framing == "chunked":
        framing = "length"  # Transfer-Encoding on HTTP/1.0 is refused
    if framing == "none" and body:
        body = b""
    special: list[tuple[str, str]] = []
    if version == "1.1" or draw(BOOL):
        special.append((mixed_case(draw, "Host"), draw(HOST)))
    if framing == "length":
        zeros = "0" * (draw(ZEROS) % 3)
        special.append((mixed_case(draw, "Content-Length"), zeros + str(len(body))))
    elif framing == "chunked":
        special.append((mixed_case(draw, "Transfer-Encoding"), mixed_case(draw, "chunked")))
    for field in special:  # the framing fields anywhere among the others
        fields.insert(draw(PICK) % (len(fields) + 1), field)
    head = f"{verb} {target} HTTP/{version}\r\n".encode() + field_lines(fields, draw) + b"\r\n"
    trailers: list[tuple[str, str]] = []
    if framing == "chunked":
        body_wire, trailers = chunked_body(draw, body)
    else:
        body_wire = body
    return Generated(
        wire=head + body_wire,
        method=verb,
        target=target,
        path=path,
        query=tuple(pairs),
        version=version,
        headers=tuple(fields),
        trailers=tuple(trailers),
        body=body,
    )


PIPELINE_LENGTH = st.integers(1, 4)


@st.composite
def pipeline(draw: st.DrawFn) -> tuple[bytes, list[Generated]]:
    count = draw(PIPELINE_LENGTH)
    requests = [draw(valid_request(last=i == count - 1)) for i in range(count)]
    stream = b""
    for request in requests:
        if draw(ONE_IN_TEN) == 0:
            stream += b"\r\n"  # an empty line before a request is ignored (RFC 9112 §2.2)
        stream += request.wire
    return stream, requests


def check_round_trip(events: list[Event], requests: list[Generated]) -> None:
    got = [e for e in events if not isinstance(e, SendContinue)]
    assert all(isinstance(e, RequestReceived) for e in got[: len(requests)]), got
    records = [e.record for e in got if isinstance(e, RequestReceived)]
    assert len(records) == len(requests), (records, requests)
    for record, want in zip(records, requests, strict=True):
        assert record.error is None
        assert record.method == want.method
        assert record.target == want.target
        assert record.path == want.path
        assert record.query == want.query
        assert record.http_version == want.version
        assert record.headers == want.headers
        assert record.trailers == want.trailers
        assert record.body == want.body
        assert record.body_size == len(want.body)
        assert record.raw == want.wire
    assert [e.record.id for e in events if isinstance(e, RequestReceived)] == list(
        range(1, len(requests) + 1)
    )


@PROPERTY
@given(generated=pipeline())
def test_valid_requests_round_trip(generated: tuple[bytes, list[Generated]]) -> None:
    stream, requests = generated
    events = feed([stream], eof=True)
    check_round_trip(events, requests)
    # keep-alive: HTTP/1.1 stays open after the last one; HTTP/1.0 closes
    tail = events[len(requests) :]
    if requests[-1].version == "1.1":
        assert [type(e) for e in tail] == [ConnectionClosed]
    else:
        assert tail == []


@PROPERTY
@given(generated=pipeline(), cuts=st.lists(st.integers(0, 100_000), max_size=12))
def test_any_split_of_a_valid_stream_gives_identical_records(
    generated: tuple[bytes, list[Generated]], cuts: list[int]
) -> None:
    stream, requests = generated
    whole = feed([stream])
    check_round_trip(whole, requests)
    bytewise = feed([stream[i : i + 1] for i in range(len(stream))])
    assert bytewise == whole
    pieces = feed(split_at(stream, cuts))
    assert pieces == whole


@pytest.mark.parametrize("value", [b"chunked\t", b"chunked \t", b"Chunked\t"])
def test_transfer_encoding_with_trailing_htab(value: bytes) -> None:
    stream = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + value + b"\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    (event, _closed) = feed([stream])
    assert isinstance(event, RequestReceived), event
    assert event.record.body == b"abc"
    assert event.record.headers[1] == ("Transfer-Encoding", value.decode().rstrip(" \t"))


def without_raw(record: CaptureRecord) -> CaptureRecord:
    notes = tuple(n for n in record.notes if n != "raw bytes truncated")
    return dataclasses.replace(record, raw_head=b"", raw_body=None, notes=notes)


@PROPERTY
@given(data=any_bytes, cuts=st.lists(st.integers(0, 10_000), max_size=10), small=st.booleans())
def test_any_split_gives_identical_rejection_records(data: bytes, cuts: list[int], small: bool) -> None:
    limits = SMALL if small else None
    kinds = RequestReceived | RequestRejected
    whole = [e for e in feed([data], limits) if isinstance(e, kinds)]
    split = [e for e in feed(split_at(data, cuts), limits) if isinstance(e, kinds)]
    assert [without_raw(e.record) for e in split] == [without_raw(e.record) for e in whole]
    for a, b in zip(whole, split, strict=True):
        # a rejection keeps the bytes received until it was detected: with
        # pieces it may hold fewer of them
        assert a.record.raw == b.record.raw or a.record.raw.startswith(b.record.raw)


@PROPERTY
@given(generated=pipeline(), most=st.integers(1, 3), cuts=st.lists(st.integers(0, 100_000), max_size=6))
def test_parsing_a_few_requests_at_a_time_gives_the_same_events(
    generated: tuple[bytes, list[Generated]], most: int, cuts: list[int]
) -> None:
    stream, _ = generated
    parser = make_parser()
    events: list[Event] = []
    for piece in split_at(stream, cuts):
        events += parser.receive_data(piece, 0.0, most)
        while parser.paused:
            resumed = parser.resume(0.0, most)
            assert sum(isinstance(e, RequestReceived) for e in resumed) <= most
            events += resumed
    events += parser.receive_data(b"", 0.0)
    assert events == feed([stream])
