"""Turning a body into something readable, by content type (Qt-free).

- ``application/json`` and ``*+json``: pretty-printed (when it parses), the
  indenting stopped at the display limit; a document too large to parse at
  once (over :data:`JSON_PARSE_LIMIT`) is re-indented token by token from its
  first bytes only (:func:`reindent_json`), so any size shows as JSON at the cost
  of the part shown;
- ``application/x-www-form-urlencoded``: decoded name/value rows, repeated and
  blank names kept;
- ``multipart/form-data``: each part with its own header fields, split on the
  boundary by hand (RFC 7578 / RFC 2046 §5.1.1) so the bytes shown are the
  bytes received;
- text: decoded with the declared charset (UTF-8 by default); bytes that do not
  decode show as ``\\xNN``;
- anything else: a hex dump.

Every renderer stops at ``limit`` bytes of input so a 10 MiB body never lands
in a widget by accident; ``RenderedBody.truncated`` says when it stopped, and
the note says "showing the first X of Y".

:func:`multipart_parts` gives each part of a multipart body as bytes (the whole
body, not the part shown), for saving one part to a file.
"""

from __future__ import annotations

import codecs
import email.message
import email.utils
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from inspector.text import human_size, visible

#: how much of a body goes into the Body tab before "Show all"
DISPLAY_LIMIT = 256 * 1024
#: JSON larger than this is shown as text rather than parsed and re-indented
JSON_PARSE_LIMIT = 4 * 1024 * 1024
#: how much of a binary multipart part is hex-dumped
PART_HEX_LIMIT = 512
#: how much of the start of a body decides whether it is text
SNIFF_LIMIT = 8 * 1024


@dataclass(frozen=True, slots=True)
class RenderedBody:
    """A body made readable.

    Attributes:
        kind: "empty", "json", "form", "multipart", "text" or "hex".
        text: what a text view shows (for "form": a plain-text rendering too).
        rows: (name, value) rows for "form".
        shown: input bytes the rendering covers.
        total: size of the whole body.
    """

    kind: str
    text: str
    rows: tuple[tuple[str, str], ...] = field(default=())
    shown: int = 0
    total: int = 0

    @property
    def truncated(self) -> bool:
        return self.shown < self.total

    @property
    def note(self) -> str:
        """ "showing the first X of Y" when truncated, else the size."""
        if self.truncated:
            return f"showing the first {human_size(self.shown)} of {human_size(self.total)}"
        return human_size(self.total)


def parse_content_type(value: str | None) -> tuple[str, dict[str, str]]:
    """``"Text/HTML; charset=UTF-8"`` -> ``("text/html", {"charset": "UTF-8"})``."""
    if not value:
        return "", {}
    message = email.message.Message()
    message["content-type"] = value
    params: dict[str, str] = {}
    for key, val in message.get_params(failobj=[])[1:]:
        text = val if isinstance(val, str) else email.utils.collapse_rfc2231_value(val)
        params[key.lower()] = text
    return message.get_content_type(), params


def looks_binary(data: bytes, charset: str = "utf-8") -> bool:
    """True when the start of ``data`` does not read as text in ``charset``:
    it has a NUL, or more than a tenth of it is control characters or bytes
    that are not valid UTF-8 (a stray invalid byte in text stays text)."""
    sample = data[:SNIFF_LIMIT]
    if b"\x00" in sample:
        return True
    try:
        is_utf8 = codecs.lookup(charset).name == "utf-8"
    except LookupError:
        is_utf8 = True
    text = sample.decode("utf-8", "surrogateescape") if is_utf8 else sample.decode("latin-1")
    if is_utf8 and len(sample) < len(data):
        text = text[:-3]  # a character cut by the sample's end is still text
    odd = sum(
        1
        for ch in text
        if ch < "\t" or "\x0e" <= ch < " " or ch == "\x7f" or (is_utf8 and "\udc80" <= ch <= "\udcff")
    )
    return odd > len(text) // 10


def decode_text(data: bytes, charset: str = "utf-8") -> str:
    """Decode; undecodable UTF-8 bytes come back as surrogates that
    :func:`visible` shows as ``\\xNN``."""
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        codec = "utf-8"
    if codec == "utf-8":
        return data.decode("utf-8", "surrogateescape")
    return data.decode(codec, "replace")


