"""Listening addresses: which are this machine only, how they are written, what a browser opens.

The window warns when a listener is reachable from other machines (``is_loopback``
false), prints the listener's URL (``url_for``) and opens the browser at
``browse_host``; each case below is one a user would see go wrong.
"""

from __future__ import annotations

import pytest

from inspector.addresses import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    browse_host,
    format_hostport,
    is_loopback,
    normalise_address,
    url_for,
)


def test_the_default_listener_is_this_machine_only_on_8090() -> None:
    assert is_loopback(DEFAULT_HOST)
    assert url_for(DEFAULT_HOST, DEFAULT_PORT) == "http://127.0.0.1:8090"


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "127.8.9.10", "::1", "[::1]", " ::1 ", "localhost", "LocalHost", " [::1] ", "::1%lo"],
)
def test_loopback_addresses_are_this_machine_only(address: str) -> None:
    assert is_loopback(address)


@pytest.mark.parametrize(
    "address",
    [
        "0.0.0.0",
        "::",
        "",
        "192.168.1.10",
        "10.0.0.1",
        "fe80::1%eth0",
        "example.com",
        "[127.0.0.1",
        "localhost.",
    ],
)
def test_other_addresses_are_reachable_from_elsewhere(address: str) -> None:
    assert not is_loopback(address)


@pytest.mark.parametrize(
    ("typed", "address"),
    [
        (" [::1] ", "::1"),
        ("[fe80::1]", "fe80::1"),
        ("\t127.0.0.1\n", "127.0.0.1"),
        ("[::1", "[::1"),
        ("::1]", "::1]"),
    ],
)
def test_typed_addresses_lose_spaces_and_one_pair_of_brackets(typed: str, address: str) -> None:
    assert normalise_address(typed) == address


@pytest.mark.parametrize(
    ("host", "port", "written"),
    [
        ("127.0.0.1", 8090, "127.0.0.1:8090"),
        ("::1", 8090, "[::1]:8090"),
        ("::", 1, "[::]:1"),
        ("localhost", 65535, "localhost:65535"),
    ],
)
def test_ipv6_hosts_are_bracketed_in_host_port_and_urls(host: str, port: int, written: str) -> None:
    assert format_hostport(host, port) == written
    assert url_for(host, port) == f"http://{written}"


def test_an_ipv6_zone_is_percent_encoded_in_a_url_only() -> None:
    """RFC 6874 §2: the zone's % is written %25 inside a URL's brackets."""
    assert format_hostport("fe80::1%eth0", 8090) == "[fe80::1%eth0]:8090"
    assert url_for("fe80::1%eth0", 8090) == "http://[fe80::1%25eth0]:8090"
    assert url_for("fe80::1%eth0", 8443, "https") == "https://[fe80::1%25eth0]:8443"


@pytest.mark.parametrize(
    ("bound", "browsed"),
    [
        ("0.0.0.0", "127.0.0.1"),
        ("", "127.0.0.1"),
        ("::", "::1"),
        ("::1", "::1"),
        ("192.168.1.10", "192.168.1.10"),
    ],
)
def test_a_browser_opens_a_wildcard_listener_through_loopback(bound: str, browsed: str) -> None:
    assert browse_host(bound) == browsed
