"""The exact status and one-line reason of each rejection, fed whole and byte by byte.

The reason is what the user reads in the table's error column and in the answer's
body, so a changed word is a visible change.
"""

from __future__ import annotations

import pytest

from inspector.http.parser import RequestReceived, RequestRejected
from tests.http.feeding import bytewise, feed

H = b"Host: example.com\r\n"
CHUNKED = b"POST / HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
MALFORMED_LINE = "malformed request line (expected METHOD SP target SP HTTP/1.x)"

CASES: list[tuple[str, bytes, int, str]] = [
    ("two-hosts", b"GET / HTTP/1.1\r\n" + H + H + b"\r\n", 400, "more than one Host header"),
    (
        "connect-origin-form",
        b"CONNECT /x HTTP/1.1\r\n" + H + b"\r\n",
        400,
        "CONNECT needs an authority-form target (host:port)",
    ),
    (
        "relative-target",
        b"GET a/b HTTP/1.1\r\n" + H + b"\r\n",
        400,
        "request-target must start with / or be an absolute URI",
    ),
    (
        "userinfo",
        b"GET http://u@example.com/ HTTP/1.1\r\n" + H + b"\r\n",
        400,
        "userinfo (user@) is not allowed in a request-target",
    ),
    ("version-1.2", b"GET / HTTP/1.2\r\n" + H + b"\r\n", 505, "HTTP version HTTP/1.2 not supported"),
    ("version-3.0", b"GET / HTTP/3.0\r\n" + H + b"\r\n", 505, "HTTP version HTTP/3.0 not supported"),
    (
        "space-before-colon",
        b"GET / HTTP/1.1\r\n" + H + b"X-A : 1\r\n\r\n",
        400,
        "malformed request: Invalid header token",
    ),
    (
        "cl-and-te",
        b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        400,
        "malformed request: Transfer-Encoding can't be present with Content-Length",
    ),
    ("trailer-bad-name", CHUNKED + b"0\r\nBad Trailer\r\n\r\n", 400, "malformed trailer section"),
    ("trailer-bare-lf", CHUNKED + b"0\r\nX: 1\n\r\n", 400, "malformed trailer section"),
    ("trailer-bare-cr", CHUNKED + b"0\r\nX: 1\r\r\n\r\n", 400, "malformed trailer section"),
    ("trailer-lf-first", CHUNKED + b"0\r\n\n", 400, "malformed trailer section"),
    ("trailer-cr-then-byte", CHUNKED + b"0\r\n\rX", 400, "malformed trailer section"),
    ("chunk-data-overrun", CHUNKED + b"5\r\nhelloXX", 400, "chunk data not followed by CRLF"),
    (
        "asterisk-not-options",
        b"PUT * HTTP/1.1\r\n" + H + b"\r\n",
        400,
        "asterisk-form target is only for OPTIONS",
    ),
    ("request-line-bare-lf", b"GET / HTTP/1.1\n" + H + b"\r\n", 400, "request line not terminated by CRLF"),
    # Only a space separates the version: a tab before it, or bytes after it, leave no version.
    ("tab-before-version", b"GET /\tHTTP/1.2\r\n" + H + b"\r\n", 400, MALFORMED_LINE),
    ("version-with-suffix", b"GET / HTTP/1.2X\r\n" + H + b"\r\n", 400, MALFORMED_LINE),
    (
        "bad-target-bytes",
        b"GET /a#b\x01\x7f HTTP/1.1\r\n" + H + b"\r\n",
        400,
        "invalid characters in request-target: 0x01, #, 0x7f",
    ),
]


@pytest.mark.parametrize(("data", "status", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rejection_status_and_reason_are_exact(data: bytes, status: int, reason: str) -> None:
    for pieces in ([data], bytewise(data)):
        events = feed(pieces, eof=False)
        assert len(events) == 1
        (event,) = events
        assert isinstance(event, RequestRejected)
        assert (event.status, event.reason) == (status, reason)
        assert event.record.error == f"{status} {reason}"


@pytest.mark.parametrize("version", [b"HTTP/1.0", b"HTTP/1.1"])
def test_supported_versions_are_accepted(version: bytes) -> None:
    data = b"GET / " + version + b"\r\n" + H + b"\r\n"
    for pieces in ([data], bytewise(data)):
        (event,) = feed(pieces, eof=False)
        assert isinstance(event, RequestReceived)
        assert event.record.http_version == version[5:].decode()
