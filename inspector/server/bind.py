"""Opening the listening socket, with bind failures as one readable line.

Binding is where users meet the network: a port already taken, a privileged
port, an address that belongs to another machine. Each becomes a
:class:`BindError` whose message names the address and port and says what to
do, never a traceback (in the manner of qutebrowser's small error types).
"""

from __future__ import annotations

import errno
import socket
import sys

from inspector.addresses import DEFAULT_PORT, format_hostport, normalise_address

#: How many following ports to try when suggesting a free one.
_SUGGEST_RANGE = 20


class BindError(Exception):
    """The listener could not bind; ``str()`` is the line to show."""


def _open(family: int, sockaddr: tuple[object, ...]) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if sys.platform == "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)  # type: ignore[attr-defined]
        else:
            # Lets the port be bound again at once after a stop (TIME_WAIT),
            # while still refusing a port another socket is listening on.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6 and sockaddr[0] == "::":
            # "::" means every interface, IPv4 included, where the OS allows it.
            try:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            except OSError:
                pass
        sock.bind(sockaddr)
        sock.listen(1024)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def _suggest_port(family: int, sockaddr: tuple[object, ...], port: int) -> int | None:
    for candidate in range(port + 1, min(port + 1 + _SUGGEST_RANGE, 65536)):
        try:
            probe = _open(family, (sockaddr[0], candidate, *sockaddr[2:]))
        except OSError:
            continue
        probe.close()
        return candidate
    return None


def bind_listener(host: str, port: int) -> socket.socket:
    """Open a non-blocking listening TCP socket on ``host``:``port``.

    Args:
        host: an IPv4/IPv6 address of this machine (IPv6 with or without
            brackets), ``0.0.0.0``, ``::`` or ``localhost``.
        port: 0 for any free port.

    Raises:
        BindError: with one line naming the address and port and the way out.
    """
    host = normalise_address(host)
    where = format_hostport(host, port)
    if not 0 <= port <= 65535:
        raise BindError(f"{where}: the port must be between 0 and 65535")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise BindError(f"{where}: not an address of this machine ({exc})") from None
    family, _, _, _, sockaddr = infos[0]
    try:
        return _open(family, sockaddr)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            free = _suggest_port(family, sockaddr, port)
            hint = f"try port {free}" if free else "choose another port"
            raise BindError(f"{where} is already in use by another program ({hint})") from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            hint = f" (ports below 1024 need administrator rights; try {DEFAULT_PORT})" if port < 1024 else ""
            raise BindError(f"{where}: permission denied{hint}") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise BindError(f"{where}: {host} is not an address of this machine") from None
        raise BindError(f"{where}: cannot listen ({exc.strerror or exc})") from None
