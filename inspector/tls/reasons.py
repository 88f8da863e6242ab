"""One human line for a failed TLS handshake, from OpenSSL's reason and what the ClientHello said.

OpenSSL names a failure by a reason code (``TLSV1_ALERT_UNKNOWN_CA``,
``NO_SHARED_CIPHER``, ...): an alert the client sent us is ``..._ALERT_<name>``
(RFC 8446 §6.2), anything else is what our side found wrong. The line always
starts ``TLS handshake failed:`` and says what the user can do about it.
"""

from __future__ import annotations

import ssl

from inspector.tls.hello import ClientHello

PREFIX = "TLS handshake failed: "
#: Where the window explains how to trust the local CA.
TRUST_HINT = "see HTTPS: trust the local CA…"

VERSION_NAMES = {
    0x0300: "SSL 3.0",
    0x0301: "TLS 1.0",
    0x0302: "TLS 1.1",
    0x0303: "TLS 1.2",
    0x0304: "TLS 1.3",
}

_NO_EC_SIGNATURE = "the client accepts no signature the certificate's EC P-256 key can make"
_DISTRUST = f"the client does not trust the local CA; {TRUST_HINT}"
_BY_REASON = {
    "TLSV1_ALERT_UNKNOWN_CA": _DISTRUST,
    "SSLV3_ALERT_BAD_CERTIFICATE": (
        "the client rejected the certificate (alert bad_certificate): it may not trust the local CA; "
        + TRUST_HINT
    ),
    "SSLV3_ALERT_CERTIFICATE_UNKNOWN": (
        "the client rejected the certificate (alert certificate_unknown): it may not trust the local CA; "
        + TRUST_HINT
    ),
    "SSLV3_ALERT_CERTIFICATE_EXPIRED": "the client says the certificate has expired: check the clocks",
    "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE": "the client cannot use an EC P-256 certificate",
    "CERTIFICATE_VERIFY_FAILED": (
        "the client's certificate is not issued by the local CA (Python's ssl can only accept "
        "client certificates it can verify)"
    ),
    "NO_SHARED_CIPHER": "no cipher suite in common with the client",
    "NO_SUITABLE_SIGNATURE_ALGORITHM": _NO_EC_SIGNATURE,
    "NO_SHARED_SIGNATURE_ALGORITHMS": _NO_EC_SIGNATURE,
    "HTTP_REQUEST": "not TLS after 0x16: the client sent plain HTTP",
    "WRONG_VERSION_NUMBER": "not TLS after 0x16: the record version is wrong",
    "UNEXPECTED_EOF_WHILE_READING": "the client closed the connection during the handshake",
}
_VERSION_REASONS = frozenset(
    {"UNSUPPORTED_PROTOCOL", "TLSV1_ALERT_PROTOCOL_VERSION", "VERSION_TOO_LOW", "NO_PROTOCOLS_AVAILABLE"}
)


def handshake_failure(exc: ssl.SSLError, hello: ClientHello | None) -> str:
    """The ``TLS handshake failed: …`` line for ``exc`` raised by ``do_handshake``."""
    if isinstance(exc, ssl.SSLEOFError):
        return PREFIX + "the client closed the connection during the handshake"
    reason = exc.reason or ""
    if reason in _VERSION_REASONS:
        return PREFIX + _no_common_version(hello)
    if reason == "NO_SHARED_CIPHER" and hello is not None:
        count = len(hello.cipher_suites)
        return PREFIX + f"no cipher suite in common with the client (it offered {count})"
    if reason in _BY_REASON:
        return PREFIX + _BY_REASON[reason]
    if "_ALERT_" in reason:
        alert = reason.split("_ALERT_", 1)[1].lower()
        return PREFIX + f"the client ended the handshake with alert {alert}"
    return PREFIX + (reason.lower().replace("_", " ") if reason else str(exc))


def _no_common_version(hello: ClientHello | None) -> str:
    base = "no TLS version in common: this server speaks TLS 1.2 and 1.3"
    if hello is None:
        return base
    return f"{base}, the client offers up to {version_name(hello.version)}"


def version_name(version: int) -> str:
    return VERSION_NAMES.get(version, f"0x{version:04x}")
