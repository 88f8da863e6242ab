"""What this machine's network allows tests to do (IPv6 loopback may be off in containers)."""

from __future__ import annotations

import socket

import pytest


def ipv6_loopback() -> bool:
    """Whether ``::1`` can be bound here."""
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


needs_ipv6 = pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback here")
