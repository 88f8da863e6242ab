"""A port in use, said in one line: who holds it, and a nearby port that is free now.

``port 8090 on 127.0.0.1 is in use by python3 (pid 4242); try --port 8091``,
or ``... is in use by another program; ...`` when the holder cannot be seen.
The window shows the same line and offers :attr:`PortInUse.free_port` as a
button. Looking for the holder may take up to a second (holder.TIME_BUDGET),
so callers on a thread that serves other listeners do it elsewhere.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

from inspector.addresses import normalise_address
from inspector.listen.holder import PortHolder, find_holder

#: how many of the following ports are tried for a free one
SUGGEST_RANGE: Final = 20


@dataclass(frozen=True, slots=True)
class PortInUse:
    """Why ``host``:``port`` could not be bound, and the way out."""

    host: str
    port: int
    holder: PortHolder | None
    free_port: int | None

    def message(self) -> str:
        """The one line to show (the contract's wording)."""
        by = self.holder.describe() if self.holder else "another program"
        hint = f"try --port {self.free_port}" if self.free_port else "try --port 0 for any free port"
        return f"port {self.port} on {self.host} is in use by {by}; {hint}"

    def __str__(self) -> str:
        return self.message()


def suggest_free_port(
    host: str, port: int, *, avoid: Collection[int] = (), tries: int = SUGGEST_RANGE
) -> int | None:
    """The first of the ``tries`` ports after ``port`` that can listen on ``host`` now.

    Each candidate is bound and released at once, with the options a listener
    uses (``SO_REUSEADDR`` on POSIX, dual-stack for ``::`` and an IPv4-mapped
    address), so a port another program listens on is skipped and one with
    only TIME_WAIT leftovers is not.

    Args:
        host: the address that failed (brackets allowed).
        port: the port that failed.
        avoid: ports not to suggest (other listeners about to take them).

    Returns:
        A port, or None when none of them is free (or ``host`` does not resolve).
    """
    host = normalise_address(host)
    try:
        family, _, _, _, sockaddr = socket.getaddrinfo(
            host, 0, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (OSError, UnicodeError, IndexError):
        return None
    # "::" takes IPv4 too, as our listeners open it; an IPv4-mapped address is an IPv4 one,
    # which an IPv6-only probe could never bind
    mapped = family == socket.AF_INET6 and ipaddress.IPv6Address(sockaddr[0]).ipv4_mapped is not None
    dual = family == socket.AF_INET6 and (host == "::" or mapped) and socket.has_dualstack_ipv6()
    for candidate in range(port + 1, min(port + 1 + tries, 65536)):
        if candidate in avoid:
            continue
        try:
            probe = socket.create_server(
                (sockaddr[0], candidate, *sockaddr[2:]), family=family, dualstack_ipv6=dual
            )
        except OSError:
            continue
        probe.close()
        return candidate
    return None


def explain_port_in_use(host: str, port: int, *, avoid: Collection[int] = ()) -> PortInUse:
    """Who holds ``host``:``port`` and a free port to try; never raises.

    Args:
        host: the address the bind tried.
        port: the port that was in use.
        avoid: ports not to suggest.
    """
    host = normalise_address(host)
    return PortInUse(host, port, find_holder(host, port), suggest_free_port(host, port, avoid=avoid))
