"""Linear-time checks of request syntax (RFC 9112 §3, §7.1.1; RFC 9110 §5.5, §5.6).

Strategy. Every function here looks at each byte a bounded number of times, so
its time is linear in the input whatever the bytes are (docs/ARCHITECTURE.md,
"Limits and deadlines"). Scanning is done with bytes methods (``find``,
``split``, ``translate``), runs of one character class matched at a given
position, or, for the chunk-size line, an expression whose quantifiers are all
possessive and whose choices are each decided by one byte, so the engine never
backtracks. These replace expressions whose nested or adjacent quantifiers did
(``[ \\t]*\\t[ \\t]*(?=\\r)`` took minutes on 4 KB of mixed blanks).
tests/http/test_syntax.py checks each against the expression it replaced on
generated input.
"""

from __future__ import annotations

import re

#: RFC 9110 §5.6.2 tchar
TCHAR = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#: request-target bytes accepted at all: visible ASCII except the fragment mark "#"
_TARGET_ALLOWED = bytes(c for c in range(0x21, 0x7F) if c != ord("#"))
#: RFC 3986 characters; the rest of _TARGET_ALLOWED is accepted with a note
TARGET_RFC3986 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?[]@!$&'()*+,;=%"
#: RFC 3986 reg-name characters (with pct-encoding's "%"), and an IP literal's
_REG_NAME = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=%"
_IP_LITERAL = b"0123456789ABCDEFabcdef:."
_SCHEME = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-"

_TOKEN_RUN = re.compile(rb"[" + re.escape(TCHAR) + rb"]*")


def only(data: bytes | bytearray, alphabet: bytes) -> bool:
    """True when every byte of ``data`` is in ``alphabet`` (true for empty data)."""
    return not data.translate(None, alphabet)


def is_token(data: bytes | bytearray) -> bool:
    """RFC 9110 §5.6.2: one or more tchar."""
    return bool(data) and only(data, TCHAR)


def token_end(data: bytes | bytearray, start: int, end: int) -> int:
    """Index of the first byte in ``data[start:end]`` that is not a tchar (``end`` if none)."""
    return _TOKEN_RUN.match(data, start, end).end()  # type: ignore[union-attr]


def is_version(data: bytes) -> bool:
    """``HTTP/`` DIGIT ``.`` DIGIT (RFC 9112 §2.3)."""
    return len(data) == 8 and data.startswith(b"HTTP/") and data[6] == 0x2E and data[5:8:2].isdigit()


#: ``method SP target SP HTTP/d.d CRLF`` (RFC 9112 §3): a token, no space in
#: the target. Possessive runs of classes that exclude what follows them: one
#: pass, nothing to backtrack into.
_REQUEST_LINE = re.compile(rb"([" + re.escape(TCHAR) + rb"]++) ([^ ]++) (HTTP/[0-9]\.[0-9])\r\n")


def split_request_line(line: bytes) -> tuple[bytes, bytes, bytes] | None:
    """Method, target and version of a request line ending at its first LF, or None."""
    match = _REQUEST_LINE.fullmatch(line)
    return None if match is None else (match[1], match[2], match[3])


def bad_target_bytes(target: bytes) -> list[int]:
    """The distinct bytes a request-target may not hold (controls, space, DEL, >= 0x80, ``#``)."""
    return sorted(set(target.translate(None, _TARGET_ALLOWED)))


def odd_target_bytes(target: bytes) -> list[int]:
    """The distinct visible bytes RFC 3986 does not allow (``" < > \\ ^ ` { | }``)."""
    return sorted(set(target.translate(None, TARGET_RFC3986)))


def _port_after(rest: bytes) -> bool:
    """``rest`` is ``:`` followed by one or more ASCII digits."""
    return rest[:1] == b":" and rest[1:].isdigit()


def _ip_literal_end(data: bytes) -> int:
    """For ``[hex:.]...``: the index after ``]``, or -1 when it is not an IP literal."""
    close = data.find(b"]")
    if close < 2 or not only(data[1:close], _IP_LITERAL):
        return -1
    return close + 1


