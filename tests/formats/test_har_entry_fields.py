"""har_entry: the HAR 1.2 fields a HAR viewer or a browser's import reads, one by one.

Cookies, versions, sizes, MIME types, the redirect URL, the server address, and the
response of a request that got none (status 0, as a browser writes a failed request).
"""

from __future__ import annotations

import json
from typing import Any

from inspector.formats import har_entry
from tests.records import make_record, make_response


def _entry(**overrides: Any) -> dict[str, Any]:
    """The entry as a reader parses it from the saved file."""
    loaded: dict[str, Any] = json.loads(json.dumps(har_entry(make_record(**overrides))))
    return loaded


def test_request_cookies_are_every_name_value_pair_of_every_cookie_field() -> None:
    headers = (
        ("Host", "h"),
        ("Cookie", "sid=abc123; theme=dark"),
        ("X-Other", "a=1"),
        ("cookie", " b64=YQ==;flag; =orphan;  empty=; last=x y"),
    )
    assert _entry(headers=headers)["request"]["cookies"] == [
        {"name": "sid", "value": "abc123"},
        {"name": "theme", "value": "dark"},
        {"name": "b64", "value": "YQ=="},
        {"name": "empty", "value": ""},
        {"name": "last", "value": "x y"},
    ]
    assert _entry(headers=(("Host", "h"),))["request"]["cookies"] == []


def test_http_versions_of_request_and_response() -> None:
    one_one = _entry(http_version="1.1")
    assert (one_one["request"]["httpVersion"], one_one["response"]["httpVersion"]) == ("HTTP/1.1", "HTTP/1.1")
    one_oh = _entry(http_version="1.0")
    assert (one_oh["request"]["httpVersion"], one_oh["response"]["httpVersion"]) == ("HTTP/1.0", "HTTP/1.0")
    # a request line too broken to name a version: the answer went out as HTTP/1.1
    unknown = _entry(http_version="")
    assert (unknown["request"]["httpVersion"], unknown["response"]["httpVersion"]) == ("", "HTTP/1.1")


def test_request_headers_size_is_the_raw_head_or_unknown() -> None:
    head = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
    assert _entry(raw_head=head)["request"]["headersSize"] == len(head)
    assert _entry(raw_head=b"")["request"]["headersSize"] == -1


def test_mime_types_and_redirect_url_are_empty_strings_when_absent() -> None:
    plain = _entry(headers=(("Host", "h"),), body=b"x=1",
                   response=make_response(headers=(("X-A", "1"),), body=b"ok"))
    assert plain["request"]["postData"] == {"mimeType": "", "text": "x=1"}
    assert plain["response"]["content"] == {"size": 2, "mimeType": "", "text": "ok"}
    assert plain["response"]["redirectURL"] == ""

    moved = _entry(response=make_response(status=302, reason="Found", body=b"",
                                          headers=(("content-type", "text/html"),
                                                   ("location", "/next?a=1"))))
    assert moved["response"]["redirectURL"] == "/next?a=1"
    assert moved["response"]["content"]["mimeType"] == "text/html"


def test_response_sizes_and_custom_fields() -> None:
    resp = _entry(response=make_response(body=b"12345", duration_ms=7.5, bytes=99))["response"]
    assert (resp["headersSize"], resp["bodySize"]) == (-1, 5)
    assert (resp["_durationMs"], resp["_bytes"], resp["_rule"], resp["_error"]) == (7.5, 99, "greet", None)


def test_no_response_is_status_0_with_nothing_in_it() -> None:
    entry = _entry(response=None, error="connection closed mid-body")
    assert entry["response"] == {
        "status": 0,
        "statusText": "",
        "httpVersion": "",
        "cookies": [],
        "headers": [],
        "content": {"size": 0, "mimeType": ""},
        "redirectURL": "",
        "headersSize": -1,
        "bodySize": -1,
        "_noResponse": True,
    }
    assert entry["time"] == 0
    assert entry["timings"]["wait"] == 0


def test_server_ip_address_only_for_an_address() -> None:
    assert _entry(server="127.0.0.1:8090")["serverIPAddress"] == "127.0.0.1"
    assert _entry(server="[::1]:8090")["serverIPAddress"] == "::1"
    for name in ("example.test:80", "[X::1]:80", "X::1X:80", ""):
        assert "serverIPAddress" not in _entry(server=name), name
