"""Capture records as HAR 1.2 entries. Pure functions.

HAR follows the 1.2 spec (http://www.softwareishard.com/blog/har-12-spec/):

- ``request.headers`` and ``request.queryString`` keep order and duplicates.
- HAR 1.2 ``postData`` has no ``encoding`` field: its ``text`` is "plain text".
  A body that is not valid UTF-8 is written base64 with ``"encoding": "base64"``
  anyway, the de-facto extension (the HAR 1.3 draft, Google's martian, Reqable)
  that readers ignoring it still parse. ``response.content.encoding`` is 1.2.
- Timings are honest: we see a request only once it has arrived, so
  ``blocked``/``dns``/``connect`` are -1 (not applicable), ``send`` and
  ``receive`` 0, ``wait`` the time taken to answer.
- What HAR cannot hold goes in ``_``-prefixed custom fields (allowed by the
  spec) so :func:`inspector.formats.har_import.import_har` rebuilds the records
  exactly: ``_id``, ``_receivedAt`` (the float; ``startedDateTime`` keeps
  microseconds only), ``_client``, ``_server``, ``_target``, ``_path``,
  ``_error``, ``_notes``, ``_trailers``, ``_bodyTruncated``, ``_rawHeadB64``,
  ``_rawBodyB64``; on the response ``_rule``, ``_bytes``, ``_durationMs``,
  ``_error``; ``_noResponse`` when nothing was sent (status 0, like a browser's
  failed request); ``_extensions`` for the record's other fields (``scheme``,
  ...; see :mod:`inspector.formats.extensions`) when any differs from its
  default.
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Iterable
from typing import Any, Final

from inspector.formats.extensions import record_extensions
from inspector.http.record import CaptureRecord, Pairs, iso_utc

CREATOR: Final = {"name": "Request Inspector", "version": "0.1.0"}
HAR_VERSION: Final = "1.2"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _nv(pairs: Pairs) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in pairs]


def _text_or_b64(data: bytes) -> tuple[str, bool]:
    """The body as text when it is valid UTF-8, else base64 (second item True)."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return _b64(data), True


def _server_ip(server: str) -> str | None:
    host = server.rsplit(":", 1)[0].strip("[]")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _cookies(record: CaptureRecord) -> list[dict[str, str]]:
    cookies = []
    for header in record.header_values("Cookie"):
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep and name:
                cookies.append({"name": name, "value": value})
    return cookies


def _http_version(version: str) -> str:
    return f"HTTP/{version}" if version else ""


def har_entry(record: CaptureRecord) -> dict[str, Any]:
    """One HAR ``entries`` item for ``record``."""
    request: dict[str, Any] = {
        "method": record.method,
        "url": record.url,
        "httpVersion": _http_version(record.http_version),
        "cookies": _cookies(record),
        "headers": _nv(record.headers),
        "queryString": _nv(record.query),
        "headersSize": len(record.raw_head) if record.raw_head else -1,
        "bodySize": record.body_size,
    }
    if record.body:
        text, is_b64 = _text_or_b64(record.body)
        post: dict[str, Any] = {"mimeType": record.header("Content-Type") or "", "text": text}
        if is_b64:
            post["encoding"] = "base64"
        request["postData"] = post

    resp = record.response
    duration = 0.0 if resp is None else resp.duration_ms
    if resp is None:
        response: dict[str, Any] = {
            "status": 0,
            "statusText": "",
            "httpVersion": "",
            "cookies": [],
            "headers": [],
            "content": {"size": 0, "mimeType": ""},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
            "_noResponse": True,
        }
    else:
        text, is_b64 = _text_or_b64(resp.body)
        content: dict[str, Any] = {
            "size": len(resp.body),
            "mimeType": _header(resp.headers, "Content-Type") or "",
            "text": text,
        }
        if is_b64:
            content["encoding"] = "base64"
        response = {
            "status": resp.status,
            "statusText": resp.reason,
            "httpVersion": _http_version(record.http_version or "1.1"),
            "cookies": [],
            "headers": _nv(resp.headers),
            "content": content,
            "redirectURL": _header(resp.headers, "Location") or "",
            "headersSize": -1,
            "bodySize": len(resp.body),
            "_rule": resp.rule,
            "_bytes": resp.bytes,
            "_durationMs": resp.duration_ms,
            "_error": resp.error,
        }

    entry: dict[str, Any] = {
        "startedDateTime": iso_utc(record.received_at),
        "time": duration,
        "request": request,
        "response": response,
        "cache": {},
        "timings": {
            "blocked": -1,
            "dns": -1,
            "connect": -1,
            "send": 0,
            "wait": duration,
            "receive": 0,
        },
    }
    server_ip = _server_ip(record.server)
    if server_ip is not None:
        entry["serverIPAddress"] = server_ip
    entry.update(
        {
            "_id": record.id,
            "_receivedAt": record.received_at,
            "_client": record.client,
            "_server": record.server,
            "_target": record.target,
            "_path": record.path,
            "_error": record.error,
            "_notes": list(record.notes),
            "_trailers": _nv(record.trailers),
            "_bodyTruncated": record.body_truncated,
            "_rawHeadB64": _b64(record.raw_head),
            "_rawBodyB64": None if record.raw_body is None else _b64(record.raw_body),
        }
    )
    extensions = record_extensions(record)
    if extensions is not None:
        entry["_extensions"] = extensions
    return entry


def _header(pairs: Pairs, name: str) -> str | None:
    lower = name.lower()
    for key, value in pairs:
        if key.lower() == lower:
            return value
    return None


def to_har(records: Iterable[CaptureRecord]) -> dict[str, Any]:
    """A HAR 1.2 document (``{"log": ...}``) holding ``records`` in order."""
    return {
        "log": {
            "version": HAR_VERSION,
            "creator": dict(CREATOR),
            "pages": [],
            "entries": [har_entry(record) for record in records],
        }
    }



