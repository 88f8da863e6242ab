"""Responses: what a responder returns, and how it goes on the wire (RFC 9112 §4, §6).

A :class:`Response` is what the response rules (or the listener itself) decide
to send. :func:`serialise` turns it into the exact bytes for one ``send``: the
head and body are written together so Nagle's algorithm and delayed ACKs never
add 40 ms to an answer.

Framing is ours, never the template's: Content-Length is computed from the
body, and any Content-Length or Transfer-Encoding a responder supplies is
dropped. Header names and values reaching this module may come from templates
that echo request data. A field value may hold no control character but HTAB
(RFC 9110 §5.5): the response rules refuse such values with a reason
(:func:`field_value_problem`, as Node refuses them with ``ERR_INVALID_CHAR``),
and whatever still reaches :func:`serialise` has each one turned into a space
(:func:`clean_field`), the last line of defence against response splitting.
"""

from __future__ import annotations

import http
import re
from collections.abc import Callable
from dataclasses import dataclass

from inspector.http.deferred import Deferred
from inspector.http.record import CaptureRecord, Pairs, UpstreamExchange

#: headers the listener computes itself; a responder's own values are ignored
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding"})

#: How an answer may go wrong on purpose (:attr:`Response.fault`), each done by
#: the listener instead of (or while) sending the serialised answer:
#:
#: - ``close``: close the connection without sending anything;
#: - ``reset``: abort it with a TCP reset (``SO_LINGER`` 0, then close);
#: - ``hang``: send nothing and keep the connection open until the client
#:   hangs up or the idle limit ends it;
#: - ``trickle``: send the serialised answer at :attr:`Response.bytes_per_s`;
#: - ``truncate``: send the head (its Content-Length promises the whole body,
#:   at least 1 byte) and the first half of the body, then close;
#: - ``malformed``: send :attr:`Response.body` as raw bytes instead of an HTTP
#:   response, then close.
FAULTS = ("close", "reset", "hang", "trickle", "truncate", "malformed")

#: C0 controls but HTAB, and DEL (CR, LF and NUL among them)
_CONTROLS = "".join(chr(code) for code in range(0x20) if code != 0x09) + "\x7f"
_UNSAFE = str.maketrans(dict.fromkeys(_CONTROLS, " "))
_CONTROL = re.compile(f"[{re.escape(_CONTROLS)}]")
_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


@dataclass(frozen=True, slots=True, kw_only=True)
class Response:
    """A response to send.

    Attributes:
        status: 100-999 (values outside are sent as 500).
        headers: (name, value) pairs in order; framing headers are recomputed.
        body: the body bytes (not sent for HEAD, 1xx, 204 and 304).
        reason: reason phrase; empty means the standard phrase for ``status``.
        rule: name of the rule that produced it, for the capture record.
        delay_ms: how long to wait before sending, without blocking others.
        error: set when the rule failed and this is the 500 that replaced it.
        fault: None, or one of :data:`FAULTS`: what the listener does instead of
            a plain send (after ``delay_ms``).
        bytes_per_s: the rate of a ``trickle`` fault (at least 1 then).
        step: the 1-based answer of the rule's list that this is (None: the rule
            has one answer); copied to the capture record with ``steps``.
        steps: how many answers the rule's list has (None with ``step``).
        length: the Content-Length to announce where no body goes out (an
            upstream's answer to HEAD, its 304); None: the body's length.
        raw_headers: header values are Latin-1 text standing for bytes (an
            upstream's fields, relayed byte for byte even when not UTF-8); the
            record shows them decoded as UTF-8.
        upstream: what went upstream and came back, for the record.
    """

    status: int
    headers: Pairs = ()
    body: bytes = b""
    reason: str = ""
    rule: str | None = None
    delay_ms: int = 0
    error: str | None = None
    fault: str | None = None
    bytes_per_s: int = 0
    step: int | None = None
    steps: int | None = None
    length: int | None = None
    raw_headers: bool = False
    upstream: UpstreamExchange | None = None


#: The responder signature: the server calls it once per complete request, on
#: its loop thread, and sends the :class:`Response` it returns (after its
#: ``delay_ms``). An answer that comes later is a :class:`Deferred`, resolved
#: from any thread (docs/ARCHITECTURE.md, "Answers").
Responder = Callable[[CaptureRecord], Response | Deferred]


def reason_phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def clean_field(text: str) -> str:
    """Make text safe for a status or header line: each control character
    (C0 but HTAB, and DEL; so CR, LF and NUL too) becomes a space."""
    if text.isprintable():  # the usual case: nothing to replace
        return text
    return text.translate(_UNSAFE)


