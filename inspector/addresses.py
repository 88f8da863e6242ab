"""Listening addresses, Qt-free: the defaults, loopback, and how an address is written.

The one home of these facts for the server, headless mode and the window
(docs/ARCHITECTURE.md, "One home for each fact").
"""

from __future__ import annotations

import ipaddress
from typing import Final

#: where a listener binds unless told otherwise: this machine only
DEFAULT_HOST: Final = "127.0.0.1"
#: the port a listener uses unless told otherwise
DEFAULT_PORT: Final = 8090


def normalise_address(text: str) -> str:
    """Strip whitespace and IPv6 brackets: ``" [::1] "`` -> ``"::1"``."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return text


def is_loopback(address: str) -> bool:
    """True for addresses only this machine can reach (127/8, ::1, localhost)."""
    address = normalise_address(address)
    if address.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def format_host(host: str) -> str:
    """``127.0.0.1``, ``[::1]`` (from ``::1`` or ``[::1]``: never doubled): a host as a URL writes it."""
    host = normalise_address(host)
    return f"[{host}]" if ":" in host else host


def format_hostport(host: str, port: int) -> str:
    """``127.0.0.1:8090``, ``[::1]:8090`` (from ``::1`` or ``[::1]``: never doubled)."""
    return f"{format_host(host)}:{port}"


def url_for(host: str, port: int, scheme: str = "http") -> str:
    """``http://127.0.0.1:8090``, ``https://[::1]:8090``; an IPv6 zone in URL
    form (RFC 6874 §2): ``http://[fe80::1%25eth0]:8090``."""
    return f"{scheme}://{format_hostport(host.replace('%', '%25'), port)}"


def browse_host(host: str) -> str:
    """The address a local browser should use for a listener bound to ``host``."""
    if host in ("0.0.0.0", ""):
        return "127.0.0.1"
    if host == "::":
        return "::1"
    return host
