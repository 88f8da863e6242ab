"""Replay's client without Qt: the exact bytes it sends and how it splits a URL.

The exchanges themselves (refused ports, address lists, TLS, odd servers,
deadlines, cancel) are in tests/test_replay_exchange.py.
"""

from __future__ import annotations

import pytest

from inspector.replay import ReplayError, ReplayRequest, build_request, split_url


def sent(method: str, url: str = "http://h/", *headers: tuple[str, str], body: bytes = b"") -> bytes:
    return build_request(ReplayRequest(method=method, url=url, headers=headers, body=body))


def refusal(method: str, url: str = "http://h/", *headers: tuple[str, str]) -> str:
    with pytest.raises(ReplayError) as info:
        sent(method, url, *headers)
    return str(info.value)


def test_a_bare_get_is_the_request_line_and_host() -> None:
    assert sent("GET") == b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
    assert sent("GET", "http://h") == b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
    assert sent("GET", "http://h?q=1") == b"GET /?q=1 HTTP/1.1\r\nHost: h\r\n\r\n"
    assert sent("GET", "https://h:8443/a") == b"GET /a HTTP/1.1\r\nHost: h:8443\r\n\r\n"
    assert sent("GET", "http://[::1]:80/") == b"GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n"


def test_an_empty_method_is_get() -> None:
    assert sent("  ") == b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
    assert sent("") == b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"


def test_a_given_host_header_is_kept_as_the_only_host() -> None:
    assert sent("GET", "http://h:81/", ("hOST", "other")) == b"GET / HTTP/1.1\r\nhOST: other\r\n\r\n"


def test_methods_that_carry_a_body_say_its_length_even_when_empty() -> None:
    for method in ("POST", "PUT", "PATCH", "post", "Put", "patch"):
        assert sent(method) == method.encode() + b" / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", (
            method
        )
    for method in ("GET", "DELETE", "HEAD", "OPTIONS", "POSTX"):
        assert sent(method) == method.encode() + b" / HTTP/1.1\r\nHost: h\r\n\r\n", method
    assert sent("GET", body=b"abc") == b"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"


def test_framing_headers_are_replaced_by_the_real_length() -> None:
    # Transfer-Encoding first and no Content-Length: dropped, the length appended at the end
    assert sent("POST", "http://h/", ("Transfer-Encoding", "chunked"), ("X-A", "1"), body=b"hello") == (
        b"POST / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nContent-Length: 5\r\n\r\nhello"
    )
    # the first Content-Length in its place and case, corrected; later ones dropped
    assert (
        sent(
            "PUT",
            "http://h/",
            ("X-A", "1"),
            ("CONTENT-LENGTH", "99"),
            ("Content-Length", "7"),
            ("X-B", "2"),
            body=b"xy",
        )
        == b"PUT / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nCONTENT-LENGTH: 2\r\nX-B: 2\r\n\r\nxy"
    )


def test_text_that_is_not_latin_1_goes_out_as_utf_8_with_escaped_bytes_back() -> None:
    # "café" alone fits Latin-1; with "€" and an escaped raw byte it is UTF-8, the byte restored
    assert sent("GET", "http://h/", ("X-Caf\u00e9", "caf\u00e9"), ("X-Name", "caf\u00e9 \u20ac\udcff")) == (
        b"GET / HTTP/1.1\r\nHost: h\r\nX-Caf\xe9: caf\xe9\r\nX-Name: caf\xc3\xa9 \xe2\x82\xac\xff\r\n\r\n"
    )
    # a request line that does not fit Latin-1 has the character replaced
    assert sent("GET", "http://h/\u20ac?\u0100") == b"GET /??? HTTP/1.1\r\nHost: h\r\n\r\n"


def test_methods_and_targets_with_any_other_characters_are_sent_as_given() -> None:
    assert sent("XGET", "http://h/X?X=X") == b"XGET /X?X=X HTTP/1.1\r\nHost: h\r\n\r\n"
    assert sent("M-SEARCH", "http://h/%20a") == b"M-SEARCH /%20a HTTP/1.1\r\nHost: h\r\n\r\n"


def test_spaces_and_line_breaks_in_the_request_line_are_refused() -> None:
    message = "the method and URL must not contain spaces or line breaks"
    for method in ("G T", "G\tT", "G\rT", "G\nT"):
        assert refusal(method) == message, repr(method)
    assert refusal("GET", "http://h/a b") == message
    assert refusal("GET", "http://h/?q= 1") == message


def test_header_lines_with_line_breaks_or_no_name_are_refused() -> None:
    assert (
        refusal("GET", "http://h/", ("X-A\r\nX-Evil", "1"))
        == "header 'X-A\\r\\nX-Evil' is not a valid header line"
    )
    assert refusal("GET", "http://h/", ("X-A", "1\nX-Evil: 2")) == "header 'X-A' is not a valid header line"
    assert refusal("GET", "http://h/", ("  ", "1")) == "header '  ' is not a valid header line"
    assert refusal("GET", "http://h/", ("", "1")) == "header '' is not a valid header line"
    long_name = "X-" + "n" * 70 + "\n"
    assert (
        refusal("GET", "http://h/", (long_name, "1"))
        == f"header {long_name[:60]!r} is not a valid header line"
    )


def test_split_url() -> None:
    assert split_url("http://h") == ("h", 80, "/")
    assert split_url("  HTTPS://Example.COM  ") == ("example.com", 443, "/")
    assert split_url("http://h:8080/a/b?c=d&e") == ("h", 8080, "/a/b?c=d&e")
    assert split_url("http://h?q") == ("h", 80, "/?q")
    assert split_url("https://[::1]:8443/x") == ("::1", 8443, "/x")


def test_split_url_refusals_are_one_line() -> None:
    def refused(url: str) -> str:
        with pytest.raises(ReplayError) as info:
            split_url(url)
        return str(info.value)

    assert refused("ftp://h/") == "not an http:// or https:// URL: 'ftp://h/'"
    assert refused("  h/x ") == "not an http:// or https:// URL: 'h/x'"
    long_url = "ftp://h/" + "a" * 300
    assert refused(long_url) == f"not an http:// or https:// URL: {long_url[:200]!r}"
    assert refused("http:///x") == "the URL has no host"
    assert refused("https://:443/") == "the URL has no host"
    assert refused("http://h:99999/") == "the URL has an invalid port"
    assert refused("http://h:port/") == "the URL has an invalid port"