def field_value_problem(value: str) -> str | None:
    """Why ``value`` cannot be sent as a header value, or None when it can."""
    found = _CONTROL.search(value)
    if found is None:
        return None
    return (
        f"control character U+{ord(found.group()):04X} at position {found.start() + 1} "
        "is not allowed in a header value"
    )


def is_token(name: str) -> bool:
    """RFC 9110 §5.6.2 token (a valid header name or method)."""
    return bool(name) and all(ch in _TOKEN_CHARS for ch in name)


def body_allowed(status: int, method: str) -> bool:
    """RFC 9112 §6.3: HEAD, 1xx, 204 and 304 responses carry no body."""
    return not (method == "HEAD" or status < 200 or status in (204, 304))


_Serialised = tuple[bytes, int, str, Pairs]
#: Recent results by (response identity, keep-alive, HEAD): a responder that
#: hands out the same Response object (the default rule, static rules) gets
#: its bytes built once. Holding the response keeps its id from being reused.
_cache: dict[tuple[int, bool, bool], tuple[Response, _Serialised]] = {}
_CACHE_SIZE = 64


def serialise(
    response: Response,
    *,
    method: str,
    keep_alive: bool,
) -> _Serialised:
    """Build the bytes of one HTTP/1.1 response.

    Args:
        response: what to send.
        method: the request's method (HEAD gets the headers but no body).
        keep_alive: False adds ``Connection: close``.

    Returns:
        (wire bytes, status sent, reason sent, header pairs sent).
    """
    key = (id(response), keep_alive, method == "HEAD")
    hit = _cache.get(key)
    if hit is not None and hit[0] is response:
        return hit[1]
    result = _serialise(response, method, keep_alive)
    if len(_cache) >= _CACHE_SIZE:
        _cache.clear()
    _cache[key] = (response, result)
    return result


def _serialise(response: Response, method: str, keep_alive: bool) -> _Serialised:
    status = response.status if 100 <= response.status <= 999 else 500
    reason = clean_field(response.reason or reason_phrase(status) or "Unknown")
    headers: list[tuple[str, str]] = []
    for name, value in response.headers:
        if not is_token(name) or name.lower() in FRAMING_HEADERS:
            continue
        if name.lower() == "connection":
            continue
        headers.append((name, clean_field(value)))
    body = response.body if body_allowed(status, method) else b""
    length = _announced_length(response, status, method)
    if length is not None:
        headers.append(("Content-Length", str(length)))
    if not keep_alive:
        headers.append(("Connection", "close"))
    lines = [f"HTTP/1.1 {status} {reason}\r\n"]
    lines.extend(f"{n}: {v}\r\n" for n, v in headers)
    lines.append("\r\n")
    text = "".join(lines)
    if not response.raw_headers:
        return text.encode("utf-8") + body, status, reason, tuple(headers)
    shown = tuple((n, v.encode("latin-1", "replace").decode("utf-8", "replace")) for n, v in headers)
    return text.encode("latin-1", "replace") + body, status, reason, shown


def _announced_length(response: Response, status: int, method: str) -> int | None:
    """The Content-Length sent: none for 1xx and 204; for 304 only a relayed one
    (RFC 9110 §8.6: the length the 200 would have had); for HEAD the relayed
    one, else what a GET would get."""
    if status < 200 or status == 204:
        return None
    if status == 304 or method == "HEAD":
        if response.length is not None:
            return response.length
        if status == 304:
            return None
    return len(response.body)


def error_response(status: int, reason_text: str) -> Response:
    """The listener's own answer to a rejected request: one plain-text line."""
    return Response(
        status=status,
        headers=(("Content-Type", "text/plain; charset=utf-8"),),
        body=(clean_field(reason_text) + "\n").encode("utf-8"),
    )


#: The answer when no rule answers: 200 ``hello world``. This is the one home of
#: that fact: the response rules build their default rule from it
#: (``inspector.responses.DEFAULT_RULE``), and the server answers with it when it
#: runs without the rules engine (its own tests, headless mode without ``--rules``),
#: which the http layer cannot import.
DEFAULT_RESPONSE = Response(
    status=200,
    headers=(("Content-Type", "text/html; charset=utf-8"),),
    body=b"hello world",
    rule="default",
)


def default_responder(record: CaptureRecord) -> Response:
    """Answer every request with 200 ``hello world`` (the built-in default rule)."""
    return DEFAULT_RESPONSE
