"""Decoding of query strings and request-targets (RFC 3986 §3.4, WHATWG urlencoded).

The query keeps everything the client sent: pairs in order, repeated keys
kept, blank values kept (``a=`` and ``a`` both give ``("a", "")``), ``+`` read
as a space, percent-escapes decoded as UTF-8 with U+FFFD for invalid bytes.
Empty segments (``a&&b``) carry nothing and are skipped, as every form decoder does.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from inspector.http.record import Pairs


def _decode(part: str) -> str:
    if "%" not in part and "+" not in part:
        return part
    return unquote_to_bytes(part.replace("+", " ")).decode("utf-8", "replace")


def decode_query(query: str) -> Pairs:
    """Split and decode a query string (without the leading ``?``).

    Args:
        query: the raw query component as sent.

    Returns:
        (name, value) pairs in the order sent.
    """
    if not query:
        return ()
    pairs = []
    for segment in query.split("&"):
        if not segment:
            continue
        name, _, value = segment.partition("=")
        pairs.append((_decode(name), _decode(value)))
    return tuple(pairs)


def split_target(method: str, target: str) -> tuple[str, str]:
    """Return (path, raw query) of a request-target (RFC 9112 §3.2).

    origin-form ``/p?q`` gives ``/p``; absolute-form ``http://h/p?q`` gives the
    path component (``/`` when empty, as RFC 9112 §3.2.1 normalises it);
    authority-form (CONNECT) gives the authority; asterisk-form gives ``*``.
    """
    if method == "CONNECT" or target == "*":
        return target, ""
    rest = target
    if not rest.startswith("/"):
        scheme_end = rest.find("://")
        if scheme_end > 0:
            rest = rest[scheme_end + 3 :]
            cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
            rest = rest[cut:]
            if not rest.startswith("/"):
                rest = "/" + rest
    path, _, query = rest.partition("?")
    return path, query
