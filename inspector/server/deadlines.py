"""Which deadline applies to a connection now (docs/ARCHITECTURE.md, "Limits and deadlines").

The loop sweeps its connections :data:`SWEEP_INTERVAL` apart and asks
:func:`what_is_due` about each; the answer depends on what the connection is doing.
Draining after an error answer, it is closed at the end of its linger.
With answer bytes the client does not take, the send timeout runs. Busy
answering (a request waiting for its answer, answers queued, closing), no
deadline runs: the client is not the one being slow. During a TLS handshake the
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


def what_is_due(conn: Connection, now: float, limits: Limits) -> Due | None:
    """What is due for ``conn`` at ``now``; None: nothing."""
    if conn.linger_until is not None:
        return Due.LINGER_OVER if now >= conn.linger_until else None
    if conn.out:
        stalled = conn.stalled_since
        if stalled is not None and now - stalled >= limits.send_timeout:
            return Due.SEND_STALLED
        return None
    if conn.queue or conn.waiting is not None or conn.closing:
        return None  # busy answering: the client is not the one being slow
    if conn.tls is not None and conn.tls.handshaking:
        return Due.HANDSHAKE
    return Due.PARSER


def stalled_reason(limits: Limits, unsent: int) -> str:
    """Why a connection whose client took none of its answers was closed."""
    return f"the client took none of its answers for {limits.send_timeout:g} s ({unsent} bytes unsent)"
