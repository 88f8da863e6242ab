"""bench/adversarial.py, section "http": the parser and every scanner it runs on request bytes.

Heads are measured whole and fed one byte per call: a search that starts over
at every call is quadratic in the second form only. The parser runs with limits
far above ``--size`` so the whole input is processed, not cut at 64 KiB.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from adversarial import Case

from inspector.http.limits import Limits
from inspector.http.parser import RequestParser, RequestReceived, RequestRejected
from inspector.http.query import decode_query, split_target
from inspector.http.record import CaptureRecord
from inspector.http.syntax import (
    is_authority,
    is_host_value,
    parse_chunk_line,
    split_request_line,
    tabs_to_spaces,
)

HUGE = 64 * 1024 * 1024
LIMITS = Limits(
    max_request_line=HUGE, max_head=HUGE, max_header_fields=10**7, max_body=HUGE, max_chunk_line=HUGE,
    memory_budget=4 * HUGE,
)  # fmt: skip


def parse(pieces: list[bytes]) -> list[Any]:
    ids = itertools.count(1)
    parser = RequestParser(client="c:1", server="s:2", next_id=ids.__next__, limits=LIMITS)
    events: list[Any] = []
    for piece in pieces:
        events += parser.receive_data(piece, 0.0)
    return events


def whole(data: bytes) -> list[Any]:
    return parse([data])


def bytewise(data: bytes) -> list[Any]:
    return parse([data[i : i + 1] for i in range(len(data))])


def answered(data: bytes, events: list[Any]) -> None:
    assert events and isinstance(events[-1], RequestReceived | RequestRejected), events


def head(field: bytes) -> bytes:
    return b"GET / HTTP/1.1\r\nHost: h\r\n" + field + b"\r\n"


def fill(unit: bytes, size: int) -> bytes:
    return unit * max(1, size // len(unit))


HEADS: dict[str, Callable[[int], bytes]] = {
    "mixed blanks in a value": lambda n: head(b"X: a" + fill(b" \t", n) + b"x\r\n"),
    "mixed blanks before CR": lambda n: head(b"X: a" + fill(b" \t", n) + b"\r\n"),
    "many short fields": lambda n: head(fill(b"X-A: b\r\n", n)),
    "commas in Connection": lambda n: head(b"Connection: " + fill(b", ", n) + b"close\r\n"),
    "target of odd bytes": lambda n: b"GET /" + fill(b"|{^`", n) + b" HTTP/1.1\r\nHost: h\r\n\r\n",
    "target of %&=": lambda n: b"GET /?" + fill(b"%&=+", n) + b" HTTP/1.1\r\nHost: h\r\n\r\n",
    "method of one token": lambda n: fill(b"G", n) + b" / HTTP/1.1\r\nHost: h\r\n\r\n",
    "host of colons": lambda n: head(b"X: 1\r\nHost2: [" + fill(b":", n) + b"]\r\n"),
}
CHUNKED = b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
BODIES: dict[str, Callable[[int], bytes]] = {
    "one-byte chunks": lambda n: CHUNKED + fill(b"1\r\na\r\n", n) + b"0\r\n\r\n",
    "extensions": lambda n: CHUNKED + b"1" + fill(b" ; a = b", n) + b"\r\na\r\n0\r\n\r\n",
    "quoted extension": lambda n: CHUNKED + b'1;a="' + fill(b'\\"', n) + b'"\r\na\r\n0\r\n\r\n',
    "trailer of mixed blanks": lambda n: CHUNKED + b"0\r\nT: a" + fill(b" \t", n) + b"x\r\n\r\n",
    "many trailers": lambda n: CHUNKED + b"0\r\n" + fill(b"T: v\r\n", n) + b"\r\n",
}


def _text(unit: str) -> Callable[[int], str]:
    return lambda n: unit * max(1, n // len(unit))


def _record_url(target: str) -> str:
    record = CaptureRecord(id=1, received_at=0.0, client="c", server="s", method="GET", target=target)
    return record.url


BLANKS = {
    "mixed": lambda n: fill(b" \t", n) + b"x",
    "before CR": lambda n: fill(b" \t", n) + b"\r",
    "runs": lambda n: fill(b" \t\r", n),
}
CHUNK_LINES = {
    "extensions": lambda n: b"5" + fill(b";a=b", n) + b" \r\n",
    "blanks": lambda n: b"5" + fill(b" ;a \t= \t", n),
    "quoted": lambda n: b'5;a="' + fill(b'\\"', n) + b"\r\n",
    "hex": lambda n: fill(b"f", n) + b"\r\n",
}
REQUEST_LINES = {
    "spaces": lambda n: b"GET " + fill(b" ", n) + b"\r\n",
    "slashes": lambda n: b"GET " + fill(b"/", n) + b" HTTP/1.1 \r\n",
}
HOSTS = {
    "colons": lambda n: b"[" + fill(b":", n) + b"]:1x",
    "reg-name": lambda n: fill(b"a.", n) + b":x",
}
QUERIES = {
    "ampersands": _text("&"),
    "percents": _text("%"),
    "bad escapes": _text("%zz"),
    "pluses": _text("+"),
    "pairs": _text("a=b&"),
    "escaped UTF-8": _text("%C3%A9"),
    "equals": _text("="),
}
TARGETS = {
    "slashes": lambda n: "http://" + "/" * n,
    "colons": lambda n: "http://" + ":" * n,
    "schemes": _text("://"),
    "queries": lambda n: "/" + "?" * n,
}

CASES = [
    Case("parse head, whole", whole, HEADS, answered),
    Case("parse head, 1-byte pieces", bytewise, HEADS, answered),
    Case("parse chunked body, whole", whole, BODIES, answered),
    Case("parse chunked body, 1-byte pieces", bytewise, BODIES, answered),
    Case("tabs_to_spaces", tabs_to_spaces, BLANKS),
    Case("parse_chunk_line", parse_chunk_line, CHUNK_LINES),
    Case("split_request_line", split_request_line, REQUEST_LINES),
    Case("Host and authority", lambda data: (is_host_value(data.decode("latin-1")), is_authority(data)), HOSTS),
    Case("decode_query", decode_query, QUERIES),
    Case("split_target and url", lambda target: (split_target("GET", target), _record_url(target)), TARGETS),
]
