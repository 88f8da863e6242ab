"""Sans-IO request parser: bytes in, capture records and rejections out (RFC 9112).

Strategy. One :class:`RequestParser` per connection, shaped like h11's
``Connection``: the caller feeds received bytes (``b""`` for end of input) and
the current monotonic time, and gets back a list of events; it never touches a
socket and never reads a clock of its own for deadlines, so every timeout is
testable without waiting.

The work is split between llhttp (through httptools, in its strict default
mode) and this module:

* We find where each message starts and ends ourselves, so pipelined requests
  are cut exactly and each record's raw bytes are its own.
* We check the request line ourselves (RFC 9112 §3): method token, single
  spaces, request-target form (§3.2), version. llhttp knows only a fixed list
  of methods and takes ``RTSP/1.0`` and ``ICE/1.0`` for HTTP; checking first
  lets any method token through (a method llhttp does not know is fed to it as
  ``GET``; the record keeps the client's own token) and turns versions other
  than 1.0/1.1 into 505.
* llhttp then parses the header section, fed as its bytes arrive so a bad field
  line is rejected at once. It rejects obs-fold, whitespace before the colon,
  bare CR and LF, bad field names, and ambiguous Content-Length.
* The body we frame ourselves (§6.3, §7.1): Content-Length, or chunked with
  extensions (whitespace around ``;`` and ``=`` allowed, §7.1.1, which llhttp
  refuses) and trailers (§7.1.2, checked by llhttp as a header section).
  This also lets an Upgrade or CONNECT request be answered as plain HTTP.
* Also ours: the Host rule (§3.2), Transfer-Encoding on HTTP/1.0 and codings
  other than chunked (§6.1, 501), ``Expect: 100-continue`` (RFC 9110 §10.1.1),
  keep-alive (§9.3), every size limit and the head/body deadlines.

A rejection ends the connection: the parser returns one :class:`RequestRejected`
with the status to answer and a record holding what was received, and ignores
everything after it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, auto

import httptools

from inspector.http.limits import Limits
from inspector.http.query import decode_query, split_target
from inspector.http.record import CaptureRecord, Pairs

__all__ = [
    "ConnectionClosed",
    "Event",
    "ProtocolError",
    "RequestParser",
    "RequestReceived",
    "RequestRejected",
    "SendContinue",
]


class ProtocolError(Exception):
    """A request that cannot be accepted; ``status`` is the answer to give."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True, slots=True)
class RequestReceived:
    """A complete request. ``keep_alive`` False means close after answering."""

    record: CaptureRecord
    keep_alive: bool


@dataclass(frozen=True, slots=True)
class RequestRejected:
    """A malformed, oversized or timed-out request: answer ``status``, then close."""

    record: CaptureRecord
    status: int
    reason: str


@dataclass(frozen=True, slots=True)
class SendContinue:
    """The client sent ``Expect: 100-continue`` and waits: send ``100 Continue``."""


@dataclass(frozen=True, slots=True)
class ConnectionClosed:
    """Nothing more will come: the client closed between requests, or idled out."""

    reason: str


Event = RequestReceived | RequestRejected | SendContinue | ConnectionClosed