def is_authority(target: bytes) -> bool:
    """CONNECT's authority-form: ``host:port`` or ``[v6]:port`` (RFC 9112 §3.2.3)."""
    if target.startswith(b"["):
        end = _ip_literal_end(target)
        return end > 0 and _port_after(target[end:])
    colon = target.find(b":")
    return colon > 0 and only(target[:colon], _REG_NAME) and _port_after(target[colon:])


def absolute_authority(target: bytes) -> bytes | None:
    """The authority of an absolute-form target (``scheme://authority...``), else None."""
    colon = target.find(b":")
    scheme = target[:colon]
    if colon < 1 or not scheme[:1].isalpha() or not only(scheme, _SCHEME):
        return None
    if target[colon : colon + 3] != b"://":
        return None
    rest = target[colon + 3 :]
    cut = min((i for i in (rest.find(b"/"), rest.find(b"?")) if i >= 0), default=len(rest))
    return rest[:cut]


#: A Host field value: ``[v6]`` or a reg-name (maybe empty), then an optional
#: ``:port``. Each run's class excludes the byte that ends it.
_HOST_VALUE = re.compile(r"(?:\[[0-9A-Fa-f:.]++\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*+)(?::[0-9]*+)?+")


def is_host_value(text: str) -> bool:
    """A valid Host field value (RFC 9110 §7.2, RFC 3986 §3.2.2)."""
    return _HOST_VALUE.fullmatch(text) is not None


_TOKEN = rb"[" + re.escape(TCHAR) + rb"]++"
_QUOTED = rb'"(?:[\t !#-\[\]-~\x80-\xff]++|\\[\t -~\x80-\xff])*+"'
_EXTENSION = rb"[ \t]*+;[ \t]*+" + _TOKEN + rb"(?:[ \t]*+=[ \t]*+(?:" + _TOKEN + rb"|" + _QUOTED + rb"))?+"
#: RFC 9112 §7.1.1 chunk-size [ chunk-ext ] CRLF, whitespace around ";" and "="
#: allowed (llhttp refuses it), not before the CRLF. Every quantifier is
#: possessive and every choice is decided by its first byte, so the engine
#: never backtracks: linear, and the verdicts of the backtracking expression
#: it replaces (tests/http/test_syntax.py).
CHUNK_LINE = re.compile(rb"([0-9A-Fa-f]++)((?:" + _EXTENSION + rb")*+)\r\n")


def parse_chunk_line(line: bytes) -> tuple[bytes, bool] | None:
    """Hex digits of a chunk-size line ending at its first LF, and whether it has
    extensions; None when malformed (see :data:`CHUNK_LINE`)."""
    match = CHUNK_LINE.fullmatch(line)
    return None if match is None else (match.group(1), match.end(1) != match.end(2))


def find_head_end(buf: bytes | bytearray, start: int) -> int:
    """Index just past the empty line ending a field section, or -1.

    Searching from ``start`` only (the caller passes where the last search
    stopped, less two bytes), so a head arriving byte by byte is scanned once.
    A bare LF counts as a line end here, so a head that uses them is found and
    then refused by llhttp, instead of waiting for a CRLF CRLF that never comes.
    """
    crlf = buf.find(b"\n\r\n", start)
    lf = buf.find(b"\n\n", start, None if crlf < 0 else crlf)
    if lf >= 0:
        return lf + 2
    return -1 if crlf < 0 else crlf + 3


def tabs_to_spaces(head: bytes) -> bytes:
    """Turn each run of blanks holding an HTAB just before a CR into spaces, byte for byte.

    RFC 9110 §5.5 lets OWS be SP or HTAB, but llhttp refuses ``chunked<HTAB>``
    in Transfer-Encoding while it accepts ``chunked<SP>``. Values are recorded
    with trailing whitespace removed, and raw bytes from the buffer, so the
    substitution is never seen.
    """
    if b"\t" not in head:
        return head
    lines = head.split(b"\r")
    for i in range(len(lines) - 1):  # every piece but the last is followed by CR
        line = lines[i]
        kept = len(line.rstrip(b" \t"))
        if line.find(b"\t", kept) >= 0:
            lines[i] = line[:kept] + b" " * (len(line) - kept)
    return b"\r".join(lines)
