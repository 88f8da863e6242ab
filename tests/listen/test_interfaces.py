"""This machine's interface addresses, checked against what the kernel says by other routes."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import ipaddress
import logging
import os
import resource
import shutil
import socket
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from netns import add_ipv4, in_new_netns, is_up, rename, set_up
from porthold import linux_only

from inspector.listen import interfaces
from inspector.listen.interfaces import InterfaceAddress, decode_sockaddr, interface_addresses
from tests.network import ipv6_loopback

SIOCGIFADDR = 0x8915  # Linux


def test_loopback_is_listed() -> None:
    found = {item.address for item in interface_addresses()}
    assert "127.0.0.1" in found
    if ipv6_loopback():
        assert "::1" in found


def _is_up(name: str) -> bool:
    flags = Path(f"/sys/class/net/{name}/flags")
    return not flags.exists() or int(flags.read_text(), 16) & 1 == 1


@linux_only
def test_ipv6_addresses_match_procfs() -> None:
    """/proc/net/if_inet6 is the kernel's own list: address in hex, then index, prefix, scope, flags, name."""
    kernel = set()
    for line in Path("/proc/net/if_inet6").read_text().splitlines():
        fields = line.split()
        if _is_up(fields[5]):
            kernel.add((fields[5], str(ipaddress.IPv6Address(bytes.fromhex(fields[0])))))
    ours = {(item.interface, item.address) for item in interface_addresses() if ":" in item.address}
    assert ours == kernel


@linux_only
def test_ipv4_addresses_include_each_interfaces_primary_one() -> None:
    """SIOCGIFADDR gives each interface's first IPv4 address by another kernel path."""
    ours = {(item.interface, item.address) for item in interface_addresses() if "." in item.address}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _, name in socket.if_nameindex():
            if not _is_up(name):
                continue
            try:
                answer = fcntl.ioctl(sock.fileno(), SIOCGIFADDR, struct.pack("256s", name.encode()[:15]))
            except OSError:  # no IPv4 address on this interface
                continue
            assert (name, socket.inet_ntoa(answer[20:24])) in ours


def _header(family: int, size: int, bsd: bool) -> bytes:
    """Linux: a 16-bit family; BSD: a length byte, then an 8-bit family."""
    return bytes([size, family]) if bsd else struct.pack("=H", family)


def _in(address: str, bsd: bool = False) -> bytes:
    return _header(socket.AF_INET, 16, bsd) + b"\x1f\x9a" + socket.inet_aton(address) + bytes(8)


def _in6(address: str, scope: int = 0, bsd: bool = False) -> bytes:
    packed = socket.inet_pton(socket.AF_INET6, address)
    return _header(socket.AF_INET6, 28, bsd) + b"\x1f\x9a" + bytes(4) + packed + struct.pack("=I", scope)


@pytest.mark.parametrize(
    ("raw", "bsd", "address"),
    [
        (_in("192.0.2.7"), False, "192.0.2.7"),
        (_in6("fd00::2"), False, "fd00::2"),
        (_in6("fe80::1", 3), False, "fe80::1"),
        (_in6("fe80:4::1"), False, "fe80:4::1"),  # Linux never embeds a scope: left as it is
        (_in("10.0.0.1", bsd=True), True, "10.0.0.1"),
        (_in6("2001:db8::1", bsd=True), True, "2001:db8::1"),
        # KAME: the kernel keeps the scope (4) in bytes 2-3 of a link-local address
        (_in6("fe80:4::1", 4, bsd=True), True, "fe80::1"),
        (_in6("fe80:4::1", bsd=True), False, None),  # read with the wrong header, the family is wrong
        (_in("192.0.2.7")[:8], False, "192.0.2.7"),  # the address ends at byte 8
        (_in("192.0.2.7")[:6], False, None),
        (_in6("fd00::2")[:24], False, "fd00::2"),  # the address ends at byte 24
        (_in6("fd00::2")[:23], False, None),
        # all of fe80::/10 is link-local; fec0::/10 is not, and keeps its bytes
        (_in6("febf:4::1", 4, bsd=True), True, "febf::1"),
        (_in6("fe81:4::1", 4, bsd=True), True, "fe81::1"),
        (_in6("fec0:4::1", bsd=True), True, "fec0:4::1"),
        (b"\x11\x00" + bytes(14), False, None),  # AF_PACKET and the like
    ],
)
def test_decoding_socket_addresses(raw: bytes, bsd: bool, address: str | None) -> None:
    assert decode_sockaddr(raw, bsd=bsd) == address


