"""Export capture records: HAR 1.2, JSONL and cURL command lines. Pure functions.

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
  spec) so :func:`inspector.store.har_import.import_har` rebuilds the records
  exactly: ``_id``, ``_receivedAt`` (the float; ``startedDateTime`` keeps
  microseconds only), ``_client``, ``_server``, ``_target``, ``_path``,
  ``_error``, ``_notes``, ``_trailers``, ``_bodyTruncated``, ``_rawHeadB64``,
  ``_rawBodyB64``; on the response ``_rule``, ``_bytes``, ``_durationMs``,
  ``_error``; ``_noResponse`` when nothing was sent (status 0, like a browser's
  failed request).

cURL: see :func:`to_curl`.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
import shlex
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

from inspector.http.record import CaptureRecord, Pairs, iso_utc

CREATOR: Final = {"name": "Request Inspector", "version": "0.1.0"}
HAR_VERSION: Final = "1.2"
#: a body larger than this goes through a pipe, not an argument (Linux caps one
#: argument at 128 KiB)
_MAX_INLINE_BODY: Final = 64 * 1024
#: headers curl adds on its own unless told otherwise
_CURL_DEFAULT_HEADERS: Final = ("Host", "User-Agent", "Accept")
_CURL_BODY_HEADERS: Final = ("Content-Type", "Expect")


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


def _host(record: CaptureRecord) -> str:
    host = record.header("Host")
    return host if host else record.server


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


def to_jsonl_lines(records: Iterable[CaptureRecord]) -> Iterator[str]:
    """One JSON text per record (the DESIGN.md record form), without newlines."""
    for record in records:
        yield json.dumps(record.to_json())


# -- cURL -------------------------------------------------------------------------------


def _arg_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _target_arg(target: str) -> str:
    """The target as a word whose bytes are the wire bytes.

    The parser decodes the request-target as Latin-1 (one char per byte), and
    header values as UTF-8; words are encoded back with UTF-8/surrogateescape.
    """
    try:
        return target.encode("latin-1").decode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return target


def _quote(text: str) -> str:
    """Quote one shell word; ANSI-C ``$'...'`` when it holds control or odd bytes."""
    data = _arg_bytes(text)
    if _is_plain_utf8(data.replace(b"\n", b"").replace(b"\t", b"").replace(b"\r", b"")):
        return shlex.quote(text)
    out = []
    for b in data:
        if 0x20 <= b < 0x7F and b not in (0x27, 0x5C):  # not ' or \
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02x}")
    return "$'" + "".join(out) + "'"


def _is_plain_utf8(data: bytes) -> bool:
    """Printable UTF-8 text (safe inside single quotes on a UTF-8 terminal)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return text.isprintable()


def _printf_format(data: bytes) -> str:
    """A POSIX ``printf`` format that prints ``data`` exactly."""
    out = []
    for b in data:
        if b == 0x25:  # %
            out.append("%%")
        elif b == 0x5C:  # backslash
            out.append("\\\\")
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:
            out.append(f"\\{b:03o}")
    return "".join(out)


def _origin(record: CaptureRecord, base_url: str | None) -> str:
    if base_url:
        return base_url.rstrip("/")
    return f"http://{_host(record)}"


def _safe_url_target(target: str) -> bool:
    """True when curl sends ``target`` unchanged as part of a URL (with -g, --path-as-is)."""
    return (
        target.startswith("/")
        and all(0x21 <= ord(c) < 0x7F for c in target)
        and "#" not in target
    )


def to_curl(record: CaptureRecord, base_url: str | None = None) -> str:
    """A shell command line that sends ``record`` again with /usr/bin/curl.

    The captured copy of the resent request has the same method, request-target,
    header fields (names' case, order, duplicates) and body bytes:

    - ``--http1.1`` (``--http1.0`` for 1.0), ``--path-as-is`` and ``--globoff`` so
      curl neither normalises ``/../`` nor expands ``{}``/``[]``. A target that a
      URL cannot carry unchanged (spaces, control or non-ASCII bytes, ``#``,
      absolute-form, ``*``) is sent with ``--request-target``, its characters
      written back as the Latin-1 bytes the parser decoded them from.
    - curl's own Host, User-Agent and Accept (plus Content-Type and Expect with a
      body) are removed with ``-H 'Name:'`` unless the request had them; Host is
      always removed and re-added in its place, since curl would put it first.
      A header with an empty value is written ``-H 'Name;'`` (curl's syntax).
    - The body, when there is one, is piped in byte-exact: ``printf '<octal
      escapes>' | curl --data-binary @-`` (POSIX printf, NUL and non-UTF-8 bytes
      included); short printable UTF-8 text not starting with ``@`` is inline.
    - HEAD uses ``--head`` (``-X HEAD`` would make curl wait for a body).
    - Every word is ``shlex.quote``-d; a header holding control characters or
      bytes that are not UTF-8 (header strings are encoded as UTF-8 with
      ``surrogateescape``) is written ``$'...'``, which bash, zsh and ksh read.

    Trailers cannot be sent by curl and are left out.

    Args:
        record: the request to reproduce.
        base_url: ``scheme://host:port`` to send it to; by default ``http://`` and
            the Host header (or the server address).
    """
    words = ["curl", "--http1.0" if record.http_version == "1.0" else "--http1.1"]
    words += ["--path-as-is", "--globoff"]
    method = record.method or "GET"
    if method == "HEAD" and not record.body:
        words.append("--head")
    else:
        words += ["-X", method]
    origin = _origin(record, base_url)
    if _safe_url_target(record.target):
        words.append(origin + record.target)
    else:
        words += ["--request-target", _target_arg(record.target) or "/", origin + "/"]

    names = {name.lower() for name, _ in record.headers}
    defaults = list(_CURL_DEFAULT_HEADERS) + (list(_CURL_BODY_HEADERS) if record.body else [])
    for name in defaults:
        if name.lower() not in names or name == "Host":
            words += ["-H", f"{name}:"]
    for name, value in record.headers:
        words += ["-H", f"{name}: {value}" if value else f"{name};"]

    pipe = ""
    if record.body:
        body = record.body
        inline = (
            len(body) <= _MAX_INLINE_BODY
            and not body.startswith(b"@")
            and b"\0" not in body
            and _is_plain_utf8(body.replace(b"\n", b"").replace(b"\t", b"").replace(b"\r", b""))
        )
        if inline:
            words += ["--data-binary", body.decode("utf-8")]
        else:
            pipe = f"printf {shlex.quote(_printf_format(body))} | "
            words += ["--data-binary", "@-"]
    return pipe + " ".join(_quote(word) for word in words)


# -- files ------------------------------------------------------------------------------


def export_file(path: str | os.PathLike[str], records: Iterable[CaptureRecord]) -> int:
    """Write ``records`` to ``path`` as HAR (``.har``) or JSONL (``.jsonl``).

    JSONL is streamed; HAR is built in memory (one JSON document). The file is
    written next to its final name and renamed into place, so a failed export
    never leaves half a file.

    Returns:
        The number of records written.

    Raises:
        ValueError: the suffix is neither ``.har`` nor ``.jsonl``.
        OSError: the file cannot be written.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".har", ".jsonl"):
        raise ValueError(f"cannot export to {target.name}: use a .har or .jsonl file name")
    tmp = target.with_name(f".{target.name}.tmp")
    count = 0
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as out:
            if suffix == ".jsonl":
                for line in to_jsonl_lines(records):
                    out.write(line)
                    out.write("\n")
                    count += 1
            else:
                har = to_har(records)
                count = len(har["log"]["entries"])
                json.dump(har, out, indent=1)
                out.write("\n")
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count
