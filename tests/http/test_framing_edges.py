"""Body framing at its edges: the Transfer-Encoding and Content-Length values llhttp
lets through, which the parser then judges itself, and the rules of
:func:`inspector.http.framing.decide` for the values llhttp refuses before it is
asked (its contract holds on its own, whatever parser feeds it).
"""

from __future__ import annotations

import pytest

from inspector.http.events import ProtocolError
from inspector.http.framing import CHUNKED, Framing, decide
from inspector.http.parser import RequestReceived, RequestRejected
from tests.http.feeding import bytewise, feed

H = b"Host: example.com\r\n"


def post(fields: bytes, body: bytes = b"") -> bytes:
    return b"POST / HTTP/1.1\r\n" + H + fields + b"\r\n" + body


# Transfer-Encoding values that pass llhttp and are refused by the parser's own rules.
REFUSED: list[tuple[str, bytes, int, str]] = [
    ("te-empty-first", b"Transfer-Encoding: ,chunked\r\n", 400, "empty Transfer-Encoding"),
    ("te-blank-first", b"Transfer-Encoding: , chunked\r\n", 400, "empty Transfer-Encoding"),
    ("te-empty-before-gzip", b"Transfer-Encoding: , gzip, chunked\r\n", 400, "empty Transfer-Encoding"),
    ("te-gzip", b"Transfer-Encoding: gzip, chunked\r\n", 501, "transfer coding not implemented: gzip"),
    ("te-chunked-twice", b"Transfer-Encoding: chunked\t, chunked\r\n", 400, "chunked applied more than once"),
]