def test_without_getifaddrs_loopback_and_the_host_names_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_getaddrinfo(host: str, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        assert host == "desk"
        stream = socket.SOCK_STREAM
        return [
            (socket.AF_INET6, stream, 6, "", ("fe80::5", 0, 0, 12)),
            (socket.AF_INET, stream, 6, "", ("192.168.1.5", 0)),
            (socket.AF_INET, stream, 6, "", ("127.0.0.1", 0)),
            (socket.AF_INET6, stream, 6, "", ("::1", 0, 0, 0)),
        ]

    monkeypatch.setattr(interfaces, "_getifaddrs", lambda: None)
    monkeypatch.setattr(socket, "gethostname", lambda: "desk")
    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    found = interface_addresses()
    loopback = [InterfaceAddress("", "127.0.0.1")] + (
        [InterfaceAddress("", "::1")] if socket.has_ipv6 else []
    )
    assert found == [*loopback, InterfaceAddress("12", "fe80::5"), InterfaceAddress("", "192.168.1.5")]


def test_a_failing_getifaddrs_does_not_raise(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    surprise = OSError("no")

    def broken() -> None:
        raise surprise

    monkeypatch.setattr(interfaces, "_getifaddrs", broken)
    monkeypatch.setattr(interfaces, "_host_name_addresses", list)
    caplog.set_level(logging.DEBUG, logger=interfaces.__name__)
    assert interface_addresses()[0] == InterfaceAddress("", "127.0.0.1")
    [record] = caplog.records
    assert record.getMessage() == "getifaddrs failed"
    assert record.exc_info is not None
    assert record.exc_info[1] is surprise


def test_the_host_names_addresses_each_once() -> None:
    """The real resolver answers once per socket type unless asked for one: each address is listed once."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None)
    except OSError:
        pytest.skip("this machine's name does not resolve")
    found = interfaces._host_name_addresses()
    assert sorted(item.address for item in found) == sorted({str(info[4][0]) for info in infos})


def test_the_ip_of_an_address() -> None:
    assert InterfaceAddress("eth0", "fe80::1").ip == ipaddress.IPv6Address("fe80::1")


def test_the_family_is_read_unsigned() -> None:
    assert interfaces.sockaddr_family(b"\xff\xfe", bsd=False) == struct.unpack("=H", b"\xff\xfe")[0]
    assert interfaces.sockaddr_family(b"\x1c\xfe", bsd=True) == 0xFE


@linux_only
def test_the_same_addresses_as_ip_shows() -> None:
    """``ip -o addr`` asks the kernel over netlink: every address of an interface that is up, ours too."""
    ip = shutil.which("ip")
    if ip is None:
        pytest.skip("no ip program here")
    shown = set()
    listing = subprocess.run([ip, "-o", "addr"], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        fields = line.split()
        if _is_up(fields[1]):
            shown.add(str(ipaddress.ip_interface(fields[3]).ip))
    names = {name for _, name in socket.if_nameindex()}
    found = interfaces._getifaddrs()
    assert found is not None
    assert {item.address for item in found} == shown
    assert {item.interface.split(":", 1)[0] for item in found} <= names  # an IPv4 alias is "eth0:1"
    assert {"127.0.0.1", "::1"} & {item.address for item in found} == (
        {"127.0.0.1", "::1"} if ipv6_loopback() else {"127.0.0.1"}
    )


def test_an_interface_that_is_down_is_left_out() -> None:
    def work() -> tuple[list[InterfaceAddress] | None, list[InterfaceAddress] | None]:
        add_ipv4(b"lo", "127.77.0.1")
        assert not is_up()
        down = interfaces._getifaddrs()
        set_up()
        return down, interfaces._getifaddrs()

    down, up = in_new_netns(work)
    assert down == []
    assert up is not None
    assert InterfaceAddress("lo", "127.77.0.1") in up
    assert InterfaceAddress("lo", "127.0.0.1") in up


def test_a_name_that_is_not_utf8_is_kept_readable() -> None:
    def work() -> list[InterfaceAddress] | None:
        rename(b"lo", b"lo\xff")
        set_up(b"lo\xff")
        return interfaces._getifaddrs()

    found = in_new_netns(work)
    assert found is not None
    assert InterfaceAddress("lo\ufffd", "127.0.0.1") in found


def _many_addresses(count: int) -> None:
    set_up()
    for number in range(count):
        add_ipv4(b"lo:%d" % number, f"127.78.{number // 256}.{number % 256}")


def test_at_most_max_addresses_are_listed() -> None:
    def work() -> list[InterfaceAddress] | None:
        _many_addresses(interfaces.MAX_ADDRESSES + 50)
        return interfaces._getifaddrs()

    found = in_new_netns(work)
    assert found is not None
    assert len(found) == interfaces.MAX_ADDRESSES
    assert InterfaceAddress("lo", "127.0.0.1") in found


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            *("arena", "ordblks", "smblks", "hblks", "hblkhd"),
            *("usmblks", "fsmblks", "uordblks", "fordblks", "keepcost"),
        )
    ]


def test_the_list_is_freed() -> None:
    """mallinfo2 (glibc) counts the bytes malloc handed out: 500 addresses listed 5 times leave none."""
    libc = ctypes.CDLL(None)
    if not hasattr(libc, "mallinfo2"):
        pytest.skip("needs glibc's mallinfo2")
    libc.mallinfo2.restype = _MallInfo2

    def in_use() -> int:
        info = libc.mallinfo2()
        return int(info.uordblks + info.hblkhd)

    def work() -> int:
        _many_addresses(500)
        interfaces._getifaddrs()
        before = in_use()
        for _ in range(5):
            interfaces._getifaddrs()
        return in_use() - before

    # each list takes over 80 KB (500 entries of 56 bytes, each with three 28-byte socket addresses)
    assert in_new_netns(work) < 100_000


def test_a_failing_getifaddrs_says_why(caplog: pytest.LogCaptureFixture) -> None:
    """With no file descriptor left, getifaddrs cannot open its netlink socket: EMFILE, logged, and None."""
    if sys.platform != "linux":  # elsewhere getifaddrs may ask sysctl, with no descriptor
        pytest.skip("Linux's getifaddrs opens a netlink socket")
    lowest = os.open(os.devnull, os.O_RDONLY)
    os.close(lowest)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    caplog.set_level(logging.DEBUG, logger=interfaces.__name__)
    ctypes.set_errno(0)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowest, hard))
    try:
        found = interfaces._getifaddrs()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert found is None
    assert caplog.messages == [f"getifaddrs failed: errno {errno.EMFILE}"]
