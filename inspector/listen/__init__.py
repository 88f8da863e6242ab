"""Qt-free listener helpers: ``--listen`` values, who holds a port, the URLs that reach a listener.

Used by the server, headless mode and the window alike; imports only the
standard library, :mod:`inspector.addresses` and :mod:`inspector.text`.
"""

from inspector.listen.holder import PortHolder, find_holder
from inspector.listen.interfaces import InterfaceAddress, interface_addresses
from inspector.listen.inuse import PortInUse, explain_port_in_use, suggest_free_port
from inspector.listen.overlap import overlap
from inspector.listen.spec import ListenError, ListenSpec, parse_listen, resolve_listeners
from inspector.listen.urls import Reach, ReachableURL, reachable_urls

__all__ = [
    "InterfaceAddress",
    "ListenError",
    "ListenSpec",
    "PortHolder",
    "PortInUse",
    "Reach",
    "ReachableURL",
    "explain_port_in_use",
    "find_holder",
    "interface_addresses",
    "overlap",
    "parse_listen",
    "reachable_urls",
    "resolve_listeners",
    "suggest_free_port",
]
