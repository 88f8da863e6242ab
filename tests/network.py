"""What this machine's network allows tests to do (IPv6 loopback may be off in
containers), and a plain GET to a local listener."""

from __future__ import annotations

import http.client
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


def http_get(port: int, target: str, host: str = "127.0.0.1", timeout: float = 10.0) -> tuple[int, bytes]:
    """GET ``target`` from the listener on ``host``:``port``: (status, body)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        conn.request("GET", target)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()
