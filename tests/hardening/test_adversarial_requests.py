"""One bad request never slows another: the shapes that made the parser backtrack.

Before the linear scanners, a header value of mixed spaces and tabs not
followed by CR stalled the loop thread (and so every client) for 4 s at 2 KB,
245 s at 8 KB; trailers too. Each shape here is sent whole while a
well-behaved client keeps doing round trips; both must be answered within the
hang guard. The good client's round trips are printed (``-s``), not asserted.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Latency, ServerFactory, get

MIXED_8K = b" \t" * 4096
MIXED_60K = b" \t" * 30_000
CHUNKED_HEAD = b"POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
CHUNKED = CHUNKED_HEAD + b"1\r\na\r\n0\r\n"

SHAPES = [
    ("header-mixed-blanks-8k", b"GET /h HTTP/1.1\r\nHost: t\r\nX-A: a" + MIXED_8K + b"x\r\n\r\n", 200),
    ("header-mixed-blanks-60k", b"GET /h HTTP/1.1\r\nHost: t\r\nX-A: a" + MIXED_60K + b"x\r\n\r\n", 200),
    ("header-mixed-blanks-before-cr", b"GET /h HTTP/1.1\r\nHost: t\r\nX-A: a" + MIXED_60K + b"\r\n\r\n", 200),
    ("trailer-mixed-blanks-60k", CHUNKED + b"X-T: a" + MIXED_60K + b"x\r\n\r\n", 200),
    ("chunk-extension-blanks", CHUNKED_HEAD + b"1" + b" ;a \t= \t" * 500 + b"\r\na\r\n0\r\n\r\n", 400),
    ("chunk-extensions-at-limit", CHUNKED_HEAD + b"1" + b";a=b" * 1023 + b"\r\na\r\n0\r\n\r\n", 200),
    ("request-line-of-spaces", b"GET " + b" " * 8000 + b"/ HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    ("target-of-odd-bytes", b"GET /" + b"|^`{" * 2000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", 200),
    ("host-of-colons", b"GET / HTTP/1.1\r\nHost: [" + b":" * 60_000 + b"]:1x\r\n\r\n", 400),
]


@pytest.mark.parametrize(("data", "status"), [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_a_backtracking_shape_does_not_stall_other_clients(
    start_server: ServerFactory, record_property: Any, data: bytes, status: int
) -> None:
    running = start_server()
    good = running.connect()
    latency = Latency()
    latency.round_trip(good, "/before")
    bad = running.connect()
    bad.send(data)
    for i in range(5):
        latency.round_trip(good, f"/during/{i}")
    assert bad.response().status == status
    latency.round_trip(good, "/after")
    record = running.sink.wait_for(lambda r: not r.path.startswith(("/before", "/during", "/after")))
    assert record.raw_head.startswith(data[:20])
    print(f"\n[hardening] good client around {len(data)} bytes: {latency.summary()}")
    record_property("good_client_latency", latency.summary())


def test_the_issue_figure_many_requests_of_the_worst_shape(start_server: ServerFactory) -> None:
    """Twenty 8 KB mixed-blank headers in a row, pipelined on one connection."""
    running = start_server()
    bad = running.connect()
    one = b"GET /h HTTP/1.1\r\nHost: t\r\nX-A: a" + MIXED_8K + b"x\r\n\r\n"
    bad.send(one * 20)
    assert [r.status for r in bad.responses(20)] == [200] * 20
    good = running.connect()
    good.send(get("/good"))
    assert good.response().status == 200
