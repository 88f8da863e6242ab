"""Reading one request head: request line and header section (RFC 9112 §2.2, §3, §5).

The request line is judged by us (inspector/http/syntax.py), the header
section by llhttp (inspector/http/fields.py), fed as its bytes arrive so a bad
field line is refused at once. Only the bytes a request line or head may hold
are judged, so the verdict does not depend on how the bytes were split; and
every search resumes where the last one stopped, so a head arriving byte by
byte is scanned once.
"""

from __future__ import annotations

import httptools

from inspector.http import fields
from inspector.http.events import ProtocolError
from inspector.http.limits import Limits
from inspector.http.syntax import (
    TARGET_RFC3986,
    absolute_authority,
    bad_target_bytes,
    find_head_end,
    is_authority,
    is_token,
    is_version,
    odd_target_bytes,
    only,
    split_request_line,
    tabs_to_spaces,
    token_end,
)

#: Methods llhttp parses as HTTP; any other token is fed to it as GET.
_LLHTTP_METHODS = frozenset(
    b"DELETE GET HEAD POST PUT CONNECT OPTIONS TRACE COPY LOCK MKCOL MOVE PROPFIND "
    b"PROPPATCH SEARCH UNLOCK BIND REBIND UNBIND ACL REPORT MKACTIVITY CHECKOUT MERGE "
    b"M-SEARCH NOTIFY SUBSCRIBE UNSUBSCRIBE PATCH PURGE MKCALENDAR LINK UNLINK QUERY".split()
)
_CR = 0x0D


