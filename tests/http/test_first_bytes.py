"""What cannot become a request line is refused as soon as its bytes arrive
(inspector/http/head.py, ``_check_start``), with a line that says why."""

from __future__ import annotations

import pytest

from inspector.http.record import CaptureRecord
from tests.http.feeding import bytewise, records


def refused(data: bytes, *, split: bool) -> CaptureRecord:
    found = records(bytewise(data) if split else [data])
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("split", [False, True], ids=["at once", "byte by byte"])
def test_a_tls_handshake_says_to_use_http(split: bool) -> None:
    record = refused(b"\x16\x03\x01\x00\x10" + bytes(16), split=split)

    assert record.error == "400 TLS handshake received on a plain-HTTP listener (use http://, not https://)"


@pytest.mark.parametrize("split", [False, True], ids=["at once", "byte by byte"])
@pytest.mark.parametrize(
    "line", [b"GE\x01T / HTTP/1.1\r\n", b"G\rET / HTTP/1.1\r\n", b"GET\x7f / HTTP/1.1\r\n"]
)
def test_a_bad_byte_inside_the_method_is_refused(line: bytes, split: bool) -> None:
    """A CR may end the method only as the last byte so far (a bare CR line); inside it, or
    any other byte that is no tchar, it is no HTTP request."""
    record = refused(line + b"Host: h\r\n\r\n", split=split)

    assert record.error == "400 not an HTTP request: invalid method token"
