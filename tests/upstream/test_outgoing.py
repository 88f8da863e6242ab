"""The request that goes upstream, built from records the real parser made (no network)."""

from __future__ import annotations

import pytest
from fakeupstream import capture

from inspector.upstream.outgoing import NotForwardable, build_request, end_to_end, upstream_target
from inspector.upstream.target import parse_target

API = parse_target("http://127.0.0.1:9000/base")


def head_lines(raw: bytes, url: str = "http://127.0.0.1:9000/base", **options: object) -> list[bytes]:
    target = parse_target({"url": url, **options})
    return build_request(capture(raw), target).head().split(b"\r\n")[:-2]


def test_fields_keep_order_case_and_duplicates_and_framing_is_recomputed() -> None:
    lines = head_lines(
        b"POST /api/x?a=1 HTTP/1.1\r\nhost: client.example:8090\r\nX-B: 1\r\nx-a: 2\r\n"
        b"X-B: 3\r\ncontent-length: 5\r\nACCEPT: */*\r\n\r\nhello"
    )
    assert lines == [
        b"POST /base/api/x?a=1 HTTP/1.1",
        b"host: 127.0.0.1:9000",
        b"X-B: 1",
        b"x-a: 2",
        b"X-B: 3",
        b"content-length: 5",
        b"ACCEPT: */*",
        b"X-Forwarded-For: 192.0.2.7",
        b"X-Forwarded-Proto: http",
        b"X-Forwarded-Host: client.example:8090",
    ]


def test_hop_by_hop_fields_and_those_connection_lists_are_removed() -> None:
    lines = head_lines(
        b"GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Secret\r\nKeep-Alive: timeout=5\r\n"
        b"TE: trailers\r\nTrailer: X-T\r\nUpgrade: websocket\r\nProxy-Authorization: Basic eA==\r\n"
        b"Proxy-Connection: keep-alive\r\nX-Secret: s\r\nX-Kept: k\r\n\r\n"
    )
    assert lines[1:3] == [b"Host: 127.0.0.1:9000", b"X-Kept: k"]
    assert not [line for line in lines if line.split(b":")[0].lower().startswith((b"proxy-", b"x-secret"))]


def test_keep_host_sends_the_clients_host() -> None:
    lines = head_lines(b"GET / HTTP/1.1\r\nX-A: 1\r\nHost: client.example\r\n\r\n", keep_host=True)
    assert lines[1:3] == [b"X-A: 1", b"Host: client.example"]
    assert b"X-Forwarded-Host: client.example" in lines


def test_http_1_0_without_host_gets_the_upstreams_first() -> None:
    lines = head_lines(b"GET /p HTTP/1.0\r\nX-A: 1\r\n\r\n", "https://api.example/")
    assert lines == [
        b"GET /p HTTP/1.1",
        b"Host: api.example",
        b"X-A: 1",
        b"X-Forwarded-For: 192.0.2.7",
        b"X-Forwarded-Proto: http",
    ]


def test_x_forwarded_for_is_appended_to_the_last_one_and_proto_host_are_kept() -> None:
    lines = head_lines(
        b"GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: https\r\n"
        b"x-forwarded-for: 10.0.0.2\r\nX-Forwarded-Host: original.example\r\n\r\n"
    )
    assert lines[2:] == [
        b"X-Forwarded-For: 10.0.0.1",
        b"X-Forwarded-Proto: https",
        b"x-forwarded-for: 10.0.0.2, 192.0.2.7",
        b"X-Forwarded-Host: original.example",
    ]


