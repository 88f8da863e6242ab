"""A capture-record factory with every field set, shared by the store and format tests."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from inspector.http.record import CaptureRecord, SentResponse

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"

_ids = itertools.count(1)


def make_response(**overrides: Any) -> SentResponse:
    fields: dict[str, Any] = {
        "status": 201,
        "reason": "Created",
        "headers": (("Content-Type", "text/plain; charset=utf-8"), ("X-Dup", "a"), ("X-Dup", "b")),
        "body": b"hello world",
        "rule": "greet",
        "bytes": 123,
        "duration_ms": 1.234567,
        "error": None,
    }
    fields.update(overrides)
    return SentResponse(**fields)


def make_record(**overrides: Any) -> CaptureRecord:
    """A realistic POST with every field set to a non-default value; override any field."""
    fields: dict[str, Any] = {
        "id": next(_ids),
        "received_at": 1_700_000_000.123456789,
        "client": "127.0.0.1:54321",
        "server": "127.0.0.1:8090",
        "method": "POST",
        "target": "/submit/form?name=jack&age=18&age=&x=%E2%82%AC",
        "path": "/submit/form",
        "query": (("name", "jack"), ("age", "18"), ("age", ""), ("x", "€")),
        "http_version": "1.1",
        "headers": (
            ("Host", "localhost:8090"),
            ("content-type", "application/octet-stream"),
            ("X-Dup", "1"),
            ("x-dup", "2"),
            ("Transfer-Encoding", "chunked"),
            ("X-Odd", "tab\there \x01 'quote' \"dq\" $HOME `id` \\"),
        ),
        "trailers": (("X-Checksum", "abc"),),
        "body": b"\x00\xff\xfebinary\r\n\x80",
        "body_size": 12,
        "body_truncated": True,
        "error": None,
        "notes": ("bare LF line ending", "body on GET"),
        "raw_head": b"POST /submit/form?name=jack HTTP/1.1\r\nHost: localhost:8090\r\n\r\n",
        "raw_body": b"c\r\n\x00\xff\xfebinary\r\n\x80\r\n0\r\nX-Checksum: abc\r\n\r\n",
        "response": make_response(),
    }
    fields.update(overrides)
    return CaptureRecord(**fields)


def record_variants() -> list[CaptureRecord]:
    """Records covering each field's edge cases (ids 1..n)."""
    return [
        make_record(id=1),
        make_record(id=2, response=None, error="malformed request line", method="", body=b""),
        make_record(id=3, body=b"", body_size=0, raw_body=None, trailers=(), notes=(),
                    body_truncated=False, query=(), target="/", path="/"),
        make_record(id=4, body="{\"ok\": \"é\"}".encode(), raw_body=None,
                    headers=(("Host", "h"), ("Content-Type", "application/json")),
                    response=make_response(body=b"\x89PNG\r\n\x1a\n\x00", rule=None, error="boom",
                                           headers=(), reason="")),
        make_record(id=5, http_version="1.0", client="[::1]:40000", server="[::1]:8090",
                    target="/caf\xe9 x?q=\udcff", path="/caf\xe9 x",
                    headers=(("Host", "h"), ("X-Sur", "bad \udcff\x00 nul")),
                    error="bad \udcfe", notes=("\udcff",)),
        make_record(id=6, raw_body=b"", body=b"", body_size=0),
        make_record(id=7, response=make_response(status=500, duration_ms=0.0, bytes=0, body=b"")),
    ]
