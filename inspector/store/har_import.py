"""Read HAR files (ours, Chrome/Edge DevTools, Firefox, HTTP Toolkit, mitmproxy).

Strategy: our own export carries ``_``-prefixed fields that rebuild each record
exactly (see :mod:`inspector.store.export`); for other tools' HAR we take what
the spec fields give and tolerate the known quirks:

- missing optional fields and ``null`` where a list or string belongs;
- HTTP/2 and HTTP/3 pseudo headers (``:authority``, ``:method``, ``:path``,
  ``:scheme``) are left out of the headers; ``:authority`` stands in for a
  missing Host;
- ``postData.params`` without ``text`` (Firefox, older Chrome): the body is
  rebuilt urlencoded and a note says so;
- ``postData.encoding``/``_encoding`` = base64 (the de-facto extension) and
  base64 ``response.content``;
- ids: ``_id`` when it is an int (Chrome's ``_initiator`` ids, negative ids, or
  strings are ignored); otherwise entries are numbered 1, 2, 3... in file order;
- ``httpVersion`` spelled ``HTTP/1.1``, ``http/1.1``, ``h2``, ``http/2.0`` or
  ``h3``; response ``bodySize``/``content.size`` of -1 or 0.

Records built from a foreign HAR have empty ``raw_head`` (no bytes were
received here) and client/server taken from ``_client``/``serverIPAddress``
when present.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlsplit

from inspector.http.record import CaptureRecord, Pairs, SentResponse, parse_iso_utc


class HarImportError(ValueError):
    """The input is not a HAR document we can read; the message says why (one line)."""


def import_har(source: str | os.PathLike[str] | Mapping[str, Any]) -> list[CaptureRecord]:
    """Read a HAR file (a path) or an already-parsed HAR object.

    Returns:
        One record per entry, in file order.

    Raises:
        HarImportError: not JSON, not a HAR document, or an entry that cannot be read
            (the message names the entry index).
        OSError: the file cannot be read.
    """
    if isinstance(source, Mapping):
        obj: Any = source
        name = "HAR object"
    else:
        path = Path(source)
        name = path.name
        raw = path.read_bytes()
        try:
            obj = json.loads(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise HarImportError(f"{name} is not a HAR file: not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise HarImportError(
                f"{name} is not a HAR file: invalid JSON at line {exc.lineno} column {exc.colno}"
            ) from None
    if not isinstance(obj, Mapping):
        raise HarImportError(f"{name} is not a HAR file: the top level is not an object")
    log = obj.get("log")
    if not isinstance(log, Mapping):
        raise HarImportError(f'{name} is not a HAR file: no "log" object')
    entries = log.get("entries")
    if not isinstance(entries, list):
        raise HarImportError(f'{name} is not a HAR file: "log" has no "entries" list')
    records: list[CaptureRecord] = []
    used_ids: set[int] = set()
    next_id = 1
    for index, entry in enumerate(entries):
        try:
            record = _entry_to_record(entry, next_id)
        except HarImportError as exc:
            raise HarImportError(f"{name}: entry {index}: {exc}") from None
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise HarImportError(
                f"{name}: entry {index} cannot be read: {type(exc).__name__}: {exc}"
            ) from None
        if record.id in used_ids:
            raise HarImportError(f"{name}: entry {index} repeats id {record.id}")
        used_ids.add(record.id)
        next_id = max(next_id, record.id) + 1
        records.append(record)
    return records


def _obj(value: Any, what: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise HarImportError(f"{what} is not an object")
    return value


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _pairs(items: Any, what: str) -> Pairs:
    if not items:
        return ()
    if not isinstance(items, list):
        raise HarImportError(f"{what} is not a list")
    out = []
    for raw in items:
        item = _obj(raw, f"an item of {what}")
        out.append((_s(item.get("name")), _s(item.get("value"))))
    return tuple(out)


def _unb64(text: Any, what: str) -> bytes:
    try:
        return base64.b64decode(_s(text), validate=True)
    except (binascii.Error, ValueError):
        raise HarImportError(f"{what} is not valid base64") from None


def _body(holder: Mapping[str, Any], what: str) -> bytes:
    text = holder.get("text")
    if text is None:
        return b""
    encoding = holder.get("encoding") or holder.get("_encoding")
    if isinstance(encoding, str) and encoding.lower() == "base64":
        return _unb64(text, what)
    return _s(text).encode("utf-8", "surrogatepass")


def _version(value: Any) -> str:
    text = _s(value).strip()
    lower = text.lower()
    if lower in ("h2", "http/2", "http/2.0"):
        return "2"
    if lower in ("h3", "http/3", "http/3.0"):
        return "3"
    if lower.startswith("http/"):
        return text[5:]
    return text


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _int_or(value: Any, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return int(value)


def _entry_to_record(entry: Any, fallback_id: int) -> CaptureRecord:
    entry = _obj(entry, "the entry")
    if "request" not in entry:
        raise HarImportError('no "request"')
    request = _obj(entry.get("request"), '"request"')
    ours = "_rawHeadB64" in entry

    raw_id = entry.get("_id")
    record_id = raw_id if isinstance(raw_id, int) and not isinstance(raw_id, bool) else None
    if record_id is None or (not ours and record_id <= 0):
        record_id = fallback_id

    received_at = entry.get("_receivedAt")
    if not isinstance(received_at, int | float) or isinstance(received_at, bool):
        started = entry.get("startedDateTime")
        if not isinstance(started, str):
            raise HarImportError('no "startedDateTime"')
        try:
            received_at = parse_iso_utc(started)
        except ValueError:
            raise HarImportError(f"startedDateTime {started!r} is not a date") from None

    all_headers = _pairs(request.get("headers"), "request.headers")
    headers = tuple(pair for pair in all_headers if not pair[0].startswith(":"))
    pseudo = {name.lower(): value for name, value in all_headers if name.startswith(":")}

    method = _s(request.get("method")) or pseudo.get(":method", "")
    url = _s(request.get("url"))
    notes: list[str] = []
    if ours:
        target = _s(entry.get("_target"))
        path = _s(entry.get("_path"))
    else:
        target, path = _target_from_url(url, pseudo.get(":path"))
        if not any(name.lower() == "host" for name, _ in headers) and ":authority" in pseudo:
            notes.append("imported from HTTP/2: Host taken from :authority")

    body = b""
    post = request.get("postData")
    if post is not None:
        post = _obj(post, "request.postData")
        if post.get("text") is not None:
            body = _body(post, "request.postData.text")
        elif post.get("params"):
            params = _pairs(post.get("params"), "request.postData.params")
            body = "&".join(f"{quote_plus(n)}={quote_plus(v)}" for n, v in params).encode()
            notes.append("body rebuilt from postData.params")

    if ours:
        notes = [str(n) for n in entry.get("_notes") or ()]
        raw_head = _unb64(entry.get("_rawHeadB64"), "_rawHeadB64")
        raw_body_b64 = entry.get("_rawBodyB64")
        raw_body = None if raw_body_b64 is None else _unb64(raw_body_b64, "_rawBodyB64")
        trailers = _pairs(entry.get("_trailers"), "_trailers")
    else:
        raw_head, raw_body, trailers = b"", None, ()

    body_size = _int_or(request.get("bodySize"), -1)
    if body_size < 0 or (not ours and body_size < len(body)):
        body_size = len(body)

    server = entry.get("_server")
    if server is None:
        ip = entry.get("serverIPAddress")
        server = "" if not ip else (f"[{ip}]" if ":" in str(ip) else str(ip))
        host = urlsplit(url).netloc if url else ""
        if server and host and ":" in host.rsplit("]", 1)[-1]:
            server += ":" + host.rsplit(":", 1)[1]

    response = _response(entry, ours)
    error = _opt_str(entry.get("_error"))
    if not ours and error is None and response is None:
        # Chrome puts a failed request's reason (net::ERR_...) on the response.
        error = _opt_str(_obj(entry.get("response"), '"response"').get("_error"))

    return CaptureRecord(
        id=record_id,
        received_at=float(received_at),
        client=_s(entry.get("_client")),
        server=_s(server),
        method=method,
        target=target,
        path=path,
        query=_pairs(request.get("queryString"), "request.queryString"),
        http_version=_version(request.get("httpVersion")),
        headers=headers,
        trailers=trailers,
        body=body,
        body_size=body_size,
        body_truncated=bool(entry.get("_bodyTruncated")),
        error=error,
        notes=tuple(notes),
        raw_head=raw_head,
        raw_body=raw_body,
        response=response,
    )


def _target_from_url(url: str, pseudo_path: str | None) -> tuple[str, str]:
    if pseudo_path:
        target = pseudo_path
    else:
        try:
            parts = urlsplit(url)
        except ValueError:
            raise HarImportError(f"request.url {url!r} is not a URL") from None
        if not parts.scheme and not url.startswith("/"):
            raise HarImportError(f"request.url {url!r} is not a URL")
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if not parts.query and url.split("#", 1)[0].endswith("?"):
            target += "?"
    path = target.split("?", 1)[0]
    return target, path


def _response(entry: Mapping[str, Any], ours: bool) -> SentResponse | None:
    response = entry.get("response")
    if response is None:
        return None
    response = _obj(response, '"response"')
    if response.get("_noResponse"):
        return None
    status = _int_or(response.get("status"), 0)
    if not ours and status <= 0:
        return None  # a browser's failed or blocked request: nothing came back
    content = _obj(response.get("content"), "response.content")
    body = _body(content, "response.content.text")
    duration = response.get("_durationMs")
    if not isinstance(duration, int | float) or isinstance(duration, bool):
        timings = _obj(entry.get("timings"), '"timings"')
        wait = timings.get("wait")
        duration = wait if isinstance(wait, int | float) and wait >= 0 else 0.0
    return SentResponse(
        status=status,
        reason=_s(response.get("statusText")),
        headers=_pairs(response.get("headers"), "response.headers"),
        body=body,
        rule=_opt_str(response.get("_rule")),
        bytes=_int_or(response.get("_bytes"), 0),
        duration_ms=float(duration),
        error=_opt_str(response.get("_error")),
    )

