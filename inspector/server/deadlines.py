"""Which deadline applies to a connection now (docs/ARCHITECTURE.md, "Limits and deadlines").

The loop sweeps its connections :data:`SWEEP_INTERVAL` apart and asks
:func:`what_is_due` about each; the answer depends on what the connection is doing.
Draining after an error answer, it is closed at the end of its linger.
With answer bytes the client does not take, the send timeout runs. A ``hang``
fault ends at its own deadline, the idle limit after it began. Busy answering
(a request waiting for its answer, a fault under way, answers queued,
closing), no other deadline runs: the client is not the one being slow. During a TLS handshake the
head deadline applies (the TLS terminator checks it). Otherwise the parser's
own deadlines run: head, body silence, the whole request, idle keep-alive.
"""

from __future__ import annotations

import enum

from inspector.http.limits import Limits
from inspector.server.connection import Connection

#: How often idle, head, body, request and send deadlines are checked.
SWEEP_INTERVAL = 0.25


class Due(enum.Enum):
    """What the sweep does with a connection."""

    #: its linger after an error answer is over: close it
    LINGER_OVER = enum.auto()
    #: the client took none of its answers for ``send_timeout``: record it and close
    SEND_STALLED = enum.auto()
    #: a TLS handshake is under way: its head deadline may have passed
    HANDSHAKE = enum.auto()
    #: the parser's deadlines (head, body, request, idle) may have passed
    PARSER = enum.auto()
    #: a ``hang`` fault reached the idle limit: finish its request and close
    HANG_OVER = enum.auto()


def what_is_due(conn: Connection, now: float, limits: Limits) -> Due | None:
    """What is due for ``conn`` at ``now``; None: nothing."""
    if conn.linger_until is not None:
        return Due.LINGER_OVER if now >= conn.linger_until else None
    if conn.out:
        stalled = conn.stalled_since
        if stalled is not None and now - stalled >= limits.send_timeout:
            return Due.SEND_STALLED
        return None
    fault = conn.fault
    if fault is not None and fault.until is not None and now >= fault.until:
        return Due.HANG_OVER
    if conn.queue or conn.busy or conn.closing:
        return None  # busy answering: the client is not the one being slow
    if conn.tls is not None and conn.tls.handshaking:
        return Due.HANDSHAKE
    return Due.PARSER


def stalled_reason(limits: Limits, unsent: int) -> str:
    """Why a connection whose client took none of its answers was closed."""
    return f"the client took none of its answers for {limits.send_timeout:g} s ({unsent} bytes unsent)"
