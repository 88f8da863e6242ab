"""Every spelling of a ``forward`` value that parse_target accepts or refuses, each refusal
with its exact one-line message (the rules editor shows it as it is)."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.upstream.target import TargetError, UpstreamTarget, parse_target

LONG_PATH = "p" * 120
LONG_HOST = "a" * 250
LONG_FUTURE = "v1." + "x" * 80
H = "http://h"
CA_FILE = "forward verify_tls must be true, false or the path of a CA file"

REFUSED: list[tuple[Any, str]] = [
    (42, "forward must be a URL or an object with a url"),
    ({"url": 5}, "forward must be a URL or an object with a url"),
    ({"timeout_ms": 5}, "forward must be a URL or an object with a url"),
    ("http://h/a b", "the forward URL must not contain spaces or control characters"),
    ("http://h/a\tb", "the forward URL must not contain spaces or control characters"),
    ("http://h/a\x00b", "the forward URL must not contain spaces or control characters"),
    ("http://[::1", "the forward URL has an invalid IPv6 address: Invalid IPv6 URL"),
    (
        f"http://[{LONG_HOST}]/",
        (
            f"the forward URL has an invalid IPv6 address: {LONG_HOST!r}"
            " does not appear to be an IPv4 or IPv6 address"
        )[:200],
    ),
    ("ftp://h/", "forward URL must start with http:// or https://, not 'ftp://h/'"),
    (
        "ftp://h/" + LONG_PATH,
        "forward URL must start with http:// or https://, not " + repr(("ftp://h/" + LONG_PATH)[:100]),
    ),
    ("http://u@h/", "the forward URL must not hold user:password@; send credentials in a header"),
    ("http://u:pw@h/", "the forward URL must not hold user:password@; send credentials in a header"),
    ("http://h/#", "the forward URL must not have a #fragment"),
    ("http://h/#top", "the forward URL must not have a #fragment"),
    ("http:///path", "the forward URL has no host: 'http:///path'"),
    ("http://:80/" + LONG_PATH, "the forward URL has no host: " + repr(("http://:80/" + LONG_PATH)[:100])),
    ("http://[v1.x]/", "the forward URL has an invalid IPv6 address: 'v1.x'"),
    (f"http://[{LONG_FUTURE}]/", f"the forward URL has an invalid IPv6 address: {LONG_FUTURE[:60]!r}"),
    (
        "http://[127.0.0.1]/",
        "the forward URL has an invalid IPv6 address: An IPv4 address cannot be in brackets",
    ),
    ("http://h:0/", "the forward URL has an invalid port"),
    ("http://h:99999/", "the forward URL has an invalid port"),
    ({"url": H, "keep_host": 1}, "forward keep_host must be true or false"),
    ({"url": H, "record": "yes"}, "forward record must be true or false"),
    ({"url": H, "timeout_ms": 0}, "forward timeout_ms must be above 0"),
    ({"url": H, "timeout_ms": -5}, "forward timeout_ms must be above 0"),
    ({"url": H, "timeout_ms": True}, "forward timeout_ms must be a number of milliseconds, not True"),
    ({"url": H, "verify_tls": " "}, CA_FILE),
    ({"url": H, "verify_tls": 1}, CA_FILE),
]


@pytest.mark.parametrize(("value", "message"), REFUSED)
def test_a_refused_spelling_says_exactly_why(value: Any, message: str) -> None:
    with pytest.raises(TargetError) as caught:
        parse_target(value)
    assert str(caught.value) == message
    assert "\n" not in message


ACCEPTED: list[tuple[Any, UpstreamTarget]] = [
    (
        "HTTP://EXAMPLE.X/aX/?qX=X",
        UpstreamTarget(
            url="HTTP://EXAMPLE.X/aX/?qX=X",
            scheme="http",
            host="example.x",
            port=80,
            base_path="/aX",
            base_query="qX=X",
        ),
    ),
    (
        "  https://[fe80::1%eth0]:81/ ",
        UpstreamTarget(url="https://[fe80::1%eth0]:81/", scheme="https", host="fe80::1%eth0", port=81),
    ),
    (
        {"url": "http://h:8080/a//", "timeout_ms": 1, "keep_host": True, "record": True, "verify_tls": False},
        UpstreamTarget(
            url="http://h:8080/a//",
            scheme="http",
            host="h",
            port=8080,
            base_path="/a",
            timeout_ms=1,
            keep_host=True,
            record=True,
            verify_tls=False,
        ),
    ),
]


@pytest.mark.parametrize(("value", "target"), ACCEPTED)
def test_an_accepted_spelling_gives_its_target(value: Any, target: UpstreamTarget) -> None:
    assert parse_target(value) == target


@pytest.mark.parametrize(("asked", "kept"), [(0.5, 1), (0.001, 1), (1, 1), (1.2, 2), (250.0, 250)])
def test_a_fraction_of_a_millisecond_is_rounded_up_never_to_zero(asked: float, kept: int) -> None:
    """A timeout of 0.5 ms once became 0 (int), and every call through the rule timed out at once."""
    assert parse_target({"url": H, "timeout_ms": asked}).timeout_ms == kept
