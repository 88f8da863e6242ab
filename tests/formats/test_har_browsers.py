"""Browser HAR files keep the URL (issue 12, item 8): Chrome and Firefox exports
of HTTP/2 pages over https (``:authority`` and the other pseudo headers,
``httpVersion`` "h2", "http/2.0", "HTTP/2", "HTTP/2.0", IPv6 server addresses
bracketed or bare) import with the scheme, host and port the browser asked for."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest

from inspector.formats import import_har, to_har
from tests.records import DATA

HAR = DATA / "har"


def test_chrome_http2_keeps_scheme_host_and_port() -> None:
    page, post = import_har(HAR / "chrome-h2.har")
    assert page.url == "https://shop.example:8443/cart?step=2&coupon="
    assert page.scheme == "https" and page.http_version == "2"
    assert page.headers[0] == ("Host", "shop.example:8443")  # from :authority, first
    assert not any(name.startswith(":") for name, _ in page.headers)
    assert "imported from HTTP/2: Host taken from :authority" in page.notes
    assert page.server == "[2001:db8::7]:8443"  # Chrome brackets IPv6 itself
    assert page.target == "/cart?step=2&coupon=" and page.query == (("step", "2"), ("coupon", ""))
    assert page.header("cookie") == "sid=abc123; theme=dark"
    assert page.response is not None and page.response.body == b"<h1>Your cart</h1>\n"
    assert page.response.duration_ms == pytest.approx(31.7)

    assert post.method == "POST" and post.http_version == "2"  # "h2"
    assert post.url == "https://shop.example:8443/cart/items"
    assert post.body == b"sku=A-1&qty=2&gift=" and post.body_size == 19
    assert not any("rebuilt" in note for note in post.notes)  # text wins over params
    assert post.response is not None and post.response.status == 201


def test_firefox_http2_keeps_scheme_host_and_port() -> None:
    login, submit, script = import_har(HAR / "firefox-h2.har")
    assert login.url == "https://auth.example/login?next=%2Fhome"
    assert login.scheme == "https" and login.http_version == "2"  # "HTTP/2"
    assert login.headers[0] == ("Host", "auth.example") and not any("Host taken" in n for n in login.notes)
    assert login.server == "[2001:db8::42]:443"  # the scheme's port: the URL names none
    assert login.query == (("next", "/home"),)

    assert submit.http_version == "2"  # "HTTP/2.0"
    assert submit.url == "https://auth.example/login"
    assert submit.body == b"user=jack&pass=s3cret%26x" and submit.body_size == 25
    assert "body rebuilt from postData.params" in submit.notes
    assert submit.response is not None and submit.response.status == 303

    assert script.http_version == "2"  # "http/2.0"
    assert script.url == "https://cdn.auth.example:8443/app.js?v=3"
    assert script.server == "203.0.113.9:8443"


def chrome_entry() -> dict[str, Any]:
    har = json.loads((HAR / "chrome-h2.har").read_text(encoding="utf-8"))
    entry: dict[str, Any] = copy.deepcopy(har["log"]["entries"][0])
    return entry


def test_without_pseudo_headers_or_host_the_url_gives_the_host() -> None:
    # Chrome's "provisional headers" (a request served from cache or cancelled)
    entry = chrome_entry()
    entry["request"]["headers"] = [{"name": "user-agent", "value": "Chrome"}]
    (record,) = import_har({"log": {"entries": [entry]}})
    assert record.headers == (("Host", "shop.example:8443"), ("user-agent", "Chrome"))
    assert "imported without a Host header: Host taken from the URL" in record.notes
    assert record.url == "https://shop.example:8443/cart?step=2&coupon="


@pytest.mark.parametrize(
    ("url", "ip", "server", "scheme"),
    [
        ("http://api.example/x", "192.0.2.5", "192.0.2.5:80", "http"),
        ("https://api.example/x", "192.0.2.5", "192.0.2.5:443", "https"),
        ("HTTPS://api.example:9443/x", "::1", "[::1]:9443", "https"),
        ("https://api.example:99999/x", "192.0.2.5", "192.0.2.5", "https"),  # no port is a port
        ("https://api.example/x", "", "", "https"),  # Chrome's failed requests
    ],
)
def test_server_is_host_and_port(url: str, ip: str, server: str, scheme: str) -> None:
    entry = chrome_entry()
    entry["request"]["url"] = url
    entry["request"]["headers"] = []
    entry["serverIPAddress"] = ip
    (record,) = import_har({"log": {"entries": [entry]}})
    assert record.server == server and record.scheme == scheme


def test_the_url_survives_export_and_import_again() -> None:
    both = import_har(HAR / "chrome-h2.har") + import_har(HAR / "firefox-h2.har")
    records = [dataclasses.replace(r, id=n) for n, r in enumerate(both, 1)]
    exported = to_har(records)
    assert [e["request"]["url"] for e in exported["log"]["entries"]] == [r.url for r in records]
    again = import_har(json.loads(json.dumps(exported)))
    assert [r.url for r in again] == [r.url for r in records]
    assert [r.server for r in again] == [r.server for r in records]
