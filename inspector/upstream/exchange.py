"""What happened upstream for one forwarded request: the record's ``upstream`` field.

The JSON keys ``url``, ``status``, ``headers``, ``body_b64``, ``body_size``,
``duration_ms`` and ``error`` are the contract; the others are for the
window's Upstream tab (docs/ARCHITECTURE.md, "The capture record"). Times are
milliseconds from the moment the request was handed to the forwarder, so the
queue wait, the connection and the answer add up on one axis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inspector.http.record import Pairs, _b64, _pairs, _unb64


def _ms(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpstreamExchange:
    """One request sent upstream and what came back.

    Attributes:
        url: the full URL the request went to.
        status: the upstream's status; None when no answer came.
        reason: the upstream's reason phrase.
        headers: the answer's header fields as received (framing included).
        body: the answer's body (de-chunked); empty when it was not read whole.
        body_size: bytes of body received (past the limit: how far it got).
        duration_ms: from handing the request over to the last byte, or the failure.
        error: None, or the one-line reason the client got a 502, 503 or 504.
        request_headers: the header fields as sent upstream.
        informational: statuses of 1xx answers that came before the final one.
        connect_ms: when a new connection was opened: when it was ready (TLS
            included); None when a kept-alive connection was reused.
        first_byte_ms: when the answer's first byte arrived.
    """

    url: str
    status: int | None = None
    reason: str = ""
    headers: Pairs = ()
    body: bytes = b""
    body_size: int = 0
    duration_ms: float = 0.0
    error: str | None = None
    request_headers: Pairs = ()
    informational: tuple[int, ...] = ()
    connect_ms: float | None = None
    first_byte_ms: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "reason": self.reason,
            "headers": [list(p) for p in self.headers],
            "body_b64": _b64(self.body),
            "body_size": self.body_size,
            "duration_ms": round(self.duration_ms, 3),
            "error": self.error,
            "request_headers": [list(p) for p in self.request_headers],
            "informational": list(self.informational),
            "connect_ms": None if self.connect_ms is None else round(self.connect_ms, 3),
            "first_byte_ms": None if self.first_byte_ms is None else round(self.first_byte_ms, 3),
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> UpstreamExchange:
        """Read the JSON form back (keys beyond the contract may be missing).

        Raises:
            ValueError, KeyError, TypeError: not an upstream object.
        """
        status = obj.get("status")
        body = _unb64(obj.get("body_b64"))
        return cls(
            url=str(obj["url"]),
            status=None if status is None else int(status),
            reason=str(obj.get("reason") or ""),
            headers=_pairs(obj.get("headers")),
            body=body,
            body_size=int(obj.get("body_size") or len(body)),
            duration_ms=float(obj.get("duration_ms") or 0.0),
            error=obj.get("error"),
            request_headers=_pairs(obj.get("request_headers")),
            informational=tuple(int(s) for s in obj.get("informational") or ()),
            connect_ms=_ms(obj.get("connect_ms")),
            first_byte_ms=_ms(obj.get("first_byte_ms")),
        )
