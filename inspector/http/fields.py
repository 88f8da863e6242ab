"""Header and trailer sections through llhttp (RFC 9112 §5, §7.1.2; RFC 9110 §5.5).

llhttp (httptools, strict mode) judges each field line as it arrives: it
refuses obs-fold, whitespace before the colon, bare CR and LF and bad field
names. This module holds the callbacks that collect the fields, the mapping of
llhttp's errors to :class:`ProtocolError`, and the decoding of names and values
into the record's text pairs.
"""

from __future__ import annotations

import httptools

from inspector.http.events import ProtocolError
from inspector.http.record import Pairs
from inspector.http.syntax import tabs_to_spaces

#: Header fields whose meaning the parser acts on (RFC 9112 §3.2, §6, §9.3; RFC 9110 §10.1.1).
FRAMING_FIELDS = frozenset({"host", "connection", "transfer-encoding", "content-length", "expect"})
#: llhttp parses a trailer section as the header section of this request.
_TRAILER_PREFIX = b"GET / HTTP/1.1\r\n"


class FieldSink:
    """llhttp callbacks for one field section: the raw (name, value) pairs, capped.

    httptools reports a field when the next field's name starts (or the
    section ends), so after an error the last valid field may be unreported:
    :func:`fields_before_error` settles it.
    """

    __slots__ = ("done", "fields", "max_fields", "overflowed")

    def __init__(self, max_fields: int) -> None:
        self.fields: list[tuple[bytes, bytes]] = []
        self.max_fields = max_fields
        self.done = False
        self.overflowed = False

    def on_header(self, name: bytes, value: bytes) -> None:
        if len(self.fields) >= self.max_fields:
            self.overflowed = True
            raise ProtocolError(431, f"more than {self.max_fields} header fields")
        self.fields.append((name, value))

    def on_headers_complete(self) -> None:
        self.done = True


def feed(parser: httptools.HttpRequestParser, data: bytes) -> None:
    """Feed llhttp; its complaints become a 400 (or the status a callback raised)."""
    if not data:
        return
    try:
        parser.feed_data(data)
    except httptools.HttpParserUpgrade:
        pass  # CONNECT or Upgrade: the head is complete; the body is framed by us
    except httptools.HttpParserCallbackError as exc:
        cause = exc.__context__
        if isinstance(cause, ProtocolError):
            raise cause from None
        raise ProtocolError(400, f"malformed request: {exc}") from None
    except httptools.HttpParserError as exc:
        raise ProtocolError(400, f"malformed request: {exc}") from None


def fields_before_error(sink: FieldSink, lines: bytes) -> list[tuple[bytes, bytes]]:
    """The fields of an unfinished section that llhttp accepted, however the bytes were split.

    ``lines`` are the field lines given to llhttp. Each reported field is one
    line; the line after them, when complete, is the one field llhttp may
    have accepted without reporting it yet: it is judged again on its own.
    """
    fields = list(sink.fields)
    if sink.done or sink.overflowed:
        return fields
    pos = 0
    for _ in fields:
        pos = lines.find(b"\n", pos) + 1
        if not pos:
            return fields
    end = lines.find(b"\n", pos)
    if end < 0:
        return fields
    # The line alone, then the start of a next name: llhttp reports the line
    # if it accepts it, without the checks of a complete head (framing), which
    # it never reached in context either.
    alone = FieldSink(1)
    line = tabs_to_spaces(lines[pos : end + 1])
    try:
        feed(httptools.HttpRequestParser(alone), _TRAILER_PREFIX + line + b"X")
    except ProtocolError:
        return fields
    return fields + alone.fields


def decode_fields(
    fields: list[tuple[bytes, bytes]],
    notes: list[str],
    special: dict[str, list[str]] | None = None,
) -> Pairs:
    """Header names (tokens, so ASCII) and values (UTF-8, replacement noted).

    ``special``, when given, collects the values of :data:`FRAMING_FIELDS`
    by lower-cased name in the same pass.
    """
    pairs = []
    for raw_name, raw_value in fields:
        value = raw_value.rstrip(b" \t")  # RFC 9110 §5.5: trailing OWS is not part of the value
        name = raw_name.decode("latin-1")
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            text = value.decode("utf-8", "replace")
            notes.append(f"{name} has bytes that are not UTF-8 (shown as \ufffd; see Raw)")
        pairs.append((name, text))
        if special is not None:
            lower = name.lower()
            if lower in FRAMING_FIELDS:
                special.setdefault(lower, []).append(text)
    return tuple(pairs)


def parse_trailers(block: bytes, max_fields: int, notes: list[str]) -> Pairs:
    """The fields of a complete trailer section (``block`` ends with its empty line).

    A field that frames or routes the message (Content-Length, Host, ...) is
    kept, and noted: it cannot take effect after the body (RFC 9110 §6.5.1).

    Raises:
        ProtocolError: 431 for too many fields, else one 400 for any malformed section.
    """
    sink = FieldSink(max_fields)
    try:
        feed(httptools.HttpRequestParser(sink), _TRAILER_PREFIX + tabs_to_spaces(block))
    except ProtocolError as exc:
        if exc.status != 400:
            raise
        sink.done = False
    if not sink.done:
        # One reason for every malformed trailer section, the same one the
        # early checks give when it arrives in pieces.
        raise ProtocolError(400, "malformed trailer section")
    trailers = decode_fields(sink.fields, notes)
    for name in dict.fromkeys(name for name, _ in trailers if name.lower() in FRAMING_FIELDS):
        notes.append(f"{name} sent as a trailer field (ignored: trailers cannot change framing or routing)")
    return trailers