def hex_line(offset: int, chunk: bytes) -> str:
    """One line of a hex dump: the offset, up to 16 bytes of hex, their printable ASCII.

    Byte ``i`` of the chunk is at column ``10 + 3 * i`` (one more from the
    ninth byte on) and its character at column ``62 + i``.
    """
    hex_part = " ".join(f"{b:02x}" for b in chunk[:8])
    if len(chunk) > 8:
        hex_part += "  " + " ".join(f"{b:02x}" for b in chunk[8:])
    text = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
    return f"{offset:08x}  {hex_part:<49}  |{text}|"


def hex_dump(data: bytes, limit: int | None = None) -> str:
    """Offset, 16 bytes of hex, and their printable ASCII, per line."""
    if limit is not None:
        data = data[:limit]
    return "\n".join(hex_line(offset, data[offset : offset + 16]) for offset in range(0, len(data), 16))


def _split_multipart(body: bytes, boundary: bytes) -> tuple[list[bytes], bool]:
    """The parts between the boundary delimiters; True when the close delimiter was seen."""
    delimiter = b"--" + boundary
    parts: list[bytes] = []
    pos = body.find(delimiter)
    if pos < 0:
        return parts, False
    while True:
        start = pos + len(delimiter)
        if body[start : start + 2] == b"--":
            return parts, True
        eol = body.find(b"\n", start)
        if eol < 0:
            return parts, False
        start = eol + 1
        found = body.find(b"\r\n" + delimiter, start)
        skip = 2
        if found < 0:
            found = body.find(b"\n" + delimiter, start)
            skip = 1
        if found < 0:
            parts.append(body[start:])
            return parts, False
        parts.append(body[start:found])
        pos = found + skip


def _split_head(part: bytes) -> tuple[list[tuple[str, str]], bytes]:
    for separator in (b"\r\n\r\n", b"\n\n"):
        cut = part.find(separator)
        if cut >= 0:
            head, content = part[:cut], part[cut + len(separator) :]
            break
    else:
        if part.startswith((b"\r\n", b"\n")):
            return [], part.lstrip(b"\r\n")
        head, content = part, b""
    fields = []
    for line in head.splitlines():
        name, _, value = line.decode("utf-8", "surrogateescape").partition(":")
        fields.append((name, value.strip()))
    return fields, content


@dataclass(frozen=True, slots=True)
class BodyPart:
    """One part of a multipart body: its header fields and its content."""

    number: int
    fields: tuple[tuple[str, str], ...]
    content: bytes

    def param(self, name: str) -> str:
        """A parameter of its Content-Disposition (``name``, ``filename``), "" when absent."""
        disposition = next((v for n, v in self.fields if n.strip().lower() == "content-disposition"), "")
        message = email.message.Message()
        message["content-disposition"] = disposition
        value = message.get_param(name, header="content-disposition")
        if isinstance(value, tuple):
            value = email.utils.collapse_rfc2231_value(value)
        return value if isinstance(value, str) else ""


#: the characters kept from a part's own file name when suggesting where to save it
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ ()+-]")
_MAX_NAME = 100


def part_file_name(part: BodyPart, fallback: str) -> str:
    """A file name to suggest for saving ``part``: its own (no folders, only
    plain characters, not hidden), else ``fallback``. The sender chose it: it is
    only ever a suggestion in the save dialog."""
    name = part.param("filename").replace("\\", "/").rsplit("/", 1)[-1]
    name = _SAFE_NAME.sub("_", name).strip(" .")[:_MAX_NAME]
    return name if name.strip("_") else fallback


def multipart_parts(body: bytes, content_type: str | None) -> list[BodyPart]:
    """Every part of a multipart ``body`` (none when it is not multipart)."""
    mime, params = parse_content_type(content_type)
    boundary = params.get("boundary")
    if not mime.startswith("multipart/") or not boundary:
        return []
    parts, _closed = _split_multipart(body, boundary.encode("utf-8", "surrogateescape"))
    return [BodyPart(number, *_split_head_tuple(part)) for number, part in enumerate(parts, 1)]


def _split_head_tuple(part: bytes) -> tuple[tuple[tuple[str, str], ...], bytes]:
    fields, content = _split_head(part)
    return tuple(fields), content


