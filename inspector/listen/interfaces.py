"""This machine's interface addresses, without Qt (headless mode must not load it).

POSIX systems (Linux, macOS, the BSDs) list every address of every interface
in one C call, ``getifaddrs(3)``, reached here through ctypes: IPv4 and IPv6,
secondary addresses included, each with its interface's name (the zone of a
link-local IPv6 address). Only the ``sockaddr`` header differs: Linux starts
with a 16-bit family, BSD with a length byte and an 8-bit family; and BSD
kernels keep a link-local address's scope in its bytes 2-3 (the KAME
convention), which ``ifconfig`` clears and so do we. Where ``getifaddrs``
is missing (Windows) loopback and the host name's addresses stand in.
"""

from __future__ import annotations

import ctypes
import ipaddress
import logging
import socket
import struct
import sys
from dataclasses import dataclass
from typing import Final

log = logging.getLogger(__name__)

#: interface flag: administratively up (the same value on Linux and BSD)
IFF_UP: Final = 0x1
#: at most this many addresses are listed (a router with thousands of VLANs stays quick)
MAX_ADDRESSES: Final = 1024
_BSD: Final = sys.platform == "darwin" or "bsd" in sys.platform


@dataclass(frozen=True, slots=True)
class InterfaceAddress:
    """One address of one interface: ``("eth0", "fe80::1")``; ``interface`` is "" when unknown."""

    interface: str
    address: str

    @property
    def ip(self) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        return ipaddress.ip_address(self.address)


class _IfAddrs(ctypes.Structure):
    pass


_IfAddrs._fields_ = [  # struct ifaddrs, the same on Linux and BSD
    ("ifa_next", ctypes.POINTER(_IfAddrs)),
    ("ifa_name", ctypes.c_char_p),
    ("ifa_flags", ctypes.c_uint),
    ("ifa_addr", ctypes.c_void_p),
    ("ifa_netmask", ctypes.c_void_p),
    ("ifa_ifu", ctypes.c_void_p),
    ("ifa_data", ctypes.c_void_p),
]


def sockaddr_family(header: bytes, *, bsd: bool = _BSD) -> int:
    """The address family in a ``sockaddr``'s first two bytes."""
    return header[1] if bsd else int(struct.unpack("=H", header[:2])[0])


def decode_sockaddr(raw: bytes, *, bsd: bool = _BSD) -> str | None:
    """The address in a ``sockaddr_in`` (16 bytes) or ``sockaddr_in6`` (28 bytes), else None."""
    family = sockaddr_family(raw, bsd=bsd)
    if family == socket.AF_INET and len(raw) >= 8:
        return socket.inet_ntop(socket.AF_INET, raw[4:8])
    if family == socket.AF_INET6 and len(raw) >= 24:
        packed = bytearray(raw[8:24])
        if bsd and packed[0] == 0xFE and packed[1] & 0xC0 == 0x80:
            packed[2:4] = b"\0\0"  # KAME: the scope id travels inside a link-local address
        return socket.inet_ntop(socket.AF_INET6, bytes(packed))
    return None


def _getifaddrs() -> list[InterfaceAddress] | None:
    """Every address of every interface that is up, or None where getifaddrs is missing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        getifaddrs, freeifaddrs = libc.getifaddrs, libc.freeifaddrs
    except (OSError, AttributeError, TypeError):  # TypeError: CDLL(None) on Windows
        return None
    getifaddrs.argtypes = [ctypes.POINTER(ctypes.POINTER(_IfAddrs))]
    getifaddrs.restype = ctypes.c_int
    freeifaddrs.argtypes = [ctypes.POINTER(_IfAddrs)]
    freeifaddrs.restype = None
    head = ctypes.POINTER(_IfAddrs)()
    if getifaddrs(ctypes.byref(head)) != 0:
        log.debug("getifaddrs failed: errno %s", ctypes.get_errno())
        return None
    found: list[InterfaceAddress] = []
    try:
        node = head
        while node and len(found) < MAX_ADDRESSES:
            entry = node.contents
            node = entry.ifa_next
            if not entry.ifa_addr or not entry.ifa_flags & IFF_UP:
                continue
            family = sockaddr_family(ctypes.string_at(entry.ifa_addr, 2))
            if family not in (socket.AF_INET, socket.AF_INET6):  # a link-layer (AF_PACKET, AF_LINK) entry
                continue
            size = 16 if family == socket.AF_INET else 28  # sockaddr_in, sockaddr_in6
            address = decode_sockaddr(ctypes.string_at(entry.ifa_addr, size))
            if address is not None:
                name = (entry.ifa_name or b"").decode("utf-8", "replace")
                found.append(InterfaceAddress(name, address))
    finally:
        freeifaddrs(head)
    return found


def _host_name_addresses() -> list[InterfaceAddress]:
    """What the machine's own name resolves to (Windows answers with its adapters' addresses)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    found: list[InterfaceAddress] = []
    for family, _, _, _, sockaddr in infos[:MAX_ADDRESSES]:
        if family in (socket.AF_INET, socket.AF_INET6):
            host, _, zone = str(sockaddr[0]).partition("%")
            if len(sockaddr) == 4 and not zone and sockaddr[3]:
                zone = str(sockaddr[3])  # the scope id: the interface's index
            found.append(InterfaceAddress(zone, host))
    return found


def interface_addresses() -> list[InterfaceAddress]:
    """This machine's addresses in the system's order; never raises.

    Where getifaddrs is missing, the host name's addresses and loopback
    (127.0.0.1, and ::1 where Python has IPv6).
    """
    try:
        found = _getifaddrs()
    except Exception:  # a surprise from C must not stop a listener from starting
        log.debug("getifaddrs failed", exc_info=True)
        found = None
    if found is not None:
        return found
    found = [InterfaceAddress("", "127.0.0.1")]
    if socket.has_ipv6:
        found.append(InterfaceAddress("", "::1"))
    return found + [item for item in _host_name_addresses() if item.address not in ("127.0.0.1", "::1")]
