"""A network namespace of the test's own: a loopback interface that no other program uses.

:func:`in_new_netns` runs a function on a thread moved into a new network
namespace (Linux, root), so a test can set up interfaces as it likes (an
address on an interface that is down, a thousand addresses, an interface
whose name is not UTF-8) and bind ``::`` without reaching any real network:
the namespace has nothing but its own loopback. The thread ends with the
function, and the namespace with it. The helpers set interfaces up through
the same ioctls ``ifconfig`` uses (no ``ip`` program needed).
"""

from __future__ import annotations

import ctypes
import fcntl
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
SIOCSIFADDR = 0x8916
SIOCSIFNAME = 0x8923
IFF_UP = 0x1
IFA_F_TENTATIVE = 0x40
#: seconds an address may take to become usable
WAIT_LIMIT = 30.0


def in_new_netns(work: Callable[[], T]) -> T:
    """``work()`` run in a new network namespace (``lo`` down, no address); skips where not allowed."""
    if sys.platform != "linux":
        pytest.skip("network namespaces are Linux's")
    results: list[T] = []
    errors: list[BaseException] = []
    refused: list[int] = []

    def run() -> None:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(CLONE_NEWNET) != 0:  # this thread only: the rest of the process stays where it was
            refused.append(ctypes.get_errno())
            return
        try:
            results.append(work())
        except BaseException as exc:  # handed to the test's thread
            errors.append(exc)

    thread = threading.Thread(target=run, name="netns")
    thread.start()
    thread.join()
    if refused:
        pytest.skip(f"cannot make a network namespace here (errno {refused[0]})")
    if errors:
        raise errors[0]
    return results[0]


def _ifreq(name: bytes, payload: bytes = b"") -> bytes:
    """``struct ifreq``: a 16-byte name, then a 24-byte union."""
    return struct.pack("16s", name) + payload.ljust(24, b"\0")


def set_up(name: bytes = b"lo") -> None:
    """Bring an interface up (loopback gets 127.0.0.1 and ::1 then)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        answer = fcntl.ioctl(sock, SIOCGIFFLAGS, _ifreq(name))
        flags = struct.unpack("=H", answer[16:18])[0]
        fcntl.ioctl(sock, SIOCSIFFLAGS, _ifreq(name, struct.pack("=H", flags | IFF_UP)))


def is_up(name: bytes = b"lo") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        answer = fcntl.ioctl(sock, SIOCGIFFLAGS, _ifreq(name))
    return bool(struct.unpack("=H", answer[16:18])[0] & IFF_UP)


def add_ipv4(label: bytes, address: str) -> None:
    """Give an interface an IPv4 address; ``lo:7`` labels a further one (an alias), as ifconfig does."""
    sockaddr = struct.pack("=H", socket.AF_INET) + bytes(2) + socket.inet_aton(address)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        fcntl.ioctl(sock, SIOCSIFADDR, _ifreq(label, sockaddr))


def add_ipv6(name: str, address: str, prefix: int = 64) -> None:
    """Give an interface an IPv6 address (``struct in6_ifreq``: address, prefix length, index)."""
    packed = socket.inet_pton(socket.AF_INET6, address)
    request = packed + struct.pack("=Ii", prefix, socket.if_nametoindex(name))
    with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
        fcntl.ioctl(sock, SIOCSIFADDR, request)
    # Tentative until the kernel's duplicate address detection has run (at once on loopback, but
    # on a worker thread): only then can a socket bind it. This thread's namespace: thread-self.
    table = Path("/proc/thread-self/net/if_inet6")
    deadline = time.monotonic() + WAIT_LIMIT
    while True:
        rows = [line.split() for line in table.read_text().splitlines()]
        flags = [int(row[4], 16) for row in rows if row[0] == packed.hex()]
        if flags and not flags[0] & IFA_F_TENTATIVE:
            return
        assert time.monotonic() < deadline, f"{address} still tentative after {WAIT_LIMIT} s"
        time.sleep(0.001)


def rename(old: bytes, new: bytes) -> None:
    """Rename an interface that is down (the kernel takes any bytes but ``/``, ``:`` and spaces)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        fcntl.ioctl(sock, SIOCSIFNAME, _ifreq(old, struct.pack("16s", new)))
