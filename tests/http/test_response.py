"""Response serialisation: framing is ours, one buffer per answer, no header injection."""

from __future__ import annotations

import pytest

from inspector.http.response import (
    DEFAULT_RESPONSE,
    Response,
    body_allowed,
    error_response,
    field_value_problem,
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


@pytest.mark.parametrize(("given", "sent"), [(99, 500), (100, 100), (101, 101), (999, 999), (1000, 500)])
def test_the_status_range_is_100_to_999_inclusive(given: int, sent: int) -> None:
    wire, status, *_ = serialise(Response(status=given), method="GET", keep_alive=True)
    assert status == sent
    assert wire.startswith(f"HTTP/1.1 {sent} ".encode())


@pytest.mark.parametrize(
    ("status", "reason", "line"),
    [
        (404, "", b"HTTP/1.1 404 Not Found"),  # the standard phrase
        (404, "Gone Fishing", b"HTTP/1.1 404 Gone Fishing"),  # the rule's own
        (799, "", b"HTTP/1.1 799 Unknown"),  # a status with no standard phrase
    ],
)
def test_the_status_line_reason(status: int, reason: str, line: bytes) -> None:
    wire, _, sent, _ = serialise(Response(status=status, reason=reason), method="GET", keep_alive=True)
    assert split(wire)[0][0] == line
    assert sent == line.split(b" ", 2)[2].decode()


def test_headers_after_a_dropped_one_are_all_sent() -> None:
    headers = (("X-A", "1"), ("Bad Name", "x"), ("X-B", "2"), ("Connection", "upgrade"), ("X-C", "3"))
    wire, *_ = serialise(Response(status=200, headers=headers), method="GET", keep_alive=True)
    lines, _ = split(wire)
    assert [line for line in lines if line.startswith(b"X-")] == [b"X-A: 1", b"X-B: 2", b"X-C: 3"]
    assert not any(line.startswith((b"Bad", b"Connection")) for line in lines)


def test_head_announces_the_relayed_length_with_no_body() -> None:
    wire, *_ = serialise(Response(status=200, body=b"", length=1234), method="HEAD", keep_alive=True)
    lines, body = split(wire)
    assert b"Content-Length: 1234" in lines and body == b""


def test_error_response_is_one_plain_text_line() -> None:
    response = error_response(431, "too many\r\nfields")
    assert response.status == 431
    assert ("Content-Type", "text/plain; charset=utf-8") in response.headers
    assert response.body == b"too many  fields\n"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("text/plain; q=0.5\tok", None),  # a tab is allowed inside a value
        ("", None),
        ("a\x01b", "control character U+0001 at position 2 is not allowed in a header value"),
        ("\r\nSet-Cookie: x", "control character U+000D at position 1 is not allowed in a header value"),
        ("ok\x7f", "control character U+007F at position 3 is not allowed in a header value"),
    ],
)
def test_field_value_problem_names_the_first_control_character(value: str, problem: str | None) -> None:
    """A rule (or a paused answer) with such a header value is refused with this line."""
    assert field_value_problem(value) == problem


def test_header_values_go_out_as_utf8_and_relayed_ones_byte_for_byte() -> None:
    """A rule's header value is text, sent as UTF-8; a relayed upstream header holds its
    bytes as Latin-1 text (``raw_headers``) and goes out as those very bytes."""
    ours = Response(status=200, headers=(("X-Name", "café"),))
    relayed = Response(status=200, headers=(("X-Name", "caf\xc3\xa9 \xff €"),), raw_headers=True)

    wire, _, _, shown = serialise(ours, method="GET", keep_alive=True)
    assert b"X-Name: caf\xc3\xa9\r\n" in wire and ("X-Name", "café") in shown
    wire, _, _, shown = serialise(relayed, method="GET", keep_alive=True)
    assert (
        b"X-Name: caf\xc3\xa9 \xff ?\r\n" in wire and ("X-Name", "café \ufffd ?") in shown
    )  # not Latin-1: "?"


def test_the_same_answer_object_is_serialised_once() -> None:
    """The fast path for a rule's fixed answer; a fresh object (``serialise`` keys its cache
    by identity, so ``DEFAULT_RESPONSE`` may be cached already by another test)."""
    answer = Response(status=200, body=b"fixed")

    first = serialise(answer, method="GET", keep_alive=True)
    assert serialise(answer, method="GET", keep_alive=True) is first
    assert serialise(Response(status=200, body=b"fixed"), method="GET", keep_alive=True) == first
