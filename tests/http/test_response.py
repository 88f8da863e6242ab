"""Response serialisation: framing is ours, one buffer per answer, no header injection."""

from __future__ import annotations

import pytest

from inspector.http.response import (
    DEFAULT_RESPONSE,
    Response,
    body_allowed,
    error_response,
    serialise,
)


def split(wire: bytes) -> tuple[list[bytes], bytes]:
    head, _, body = wire.partition(b"\r\n\r\n")
    return head.split(b"\r\n"), body


def test_default_response_is_hello_world() -> None:
    wire, status, reason, headers = serialise(DEFAULT_RESPONSE, method="GET", keep_alive=True)
    lines, body = split(wire)
    assert lines[0] == b"HTTP/1.1 200 OK"
    assert b"Content-Type: text/html; charset=utf-8" in lines
    assert b"Content-Length: 11" in lines
    assert not any(line.lower().startswith(b"connection:") for line in lines)
    assert body == b"hello world"
    assert (status, reason) == (200, "OK")
    assert ("Content-Length", "11") in headers


def test_connection_close_when_not_keep_alive() -> None:
    wire, *_ = serialise(DEFAULT_RESPONSE, method="GET", keep_alive=False)
    lines, _ = split(wire)
    assert b"Connection: close" in lines


def test_framing_headers_from_responder_are_replaced() -> None:
    response = Response(
        status=200,
        headers=(("Content-Length", "999"), ("Transfer-Encoding", "chunked"), ("Connection", "keep-alive")),
        body=b"abc",
    )
    wire, *_ = serialise(response, method="GET", keep_alive=False)
    lines, body = split(wire)
    assert [line for line in lines if line.lower().startswith(b"content-length")] == [b"Content-Length: 3"]
    assert not any(line.lower().startswith(b"transfer-encoding") for line in lines)
    assert [line for line in lines if line.lower().startswith(b"connection")] == [b"Connection: close"]
    assert body == b"abc"


def test_crlf_in_header_values_cannot_split_the_response() -> None:
    response = Response(status=200, headers=(("X-Echo", "a\r\nSet-Cookie: evil=1"), ("Bad Name", "x")))
    wire, *_ = serialise(response, method="GET", keep_alive=True)
    lines, _ = split(wire)
    assert b"X-Echo: a  Set-Cookie: evil=1" in lines
    assert not any(line.startswith(b"Set-Cookie") or line.startswith(b"Bad Name") for line in lines)


@pytest.mark.parametrize(
    ("status", "method", "has_body", "has_length"),
    [
        (200, "GET", True, True),
        (200, "HEAD", False, True),
        (204, "GET", False, False),
        (304, "GET", False, False),
        (101, "GET", False, False),
    ],
)
def test_bodiless_answers(status: int, method: str, has_body: bool, has_length: bool) -> None:
    wire, *_ = serialise(Response(status=status, body=b"xyz"), method=method, keep_alive=True)
    lines, body = split(wire)
    assert (body == b"xyz") is has_body
    assert body_allowed(status, method) is has_body
    assert any(line.startswith(b"Content-Length") for line in lines) is has_length


def test_status_out_of_range_becomes_500() -> None:
    wire, status, *_ = serialise(Response(status=42), method="GET", keep_alive=True)
    assert status == 500
    assert wire.startswith(b"HTTP/1.1 500 ")


def test_error_response_is_one_plain_text_line() -> None:
    response = error_response(431, "too many\r\nfields")
    assert response.status == 431
    assert ("Content-Type", "text/plain; charset=utf-8") in response.headers
    assert response.body == b"too many  fields\n"
