"""What an answer with a fault puts on the wire, and what its record says was sent.

An answer may go wrong on purpose (``Response.fault``, one of
:data:`~inspector.http.response.FAULTS`; docs/ARCHITECTURE.md, "Answers"). This
module decides the bytes; the server performs the fault on the socket
(inspector/server/faults.py). Like the rest of this package it does no I/O.

- ``close``, ``reset``, ``hang``: no bytes. The record's response has status 0
  (no status line went out), like a browser's failed request in HAR.
- ``malformed``: the answer's body as raw bytes, no status line; status 0 too,
  and the record's body is the bytes sent.
- ``truncate``: the head, whose Content-Length promises the whole body (at
  least 1 byte), and the first half of the body (rounded down). An answer that
  carries no body (to HEAD; 1xx, 204, 304) has its head cut in half instead.
  The record shows the head and the part of the body that went out.
- ``trickle``: the whole answer, in pieces of :func:`trickle_pace`.

Each but ``trickle`` ends the connection: ``close``, ``truncate`` and
``malformed`` with a FIN once the bytes are sent, ``reset`` with a TCP reset,
``hang`` when the client leaves or the idle limit passes.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass

from inspector.http.record import SentResponse
from inspector.http.response import Response, body_allowed, serialise

#: A trickle sends at most this many pieces a second (a slower rate sends 1 byte less often).
TRICKLE_PIECES_PER_S = 10


class Ending(enum.Enum):
    """What happens to the connection after the fault's bytes."""

    #: it goes on as after any answer (``trickle``)
    KEEP = enum.auto()
    #: closed once the bytes are sent (``close``, ``truncate``, ``malformed``)
    CLOSE = enum.auto()
    #: aborted with a TCP reset (``reset``)
    RESET = enum.auto()
    #: held open, nothing sent, until the client leaves or the idle limit (``hang``)
    HOLD = enum.auto()


@dataclass(frozen=True, slots=True)
class FaultWire:
    """The bytes of an answer with a fault.

    Attributes:
        wire: what to send (before TLS), in order.
        ending: what happens to the connection then.
        shown: the record's response; ``bytes`` and ``duration_ms`` are left
            for the server to fill in once it knows them.
    """

    wire: bytes
    ending: Ending
    shown: SentResponse


_ENDINGS = {
    "close": Ending.CLOSE,
    "reset": Ending.RESET,
    "hang": Ending.HOLD,
    "trickle": Ending.KEEP,
    "truncate": Ending.CLOSE,
    "malformed": Ending.CLOSE,
}


def fault_wire(response: Response, *, method: str, keep_alive: bool) -> FaultWire:
    """What ``response`` (whose ``fault`` is one of ``FAULTS``) sends, and its record.

    Args:
        response: the answer.
        method: the request's method (HEAD gets no body).
        keep_alive: False adds ``Connection: close`` to the head of a
            ``trickle`` or ``truncate`` answer.

    Raises:
        ValueError: ``response.fault`` is not a known fault.
    """
    fault = response.fault
    ending = _ENDINGS.get(fault or "")
    if fault is None or ending is None:
        raise ValueError(f"{fault!r} is not a fault")
    nothing = SentResponse(
        status=0,
        rule=response.rule,
        error=response.error,
        step=response.step,
        steps=response.steps,
        fault=fault,
    )
    if fault == "malformed":
        return FaultWire(response.body, ending, dataclasses.replace(nothing, body=response.body))
    if fault in ("close", "reset", "hang"):
        return FaultWire(b"", ending, nothing)
    if fault == "trickle":
        wire, status, reason, headers = serialise(response, method=method, keep_alive=keep_alive)
        body = response.body if body_allowed(status, method) else b""
        return FaultWire(wire, ending, _shown(nothing, status, reason, headers, body))
    return _truncated(response, method, keep_alive, nothing)


def _truncated(response: Response, method: str, keep_alive: bool, nothing: SentResponse) -> FaultWire:
    body = response.body or b" "  # an empty body is promised as one byte
    promise = dataclasses.replace(response, body=body)
    wire, status, reason, headers = serialise(promise, method=method, keep_alive=keep_alive)
    if body_allowed(status, method):
        head = len(wire) - len(body)
        sent = body[: len(response.body) // 2]
        return FaultWire(
            wire[: head + len(sent)], Ending.CLOSE, _shown(nothing, status, reason, headers, sent)
        )
    return FaultWire(wire[: len(wire) // 2], Ending.CLOSE, _shown(nothing, status, reason, headers, b""))


def _shown(
    nothing: SentResponse, status: int, reason: str, headers: tuple[tuple[str, str], ...], body: bytes
) -> SentResponse:
    return dataclasses.replace(nothing, status=status, reason=reason, headers=headers, body=body)


def trickle_pace(bytes_per_s: int) -> tuple[int, float]:
    """(bytes per piece, seconds between pieces) for a trickle at ``bytes_per_s``
    (at least 1): up to :data:`TRICKLE_PIECES_PER_S` pieces a second, each at least 1 byte."""
    rate = max(1, bytes_per_s)
    piece = -(-rate // TRICKLE_PIECES_PER_S)  # rounded up
    return piece, piece / rate