def test_ipv6_client_and_https_scheme() -> None:
    record = capture(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n", client="[::1]:4000", scheme="https")
    lines = build_request(record, API).head().split(b"\r\n")
    assert b"X-Forwarded-For: ::1" in lines
    assert b"X-Forwarded-Proto: https" in lines


def test_chunked_body_goes_out_dechunked_with_content_length_in_place() -> None:
    raw = (
        b"POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nX-After: 1\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
    )
    request = build_request(capture(raw), API)
    lines = request.head().split(b"\r\n")
    assert lines[2:4] == [b"Content-Length: 11", b"X-After: 1"]
    assert request.body == b"hello world"
    assert not [line for line in lines if line.lower().startswith((b"transfer-encoding", b"x-trailer"))]


def test_empty_chunked_body_says_content_length_0_and_no_body_adds_nothing() -> None:
    chunked = head_lines(b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    assert b"Content-Length: 0" in chunked
    plain = head_lines(b"DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n")
    assert not [line for line in plain if line.lower().startswith(b"content-length")]


def test_expect_100_continue_is_not_forwarded_but_other_expectations_are() -> None:
    raw = b"PUT /f HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi"
    assert not [line for line in head_lines(raw) if line.lower().startswith(b"expect")]
    other = b"PUT /f HTTP/1.1\r\nHost: h\r\nExpect: something-else\r\nContent-Length: 2\r\n\r\nhi"
    assert b"Expect: something-else" in head_lines(other)


def test_header_values_that_are_not_utf8_go_out_byte_for_byte() -> None:
    record = capture(b"GET / HTTP/1.1\r\nHost: h\r\nX-Latin: caf\xe9 \r\nX-Utf: \xc3\xa9\r\n\r\n")
    assert ("X-Latin", "caf\ufffd") in record.headers  # how the record shows it
    lines = build_request(record, API).head().split(b"\r\n")
    assert lines[2:4] == [b"X-Latin: caf\xe9", b"X-Utf: \xc3\xa9"]


@pytest.mark.parametrize(
    ("base", "target", "sent"),
    [
        ("http://u", "/a/b?x=1", "/a/b?x=1"),
        ("http://u/", "/a", "/a"),
        ("http://u/base", "/a", "/base/a"),
        ("http://u/base/", "/a", "/base/a"),
        ("http://u/base/", "/", "/base/"),
        ("http://u/base", "/a?", "/base/a?"),
        ("http://u/base?k=v", "/a?x=1&y", "/base/a?k=v&x=1&y"),
        ("http://u/base?k=v", "/a", "/base/a?k=v"),
        ("http://u/b%20ase", "/caf%C3%A9/%2F?q=%26%3D+x", "/b%20ase/caf%C3%A9/%2F?q=%26%3D+x"),
        ("http://u/ünï", "/a", "/%C3%BCn%C3%AF/a"),
        ("http://u/base", "//double//slash", "/base//double//slash"),
        ("http://u/base", "http://other.example/p?q=1", "/base/p?q=1"),
        ("http://u/base", "http://other.example", "/base/"),
    ],
)
def test_path_and_query_are_appended_to_the_base_path(base: str, target: str, sent: str) -> None:
    record = capture(f"GET {target} HTTP/1.1\r\nHost: h\r\n\r\n".encode())
    assert upstream_target(record, parse_target(base)) == sent


def test_options_asterisk_asks_the_base_path_or_the_server() -> None:
    record = capture(b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n")
    assert upstream_target(record, parse_target("http://u/base")) == "/base"
    assert upstream_target(record, parse_target("http://u")) == "*"


def test_connect_is_refused_with_501() -> None:
    record = capture(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
    with pytest.raises(NotForwardable) as refused:
        build_request(record, API)
    assert refused.value.status == 501


def test_response_fields_lose_hop_by_hop_ones() -> None:
    headers = (
        ("Content-Type", "text/plain"),
        ("Connection", "close, X-Hop"),
        ("X-Hop", "1"),
        ("Transfer-Encoding", "chunked"),
        ("Keep-Alive", "timeout=5"),
        ("Set-Cookie", "a=1"),
        ("set-cookie", "b=2"),
        ("Proxy-Authenticate", "Basic"),
    )
    assert end_to_end(headers) == (
        ("Content-Type", "text/plain"),
        ("Set-Cookie", "a=1"),
        ("set-cookie", "b=2"),
    )
