"""Read HAR files (ours, Chrome/Edge DevTools, Firefox, HTTP Toolkit, mitmproxy).

Strategy: our own export carries ``_``-prefixed fields that rebuild each record
exactly (see :mod:`inspector.formats.har`); for other tools' HAR we take what
the spec fields give and tolerate the known quirks:

- missing optional fields and ``null`` where a list or string belongs;
- HTTP/2 and HTTP/3 pseudo headers (``:authority``, ``:method``, ``:path``,
  ``:scheme``) are left out of the headers; a request without a Host header
  gets one first, from ``:authority`` as an HTTP/1.1 gateway makes it
  (RFC 9113 §8.3.1), else from the URL's authority, with a note saying so, so
  the record's URL keeps the host and port the browser asked for;
- ``postData.params`` without ``text`` (Firefox, older Chrome): the body is
  rebuilt urlencoded and a note says so;
- ``postData.encoding``/``_encoding`` = base64 (the de-facto extension) and
  base64 ``response.content``;
- ids: ``_id`` when it is an int (Chrome's ``_initiator`` ids, negative ids, or
  strings are ignored); otherwise entries are numbered 1, 2, 3... in file order;
- ``httpVersion`` spelled ``HTTP/1.1``, ``http/1.1``, ``h2``, ``http/2.0`` or
  ``h3``; response ``bodySize``/``content.size`` of -1 or 0;
- numbers that are not finite (``1e400``, ``NaN``) or out of range count as
  absent; whatever the JSON holds, a failure is one line, never a traceback.

Records built from a foreign HAR have empty ``raw_head`` (no bytes were
received here), ``client`` from ``_client`` when present, ``scheme`` from the
URL (or ``:scheme``), and ``server`` as ``host:port``: ``serverIPAddress``
(bare or, as Chrome writes IPv6, bracketed) with the URL's port or its
scheme's default.
"""

from __future__ import annotations

import base64
import binascii
import math
import os
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final
from urllib.parse import SplitResult, quote_plus, urlsplit

from inspector.addresses import format_host, format_hostport, normalise_address
from inspector.formats.extensions import record_fields, response_fields
from inspector.formats.har_scan import RESTART, HarScanError, scan_entries
from inspector.http.record import CaptureRecord, Pairs, SentResponse, parse_iso_utc

#: entries read between two progress calls (and two chances for other threads)
CHUNK: Final = 500
#: the largest id or size taken from a file (SQLite's INTEGER); beyond it, not a number
_MAX_INT: Final = (1 << 63) - 1
#: received times from 1970 to the end of year 9999 (what a datetime can show)
_MAX_TIMESTAMP: Final = 253_402_300_799.0

#: the port a URL means when it names none
DEFAULT_PORTS: Final = {"http": 80, "https": 443, "ws": 80, "wss": 443}

#: ``progress(done, total)``: bytes of the file read so far and in all (entries
#: for an already-parsed object); return False to cancel the import
Progress = Callable[[int, int], bool]


class HarImportError(ValueError):
    """The input is not a HAR document we can read; the message says why (one line)."""


class HarImportCancelled(Exception):
    """The progress callback returned False: the import stopped, nothing was returned."""


def import_har(
    source: str | os.PathLike[str] | Mapping[str, Any], *, progress: Progress | None = None
) -> list[CaptureRecord]:
    """Read a HAR file (a path) or an already-parsed HAR object.

    The file is read an entry at a time (:mod:`inspector.formats.har_scan`):
    every :data:`CHUNK` entries ``progress`` is called and other threads get
    the GIL, so a window can run the import on a worker thread, show progress
    and cancel it.

    Returns:
        One record per entry, in file order.

    Raises:
        HarImportError: not JSON, not a HAR document, or an entry that cannot be read
            (the message names the entry index); one line, whatever the JSON holds
            (deep nesting, huge or non-finite numbers).
        HarImportCancelled: ``progress`` returned False.
        OSError: the file cannot be read.
    """
    if isinstance(source, Mapping):
        name = "HAR object"
        log = source.get("log")
        if not isinstance(log, Mapping):
            raise HarImportError(f'{name} is not a HAR file: no "log" object')
        entries = log.get("entries")
        if not isinstance(entries, list):
            raise HarImportError(f'{name} is not a HAR file: "log" has no "entries" list')
        total = len(entries)
        return _records(name, ((e, i + 1) for i, e in enumerate(entries)), total, progress)
    path = Path(source)
    name = path.name
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HarImportError(f"{name} is not a HAR file: not UTF-8 text") from None
    del raw
    return _records(name, scan_entries(text), len(text), progress)


