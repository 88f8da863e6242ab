"""What to listen on: ``--listen ADDR:PORT`` (repeatable), or the older ``--bind``/``--port``.

``ADDR`` is an IPv4 address (``127.0.0.1``, ``0.0.0.0`` for every interface),
an IPv6 address in brackets (``[::1]``, ``[::]``, ``[fe80::1%eth0]`` with its
zone) or a host name (``localhost``); ``PORT`` is 0 to 65535, 0 for any free
port. A listener's name (``127.0.0.1:8090``, ``[::1]:8090``) is what a
record's ``server`` says and what the table filters by.

``--listen`` replaces ``--bind``/``--port``: giving both is an error rather
than one silently winning, and the same listener twice is an error too.
Whether two different listeners can run side by side (``0.0.0.0:8090`` and
``127.0.0.1:8090``) is the system's call and differs between Linux and BSD,
so it is left to binding. Every error is one line naming the value and giving
an example.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from inspector.addresses import DEFAULT_HOST, DEFAULT_PORT, format_hostport, normalise_address
from inspector.text import visible

#: how much of a bad value an error message repeats
SHOWN_LIMIT: Final = 80
#: longest value looked at (a host name is at most 253 characters)
VALUE_LIMIT: Final = 300
EXAMPLE: Final = "e.g. --listen 127.0.0.1:8090 or --listen [::1]:8090"

_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_ZONE = re.compile(r"[A-Za-z0-9_.-]{1,64}")


class ListenError(ValueError):
    """A listener argument that cannot be used; ``str()`` is the line to show."""


@dataclass(frozen=True, slots=True)
class ListenSpec:
    """One listener: where it binds, before binding (``port`` 0 = any free port).

    ``host`` has no brackets; an IPv6 zone stays (``fe80::1%eth0``). Once
    bound, ``dataclasses.replace(spec, port=real_port)`` names it for good.
    """

    host: str
    port: int

    @property
    def name(self) -> str:
        """``127.0.0.1:8090``, ``[::1]:8090``: the record's ``server`` and the table's filter."""
        return format_hostport(self.host, self.port)


def _host_problem(host: str) -> str | None:
    """Why ``host`` (brackets removed) is not an address or host name, else None."""
    if ":" in host:
        address, _, zone = host.partition("%")
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            return "not an IPv6 address"
        if "%" in host and not _ZONE.fullmatch(zone):
            return "the zone after % must be an interface name or number"
        return None
    if all(char.isdigit() or char == "." for char in host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return "not an IPv4 address"
        return None
    name = host.lower().removesuffix(".")
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in name.split(".")):
        return "not an address or host name"
    return None


def parse_listen(text: str) -> ListenSpec:
    """Read one ``--listen`` value.

    Args:
        text: ``ADDR:PORT``, IPv6 in brackets.

    Returns:
        The listener; a host name is lowercased, an address kept as written.

    Raises:
        ListenError: one line naming the value and giving an example.
    """
    value = text.strip()

    def fail(why: str) -> ListenError:
        return ListenError(f"--listen {visible(value, SHOWN_LIMIT) or repr(text)}: {why}; {EXAMPLE}")

    if len(value) > VALUE_LIMIT:
        raise fail("too long")
    if value.startswith("["):
        host, close, rest = value[1:].partition("]")
        if not close:
            raise fail("no ] after the IPv6 address")
        if not rest.startswith(":"):
            raise fail("no :PORT after the address")
        if ":" not in host:
            raise fail("brackets are for IPv6 addresses")
        port_text = rest[1:]
    else:
        host, colon, port_text = value.rpartition(":")
        if not colon:
            raise fail("give an address and a port")
        if ":" in host:
            raise fail("an IPv6 address goes in brackets")
        if not host:
            raise fail("no address before the port")
    problem = _host_problem(host)
    if problem:
        raise fail(problem)
    if not (port_text.isascii() and port_text.isdigit() and len(port_text) <= 5 and int(port_text) <= 65535):
        raise fail("the port must be a number from 0 to 65535")
    return ListenSpec(host if _ip(host) else host.lower(), int(port_text))


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)  # a zone counts: fe80::1%eth0 is not fe80::1%eth1
    except ValueError:
        return None


def resolve_listeners(
    listen: Sequence[str] | None, bind: str | None = None, port: int | None = None
) -> tuple[ListenSpec, ...]:
    """The listeners a command line asks for.

    Args:
        listen: the ``--listen`` values in order (None or empty: not given).
        bind: ``--bind`` (None: not given).
        port: ``--port`` (None: not given).

    Returns:
        The ``--listen`` listeners in order, else the one of ``--bind``/``--port``
        (defaults :data:`DEFAULT_HOST`, :data:`DEFAULT_PORT`), whose values
        binding checks as it always has.

    Raises:
        ListenError: a bad ``--listen`` value, one given twice, or ``--listen``
            together with ``--bind``/``--port``.
    """
    if not listen:
        host = normalise_address(bind) if bind else DEFAULT_HOST
        return (ListenSpec(host, DEFAULT_PORT if port is None else port),)
    if bind is not None or port is not None:
        given = "--bind" if bind is not None else "--port"
        raise ListenError(f"{given} cannot go with --listen, which replaces it; {EXAMPLE}")
    specs = tuple(parse_listen(value) for value in listen)
    seen: set[tuple[object, int]] = set()
    for spec in specs:
        key = (_ip(spec.host) or spec.host, spec.port)
        if spec.port and key in seen:
            raise ListenError(
                f"--listen {spec.name} is given twice; each listener needs its own address or port"
            )
        seen.add(key)
    return specs
