"""What the sans-IO parser hands back: events, and the error that ends a connection.

In the manner of h11's events: frozen, slotted, no behaviour. An error carries
the status to answer (h11's ``error_status_hint``).
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector.http.record import CaptureRecord

__all__ = [
    "ConnectionClosed",
    "Event",
    "ProtocolError",
    "RequestReceived",
    "RequestRejected",
    "SendContinue",
]


class ProtocolError(Exception):
    """A request that cannot be accepted; ``status`` is the answer to give."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class RequestReceived:
    """A complete request. ``keep_alive`` False means close after answering."""

    record: CaptureRecord
    keep_alive: bool


@dataclass(frozen=True, slots=True)
class RequestRejected:
    """A malformed, oversized or timed-out request: answer ``status``, then close."""

    record: CaptureRecord
    status: int
    reason: str


@dataclass(frozen=True, slots=True)
class SendContinue:
    """The client sent ``Expect: 100-continue`` and waits: send ``100 Continue``."""


@dataclass(frozen=True, slots=True)
class ConnectionClosed:
    """Nothing more will come: the client closed between requests, or idled out."""

    reason: str


Event = RequestReceived | RequestRejected | SendContinue | ConnectionClosed
