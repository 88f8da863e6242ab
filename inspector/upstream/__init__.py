"""Forwarding requests to a real upstream (Qt-free).

:class:`Forwarder` sends a captured request to an :class:`UpstreamTarget` on
a bounded pool of worker threads and reports a :class:`ForwardResult`: the
answer for the client and the record's ``upstream`` field
(:class:`UpstreamExchange`). See docs/ARCHITECTURE.md, "Answers".
"""

from inspector.http.record import UpstreamExchange
from inspector.upstream.forwarder import ForwardCall, Forwarder, ForwardResult
from inspector.upstream.outgoing import OutgoingRequest, build_request
from inspector.upstream.target import TargetError, UpstreamTarget, parse_target

__all__ = [
    "ForwardCall",
    "ForwardResult",
    "Forwarder",
    "OutgoingRequest",
    "TargetError",
    "UpstreamExchange",
    "UpstreamTarget",
    "build_request",
    "parse_target",
]
