"""Sending a request again (Qt-free): a raw HTTP/1.1 client over one socket.

A raw socket rather than ``http.client.HTTPConnection.request`` so that header
fields go out in the order, case and number given (duplicates included) and
nothing is added but what HTTP framing needs:

- ``Host`` from the URL when the headers have none (first, as clients do);
- ``Content-Length`` set to the real body length (an edited body changes it),
  in its captured place or appended; ``Transfer-Encoding`` is dropped, because the captured body is already
  de-chunked and is sent in one piece.

The response is read with :class:`http.client.HTTPResponse` (Content-Length,
chunked, or until close), its body capped at :data:`MAX_RESPONSE_BODY`. Only
``http://`` URLs are supported.
"""

from __future__ import annotations

import http.client
import socket
import time
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from inspector.http.record import Pairs

#: response bytes kept for display; the rest is read and dropped
MAX_RESPONSE_BODY: Final = 10 * 1024 * 1024
DEFAULT_TIMEOUT: Final = 15.0
_FRAMING = frozenset({"content-length", "transfer-encoding"})


class ReplayError(Exception):
    """The request could not be sent or no response came back (one readable line)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayRequest:
    method: str
    url: str
    headers: Pairs = ()
    body: bytes = b""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplayResponse:
    status: int
    reason: str
    http_version: str
    headers: Pairs = ()
    body: bytes = b""
    body_truncated: bool = False
    elapsed_ms: float = 0.0
    sent: bytes = field(default=b"", repr=False)


def _encode(text: str) -> bytes:
    """Request text back to bytes: Latin-1 when it fits (how the parser decoded
    targets and names), else UTF-8 keeping escaped bytes."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape")


def split_url(url: str) -> tuple[str, int, str]:
    """``(host, port, request-target)`` of an ``http://`` URL.

    Raises:
        ReplayError: not an http:// URL (https is not supported), or no host.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "https":
        raise ReplayError("https:// is not supported: replay sends plain http:// only")
    if scheme != "http":
        raise ReplayError(f"not an http:// URL: {url.strip()[:200]!r}")
    if not parts.hostname:
        raise ReplayError("the URL has no host")
    try:
        port = parts.port or 80
    except ValueError:
        raise ReplayError("the URL has an invalid port") from None
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return parts.hostname, port, target


def build_request(request: ReplayRequest) -> bytes:
    """The bytes that :func:`send` writes."""
    host, port, target = split_url(request.url)
    method = request.method.strip() or "GET"
    if any(ch in method for ch in " \r\n\t") or any(ch in target for ch in " \r\n"):
        raise ReplayError("the method and URL must not contain spaces or line breaks")
    lines = [f"{method} {target} HTTP/1.1".encode("latin-1", "replace")]
    names = {name.lower() for name, _ in request.headers}
    if "host" not in names:
        authority = f"[{host}]" if ":" in host else host
        lines.append(b"Host: " + _encode(authority if port == 80 else f"{authority}:{port}"))
    length = str(len(request.body)).encode("ascii")
    length_sent = False
    for name, value in request.headers:
        if any(ch in name + value for ch in "\r\n") or not name.strip():
            raise ReplayError(f"header {name[:60]!r} is not a valid header line")
        lowered = name.lower()
        if lowered in _FRAMING:
            if lowered == "content-length" and not length_sent:  # in place, corrected
                lines.append(_encode(name) + b": " + length)
                length_sent = True
            continue
        lines.append(_encode(name) + b": " + _encode(value))
    if not length_sent and (request.body or method.upper() in ("POST", "PUT", "PATCH")):
        lines.append(b"Content-Length: " + length)
    return b"\r\n".join(lines) + b"\r\n\r\n" + request.body


def send(request: ReplayRequest, timeout: float = DEFAULT_TIMEOUT) -> ReplayResponse:
    """Send ``request`` and read the response (blocking: call off the GUI thread).

    Raises:
        ReplayError: bad URL, connection refused, timeout, or no valid response.
    """
    host, port, _target = split_url(request.url)
    data = build_request(request)
    started = time.perf_counter()
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(data)
            response = http.client.HTTPResponse(sock, method=request.method.strip().upper() or "GET")
            try:
                response.begin()
                body = response.read(MAX_RESPONSE_BODY)
                truncated = bool(response.read(1)) if not response.isclosed() else False
            finally:
                response.close()
    except TimeoutError:
        raise ReplayError(f"no response from {host}:{port} within {timeout:g} s") from None
    except http.client.HTTPException as exc:
        raise ReplayError(f"invalid response from {host}:{port}: {type(exc).__name__} {exc}") from None
    except OSError as exc:
        raise ReplayError(f"cannot reach {host}:{port}: {exc.strerror or exc}") from None
    elapsed = (time.perf_counter() - started) * 1000
    headers = tuple((str(name), str(value)) for name, value in response.getheaders())
    version = {10: "1.0", 11: "1.1"}.get(response.version, str(response.version))
    return ReplayResponse(
        status=response.status,
        reason=response.reason,
        http_version=version,
        headers=headers,
        body=body,
        body_truncated=truncated,
        elapsed_ms=elapsed,
        sent=data,
    )
