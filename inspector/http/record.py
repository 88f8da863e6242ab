"""The capture record: one immutable object per request received.

Every layer agrees on these fields (docs/ARCHITECTURE.md, "The capture record").
Records are kept compact on purpose: slotted, a handful of objects each, bodies
as one ``bytes``, because a busy session holds hundreds of thousands of them and
the garbage collector has to walk every one.

``to_json`` gives the JSONL form; ``from_json`` reads it back, so a record
survives a round trip through JSONL, SQLite or an import unchanged.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Any

Pairs = tuple[tuple[str, str], ...]


def _iso_uncached(timestamp: float) -> str:
    moment = _dt.datetime.fromtimestamp(timestamp, tz=_dt.UTC)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


_last_second: list[tuple[int, str]] = [(-1, "")]


def iso_utc(timestamp: float) -> str:
    """Format a POSIX timestamp as ISO 8601 in UTC with microseconds.

    Every JSONL line carries one, thousands a second: the date and time up to
    the second are reused while the second stays the same.
    """
    whole = math.floor(timestamp)
    micros = round((timestamp - whole) * 1_000_000)
    if micros >= 1_000_000 or whole < 0:
        return _iso_uncached(timestamp)
    second, prefix = _last_second[0]
    if second != whole:
        prefix = _iso_uncached(whole)[:-7]  # "YYYY-MM-DDTHH:MM:SS."
        _last_second[0] = (whole, prefix)
    return f"{prefix}{micros:06d}Z"


def parse_iso_utc(text: str) -> float:
    """Inverse of :func:`iso_utc` (also accepts an explicit offset)."""
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str | None) -> bytes:
    if not text:
        return b""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"invalid base64: {exc}") from None


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _pairs(value: Any) -> Pairs:
    if not value:
        return ()
    return tuple((str(name), str(val)) for name, val in value)


@dataclass(frozen=True, slots=True, kw_only=True)
class ClientCert:
    """The certificate a TLS client presented: its subject (RFC 4514) and SHA-256 of its DER."""

    subject: str
    sha256: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TLSFacts:
    """The record's ``tls`` field: what the ClientHello said, then the handshake's outcome
    (``version``, ``cipher``, ``alpn``, ``client_cert`` stay None when it failed)."""

    version: str | None = None
    cipher: str | None = None
    sni: str | None = None
    alpn_offered: tuple[str, ...] = ()
    alpn: str | None = None
    ja4: str | None = None
    client_cert: ClientCert | None = None

    def to_json(self) -> dict[str, Any]:
        cert = self.client_cert
        return {
            "version": self.version,
            "cipher": self.cipher,
            "sni": self.sni,
            "alpn_offered": list(self.alpn_offered),
            "alpn": self.alpn,
            "ja4": self.ja4,
            "client_cert": None if cert is None else {"subject": cert.subject, "sha256": cert.sha256},
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> TLSFacts:
        def text(key: str) -> str | None:
            value = obj.get(key)
            return None if value is None else str(value)

        cert = obj.get("client_cert")
        return cls(
            version=text("version"),
            cipher=text("cipher"),
            sni=text("sni"),
            alpn_offered=tuple(str(p) for p in obj.get("alpn_offered") or ()),
            alpn=text("alpn"),
            ja4=text("ja4"),
            client_cert=(
                None
                if not isinstance(cert, dict)
                else ClientCert(subject=str(cert.get("subject") or ""), sha256=str(cert.get("sha256") or ""))
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SentResponse:
    """What the listener sent back for one request."""

    status: int
    reason: str = ""
    headers: Pairs = ()
    body: bytes = b""
    #: name of the rule that answered; None for the listener's own error answers
    rule: str | None = None
    #: total bytes written (head and body)
    bytes: int = 0
    #: from the request being complete to the response being handed to the socket
    duration_ms: float = 0.0
    #: set when the rule failed (for example a template error) and a 500 went out instead
    error: str | None = None
    #: the 1-based answer of the rule's list that was used; None for a rule with one answer
    step: int | None = None
    #: how many answers that rule's list has; None with ``step``
    steps: int | None = None
    #: None, or the fault the answer carried (``inspector.http.response.FAULTS``)
    fault: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "rule": self.rule,
            "bytes": self.bytes,
            "duration_ms": round(self.duration_ms, 3),
            "headers": [list(p) for p in self.headers],
            "body_b64": _b64(self.body),
            "error": self.error,
            "step": self.step,
            "steps": self.steps,
            "fault": self.fault,
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> SentResponse:
        return cls(
            status=int(obj["status"]),
            reason=str(obj.get("reason") or ""),
            headers=_pairs(obj.get("headers")),
            body=_unb64(obj.get("body_b64")),
            rule=obj.get("rule"),
            bytes=int(obj.get("bytes") or 0),
            duration_ms=float(obj.get("duration_ms") or 0.0),
            error=obj.get("error"),
            step=_optional_int(obj.get("step")),
            steps=_optional_int(obj.get("steps")),
            fault=None if obj.get("fault") is None else str(obj["fault"]),
        )


def _opt_ms(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpstreamExchange:
    """One request sent upstream by a forward rule and what came back: the record's
    ``upstream`` field.

    The JSON keys ``url``, ``status``, ``headers``, ``body_b64``, ``body_size``,
    ``duration_ms`` and ``error`` are the contract; the others are for the
    window's Upstream tab (docs/ARCHITECTURE.md, "The capture record"). Times
    are milliseconds from the moment the request was handed to the forwarder,
    so the queue wait, the connection and the answer add up on one axis.

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
            connect_ms=_opt_ms(obj.get("connect_ms")),
            first_byte_ms=_opt_ms(obj.get("first_byte_ms")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class CaptureRecord:
    """One request, exactly as the client sent it.

    ``raw_head`` holds the request line and header section as received (for a
    malformed request: every byte received for it, capped). ``raw_body`` holds
    the body bytes as they crossed the wire when they differ from ``body``
    (chunked framing); it is None when the body was sent as-is, so a plain body
    is stored once. ``raw`` joins them back.
    """

    id: int
    received_at: float
    client: str
    server: str
    #: "http", or "https" for a request that arrived over TLS
    scheme: str = "http"
    method: str = ""
    target: str = ""
    path: str = ""
    query: Pairs = ()
    http_version: str = ""
    headers: Pairs = ()
    trailers: Pairs = ()
    body: bytes = b""
    body_size: int = 0
    body_truncated: bool = False
    error: str | None = None
    notes: tuple[str, ...] = ()
    raw_head: bytes = b""
    raw_body: bytes | None = None
    #: None for plain HTTP; the handshake's facts for HTTPS (also when it failed)
    tls: TLSFacts | None = None
    response: SentResponse | None = field(default=None)
    #: what went upstream and came back, when a forward rule answered
    upstream: UpstreamExchange | None = None

    def with_response(
        self, response: SentResponse, upstream: UpstreamExchange | None = None
    ) -> CaptureRecord:
        """This record with what was sent back (faster than ``dataclasses.replace``)."""
        return CaptureRecord(
            id=self.id,
            received_at=self.received_at,
            client=self.client,
            server=self.server,
            scheme=self.scheme,
            method=self.method,
            target=self.target,
            path=self.path,
            query=self.query,
            http_version=self.http_version,
            headers=self.headers,
            trailers=self.trailers,
            body=self.body,
            body_size=self.body_size,
            body_truncated=self.body_truncated,
            error=self.error,
            notes=self.notes,
            raw_head=self.raw_head,
            raw_body=self.raw_body,
            tls=self.tls,
            response=response,
            upstream=upstream,
        )

    def with_error(self, error: str, upstream: UpstreamExchange | None = None) -> CaptureRecord:
        """This record marked with ``error`` (a request that was never answered; a
        forwarded one with how far its upstream call got)."""
        return dataclasses.replace(self, error=error, upstream=upstream or self.upstream)

    @property
    def raw(self) -> bytes:
        """The bytes received for this request (capped like the body)."""
        return self.raw_head + (self.body if self.raw_body is None else self.raw_body)

    @property
    def url(self) -> str:
        """The URL the client asked for (RFC 9112 §3.3, the target URI); "" without a target.

        The one place every view, exporter and replayer gets it from. An
        absolute-form target is the URL itself; otherwise the authority is the
        Host header (the listener's address without one) and the path the
        target: empty for asterisk-form (``OPTIONS *``), the target itself for
        authority-form (``CONNECT host:port``). A malformed target that does
        not start with ``/`` is shown after one.
        """
        target = self.target
        if not target:
            return ""
        if "://" in target.split("?", 1)[0]:
            return target
        if self.method == "CONNECT":
            return f"{self.scheme}://{target}"
        origin = f"{self.scheme}://{self.header('Host') or self.server}"
        if target == "*":
            return origin
        return origin + (target if target.startswith("/") else "/" + target)

    @property
    def received_at_iso(self) -> str:
        return iso_utc(self.received_at)

    def header(self, name: str, default: str | None = None) -> str | None:
        """First value of a header, matched case-insensitively."""
        lower = name.lower()
        for key, value in self.headers:
            if key.lower() == lower:
                return value
        return default

    def header_values(self, name: str) -> list[str]:
        """Every value of a header, in received order, matched case-insensitively."""
        lower = name.lower()
        return [value for key, value in self.headers if key.lower() == lower]

    def to_json(self) -> dict[str, Any]:
        """The JSONL form (``raw_b64`` always present, so nothing is lost)."""
        return {
            "id": self.id,
            "received_at": self.received_at_iso,
            "client": self.client,
            "server": self.server,
            "scheme": self.scheme,
            "method": self.method,
            "target": self.target,
            "path": self.path,
            "query": [list(p) for p in self.query],
            "http_version": self.http_version,
            "headers": [list(p) for p in self.headers],
            "trailers": [list(p) for p in self.trailers],
            "body_b64": _b64(self.body),
            "body_size": self.body_size,
            "body_truncated": self.body_truncated,
            "error": self.error,
            "notes": list(self.notes),
            "raw_b64": _b64(self.raw),
            "tls": None if self.tls is None else self.tls.to_json(),
            "response": None if self.response is None else self.response.to_json(),
            "upstream": None if self.upstream is None else self.upstream.to_json(),
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> CaptureRecord:
        """Rebuild a record from its JSONL form.

        Raises:
            ValueError, KeyError, TypeError: the object is not a capture record.
        """
        body = _unb64(obj.get("body_b64"))
        raw = _unb64(obj.get("raw_b64"))
        # Split raw back into head and body so a plain body is stored once.
        if raw.endswith(body) and len(raw) >= len(body):
            raw_head, raw_body = raw[: len(raw) - len(body)], None
        else:
            head_end = raw.find(b"\r\n\r\n")
            cut = len(raw) if head_end < 0 else head_end + 4
            raw_head, raw_body = raw[:cut], raw[cut:]
        response = obj.get("response")
        tls = obj.get("tls")
        upstream = obj.get("upstream")
        return cls(
            id=int(obj["id"]),
            received_at=parse_iso_utc(str(obj["received_at"])),
            client=str(obj.get("client") or ""),
            server=str(obj.get("server") or ""),
            scheme=str(obj.get("scheme") or "http"),
            method=str(obj.get("method") or ""),
            target=str(obj.get("target") or ""),
            path=str(obj.get("path") or ""),
            query=_pairs(obj.get("query")),
            http_version=str(obj.get("http_version") or ""),
            headers=_pairs(obj.get("headers")),
            trailers=_pairs(obj.get("trailers")),
            body=body,
            body_size=int(obj.get("body_size") or len(body)),
            body_truncated=bool(obj.get("body_truncated")),
            error=obj.get("error"),
            notes=tuple(str(n) for n in obj.get("notes") or ()),
            raw_head=raw_head,
            raw_body=raw_body,
            tls=TLSFacts.from_json(tls) if isinstance(tls, dict) else None,
            response=None if not response else SentResponse.from_json(response),
            upstream=None if not upstream else UpstreamExchange.from_json(upstream),
        )