def _records(
    name: str, entries: Iterable[tuple[Any, int]], total: int, progress: Progress | None
) -> list[CaptureRecord]:
    records: list[CaptureRecord] = []
    used_ids: set[int] = set()
    next_id = 1
    index = 0
    try:
        for entry, position in entries:
            if entry is RESTART:  # a later "log"/"entries" replaces these (as json.loads)
                records.clear()
                used_ids.clear()
                next_id, index = 1, 0
                continue
            record = _read_entry(name, index, entry, next_id)
            if record.id in used_ids:
                raise HarImportError(f"{name}: entry {index} repeats id {record.id}")
            used_ids.add(record.id)
            next_id = max(next_id, record.id) + 1
            records.append(record)
            index += 1
            if index % CHUNK == 0:
                if progress is not None and progress(position, total) is False:
                    raise HarImportCancelled(name)
                time.sleep(0)  # let other threads (the GUI) have the GIL
    except HarScanError as exc:
        raise HarImportError(f"{name} is not a HAR file: {exc}") from None
    if progress is not None and progress(total, total) is False:
        raise HarImportCancelled(name)
    return records


def _read_entry(name: str, index: int, entry: Any, fallback_id: int) -> CaptureRecord:
    try:
        return _entry_to_record(entry, fallback_id)
    except HarImportError as exc:
        raise HarImportError(f"{name}: entry {index}: {exc}") from None
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError, RecursionError) as exc:
        reason = " ".join(str(exc).split())[:200]
        raise HarImportError(
            f"{name}: entry {index} cannot be read: {type(exc).__name__}: {reason}"
        ) from None


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


