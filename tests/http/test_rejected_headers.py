"""A rejected request keeps the header fields that were valid before the bad one,
so the detail pane can show what the client did send right."""

from __future__ import annotations

import itertools

import pytest

from inspector.http.parser import RequestParser, RequestRejected

RAW = b"GET /search?q=x HTTP/1.1\r\nHost: example.com\r\nX-Ok: 1\r\nBad Header: 2\r\n\r\n"


@pytest.mark.parametrize("piece", [len(RAW), 1, 7])
def test_fields_before_the_bad_line_are_kept(piece: int) -> None:
    ids = itertools.count(1)
    parser = RequestParser(client="127.0.0.1:1", server="127.0.0.1:2", next_id=ids.__next__)
    events = []
    for start in range(0, len(RAW), piece):
        events += parser.receive_data(RAW[start : start + piece], 0.0)
    (rejected,) = [e for e in events if isinstance(e, RequestRejected)]
    assert rejected.status == 400
    assert rejected.record.headers == (("Host", "example.com"), ("X-Ok", "1"))
    assert rejected.record.method == "GET" and rejected.record.query == (("q", "x"),)
    assert rejected.record.raw.startswith(b"GET /search?q=x HTTP/1.1\r\nHost: example.com\r\nX-Ok: 1\r\nBad")
