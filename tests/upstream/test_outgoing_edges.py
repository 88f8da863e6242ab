"""The outgoing request at its edges: requests that are not forwarded, X-Forwarded-For without
Host or with an empty value, framing added to a record built elsewhere, and header values taken
byte for byte from raw heads that may or may not line up with the decoded fields."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from fakeupstream import WAIT, capture

from inspector.http.record import CaptureRecord
from inspector.upstream.outgoing import NotForwardable, build_request, raw_values
from inspector.upstream.target import parse_target

API = parse_target("http://127.0.0.1:9000/base")


def head_lines(raw: bytes, **options: object) -> list[bytes]:
    target = parse_target({"url": "http://127.0.0.1:9000/base", **options})
    return build_request(capture(raw), target).head().split(b"\r\n")[:-2]


def test_a_request_not_received_whole_is_not_forwarded() -> None:
    record = dataclasses.replace(capture(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"), error="the client went away")
    with pytest.raises(NotForwardable) as refused:
        build_request(record, API)
    assert (refused.value.status, refused.value.reason, str(refused.value)) == (
        502,
        "not forwarded: the request was not received whole (the client went away)",
        "not forwarded: the request was not received whole (the client went away)",
    )


def test_a_truncated_body_is_not_forwarded() -> None:
    raw = b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi"
    record = dataclasses.replace(capture(raw), body_truncated=True)
    with pytest.raises(NotForwardable) as refused:
        build_request(record, API)
    assert (refused.value.status, str(refused.value)) == (
        502,
        "not forwarded: the request body was truncated",
    )


def test_without_host_the_clients_x_forwarded_for_still_gets_the_address() -> None:
    lines = head_lines(b"GET /p HTTP/1.0\r\nX-A: 1\r\nX-Forwarded-For: 10.0.0.1\r\nX-B: 2\r\n\r\n")
    assert lines[1:5] == [
        b"Host: 127.0.0.1:9000",
        b"X-A: 1",
        b"X-Forwarded-For: 10.0.0.1, 192.0.2.7",
        b"X-B: 2",
    ]


def test_an_empty_x_forwarded_for_becomes_the_address_alone() -> None:
    lines = head_lines(b"GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For:\r\n\r\n")
    assert lines[2] == b"X-Forwarded-For: 192.0.2.7"


def test_a_body_without_framing_fields_gets_a_content_length() -> None:
    """A record built elsewhere with a body and no Content-Length: the length is added last."""
    record = dataclasses.replace(capture(b"POST / HTTP/1.1\r\nHost: h\r\n\r\n"), body=b"abc")
    request = build_request(record, API)
    assert request.head().split(b"\r\n")[-3] == b"Content-Length: 3"
    assert request.body == b"abc"


def test_connection_may_list_fields_without_spaces() -> None:
    lines = head_lines(
        b"GET / HTTP/1.1\r\nHost: h\r\nConnection: X-A,X-B\r\nX-A: 1\r\nX-B: 2\r\nX-C: 3\r\n\r\n"
    )
    assert lines[1:3] == [b"Host: 127.0.0.1:9000", b"X-C: 3"]


def test_a_client_address_without_port_is_sent_as_it_is() -> None:
    for client, sent in (("2001:db8::1", b"2001:db8::1"), ("192.0.2.9", b"192.0.2.9"), ("[::1]:80", b"::1")):
        lines = build_request(capture(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", client=client), API).head()
        assert b"\r\nX-Forwarded-For: " + sent + b"\r\n" in lines


LATIN = b"GET / HTTP/1.1\r\nHost: h\r\nX-Latin: caf\xe9\r\nX-Pad: \t v \t\r\n\r\n"


def within_bound(record: CaptureRecord) -> list[list[bytes]]:
    """``[raw_values(record)]``, or ``[]`` when it has not returned within the generous bound."""
    values: list[list[bytes]] = []
    reader = threading.Thread(target=lambda: values.append(raw_values(record)), daemon=True)
    reader.start()
    reader.join(WAIT)
    return values


def test_raw_values_skip_blank_lines_before_the_request_line() -> None:
    record = capture(LATIN)
    assert raw_values(record) == [b"h", b"caf\xe9", b"v"]
    for blank in (b"\r\n", b"\n", b"\r\n\r\n\r\n"):
        padded = dataclasses.replace(record, raw_head=blank + record.raw_head)
        assert within_bound(padded) == [[b"h", b"caf\xe9", b"v"]], blank


def test_raw_values_that_do_not_line_up_fall_back_to_the_decoded_text() -> None:
    record = capture(LATIN)
    utf8 = [b"h", b"caf\xef\xbf\xbd", b"v"]
    assert raw_values(dataclasses.replace(record, raw_head=b" \r\n" + record.raw_head)) == utf8
    more = dataclasses.replace(record, headers=(*record.headers, *(("X-New", "n"),) * 3))
    assert raw_values(more) == [*utf8, b"n", b"n", b"n"]
    renamed = dataclasses.replace(
        record, headers=(record.headers[0], ("X-Other", "caf\ufffd"), record.headers[2])
    )
    assert raw_values(renamed) == utf8


def test_header_pairs_show_bytes_that_are_not_utf8_replaced() -> None:
    request = build_request(capture(LATIN), API)
    assert request.header_pairs()[1:3] == (("X-Latin", "caf\ufffd"), ("X-Pad", "v"))


def test_raw_values_of_a_record_without_raw_head_are_the_decoded_text() -> None:
    record = dataclasses.replace(capture(LATIN), raw_head=b"")
    assert raw_values(record) == [b"h", b"caf\xef\xbf\xbd", b"v"]
    shifted = dataclasses.replace(capture(LATIN), raw_head=b"X\r\n" + capture(LATIN).raw_head)
    assert raw_values(shifted) == [b"h", b"caf\xef\xbf\xbd", b"v"]


def test_raw_values_keep_bytes_other_than_spaces_and_tabs_around_a_value() -> None:
    """A record built elsewhere may hold a form feed at a value's end: it is the value's, kept."""
    record = dataclasses.replace(
        capture(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"),
        raw_head=b"GET / HTTP/1.1\r\nHost: \x0bh\x0c \r\n\r\n",
        headers=(("Host", "\x0bh\x0c"),),
    )
    assert raw_values(record) == [b"\x0bh\x0c"]
