"""A short, readable cURL command for a captured request (Qt-free).

:func:`inspector.formats.to_curl` is the exact one: the resent request is the
captured one byte for byte, at the price of flags and ``-H 'Name:'`` lines few
people want to read. :func:`to_simple_curl` is what one pastes into a chat or a
bug report: the URL, the method when curl would not guess it, the header
fields a server cares about, and the body as text:

- no ``Host`` (the URL names it), no framing or hop-by-hop fields
  (``Content-Length``, ``Transfer-Encoding``, ``Connection``, ``Keep-Alive``,
  ``TE``, ``Upgrade``, ``Expect``, ``Proxy-Connection``), no
  ``Accept-Encoding`` (curl would print compressed bytes), no HTTP/2
  pseudo-fields from imported captures;
- ``-X`` only when curl would not send that method by itself (GET without a
  body, POST with one), ``--head`` for HEAD;
- the body with ``--data-raw``, as it is.

A request the short form cannot carry faithfully as words on a command line (a
body or a header that is not printable UTF-8, a target with spaces, control
characters or ``#``) gets the exact command instead, so the short form never
sends other bytes than the ones shown. Every word is ``shlex.quote``-d.
"""

from __future__ import annotations

import shlex
from typing import Final

from inspector.formats import to_curl
from inspector.formats.curl import tls_words
from inspector.http.record import CaptureRecord

#: fields the short form leaves to curl (lower case)
LEFT_TO_CURL: Final = frozenset(
    {
        "host",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "te",
        "upgrade",
        "expect",
        "proxy-connection",
        "accept-encoding",
    }
)
#: the longest body written inline; a larger one gets the exact command (read from stdin)
MAX_INLINE_BODY: Final = 64 * 1024


def _plain_target(target: str) -> bool:
    return (
        bool(target) and target.isascii() and target.isprintable() and " " not in target and "#" not in target
    )


def _body_text(body: bytes) -> str | None:
    if len(body) > MAX_INLINE_BODY or b"\0" in body:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if all(ch.isprintable() or ch in "\n\r\t" for ch in text) else None


def to_simple_curl(record: CaptureRecord, cacert: str | None = None) -> str:
    """The short cURL command for ``record`` (the exact one when the short form
    would change what is sent); ``cacert`` as in :func:`to_curl`."""
    url = record.url
    body = _body_text(record.body) if record.body else ""
    headers = [(name, value) for name, value in record.headers if name.lower() not in LEFT_TO_CURL]
    headers = [(name, value) for name, value in headers if not name.startswith(":")]
    faithful = (
        record.method not in {"", "CONNECT"}
        and _plain_target(record.target)
        and body is not None
        and all(name.isprintable() and value.isprintable() for name, value in headers)
    )
    if not faithful or body is None:  # (body is None is implied; mypy cannot see it)
        return to_curl(record, cacert=cacert)
    words = ["curl", *tls_words(record, cacert, url)]
    method = record.method
    if method == "HEAD" and not body:
        words.append("--head")
    elif not (method == "GET" and not body) and not (method == "POST" and body):
        words += ["-X", method]
    words.append(url)
    for name, value in headers:
        words += ["-H", f"{name}: {value}" if value else f"{name};"]
    if body:
        words += ["--data-raw", body]
    return " ".join(shlex.quote(word) for word in words)
