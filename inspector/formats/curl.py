"""A capture record as a cURL command line that sends it again byte for byte.

See :func:`to_curl` for what is kept and how each word is quoted; the builder
quotes every word itself (``shlex.quote`` or ANSI-C ``$'...'``), so nothing in
a request can break out of its argument.
"""

from __future__ import annotations

import shlex
from typing import Final

from inspector.http.record import CaptureRecord

#: a body larger than this goes through a pipe, not an argument (Linux caps one
#: argument at 128 KiB)
_MAX_INLINE_BODY: Final = 64 * 1024
#: headers curl adds on its own unless told otherwise
_CURL_DEFAULT_HEADERS: Final = ("Host", "User-Agent", "Accept")
_CURL_BODY_HEADERS: Final = ("Content-Type", "Expect")


def _host(record: CaptureRecord) -> str:
    host = record.header("Host")
    return host if host else record.server


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
    if _is_plain_utf8(data):
        return shlex.quote(text)
    out = []
    for b in data:
        if 0x20 <= b < 0x7F and b not in (0x27, 0x5C):  # not ' or \
            out.append(chr(b))
        else:
            out.append(f"\\x{b:02x}")
    return "$'" + "".join(out) + "'"


def _is_plain_utf8(data: bytes) -> bool:
    """Printable UTF-8 text, line breaks and tabs allowed (safe inside single quotes on a UTF-8 terminal)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return text.replace("\n", "").replace("\t", "").replace("\r", "").isprintable()


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
    return f"{record.scheme}://{_host(record)}"


def _safe_url_target(target: str) -> bool:
    """True when curl sends ``target`` unchanged as part of a URL (with -g, --path-as-is)."""
    return target.startswith("/") and all(0x21 <= ord(c) < 0x7F for c in target) and "#" not in target


def tls_words(record: CaptureRecord, cacert: str | None, url: str) -> list[str]:
    """``--cacert PATH`` for a request that came over HTTPS and goes back to an https URL."""
    return ["--cacert", cacert] if cacert and record.scheme == "https" and url.startswith("https:") else []


def to_curl(record: CaptureRecord, base_url: str | None = None, cacert: str | None = None) -> str:
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
        base_url: ``scheme://host:port`` to send it to; by default the record's
            scheme and the Host header (or the server address).
        cacert: the local CA's ``ca.pem``, given as ``--cacert`` for an HTTPS
            record, so curl trusts the certificate the listener answers with.
    """
    words = ["curl", "--http1.0" if record.http_version == "1.0" else "--http1.1"]
    words += ["--path-as-is", "--globoff"]
    method = record.method or "GET"
    if method == "HEAD" and not record.body:
        words.append("--head")
    else:
        words += ["-X", method]
    origin = _origin(record, base_url)
    words += tls_words(record, cacert, origin)
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
            and _is_plain_utf8(body)
        )
        if inline:
            words += ["--data-binary", body.decode("utf-8")]
        else:
            pipe = f"printf {shlex.quote(_printf_format(body))} | "
            words += ["--data-binary", "@-"]
    return pipe + " ".join(_quote(word) for word in words)
