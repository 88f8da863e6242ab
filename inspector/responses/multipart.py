"""``multipart/form-data`` bodies (RFC 7578) split into fields and files, in linear time.

Strategy. The body is cut at its boundary delimiters with ``bytes.find``,
always searching forward from the last cut, so every byte is looked at a
bounded number of times (the standard library's ``email`` parser took 23 s on a
10 MiB body). Each part's head is read only within its first
:data:`MAX_PART_HEAD` bytes and its first :data:`MAX_PART_HEADERS` lines, and
only ``Content-Disposition``'s ``name`` and ``filename`` are looked for, among
its first :data:`MAX_PARAMS` parameters. At most :data:`MAX_PARTS` parts are
read; ``truncated`` says when there were more.

Lenient where clients are: a preamble before the first delimiter, bare LF line
ends, a missing close delimiter (the last part runs to the end). No
Content-Transfer-Encoding is applied (RFC 7578 §4.7: senders must not use it).
Part contents are decoded as UTF-8, undecodable bytes replaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: parts read from one body (Werkzeug's default too): ~0.05 s, so a template that
#: reads the form of a 10 MiB body stays well inside its render budget
MAX_PARTS = 1_000
#: bytes of a part's head searched for its end
MAX_PART_HEAD = 8 * 1024
#: header lines of a part looked at
MAX_PART_HEADERS = 16
#: parameters of one Content-Disposition looked at
MAX_PARAMS = 16

_BACKSLASH_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class FormData:
    """The named parts of a multipart body, in order.

    Attributes:
        fields: (name, text) of parts without a filename.
        files: (name, content as text) of parts with one.
        truncated: the body had more than MAX_PARTS parts; the rest were not read.
    """

    fields: tuple[tuple[str, str], ...] = ()
    files: tuple[tuple[str, str], ...] = ()
    truncated: bool = False


def header_params(value: str, limit: int = MAX_PARAMS) -> dict[str, str]:
    """The ``key=value`` parameters after the first ``;`` of a header value.

    Keys are lower-cased; quoted values lose their quotes and backslash escapes.
    The first occurrence of a key wins. At most ``limit`` parameters are read.
    """
    params: dict[str, str] = {}
    i = value.find(";")
    for _ in range(limit):
        if i < 0:
            break
        semicolon = value.find(";", i + 1)
        segment_end = semicolon if semicolon >= 0 else len(value)
        equals = value.find("=", i + 1, segment_end)
        if equals < 0:  # a parameter without a value
            i = semicolon
            continue
        key = value[i + 1 : equals].strip().lower()
        start = equals + 1
        while start < segment_end and value[start] in " \t":
            start += 1
        if value.startswith('"', start):
            text, end = _quoted(value, start)
            i = value.find(";", end)
        else:
            text = value[start:segment_end].strip()
            i = semicolon
        params.setdefault(key, text)
    return params


def _quoted(value: str, start: int) -> tuple[str, int]:
    """The text of the quoted string at ``start`` and the index after it."""
    quote = value.find('"', start + 1)
    while quote >= 0:
        run = quote
        while run > start + 1 and value[run - 1] == "\\":
            run -= 1
        if (quote - run) % 2 == 0:  # not escaped
            break
        quote = value.find('"', quote + 1)
    end = quote if quote >= 0 else len(value)
    text = value[start + 1 : end]
    if "\\" in text:
        text = _BACKSLASH_ESCAPE.sub(r"\1", text)
    return text, end + 1


def boundary_of(content_type: str) -> bytes | None:
    """The boundary parameter of a Content-Type value (1-70 characters), or None."""
    boundary = header_params(content_type).get("boundary", "")
    if not 1 <= len(boundary) <= 70:
        return None
    return boundary.encode("utf-8", "replace")


def _disposition(head: bytes) -> dict[str, str] | None:
    for line in head.split(b"\n", MAX_PART_HEADERS)[:MAX_PART_HEADERS]:
        name, colon, value = line.partition(b":")
        if colon and name.strip().lower() == b"content-disposition":
            return header_params(value.decode("utf-8", "replace"))
    return None


def parse_form_data(content_type: str, body: bytes) -> FormData:
    """Split a ``multipart/form-data`` body; an unusable one gives no parts."""
    boundary = boundary_of(content_type)
    if boundary is None:
        return FormData()
    delimiter = b"--" + boundary
    separator = b"\n" + delimiter
    if body.startswith(delimiter):
        pos = 0
    else:
        pos = body.find(separator)
        if pos < 0:
            return FormData()
        pos += 1
    fields: list[tuple[str, str]] = []
    files: list[tuple[str, str]] = []
    parts = 0
    while True:
        after = pos + len(delimiter)
        if body.startswith(b"--", after):
            break  # the close delimiter
        line_end = body.find(b"\n", after)
        if line_end < 0:
            break
        start = line_end + 1
        next_delimiter = body.find(separator, start)
        end = next_delimiter if next_delimiter >= 0 else len(body)
        if parts == MAX_PARTS:
            return FormData(tuple(fields), tuple(files), truncated=True)
        parts += 1
        _add_part(body, start, end, fields, files)
        if next_delimiter < 0:
            break
        pos = next_delimiter + 1
    return FormData(tuple(fields), tuple(files))


def _add_part(
    body: bytes, start: int, end: int, fields: list[tuple[str, str]], files: list[tuple[str, str]]
) -> None:
    if end > start and body[end - 1 : end] == b"\r":
        end -= 1  # the CR of the CRLF before the next delimiter
    window = min(end, start + MAX_PART_HEAD)
    cuts = [
        (found, len(blank))
        for blank in (b"\r\n\r\n", b"\n\n")
        if (found := body.find(blank, start, window)) >= 0
    ]
    if not cuts or body.startswith((b"\r\n", b"\n"), start):  # no head, or an empty one
        return
    cut, size = min(cuts)
    params = _disposition(body[start:cut])
    if params is None or "name" not in params:
        return
    text = body[cut + size : end].decode("utf-8", "replace")
    if "filename" in params:
        files.append((params["name"], text))
    else:
        fields.append((params["name"], text))