def _render_multipart(body: bytes, boundary: str, total: int) -> RenderedBody | None:
    parts, closed = _split_multipart(body, boundary.encode("utf-8", "surrogateescape"))
    if not parts:
        return None
    out: list[str] = []
    for number, part in enumerate(parts, 1):
        fields, content = _split_head(part)
        out.append(f"── part {number} of {len(parts)} · {human_size(len(content))} ──")
        out.extend(visible(f"{name}: {value}", None) for name, value in fields)
        out.append("")
        content_type = next((v for n, v in fields if n.strip().lower() == "content-type"), None)
        mime, params = parse_content_type(content_type)
        charset = params.get("charset", "utf-8")
        textual = mime in ("", "text/plain") or mime.startswith("text/") or "json" in mime
        if textual and not looks_binary(content, charset):
            out.append(visible(decode_text(content, charset), None, keep_newlines=True))
        else:
            out.append(hex_dump(content, PART_HEX_LIMIT))
            if len(content) > PART_HEX_LIMIT:
                out.append(f"… {human_size(len(content) - PART_HEX_LIMIT)} more")
        out.append("")
    if not closed:
        out.append("(no closing boundary: the body ends inside a part)")
    return RenderedBody("multipart", "\n".join(out), shown=len(body), total=total)


# one JSON token: a string (closed or cut off), a punctuation mark, or anything
# else up to the next of those or white space (which is skipped). The
# alternatives start with different characters, so the scan is linear whatever
# the bytes.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?$)|[{}\[\],:]|[^"{}\[\],:\s]+', re.S)


def reindent_json(text: str, indent: str = "  ") -> str:
    """``text`` re-indented as ``json.dumps(..., indent=2)`` would, token by token,
    without parsing it: for a prefix of a large document, or any text that only
    looks like JSON (what is not JSON is kept as it is)."""
    out: list[str] = []
    add = out.append
    breaks = ["\n"]  # breaks[depth]: a new line at that depth
    depth = 0
    opened = False  # a bracket was just opened: the next value starts a new line
    for token in _JSON_TOKEN.findall(text):
        first = token[0]
        if first == ",":
            add(",")
            opened = True
            continue
        if first == ":":
            add(": ")
            continue
        if first in "}]":
            depth = depth - 1 if depth else 0
            add(token if opened else breaks[depth] + token)
            opened = False
            continue
        if opened:
            add(breaks[depth])
            opened = False
        add(token)
        if first in "{[":
            depth += 1
            opened = True
            if depth == len(breaks):
                breaks.append(breaks[-1] + indent)
    return "".join(out)


def pretty_json(value: object, limit: int | None) -> tuple[str, bool]:
    """``value`` indented as JSON, at most ``limit`` characters (None: all), and
    whether it was cut. The encoder is stopped once ``limit`` is reached, so a
    4 MiB document costs what its first screens cost, not a full re-indent."""
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False)
    if limit is None:
        return encoder.encode(value), False
    chunks: list[str] = []
    size = 0
    for chunk in encoder.iterencode(value):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return "".join(chunks)[:limit], True
    return "".join(chunks), False


def render_body(body: bytes, content_type: str | None, limit: int | None = DISPLAY_LIMIT) -> RenderedBody:
    """Render a body for the Body tab.

    Args:
        body: the body bytes (de-chunked).
        content_type: the Content-Type field value, if any.
        limit: bytes of ``body`` to render; None renders all of it.
    """
    total = len(body)
    if not body:
        return RenderedBody("empty", "", total=0)
    part = body if limit is None else body[:limit]
    shown = len(part)
    mime, params = parse_content_type(content_type)
    charset = params.get("charset", "utf-8")

    if mime == "application/json" or mime.endswith("+json"):
        if total > JSON_PARSE_LIMIT:  # too large to parse at once: the part shown, re-indented
            pretty = reindent_json(decode_text(part, charset))
            return RenderedBody("json", visible(pretty, None, keep_newlines=True), shown=shown, total=total)
        try:
            pretty, cut = pretty_json(json.loads(decode_text(body, charset)), limit)
        except (ValueError, RecursionError):  # not JSON, too deep, an integer of 5,000 digits
            pass
        else:
            if cut:
                shown = min(shown, total - 1)  # the rendering stops early
            return RenderedBody("json", visible(pretty, None, keep_newlines=True), shown=shown, total=total)

    if mime == "application/x-www-form-urlencoded" and not looks_binary(part, charset):
        rows = tuple(
            parse_qsl(
                part.decode("ascii", "surrogateescape"),
                keep_blank_values=True,
                encoding=charset,
                errors="replace",
            )
        )
        text = "\n".join(visible(f"{name}={value}", None) for name, value in rows)
        return RenderedBody("form", text, rows=rows, shown=shown, total=total)

    if mime.startswith("multipart/") and params.get("boundary"):
        rendered = _render_multipart(part, params["boundary"], total)
        if rendered is not None:
            return rendered

    if not looks_binary(part, charset):
        return RenderedBody(
            "text", visible(decode_text(part, charset), None, keep_newlines=True), shown=shown, total=total
        )
    return RenderedBody("hex", hex_dump(part), shown=shown, total=total)