class HeadReader:
    """Reads one head off the front of a connection's buffer.

    What it learns (method, target, version, notes, the fields llhttp accepted)
    stays readable after an error, for the rejection's record.
    """

    __slots__ = (
        "_blank_from",
        "_fed",
        "_limits",
        "_line_end",
        "_line_scan",
        "_llhttp",
        "_scan_from",
        "_word_done",
        "_word_pos",
        "head",
        "method",
        "notes",
        "sink",
        "skipped_lines",
        "target",
        "version",
    )

    def __init__(self, limits: Limits, notes: list[str]) -> None:
        self._limits = limits
        self.notes = notes
        self.method = ""
        self.target = ""
        self.version = ""
        self.head = b""  # the head's bytes, once complete
        self.skipped_lines = 0
        self.sink: fields.FieldSink | None = None
        self._llhttp: httptools.HttpRequestParser | None = None
        self._line_end = -1
        self._line_scan = 0  # where the search for the request line's LF resumes
        self._word_pos = 0  # the method token is checked up to here
        self._word_done = False
        self._scan_from = 0  # where the search for the head's end resumes
        self._fed = 0  # bytes of the head given to llhttp
        self._blank_from = 0  # bytes from _fed up to here are blanks held back

    def fields_so_far(self, buf: bytes | bytearray) -> list[tuple[bytes, bytes]]:
        """The raw fields llhttp accepted before an error, the same for any split of ``buf``."""
        if self.sink is None:
            return []
        return fields.fields_before_error(self.sink, bytes(buf[self._line_end : self._fed]))

    @property
    def line_started(self) -> bool:
        """True once the request line is complete."""
        return self._line_end >= 0

    def read(self, buf: bytearray) -> bool:
        """Parse as much of the head as ``buf`` holds; True when it is complete
        (its bytes then moved from ``buf`` to :attr:`head`).

        Raises:
            ProtocolError: 400, 414, 431 or 505, with the reason.
        """
        limits = self._limits
        if self._line_end < 0:
            # RFC 9112 §2.2: ignore at least one empty line before a request.
            while buf[:2] == b"\r\n":
                del buf[:2]
                self.skipped_lines += 1
            if not buf or buf == b"\r":
                return False
            cap = limits.max_request_line + 2  # room for the line and its CRLF
            lf = buf.find(b"\n", self._line_scan, cap)
            if lf < 0:
                self._line_scan = min(len(buf), cap)
                self._check_start(buf, self._line_scan)
                if len(buf) > limits.max_request_line + 1:
                    self._keep_line_start(bytes(buf[:cap]))
                    raise ProtocolError(414, f"request line longer than {limits.max_request_line} bytes")
                return False
            self._line_end = lf + 1
            self._start(bytes(buf[: lf + 1]))
            self._scan_from = self._blank_from = lf
        end = find_head_end(buf, self._scan_from)
        stop = len(buf) if end < 0 else end
        # llhttp judges the bytes within the limit first, so a bad field line
        # gets the same answer however the bytes arrive.
        allowed = min(stop, limits.max_head)
        if end < 0 and allowed == stop:
            # Hold back trailing blanks: whether they are a field's trailing
            # OWS (tabs become spaces for llhttp) shows only when CR arrives.
            # Bytes from _fed to _blank_from are blanks held back before.
            start = max(self._fed, self._blank_from)
            kept = len(buf[start:stop].rstrip(b" \t"))
            allowed = start + kept if kept else self._fed
            self._blank_from = stop
        if allowed > self._fed:
            assert self._llhttp is not None
            chunk = tabs_to_spaces(bytes(buf[self._fed : allowed]))
            self._fed = allowed  # given to llhttp, accepted or not
            fields.feed(self._llhttp, chunk)
        if stop > limits.max_head:
            raise ProtocolError(431, f"request head larger than {limits.max_head} bytes")
        if end < 0:
            self._scan_from = max(self._line_end - 1, len(buf) - 2)
            return False
        if self.sink is None or not self.sink.done:
            raise ProtocolError(400, "malformed header section")
        self.head = bytes(buf[:end])
        del buf[:end]
        self._llhttp = None
        return True

    def _check_start(self, buf: bytes | bytearray, upto: int) -> None:
        """Refuse at once what cannot become a request line (TLS, binary).

        The method token is checked incrementally: bytes judged before are not
        looked at again. A CR may end it only as the last byte so far.
        """
        if buf[:1] == b"\x16":
            raise ProtocolError(
                400, "TLS handshake received on a plain-HTTP listener (use http://, not https://)"
            )
        if self._word_done:
            return
        space = buf.find(b" ", self._word_pos, upto)
        end = upto if space < 0 else space
        stop = token_end(buf, self._word_pos, end)
        if stop < end and not (buf[stop] == _CR and stop == end - 1 and stop > 0):
            raise ProtocolError(400, "not an HTTP request: invalid method token")
        self._word_pos = stop
        self._word_done = space >= 0

    def _keep_line_start(self, start: bytes) -> None:
        """An over-long request line: keep its method and what fits of its target."""
        space = start.find(b" ")
        if space > 0 and is_token(start[:space]):
            self.method = start[:space].decode("ascii")
            target = start[space + 1 :].split(b" ", 1)[0]
            self.target = target.decode("utf-8", "backslashreplace")
            self.notes.append(f"request-target cut after {len(target)} bytes (the line is over the limit)")

    def _start(self, line: bytes) -> None:
        """Check the request line (RFC 9112 §3) and start llhttp on it."""
        parts = split_request_line(line)
        if parts is None:
            self._check_start(line, len(line))  # the same verdict as when the line arrives in pieces
            version = line.rstrip(b"\r\n").rsplit(b" ", 1)[-1]
            if not line.endswith(b"\r\n"):
                raise ProtocolError(400, "request line not terminated by CRLF")
            if is_version(version) and version not in (b"HTTP/1.0", b"HTTP/1.1"):
                raise ProtocolError(505, f"HTTP version {version.decode()} not supported")
            raise ProtocolError(400, "malformed request line (expected METHOD SP target SP HTTP/1.x)")
        method, target, version = parts
        self.method = method.decode("ascii")
        self.target = target.decode("utf-8", "backslashreplace")
        if version not in (b"HTTP/1.0", b"HTTP/1.1"):
            raise ProtocolError(505, f"HTTP version {version.decode()} not supported")
        self.version = version[5:].decode("ascii")
        if not only(target, TARGET_RFC3986):  # the usual case in one call
            bad = bad_target_bytes(target)
            if bad:
                shown = ", ".join("#" if b == ord("#") else f"0x{b:02x}" for b in bad)
                raise ProtocolError(400, f"invalid characters in request-target: {shown}")
            shown = " ".join(map(chr, odd_target_bytes(target)))
            self.notes.append(f"request-target has characters RFC 3986 does not allow: {shown}")
        self._check_target(method, target)
        if self.skipped_lines:
            self.notes.append(f"{self.skipped_lines} empty line(s) before the request line ignored")
        fed_method = method if method in _LLHTTP_METHODS else b"GET"
        self.sink = fields.FieldSink(self._limits.max_header_fields)
        self._llhttp = httptools.HttpRequestParser(self.sink)
        self._fed = len(line)
        fields.feed(self._llhttp, fed_method + line[len(method) :])

    def _check_target(self, method: bytes, target: bytes) -> None:
        """RFC 9112 §3.2: the four forms, each where it belongs."""
        if method == b"CONNECT":
            if not is_authority(target):
                raise ProtocolError(400, "CONNECT needs an authority-form target (host:port)")
            return
        if target == b"*":
            if method != b"OPTIONS":
                raise ProtocolError(400, "asterisk-form target is only for OPTIONS")
            return
        if target.startswith(b"/"):
            return
        authority = absolute_authority(target)
        if authority is None:
            raise ProtocolError(400, "request-target must start with / or be an absolute URI")
        if b"@" in authority:
            raise ProtocolError(400, "userinfo (user@) is not allowed in a request-target")
        self.notes.append("absolute-form target (sent as to a proxy)")
