"""Qt-free listener helpers: ``--listen`` values, who holds a port.

Used by the server, headless mode and the window alike; imports only the
standard library, :mod:`inspector.addresses` and :mod:`inspector.text`.
"""

from inspector.listen.holder import PortHolder, find_holder
from inspector.listen.inuse import PortInUse, explain_port_in_use, suggest_free_port
from inspector.listen.overlap import overlap
from inspector.listen.spec import ListenError, ListenSpec, parse_listen, resolve_listeners

__all__ = [
    "ListenError",
    "ListenSpec",
    "PortHolder",
    "PortInUse",
    "explain_port_in_use",
    "find_holder",
    "overlap",
    "parse_listen",
    "resolve_listeners",
    "suggest_free_port",
]
