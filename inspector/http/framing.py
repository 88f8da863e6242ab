"""What a server decides from a request's head (RFC 9112 §3.2, §6, §9.3; RFC 9110 §10.1.1).

llhttp passes these through to its caller: exactly one valid Host on HTTP/1.1,
keep-alive, and the body's framing (Content-Length, or chunked as the only
coding; others are 501, Transfer-Encoding on HTTP/1.0 is 400).
"""

from __future__ import annotations

from typing import NamedTuple

from inspector.http.events import ProtocolError
from inspector.http.syntax import is_host_value

#: ``Framing.length`` of a chunked body
CHUNKED = -1


class Framing(NamedTuple):
    """How the message goes on: ``length`` body bytes (or :data:`CHUNKED`), keep-alive or not."""

    length: int
    keep_alive: bool
    expects_continue: bool


def _tokens(values: list[str]) -> list[str]:
    return [token.strip().lower() for value in values for token in value.split(",")]


def decide(method: str, version: str, special: dict[str, list[str]], max_body: int) -> Framing:
    """Apply the head rules to the framing fields (``special``: values by lower-cased name).

    Raises:
        ProtocolError: 400 for a Host or framing problem, 413 for a
            Content-Length over ``max_body``, 501 for an unknown coding.
    """
    hosts = special.get("host", [])
    if len(hosts) > 1:
        raise ProtocolError(400, "more than one Host header")
    if version == "1.1" and not hosts:
        raise ProtocolError(400, "HTTP/1.1 request without a Host header")
    if hosts and not is_host_value(hosts[0].strip()):
        raise ProtocolError(400, "invalid Host header")
    connection = set(_tokens(special["connection"])) if "connection" in special else set()
    keep_alive = "keep-alive" in connection if version == "1.0" else "close" not in connection
    expects = "expect" in special and "100-continue" in [v.strip().lower() for v in special["expect"]]
    return Framing(
        _body_length(method, version, special, max_body),
        keep_alive and method != "CONNECT",
        expects and version == "1.1",
    )


def _body_length(method: str, version: str, special: dict[str, list[str]], max_body: int) -> int:
    """Body length from Content-Length, or :data:`CHUNKED` (RFC 9112 §6)."""
    codings = _tokens(special["transfer-encoding"]) if "transfer-encoding" in special else []
    if codings:
        if version == "1.0":
            raise ProtocolError(400, "Transfer-Encoding in an HTTP/1.0 request")
        unknown = [c for c in codings if c != "chunked"]
        if unknown:
            if "" in unknown:
                raise ProtocolError(400, "empty Transfer-Encoding")
            raise ProtocolError(501, f"transfer coding not implemented: {unknown[0]}")
        if len(codings) > 1:
            raise ProtocolError(400, "chunked applied more than once")
        if "content-length" in special:
            raise ProtocolError(400, "both Content-Length and Transfer-Encoding")
        return CHUNKED
    if "content-length" not in special or method == "CONNECT":
        return 0
    lengths = [value.strip() for value in special["content-length"]]
    if len(lengths) > 1 or not lengths[0].isdigit() or not lengths[0].isascii():
        raise ProtocolError(400, "invalid Content-Length")
    # Leading zeros off and the digits counted first: int() of a long decimal
    # string is quadratic, and refused past 4,300 digits.
    digits = lengths[0].lstrip("0") or "0"
    if len(digits) > len(str(max_body)) or int(digits) > max_body:
        shown = digits if len(digits) <= 20 else f"{digits[:20]}... ({len(digits)} digits)"
        raise ProtocolError(413, f"body of {shown} bytes exceeds the {max_body}-byte limit")
    return int(digits)