@pytest.mark.parametrize(
    ("fields", "status", "reason"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_transfer_codings_refused_with_their_reason(fields: bytes, status: int, reason: str) -> None:
    data = post(fields, b"0\r\n\r\n")
    for pieces in ([data], bytewise(data)):
        (event,) = feed(pieces, eof=False)
        assert isinstance(event, RequestRejected)
        assert (event.status, event.reason, event.record.error) == (status, reason, f"{status} {reason}")


@pytest.mark.parametrize("first", [True, False], ids=["cl-first", "te-first"])
def test_content_length_with_transfer_encoding_is_refused_in_either_order(first: bool) -> None:
    cl, te = b"Content-Length: 0\r\n", b"Transfer-Encoding: chunked\r\n"
    (event,) = feed([post(cl + te if first else te + cl, b"0\r\n\r\n")], eof=False)
    assert isinstance(event, RequestRejected) and event.status == 400
    # llhttp refuses the pair as it reads the second field, before the head is complete.
    second, present = (
        ("Transfer-Encoding", "Content-Length") if first else ("Content-Length", "Transfer-Encoding")
    )
    assert event.reason == f"malformed request: {second} can't be present with {present}"


@pytest.mark.parametrize("zeros", [b"0", b"00", b"000", b" 0 "])
def test_a_content_length_of_zero_in_any_spelling_is_an_empty_body(zeros: bytes) -> None:
    data = post(b"Content-Length: " + zeros + b"\r\n") + b"GET /next HTTP/1.1\r\n" + H + b"\r\n"
    for pieces in ([data], bytewise(data)):
        first, second = feed(pieces, eof=False)
        assert isinstance(first, RequestReceived) and isinstance(second, RequestReceived)
        assert (first.record.body, first.record.body_size) == (b"", 0)
        assert second.record.path == "/next"  # nothing of it was taken as a body


def test_a_content_length_with_leading_zeros_counts_its_digits() -> None:
    (event,) = feed([post(b"Content-Length: 0005\r\n", b"hello")], eof=False)
    assert isinstance(event, RequestReceived) and event.record.body == b"hello"


def test_connect_never_keeps_the_connection_for_more_requests() -> None:
    data = b"CONNECT example.com:443 HTTP/1.1\r\n" + H + b"\r\nGET / HTTP/1.1\r\n" + H + b"\r\n"
    (event,) = feed([data], eof=False)
    assert isinstance(event, RequestReceived)
    assert event.keep_alive is False and event.record.method == "CONNECT"


# -- decide() on its own --------------------------------------------------------------------


def framing(method: str = "POST", version: str = "1.1", max_body: int = 100, **fields: list[str]) -> Framing:
    special = {name.replace("_", "-"): values for name, values in fields.items()}
    special.setdefault("host", ["example.com"])
    return decide(method, version, special, max_body)


DECIDE_REFUSALS: list[tuple[str, dict[str, list[str]], int, str]] = [
    ("two-te-fields", {"transfer_encoding": ["chunked", "chunked"]}, 400, "chunked applied more than once"),
    ("te-empty", {"transfer_encoding": [""]}, 400, "empty Transfer-Encoding"),
    ("te-empty-after", {"transfer_encoding": ["chunked, "]}, 400, "empty Transfer-Encoding"),
    ("te-identity", {"transfer_encoding": ["identity"]}, 501, "transfer coding not implemented: identity"),
    (
        "te-and-cl",
        {"transfer_encoding": ["chunked"], "content_length": ["3"]},
        400,
        "both Content-Length and Transfer-Encoding",
    ),
    ("cl-twice-same", {"content_length": ["3", "3"]}, 400, "invalid Content-Length"),
    ("cl-sign", {"content_length": ["+3"]}, 400, "invalid Content-Length"),
    ("cl-empty", {"content_length": [""]}, 400, "invalid Content-Length"),
    ("cl-arabic-digit", {"content_length": ["\u0663"]}, 400, "invalid Content-Length"),
    ("cl-superscript", {"content_length": ["\u00b2"]}, 400, "invalid Content-Length"),
    ("cl-over", {"content_length": ["101"]}, 413, "body of 101 bytes exceeds the 100-byte limit"),
    ("cl-long", {"content_length": ["0001000"]}, 413, "body of 1000 bytes exceeds the 100-byte limit"),
    (
        "cl-20-digits",
        {"content_length": ["9" * 20]},
        413,
        f"body of {'9' * 20} bytes exceeds the 100-byte limit",
    ),
    (
        "cl-21-digits",
        {"content_length": ["9" * 21]},
        413,
        f"body of {'9' * 20}... (21 digits) bytes exceeds the 100-byte limit",
    ),
    ("two-hosts", {"host": ["a", "b"]}, 400, "more than one Host header"),
    ("no-host", {"host": []}, 400, "HTTP/1.1 request without a Host header"),
    ("bad-host", {"host": ["a b"]}, 400, "invalid Host header"),
]


@pytest.mark.parametrize(
    ("fields", "status", "reason"), [c[1:] for c in DECIDE_REFUSALS], ids=[c[0] for c in DECIDE_REFUSALS]
)
def test_decide_refuses_with_status_and_reason(
    fields: dict[str, list[str]], status: int, reason: str
) -> None:
    with pytest.raises(ProtocolError) as caught:
        framing(**fields)
    assert (caught.value.status, caught.value.reason) == (status, reason)


def test_decide_refuses_transfer_encoding_on_http_1_0() -> None:
    with pytest.raises(ProtocolError) as caught:
        framing(version="1.0", transfer_encoding=["chunked"])
    assert (caught.value.status, caught.value.reason) == (400, "Transfer-Encoding in an HTTP/1.0 request")


@pytest.mark.parametrize(
    ("fields", "length"),
    [
        ({}, 0),
        ({"content_length": ["0"]}, 0),
        ({"content_length": ["000"]}, 0),
        ({"content_length": [" 7 "]}, 7),
        ({"content_length": ["100"]}, 100),
        ({"content_length": ["0100"]}, 100),
        ({"transfer_encoding": ["chunked"]}, CHUNKED),
        ({"transfer_encoding": ["Chunked "]}, CHUNKED),
    ],
)
def test_decide_body_length(fields: dict[str, list[str]], length: int) -> None:
    assert framing(**fields) == Framing(length, True, False)


@pytest.mark.parametrize(
    ("method", "version", "fields", "expected"),
    [
        ("CONNECT", "1.1", {"content_length": ["5"]}, Framing(0, False, False)),
        ("GET", "1.0", {}, Framing(0, False, False)),
        ("GET", "1.0", {"connection": ["Keep-Alive"]}, Framing(0, True, False)),
        ("GET", "1.1", {"connection": ["foo, Close"]}, Framing(0, False, False)),
        ("POST", "1.1", {"expect": [" 100-Continue "]}, Framing(0, True, True)),
        ("POST", "1.0", {"expect": ["100-continue"]}, Framing(0, False, False)),
    ],
)
def test_decide_keep_alive_and_continue(
    method: str, version: str, fields: dict[str, list[str]], expected: Framing
) -> None:
    assert framing(method, version, **fields) == expected


def test_decide_without_a_host_on_http_1_0() -> None:
    assert decide("GET", "1.0", {}, 100) == Framing(0, False, False)
    assert decide("GET", "1.0", {"connection": ["keep-alive"]}, 100) == Framing(0, True, False)
