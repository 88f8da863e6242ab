"""Forward values from the rules file: checked once, with one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.upstream.target import DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, TargetError, parse_target


def test_a_url_string_is_the_short_form() -> None:
    target = parse_target("http://127.0.0.1:9000/base/")
    assert (target.scheme, target.host, target.port, target.base_path) == ("http", "127.0.0.1", 9000, "/base")
    assert (target.timeout_ms, target.keep_host, target.verify_tls) == (DEFAULT_TIMEOUT_MS, False, True)
    assert target.origin == "http://127.0.0.1:9000"
    assert target.to_json() == "http://127.0.0.1:9000/base/"


def test_the_object_form_round_trips(tmp_path: Path) -> None:
    value = {"url": "https://[::1]/v1?k=v", "timeout_ms": 1500, "keep_host": True, "verify_tls": "ca.pem"}
    target = parse_target(value, base_dir=tmp_path)
    assert (target.host, target.port, target.base_query) == ("::1", 443, "k=v")
    assert target.authority == "[::1]"
    assert target.verify_tls == str(tmp_path / "ca.pem")
    assert parse_target(target.to_json()) == target


@pytest.mark.parametrize(
    ("url", "authority"),
    [
        ("http://h", "h"),
        ("http://h:80", "h"),
        ("https://h:443", "h"),
        ("https://h:80", "h:80"),
        ("http://[::1]:8", "[::1]:8"),
    ],
)
def test_the_host_header_leaves_out_the_default_port(url: str, authority: str) -> None:
    assert parse_target(url).authority == authority


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("ftp://h/", "http:// or https://"),
        ("127.0.0.1:9000", "http:// or https://"),
        ("http://user:pw@h/", "user:password"),
        ("http:///path", "no host"),
        ("http://h/#frag", "fragment"),
        ("http://h:0/", "invalid port"),
        ("http://h:99999/", "invalid port"),
        ("http://h:x/", "invalid port"),
        ("http://[zz]/", "IPv6"),
        ("http://h/a b", "spaces"),
        ({"url": "http://h", "timeout_ms": "10"}, "timeout_ms"),
        ({"url": "http://h", "timeout_ms": 0}, "above 0"),
        ({"url": "http://h", "timeout_ms": float("inf")}, "timeout_ms"),
        ({"url": "http://h", "keep_host": "yes"}, "keep_host"),
        ({"url": "http://h", "verify_tls": 1}, "verify_tls"),
        ({"timeout_ms": 5}, "url"),
        (42, "URL"),
    ],
)
def test_bad_values_say_why_in_one_line(value: object, message: str) -> None:
    with pytest.raises(TargetError, match=message) as error:
        parse_target(value)
    assert "\n" not in str(error.value)


def test_timeouts_are_clamped() -> None:
    assert parse_target({"url": "http://h", "timeout_ms": 10**12}).timeout_ms == MAX_TIMEOUT_MS