def _number(value: Any) -> float | None:
    """A finite JSON number as a float; None for anything else (``1e400`` is inf)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, int):
        return float(value) if -_MAX_INT <= value <= _MAX_INT else None
    return value if math.isfinite(value) else None


def _int_or(value: Any, default: int, low: int = 0, high: int = _MAX_INT) -> int:
    number = _number(value)
    if number is None or not low <= number <= high:
        return default
    return int(number)


def _received_at(entry: Mapping[str, Any]) -> float:
    ours = _number(entry.get("_receivedAt"))
    if ours is not None and 0 <= ours <= _MAX_TIMESTAMP:
        return ours
    started = entry.get("startedDateTime")
    if not isinstance(started, str):
        raise HarImportError('no "startedDateTime"')
    try:
        received_at = parse_iso_utc(started)
    except (ValueError, OverflowError):
        raise HarImportError(f"startedDateTime {started[:100]!r} is not a date") from None
    if not 0 <= received_at <= _MAX_TIMESTAMP:
        raise HarImportError(f"startedDateTime {started[:100]!r} is out of range")
    return received_at


def _entry_to_record(entry: Any, fallback_id: int) -> CaptureRecord:
    entry = _obj(entry, "the entry")
    if "request" not in entry:
        raise HarImportError('no "request"')
    request = _obj(entry.get("request"), '"request"')
    ours = "_rawHeadB64" in entry

    raw_id = entry.get("_id")
    record_id = raw_id if isinstance(raw_id, int) and not isinstance(raw_id, bool) else None
    if record_id is None or (not ours and record_id <= 0) or abs(record_id) > _MAX_INT:
        record_id = fallback_id
    received_at = _received_at(entry)

    all_headers = _pairs(request.get("headers"), "request.headers")
    headers = tuple(pair for pair in all_headers if not pair[0].startswith(":"))
    pseudo = {name.lower(): value for name, value in all_headers if name.startswith(":")}

    method = _s(request.get("method")) or pseudo.get(":method", "")
    url = _s(request.get("url"))
    parts = _split_url(url)
    notes: list[str] = []
    if ours:
        target = _s(entry.get("_target"))
        path = _s(entry.get("_path"))
    else:
        target, path = _target_from_url(url, parts, pseudo.get(":path"))
        headers, note = _with_host(headers, pseudo.get(":authority"), parts)
        notes.extend(note)

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

    scheme = (pseudo.get(":scheme") or parts.scheme).lower()
    server = entry.get("_server")
    if server is None:
        server = _server(_s(entry.get("serverIPAddress")), parts, scheme)

    response = _response(entry, ours)
    error = _opt_str(entry.get("_error"))
    if not ours and error is None and response is None:
        # Chrome puts a failed request's reason (net::ERR_...) on the response.
        error = _opt_str(_obj(entry.get("response"), '"response"').get("_error"))

    if ours:
        extensions = _obj(entry.get("_extensions"), '"_extensions"')
        more = record_fields(extensions)
    else:
        more = {"scheme": "https"} if scheme in ("https", "wss") else {}
    return CaptureRecord(
        id=record_id,
        received_at=received_at,
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
        **more,
    )


def _split_url(url: str) -> SplitResult:
    """``request.url`` in parts; an unreadable one is empty parts (refused later
    only if the target must come from it)."""
    try:
        return urlsplit(url)
    except ValueError:
        return urlsplit("")


def _with_host(headers: Pairs, authority: str | None, parts: SplitResult) -> tuple[Pairs, list[str]]:
    """``headers`` with a Host header first when they have none: from
    ``:authority``, else from the URL's authority (without user info)."""
    if any(name.lower() == "host" for name, _ in headers):
        return headers, []
    if authority:
        return (("Host", authority), *headers), ["imported from HTTP/2: Host taken from :authority"]
    host = parts.netloc.rpartition("@")[2]
    if not host:
        return headers, []
    return (("Host", host), *headers), ["imported without a Host header: Host taken from the URL"]


def _server(ip: str, parts: SplitResult, scheme: str) -> str:
    """``host:port`` of the server that answered: its address, with the URL's
    port or the scheme's default; "" when the HAR does not say."""
    host = normalise_address(ip)  # Chrome brackets IPv6, Firefox not
    if not host:
        return ""
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:  # a port out of range or not a number
        port = None
    return format_host(host) if port is None else format_hostport(host, port)


def _target_from_url(url: str, parts: SplitResult, pseudo_path: str | None) -> tuple[str, str]:
    if pseudo_path:
        target = pseudo_path
    else:
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
    status = _int_or(response.get("status"), 0, high=999)
    if not ours and status <= 0:
        return None  # a browser's failed or blocked request: nothing came back
    content = _obj(response.get("content"), "response.content")
    body = _body(content, "response.content.text")
    duration = _number(response.get("_durationMs"))
    if duration is None or duration < 0:
        wait = _number(_obj(entry.get("timings"), '"timings"').get("wait"))
        duration = wait if wait is not None and wait >= 0 else 0.0
    more = response_fields(_obj(entry.get("_extensions"), '"_extensions"')) if ours else {}
    return SentResponse(
        status=status,
        reason=_s(response.get("statusText")),
        headers=_pairs(response.get("headers"), "response.headers"),
        body=body,
        rule=_opt_str(response.get("_rule")),
        bytes=_int_or(response.get("_bytes"), 0),
        duration_ms=duration,
        error=_opt_str(response.get("_error")),
        **more,
    )

