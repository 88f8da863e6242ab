"""Property test: whatever header section the parser accepts, the forwarded one keeps every
end-to-end field in order, case and bytes, and adds exactly one Host and the right length."""

from __future__ import annotations

import dataclasses

from fakeupstream import capture
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.upstream.outgoing import HOP_BY_HOP, build_request, raw_values
from inspector.upstream.target import parse_target

TOKEN = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.!#$%&'*+^`|~",
    min_size=1,
    max_size=12,
)
SPECIAL = st.sampled_from(
    [
        *("Connection", "keep-alive", "TE", "Trailer", "Upgrade", "Proxy-Foo", "Expect"),
        *("X-Forwarded-For", "X-Forwarded-Proto", "x-forwarded-host"),
    ]
)
VALUE = st.binary(max_size=20).map(
    lambda b: bytes(c for c in b if c in range(0x20, 0x7F) or c >= 0x80).strip(b" ")
)
FIELDS = st.lists(st.tuples(st.one_of(TOKEN, SPECIAL), VALUE), max_size=12)


def _dropped(name: str, value: bytes, listed: set[str]) -> bool:
    lower = name.lower()
    return (
        lower in HOP_BY_HOP
        or lower.startswith("proxy-")
        or lower in listed
        or lower in ("host", "content-length", "transfer-encoding", "x-forwarded-for")
        or (lower == "expect" and value.strip().lower() == b"100-continue")
    )


@settings(max_examples=200, deadline=None)
@given(fields=FIELDS, body=st.binary(max_size=30))
def test_end_to_end_fields_survive_byte_for_byte(fields: list[tuple[str, bytes]], body: bytes) -> None:
    fields = [(n, v) for n, v in fields if n.lower() != "host"]
    head = b"POST /p HTTP/1.1\r\nHost: h\r\n" + b"".join(n.encode() + b": " + v + b"\r\n" for n, v in fields)
    raw = head + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    record = capture(raw)
    listed = {
        token.strip().lower()
        for name, value in record.headers
        if name.lower() == "connection"
        for token in value.split(",")
    }
    request = build_request(record, parse_target("http://up:81/b"))
    expected = [(n.encode(), v) for n, v in fields if not _dropped(n, v, listed)]
    sent_names = {n.lower() for n, v in fields if not _dropped(n, v, listed)}
    if "x-forwarded-proto" not in sent_names:
        expected.append((b"X-Forwarded-Proto", b"http"))
    if "x-forwarded-host" not in sent_names:
        expected.append((b"X-Forwarded-Host", b"h"))
    changed = (b"host", b"content-length", b"x-forwarded-for")
    assert [pair for pair in request.headers if pair[0].lower() not in changed] == expected
    names = [name.lower() for name, _ in request.headers]
    assert names.count(b"host") == 1 and (b"Host", b"up:81") in request.headers
    assert (
        names.count(b"content-length") == 1
        and (b"Content-Length", str(len(body)).encode()) in request.headers
    )
    assert request.body == body


def test_a_record_whose_raw_head_does_not_match_falls_back_to_its_decoded_values() -> None:
    record = capture(b"GET / HTTP/1.1\r\nHost: h\r\nX-A: \xe9\r\n\r\n")
    assert raw_values(record) == [b"h", b"\xe9"]
    edited = dataclasses.replace(record, headers=(("Host", "h"), ("X-B", "caf\u00e9")))
    assert raw_values(edited) == [b"h", "caf\u00e9".encode()]
    shorter = dataclasses.replace(record, headers=(*record.headers, ("X-C", "c")))
    assert raw_values(shorter) == [b"h", "\ufffd".encode(), b"c"]
