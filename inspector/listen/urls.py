"""The URLs that reach a listener: one per interface address for ``0.0.0.0`` and ``::``.

``http://0.0.0.0:8090`` is not a place: no other machine can use it and
browsers refuse it. A wildcard listener is reached at each address of the
machine instead, loopback first (what a browser on this machine should
open), then the addresses other machines use (IPv4 before IPv6), then
link-local ones, whose URL carries the interface as a zone
(``http://[fe80::1%25eth0]:8090``, RFC 6874; curl takes it, browsers
mostly do not). ``::`` takes IPv4 too when it is dual-stack, as our
listeners open it where the system allows. With HTTPS on, every address is
offered with each scheme.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from inspector.addresses import is_loopback, normalise_address, url_for
from inspector.listen.interfaces import InterfaceAddress, interface_addresses

LOOPBACK = {4: "127.0.0.1", 6: "::1"}


class Reach(IntEnum):
    """Who can use a URL, in the order URLs are listed."""

    LOOPBACK = 0  # this machine only
    NETWORK = 1  # other machines, through a route
    LINK_LOCAL = 2  # machines on the same link, with the zone


@dataclass(frozen=True, slots=True)
class ReachableURL:
    """A URL to copy or open; ``interface`` is "" when not known or not from a list."""

    url: str
    interface: str
    reach: Reach


def _reach(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> Reach:
    if ip.is_loopback:
        return Reach.LOOPBACK
    return Reach.LINK_LOCAL if ip.is_link_local else Reach.NETWORK


def reachable_urls(
    host: str,
    port: int,
    *,
    schemes: Sequence[str] = ("http",),
    interfaces: Sequence[InterfaceAddress] | None = None,
    dual_stack: bool = True,
) -> list[ReachableURL]:
    """The URLs that reach a listener bound to ``host``:``port``.

    Args:
        host: the listener's address (brackets allowed); ``0.0.0.0`` or ``::``
            for every interface.
        port: its real port.
        schemes: ``("http",)``, or ``("http", "https")`` with HTTPS on; each
            address gets one URL per scheme, in this order.
        interfaces: this machine's addresses (default: :func:`interface_addresses`).
        dual_stack: whether a ``::`` listener takes IPv4 as well.

    Returns:
        For a wildcard, a URL per interface address (loopback, then other
        networks, then link-local; IPv4 before IPv6 within each), never a
        wildcard URL; else the listener's own address.
    """
    host = normalise_address(host)
    if host not in ("0.0.0.0", "::"):
        try:
            reach = _reach(ipaddress.ip_address(host.split("%", 1)[0]))
        except ValueError:  # a host name
            reach = Reach.LOOPBACK if is_loopback(host) else Reach.NETWORK
        return [ReachableURL(url_for(host, port, scheme), "", reach) for scheme in schemes]
    versions = {6, 4} if host == "::" and dual_stack else {6} if host == "::" else {4}
    ranked: list[tuple[Reach, int, int, str, str]] = []
    seen: set[str] = set()
    listed = interface_addresses() if interfaces is None else interfaces
    for index, item in enumerate(listed):
        try:
            ip = item.ip
        except ValueError:
            continue
        if ip.version not in versions or ip.is_unspecified or ip.is_multicast:
            continue
        reach = _reach(ip)
        address = item.address
        if ip.version == 6 and reach is Reach.LINK_LOCAL:
            if not item.interface:
                continue  # unusable without its zone
            address = f"{address}%{item.interface}"
        if address not in seen:
            seen.add(address)
            ranked.append((reach, ip.version, index, address, item.interface))
    if not ranked:  # the list failed us: loopback is always there
        ranked = [(Reach.LOOPBACK, version, 0, LOOPBACK[version], "") for version in versions]
    return [
        ReachableURL(url_for(address, port, scheme), interface, reach)
        for reach, _, _, address, interface in sorted(ranked)
        for scheme in schemes
    ]
