"""This machine's interface addresses, checked against what the kernel says by other routes."""

from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct
from pathlib import Path
from typing import Any

import pytest
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
        (_in("192.0.2.7")[:6], False, None),
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
        ]

    monkeypatch.setattr(interfaces, "_getifaddrs", lambda: None)
    monkeypatch.setattr(socket, "gethostname", lambda: "desk")
    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    found = interface_addresses()
    loopback = [InterfaceAddress("", "127.0.0.1")] + (
        [InterfaceAddress("", "::1")] if socket.has_ipv6 else []
    )
    assert found == [*loopback, InterfaceAddress("12", "fe80::5"), InterfaceAddress("", "192.168.1.5")]


def test_a_failing_getifaddrs_does_not_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise OSError("no")

    monkeypatch.setattr(interfaces, "_getifaddrs", broken)
    monkeypatch.setattr(interfaces, "_host_name_addresses", list)
    assert interface_addresses()[0] == InterfaceAddress("", "127.0.0.1")


def test_the_ip_of_an_address() -> None:
    assert InterfaceAddress("eth0", "fe80::1").ip == ipaddress.IPv6Address("fe80::1")
