"""The JA4 fingerprint of a ClientHello, as FoxIO's published JA4 specification defines it.

Strategy. ``t`` (TLS over TCP), two characters of version (the highest
supported_versions entry, else the ClientHello's legacy version; the record
version is ignored), ``d`` or ``i`` for SNI present or not, two-digit counts of
cipher suites and extensions (capped at 99), the first and last characters of
the first ALPN value; then the first 12 hex digits of SHA-256 over the sorted
cipher list, and over the sorted extension list (without SNI and ALPN)
followed by ``_`` and the signature algorithms in the client's order. GREASE
values (RFC 8701) are ignored everywhere. An empty list hashes to twelve zeros.

Where the specification's text and FoxIO's own tools differ (the tools print
``99`` for a non-ASCII ALPN value), we follow the text: the first and last
hex digits of the value.
"""

from __future__ import annotations

import hashlib

from inspector.tls.hello import EXT_ALPN, EXT_SERVER_NAME, ClientHello, is_grease

VERSIONS = {
    0x0304: "13",
    0x0303: "12",
    0x0302: "11",
    0x0301: "10",
    0x0300: "s3",
    0x0002: "s2",
    0xFEFF: "d1",
    0xFEFD: "d2",
    0xFEFC: "d3",
}


def ja4(hello: ClientHello) -> str:
    """The JA4 fingerprint, e.g. ``t13d1516h2_8daaf6152771_e5627efa2ab1``."""
    a, ciphers, extensions = _parts(hello, original=False)
    return f"{a}_{_hash12(ciphers)}_{_hash12(extensions)}"


def ja4_r(hello: ClientHello) -> str:
    """The raw JA4 (``JA4_r``): the lists that were hashed, in the clear."""
    return "_".join(_parts(hello, original=False))


def ja4_o(hello: ClientHello) -> str:
    """JA4 over the lists in the client's order, SNI and ALPN kept (``JA4_o``)."""
    a, ciphers, extensions = _parts(hello, original=True)
    return f"{a}_{_hash12(ciphers)}_{_hash12(extensions)}"


def ja4_ro(hello: ClientHello) -> str:
    """The raw JA4 in the client's order (``JA4_ro``)."""
    return "_".join(_parts(hello, original=True))


def alpn_chars(value: bytes | None) -> str:
    """The two ALPN characters of section a: first and last, hex digits if either is not alphanumeric."""
    if not value:
        return "00"
    first, last = value[:1], value[-1:]
    if first.isalnum() and last.isalnum():  # bytes.isalnum is ASCII-only: 0-9, A-Z, a-z
        return (first + last).decode("ascii")
    digits = value.hex()
    return digits[0] + digits[-1]


def _parts(hello: ClientHello, *, original: bool) -> tuple[str, str, str]:
    ciphers = [c for c in hello.cipher_suites if not is_grease(c)]
    extensions = [e for e in hello.extensions if not is_grease(e)]
    sigalgs = [s for s in hello.signature_algorithms if not is_grease(s)]
    alpn = [name for name in hello.alpn if not (len(name) == 2 and is_grease(int.from_bytes(name, "big")))]
    a = "t{}{}{:02d}{:02d}{}".format(
        VERSIONS.get(hello.version, "00"),
        "d" if EXT_SERVER_NAME in extensions else "i",
        min(len(ciphers), 99),
        min(len(extensions), 99),
        alpn_chars(alpn[0] if alpn else None),
    )
    if not original:
        ciphers.sort()
        extensions = sorted(e for e in extensions if e not in (EXT_SERVER_NAME, EXT_ALPN))
    c = ",".join(f"{e:04x}" for e in extensions)
    if sigalgs:
        c += "_" + ",".join(f"{s:04x}" for s in sigalgs)
    return a, ",".join(f"{x:04x}" for x in ciphers), c


def _hash12(text: str) -> str:
    if not text:
        return "000000000000"
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:12]
