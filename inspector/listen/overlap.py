"""When two listening addresses on one port get in each other's way.

A bind fails with "address in use" when a socket already listens on the same
port at the same address, or when either side is a wildcard: ``0.0.0.0``
covers every IPv4 address, ``::`` every IPv6 address and, dual-stack (the
default on Linux and Windows, and how our listeners open ``::``), every IPv4
address as well. An IPv4-mapped IPv6 address (``::ffff:127.0.0.1``) is the
IPv4 address it carries. Zones (``%eth0``) are ignored: the kernel's socket
tables do not show them.

The answer is a rank, so a caller that sees several candidates (the port's
holder among the system's listening sockets) can name the likeliest first.
"""

from __future__ import annotations

import ipaddress
from typing import Final

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: the same address
SAME: Final = 0
#: a wildcard of the same family on one side
WILDCARD: Final = 1
#: an IPv6 wildcard that also takes IPv4 (dual-stack)
DUAL_STACK: Final = 2


def as_ip(address: str) -> IPAddress | None:
    """The IP address written in ``address`` (brackets and zone allowed), else None."""
    text = address.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def overlap(ours: IPAddress, theirs: IPAddress) -> int | None:
    """How directly a listener on ``theirs`` keeps a bind on ``ours`` (same port) from working.

    Returns:
        :data:`SAME`, :data:`WILDCARD` or :data:`DUAL_STACK` (the lower, the
        likelier the culprit); None when both can listen at once.
    """
    if isinstance(ours, ipaddress.IPv6Address) and ours.ipv4_mapped is not None:
        ours = ours.ipv4_mapped
    if isinstance(theirs, ipaddress.IPv6Address) and theirs.ipv4_mapped is not None:
        theirs = theirs.ipv4_mapped
    if ours.version == theirs.version:
        if ours == theirs:
            return SAME
        if ours.is_unspecified or theirs.is_unspecified:
            return WILDCARD
        return None
    v6 = ours if ours.version == 6 else theirs
    return DUAL_STACK if v6.is_unspecified else None