_TCHAR = rb"!#$%&'*+\-.^_`|~0-9A-Za-z"
_REQUEST_LINE = re.compile(rb"([" + _TCHAR + rb"]+) ([^ ]+) (HTTP/\d\.\d)\r\n", re.S)
_VERSION = re.compile(rb"HTTP/(\d)\.(\d)")
_TRAILING_OWS = re.compile(rb"[ \t]*\t[ \t]*(?=\r)")
_METHOD_PREFIX = re.compile(rb"[" + _TCHAR + rb"]+\r?")
# RFC 3986 characters, plus those browsers send unescaped in paths and queries
# ( " < > \ ^ ` { | } ). Those are accepted with a note: an inspector exists to
# show what a client sent. Control characters, space, DEL, bytes >= 0x80 and the
# fragment mark "#" are rejected.
_TARGET_BAD = re.compile(rb"[^\x21-\x7e]|#")
_TARGET_ODD = re.compile(rb"[^A-Za-z0-9\-._~:/?\[\]@!$&'()*+,;=%]")
_AUTHORITY = re.compile(rb"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+):[0-9]+")
_ABSOLUTE = re.compile(rb"([A-Za-z][A-Za-z0-9+.\-]*)://([^/?]*)")
_HOST_VALUE = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]*)?")
_QUOTED = rb'"(?:[\t !#-\[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"'
_TOKEN = rb"[" + _TCHAR + rb"]+"
_CHUNK_EXT = rb"(?:[ \t]*;[ \t]*" + _TOKEN + rb"(?:[ \t]*=[ \t]*(?:" + _TOKEN + rb"|" + _QUOTED + rb"))?)*"
_CHUNK_LINE = re.compile(rb"([0-9A-Fa-f]+)(" + _CHUNK_EXT + rb")\r\n")
#: Methods llhttp parses as HTTP; any other token is fed to it as GET.
_LLHTTP_METHODS = frozenset(
    b"DELETE GET HEAD POST PUT CONNECT OPTIONS TRACE COPY LOCK MKCOL MOVE PROPFIND "
    b"PROPPATCH SEARCH UNLOCK BIND REBIND UNBIND ACL REPORT MKACTIVITY CHECKOUT MERGE "
    b"M-SEARCH NOTIFY SUBSCRIBE UNSUBSCRIBE PATCH PURGE MKCALENDAR LINK UNLINK QUERY".split()
)
_TRAILER_PREFIX = b"GET / HTTP/1.1\r\n"
#: Header fields whose meaning the parser acts on (RFC 9112 §3.2, §6, §9.3; RFC 9110 §10.1.1).
_FRAMING_FIELDS = frozenset({"host", "connection", "transfer-encoding", "content-length", "expect"})
#: _framing() result for a chunked body
_CHUNKED = -1


class _State(Enum):
    HEAD = auto()
    BODY = auto()
    CHUNK_SIZE = auto()
    CHUNK_DATA = auto()
    CHUNK_CRLF = auto()
    TRAILERS = auto()
    CLOSED = auto()


def _find_head_end(buf: bytes | bytearray, start: int) -> int:
    """Index just past the empty line ending a header section, or -1.

    A bare LF counts as a line end here, so a head that uses them is found and
    then refused by llhttp, instead of waiting for a CRLF CRLF that never comes.
    """
    crlf = buf.find(b"\n\r\n", start)
    lf = buf.find(b"\n\n", start, None if crlf < 0 else crlf)
    if lf >= 0:
        return lf + 2
    return -1 if crlf < 0 else crlf + 3


def _tabs_to_spaces(head: bytes) -> bytes:
    """Turn HTAB in a field line's trailing whitespace into SP, byte for byte.

    RFC 9110 §5.5 lets OWS be SP or HTAB, but llhttp refuses ``chunked<HTAB>``
    in Transfer-Encoding while it accepts ``chunked<SP>``. Values are recorded
    with trailing whitespace removed, and raw bytes from the buffer, so the
    substitution is never seen.
    """
    if b"\t" not in head:
        return head
    return _TRAILING_OWS.sub(lambda m: b" " * len(m.group()), head)


