"""Which listening addresses get in each other's way, checked against the kernel where loopback allows."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from inspector.listen.overlap import DUAL_STACK, SAME, WILDCARD, as_ip, overlap
from tests.network import needs_ipv6


def ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    return ipaddress.ip_address(text)


@pytest.mark.parametrize(
    ("ours", "theirs", "rank"),
    [
        ("127.0.0.1", "127.0.0.1", SAME),
        ("127.0.0.1", "0.0.0.0", WILDCARD),
        ("0.0.0.0", "127.0.0.1", WILDCARD),
        ("0.0.0.0", "0.0.0.0", SAME),
        ("127.0.0.1", "127.0.0.2", None),
        ("::1", "::1", SAME),
        ("::1", "::", WILDCARD),
        ("::", "fe80::1", WILDCARD),
        ("::1", "fe80::1", None),
        ("127.0.0.1", "::", DUAL_STACK),
        ("::", "192.0.2.7", DUAL_STACK),
        ("0.0.0.0", "::", DUAL_STACK),
        ("127.0.0.1", "::1", None),
        ("::1", "0.0.0.0", None),
        ("::ffff:127.0.0.1", "127.0.0.1", SAME),
        ("127.0.0.1", "::ffff:127.0.0.1", SAME),
        ("::ffff:0.0.0.0", "127.0.0.1", WILDCARD),
    ],
)
def test_ranks(ours: str, theirs: str, rank: int | None) -> None:
    assert overlap(ip(ours), ip(theirs)) == rank


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("::ffff:10.0.0.1", "10.0.0.1"),
        ("localhost", None),
        ("", None),
        ("[::1", None),  # half a pair of brackets is no address
        ("::1]", None),
        ("fe80::1%eth0%1", "fe80::1"),  # everything from the first % on is the zone
    ],
)
def test_as_ip(text: str, address: str | None) -> None:
    found = as_ip(text)
    assert (str(found) if found else None) == address


def _listens(host: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    if ":" in host:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind((host, 0))
    sock.listen()
    return sock


@needs_ipv6
@pytest.mark.parametrize(
    ("held", "ours"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.0.0.1", "127.0.0.2"),
        ("127.0.0.1", "::1"),
        ("::1", "127.0.0.1"),
        ("::1", "::1"),
        ("::ffff:127.0.0.1", "127.0.0.1"),
        ("127.0.0.1", "::ffff:127.0.0.1"),
    ],
)
def test_the_kernel_agrees_on_loopback(held: str, ours: str) -> None:
    """Where the ranks say "in the way", a bind with our listener's options fails, and only there."""
    with _listens(held) as holder:
        port = holder.getsockname()[1]
        with socket.socket(socket.AF_INET6 if ":" in ours else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((ours, port))
                refused = False
            except OSError:
                refused = True
    assert refused == (overlap(ip(ours), ip(held)) is not None)
