"""Opening the listening socket, with bind failures as one readable line.

Binding is where users meet the network: a port already taken, a privileged
port, an address that belongs to another machine. Each becomes a
:class:`BindError` whose message names the address and port and says what to
do, never a traceback (in the manner of qutebrowser's small error types). A
port in use says who holds it and a free port to try
(:func:`~inspector.listen.explain_port_in_use`), which may take up to a
second: bind on a thread that serves nothing else.
"""

from __future__ import annotations

import errno
import socket
import sys
from collections.abc import Collection

from inspector.addresses import DEFAULT_PORT, format_hostport, normalise_address
from inspector.listen import PortInUse, explain_port_in_use


class BindError(Exception):
    """The listener could not bind; ``str()`` is the line to show.

    ``in_use`` is set when the port was taken: its holder and a free port (the
    window's "Use 8091" button).
    """

    def __init__(self, message: str, in_use: PortInUse | None = None) -> None:
        super().__init__(message)
        self.in_use = in_use


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


def bind_listener(host: str, port: int, *, avoid: Collection[int] = ()) -> socket.socket:
    """Open a non-blocking listening TCP socket on ``host``:``port``.

    Args:
        host: an IPv4/IPv6 address of this machine (IPv6 with or without
            brackets), ``0.0.0.0``, ``::`` or ``localhost``.
        port: 0 for any free port.
        avoid: ports a port in use must not suggest (other listeners about to take them).

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
            in_use = explain_port_in_use(host, port, avoid=avoid)
            raise BindError(in_use.message(), in_use) from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            hint = f" (ports below 1024 need administrator rights; try {DEFAULT_PORT})" if port < 1024 else ""
            raise BindError(f"{where}: permission denied{hint}") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise BindError(f"{where}: {host} is not an address of this machine") from None
        raise BindError(f"{where}: cannot listen ({exc.strerror or exc})") from None