def _decode_fields(
    fields: list[tuple[bytes, bytes]],
    notes: list[str],
    special: dict[str, list[str]] | None = None,
) -> Pairs:
    """Header names (tokens, so ASCII) and values (UTF-8, replacement noted).

    ``special``, when given, collects the values of :data:`_FRAMING_FIELDS`
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
            if lower in _FRAMING_FIELDS:
                special.setdefault(lower, []).append(text)
    return tuple(pairs)


class _HeadSink:
    """llhttp callbacks for one header section."""

    __slots__ = ("done", "fields", "max_fields")

    def __init__(self, max_fields: int) -> None:
        self.fields: list[tuple[bytes, bytes]] = []
        self.max_fields = max_fields
        self.done = False

    def on_header(self, name: bytes, value: bytes) -> None:
        if len(self.fields) >= self.max_fields:
            raise ProtocolError(431, f"more than {self.max_fields} header fields")
        self.fields.append((name, value))

    def on_headers_complete(self) -> None:
        self.done = True


class RequestParser:
    """Turns the bytes of one connection into requests and rejections.

    Args:
        client: the peer as ``host:port`` (``[v6]:port`` for IPv6).
        server: the local address, same form.
        next_id: returns the id for each record, increasing.
        limits: sizes and deadlines to enforce.
        wall_clock: gives ``received_at`` (POSIX seconds); tests may fix it.
    """

    def __init__(
        self,
        *,
        client: str,
        server: str,
        next_id: Callable[[], int],
        limits: Limits | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.server = server
        self.limits = limits or Limits()
        self._next_id = next_id
        self._wall_clock = wall_clock
        self._buf = bytearray()
        self._state = _State.HEAD
        self._last_activity: float | None = None
        self._reset_message()

    # -- public API -------------------------------------------------------

    @property
    def closed(self) -> bool:
        """True once the connection has nothing more to give (EOF, error)."""
        return self._state is _State.CLOSED

    def receive_data(self, data: bytes, now: float) -> list[Event]:
        """Feed bytes received (``b""`` = the client closed its side).

        Args:
            data: the bytes, in any split.
            now: monotonic time, for the deadlines.

        Returns:
            Events in order; a :class:`RequestRejected` or
            :class:`ConnectionClosed` is always last.
        """
        if self._state is _State.CLOSED:
            return []
        events: list[Event] = []
        if not data:
            self._eof(events)
            return events
        self._last_activity = now
        self._buf += data
        try:
            self._process(events, now)
        except ProtocolError as exc:
            events.append(self._reject(exc.status, exc.reason))
        return events

    def deadline(self) -> float | None:
        """Monotonic time at which :meth:`check_timeouts` has something to do."""
        if self._state is _State.CLOSED or self._last_activity is None:
            return None
        if self._state is _State.HEAD:
            if self._msg_start is None:
                return self._last_activity + self.limits.idle_timeout
            return self._msg_start + self.limits.head_timeout
        return self._last_activity + self.limits.body_timeout

    def check_timeouts(self, now: float) -> list[Event]:
        """Expire the head deadline (408), a silent body (408) or an idle connection."""
        deadline = self.deadline()
        if deadline is None or now < deadline:
            return []
        if self._state is _State.HEAD and self._msg_start is None:
            self._state = _State.CLOSED
            return [ConnectionClosed("idle keep-alive connection closed")]
        if self._state is _State.HEAD:
            reason = f"request head not complete {self.limits.head_timeout:g} s after its first byte"
        else:
            reason = f"request body silent for {self.limits.body_timeout:g} s"
        return [self._reject(408, reason)]

    def touch(self, now: float) -> None:
        """Restart the idle clock: a new connection, or a response just sent."""
        self._last_activity = now

    # -- message state ----------------------------------------------------

    def _reset_message(self) -> None:
        self._msg_start: float | None = None
        self._received_at = 0.0
        self._skipped_lines = 0
        self._line_end = -1
        self._scan_from = 0
        self._fed = 0
        self._sink: _HeadSink | None = None
        self._llhttp: httptools.HttpRequestParser | None = None
        self._method = ""
        self._target = ""
        self._version = ""
        self._notes: list[str] = []
        self._head = b""
        self._headers: Pairs = ()
        self._body = bytearray()
        self._raw_body: bytearray | None = None
        self._remaining = 0
        self._keep_alive = True

    def _process(self, events: list[Event], now: float) -> None:
        while self._buf and self._state is not _State.CLOSED:
            if self._state is _State.HEAD:
                if not self._read_head(events, now):
                    return
            elif self._state is _State.BODY:
                take = min(self._remaining, len(self._buf))
                self._body += self._buf[:take]
                del self._buf[:take]
                self._remaining -= take
                if self._remaining:
                    return
                self._complete(events)
            elif not self._read_chunked(events):
                return

    # -- head ---------------------------------------------------------------

    def _read_head(self, events: list[Event], now: float) -> bool:
        """Parse as much of a head as buffered; True when it is complete."""
        buf = self._buf
        if self._msg_start is None:
            # RFC 9112 §2.2: ignore at least one empty line before a request.
            while buf[:2] == b"\r\n":
                del buf[:2]
                self._skipped_lines += 1
            if not buf or buf == b"\r":
                return False
            self._msg_start = now
            self._received_at = self._wall_clock()
        limits = self.limits
        if self._line_end < 0:
            lf = buf.find(b"\n", 0, limits.max_request_line + 2)
            if lf < 0:
                # Only the bytes a request line may hold are judged, so the
                # verdict does not depend on how the bytes were split.
                self._check_start(buf[: limits.max_request_line + 2])
                if len(buf) > limits.max_request_line + 1:
                    raise ProtocolError(
                        414, f"request line longer than {limits.max_request_line} bytes"
                    )
                return False
            self._line_end = lf + 1
            self._start_head(bytes(buf[: lf + 1]))
            self._scan_from = lf
        end = _find_head_end(buf, self._scan_from)
        stop = len(buf) if end < 0 else end
        # llhttp judges the bytes within the limit first, so a bad field line
        # gets the same answer however the bytes arrive.
        allowed = min(stop, limits.max_head)
        if end < 0 and allowed == stop:
            # Hold back trailing whitespace: whether it is a field's trailing
            # OWS (tabs become spaces for llhttp) shows only when CR arrives.
            while allowed > self._fed and buf[allowed - 1] in b" \t":
                allowed -= 1
        if allowed > self._fed:
            self._feed_llhttp(_tabs_to_spaces(bytes(buf[self._fed : allowed])))
            self._fed = allowed
        if stop > limits.max_head:
            raise ProtocolError(431, f"request head larger than {limits.max_head} bytes")
        if end < 0:
            self._scan_from = max(self._line_end - 1, len(buf) - 2)
            return False
        if self._sink is None or not self._sink.done:
            raise ProtocolError(400, "malformed header section")
        self._head = bytes(buf[:end])
        del buf[:end]
        self._finish_head(events)
        return True

    def _check_start(self, buf: bytes | bytearray) -> None:
        """Refuse at once what cannot become a request line (TLS, binary)."""
        if buf[:1] == b"\x16":
            raise ProtocolError(
                400, "TLS handshake received on a plain-HTTP listener (use http://, not https://)"
            )
        first = bytes(buf.split(b" ", 1)[0])
        if first and not _METHOD_PREFIX.fullmatch(first):
            raise ProtocolError(400, "not an HTTP request: invalid method token")

    def _start_head(self, line: bytes) -> None:
        """Check the request line (RFC 9112 §3) and start llhttp on it."""
        self._check_start(line)  # the same verdict as when the line arrives in pieces
        match = _REQUEST_LINE.fullmatch(line)
        if match is None:
            version = line.rstrip(b"\r\n").rsplit(b" ", 1)[-1]
            if not line.endswith(b"\r\n"):
                raise ProtocolError(400, "request line not terminated by CRLF")
            if _VERSION.fullmatch(version) and version not in (b"HTTP/1.0", b"HTTP/1.1"):
                raise ProtocolError(505, f"HTTP version {version.decode()} not supported")
            raise ProtocolError(400, "malformed request line (expected METHOD SP target SP HTTP/1.x)")
        method, target, version = match.groups()
        self._method = method.decode("ascii")
        if version not in (b"HTTP/1.0", b"HTTP/1.1"):
            self._target = target.decode("utf-8", "backslashreplace")
            raise ProtocolError(505, f"HTTP version {version.decode()} not supported")
        self._version = version[5:].decode("ascii")
        self._target = target.decode("utf-8", "backslashreplace")
        if _TARGET_BAD.search(target):
            bad = sorted(set(_TARGET_BAD.findall(target)))
            shown = ", ".join(f"0x{b[0]:02x}" if b != b"#" else "#" for b in bad)
            raise ProtocolError(400, f"invalid characters in request-target: {shown}")
        self._check_target(method, target)
        if _TARGET_ODD.search(target):
            odd = sorted(set(_TARGET_ODD.findall(target)))
            self._notes.append(
                "request-target has characters RFC 3986 does not allow: "
                + " ".join(c.decode("ascii") for c in odd)
            )
        if self._skipped_lines:
            self._notes.append(f"{self._skipped_lines} empty line(s) before the request line ignored")
        fed_method = method if method in _LLHTTP_METHODS else b"GET"
        self._sink = _HeadSink(self.limits.max_header_fields)
        self._llhttp = httptools.HttpRequestParser(self._sink)
        self._feed_llhttp(fed_method + line[len(method) :])
        self._fed = len(line)

    def _check_target(self, method: bytes, target: bytes) -> None:
        """RFC 9112 §3.2: the four forms, each where it belongs."""
        if method == b"CONNECT":
            if not _AUTHORITY.fullmatch(target):
                raise ProtocolError(400, "CONNECT needs an authority-form target (host:port)")
            return
        if target == b"*":
            if method != b"OPTIONS":
                raise ProtocolError(400, "asterisk-form target is only for OPTIONS")
            return
        if target.startswith(b"/"):
            return
        absolute = _ABSOLUTE.match(target)
        if absolute is None:
            raise ProtocolError(400, "request-target must start with / or be an absolute URI")
        if b"@" in absolute.group(2):
            raise ProtocolError(400, "userinfo (user@) is not allowed in a request-target")
        self._notes.append("absolute-form target (sent as to a proxy)")

    def _feed_llhttp(self, data: bytes) -> None:
        if not data or self._llhttp is None:
            return
        try:
            self._llhttp.feed_data(data)
        except httptools.HttpParserUpgrade:
            pass  # CONNECT or Upgrade: the head is complete; we frame the rest ourselves
        except httptools.HttpParserCallbackError as exc:
            cause = exc.__context__
            if isinstance(cause, ProtocolError):
                raise cause from None
            raise ProtocolError(400, f"malformed request: {exc}") from None
        except httptools.HttpParserError as exc:
            raise ProtocolError(400, f"malformed request: {exc}") from None

    def _finish_head(self, events: list[Event]) -> None:
        """Apply the rules llhttp leaves to a server, then pick the body framing."""
        assert self._sink is not None
        notes = self._notes
        special: dict[str, list[str]] = {}  # the fields this method acts on
        self._headers = _decode_fields(self._sink.fields, notes, special)
        self._sink = None
        self._llhttp = None
        hosts = special.get("host", [])
        if len(hosts) > 1:
            raise ProtocolError(400, "more than one Host header")
        if self._version == "1.1" and not hosts:
            raise ProtocolError(400, "HTTP/1.1 request without a Host header")
        if hosts and not _HOST_VALUE.fullmatch(hosts[0].strip()):
            raise ProtocolError(400, "invalid Host header")
        connection = {
            token.strip().lower() for value in special.get("connection", ()) for token in value.split(",")
        }
        if self._version == "1.0":
            self._keep_alive = "keep-alive" in connection
            notes.append("HTTP/1.0 request")
        else:
            self._keep_alive = "close" not in connection
        if self._method == "CONNECT":
            self._keep_alive = False
        body_length = self._framing(special)
        if body_length != 0:
            if self._method in ("GET", "HEAD"):
                notes.append(f"{self._method} request with a body")
            expect = [value.strip().lower() for value in special.get("expect", ())]
            if "100-continue" in expect and self._version == "1.1":
                # The record says what the client asked; whether 100 Continue
                # went out depends on whether the body had already arrived.
                notes.append("Expect: 100-continue (the client waits for 100 Continue)")
                if not self._buf:
                    events.append(SendContinue())
        if body_length == _CHUNKED:
            self._raw_body = bytearray()
            self._state = _State.CHUNK_SIZE
        elif body_length > 0:
            self._remaining = body_length
            self._state = _State.BODY
        else:
            self._complete(events)

    def _framing(self, special: dict[str, list[str]]) -> int:
        """Body length from Content-Length, or ``_CHUNKED`` (RFC 9112 §6)."""
        codings = [
            token.strip().lower()
            for value in special.get("transfer-encoding", ())
            for token in value.split(",")
        ]
        if codings:
            if self._version == "1.0":
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
            return _CHUNKED
        lengths = [value.strip() for value in special.get("content-length", ())]
        if not lengths or self._method == "CONNECT":
            return 0
        if len(lengths) > 1 or not lengths[0].isdigit() or not lengths[0].isascii():
            raise ProtocolError(400, "invalid Content-Length")
        length = int(lengths[0])
        if length > self.limits.max_body:
            raise ProtocolError(
                413, f"body of {length} bytes exceeds the {self.limits.max_body}-byte limit"
            )
        return length

    # -- chunked body (RFC 9112 §7.1) -----------------------------------------

    def _read_chunked(self, events: list[Event]) -> bool:
        buf = self._buf
        raw = self._raw_body
        assert raw is not None
        if self._state is _State.CHUNK_SIZE:
            limit = self.limits.max_chunk_line
            lf = buf.find(b"\n", 0, limit + 2)
            if lf < 0:
                if len(buf) > limit + 1:  # room for the line and its CR
                    raise ProtocolError(400, f"chunk-size line longer than {limit} bytes")
                return False
            line = bytes(buf[: lf + 1])
            del buf[: lf + 1]
            self._append_raw(line)
            match = _CHUNK_LINE.fullmatch(line)
            if match is None:
                raise ProtocolError(400, "malformed chunk-size line")
            digits = match.group(1).lstrip(b"0")
            size = int(digits or b"0", 16)
            if len(digits) > 16 or len(self._body) + size > self.limits.max_body:
                raise ProtocolError(
                    413, f"chunked body exceeds the {self.limits.max_body}-byte limit"
                )
            if match.group(2):
                self._note_once("chunk extensions present (see Raw)")
            if size:
                self._remaining = size
                self._state = _State.CHUNK_DATA
            else:
                self._state = _State.TRAILERS
            return True
        if self._state is _State.CHUNK_DATA:
            take = min(self._remaining, len(buf))
            data = bytes(buf[:take])
            del buf[:take]
            self._body += data
            self._append_raw(data)
            self._remaining -= take
            if not self._remaining:
                self._state = _State.CHUNK_CRLF
            return True
        if self._state is _State.CHUNK_CRLF:
            if len(buf) < 2:
                if buf != b"\r"[: len(buf)]:
                    raise ProtocolError(400, "chunk data not followed by CRLF")
                return False
            if buf[:2] != b"\r\n":
                raise ProtocolError(400, "chunk data not followed by CRLF")
            del buf[:2]
            self._append_raw(b"\r\n")
            self._state = _State.CHUNK_SIZE
            return True
        return self._read_trailers(events)

    def _read_trailers(self, events: list[Event]) -> bool:
        buf = self._buf
        end = 2 if buf[:2] == b"\r\n" else _find_head_end(buf, 0)
        # Judged in the same order however the bytes arrive: a bad start first.
        if buf[:1] == b"\n" or (len(buf) >= 2 and buf[:1] == b"\r" and buf[1:2] != b"\n"):
            raise ProtocolError(400, "malformed trailer section")
        if (len(buf) if end < 0 else end) > self.limits.max_head:
            raise ProtocolError(431, f"trailer section larger than {self.limits.max_head} bytes")
        if end < 0:
            return False
        block = bytes(buf[:end])
        del buf[:end]
        self._append_raw(block)
        trailers: Pairs = ()
        if end > 2:
            sink = _HeadSink(self.limits.max_header_fields)
            self._llhttp = httptools.HttpRequestParser(sink)
            try:
                self._feed_llhttp(_TRAILER_PREFIX + _tabs_to_spaces(block))
            except ProtocolError as exc:
                # One reason for every malformed trailer section, the same one
                # the early checks above give when it arrives in pieces.
                if exc.status != 400:
                    raise
                raise ProtocolError(400, "malformed trailer section") from None
            self._llhttp = None
            if not sink.done:
                raise ProtocolError(400, "malformed trailer section")
            trailers = _decode_fields(sink.fields, self._notes)
        self._complete(events, trailers)
        return True

    def _append_raw(self, data: bytes) -> None:
        raw = self._raw_body
        assert raw is not None
        room = self.limits.max_body + self.limits.max_head - len(raw)
        if room >= len(data):
            raw += data
        elif room > 0:
            raw += data[:room]
            self._note_once("raw chunked bytes truncated")

    def _note_once(self, note: str) -> None:
        if note not in self._notes:
            self._notes.append(note)

    # -- ends -----------------------------------------------------------------

    def _base_record(self) -> dict[str, object]:
        path, query = split_target(self._method, self._target) if self._target else ("", "")
        return {
            "id": self._next_id(),
            "received_at": self._received_at or self._wall_clock(),
            "client": self.client,
            "server": self.server,
            "method": self._method,
            "target": self._target,
            "path": path,
            "query": decode_query(query),
            "http_version": self._version,
            "headers": self._headers,
        }

    def _complete(self, events: list[Event], trailers: Pairs = ()) -> None:
        body = bytes(self._body)
        record = CaptureRecord(
            **self._base_record(),  # type: ignore[arg-type]
            trailers=trailers,
            body=body,
            body_size=len(body),
            notes=tuple(self._notes),
            raw_head=self._head,
            raw_body=None if self._raw_body is None else bytes(self._raw_body),
        )
        events.append(RequestReceived(record, self._keep_alive))
        if not self._keep_alive:
            self._state = _State.CLOSED
            return
        self._reset_message()
        self._state = _State.HEAD

    def _reject(self, status: int, reason: str) -> RequestRejected:
        """Build the rejection record from whatever was received, and stop."""
        cap = self.limits.max_raw_capture
        if self._head:
            raw_head = self._head[:cap]
            raw_body = bytes(self._raw_body if self._raw_body is not None else self._body)
            raw_body += bytes(self._buf[: max(0, cap - len(raw_body))])
        else:
            raw_head, raw_body = bytes(self._buf[:cap]), b""
        truncated = len(self._buf) > cap
        record = CaptureRecord(
            **self._base_record(),  # type: ignore[arg-type]
            body=bytes(self._body),
            body_size=len(self._body),
            body_truncated=status == 413,
            error=f"{status} {reason}",
            notes=(*self._notes, *(("raw bytes truncated",) if truncated else ())),
            raw_head=raw_head,
            raw_body=raw_body,
        )
        self._state = _State.CLOSED
        self._buf.clear()
        return RequestRejected(record, status, reason)

    def _eof(self, events: list[Event]) -> None:
        if self._state is _State.HEAD and self._msg_start is None and not self._buf.strip(b"\r\n"):
            self._state = _State.CLOSED
            events.append(ConnectionClosed("client closed the connection"))
            return
        if self._state is _State.HEAD:
            events.append(self._reject(400, "connection closed before the request head was complete"))
        elif self._state is _State.BODY:
            got = len(self._body)
            events.append(
                self._reject(400, f"connection closed after {got} of {got + self._remaining} body bytes")
            )
        else:
            events.append(self._reject(400, "connection closed in the middle of a chunked body"))
