"""Failure reasons: each OpenSSL reason we name, alerts in general, and the hello's part."""

from __future__ import annotations

import ssl

import pytest
from hellobuild import client_hello, versions_ext

from inspector.tls.hello import ClientHello, read_client_hello
from inspector.tls.reasons import handshake_failure


def error(reason: str | None, cls: type[ssl.SSLError] = ssl.SSLError) -> ssl.SSLError:
    exc = cls(1, f"[SSL: {reason}] something")
    exc.reason = reason  # type: ignore[misc]  # set by _ssl for real errors
    return exc


def hello(**kw: int) -> ClientHello:
    parsed = read_client_hello(client_hello([0x1301, 0x1302, 0x1303], [versions_ext(0x0302, 0x0301)], **kw))
    assert parsed is not None
    return parsed


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("TLSV1_ALERT_UNKNOWN_CA", "the client does not trust the local CA; see HTTPS: trust the local CA…"),
        ("SSLV3_ALERT_BAD_CERTIFICATE", "the client rejected the certificate (alert bad_certificate)"),
        ("SSLV3_ALERT_CERTIFICATE_UNKNOWN", "(alert certificate_unknown): it may not trust the local CA"),
        ("SSLV3_ALERT_CERTIFICATE_EXPIRED", "the client says the certificate has expired: check the clocks"),
        ("NO_SHARED_CIPHER", "no cipher suite in common with the client (it offered 3)"),
        (
            "TLSV1_ALERT_PROTOCOL_VERSION",
            "no TLS version in common: this server speaks TLS 1.2 and 1.3, the client offers up to TLS 1.1",
        ),
        ("UNSUPPORTED_PROTOCOL", "the client offers up to TLS 1.1"),
        ("HTTP_REQUEST", "not TLS after 0x16: the client sent plain HTTP"),
        ("TLSV1_ALERT_INTERNAL_ERROR", "the client ended the handshake with alert internal_error"),
        ("SSLV3_ALERT_HANDSHAKE_FAILURE", "the client ended the handshake with alert handshake_failure"),
        ("BAD_EXTENSION", "bad extension"),
    ],
)
def test_reasons(reason: str, expected: str) -> None:
    line = handshake_failure(error(reason), hello())
    assert line.startswith("TLS handshake failed: ")
    assert expected in line
    assert "\n" not in line


def test_without_a_hello_or_a_reason() -> None:
    assert handshake_failure(error("NO_SHARED_CIPHER"), None) == (
        "TLS handshake failed: no cipher suite in common with the client"
    )
    assert handshake_failure(error("VERSION_TOO_LOW"), None) == (
        "TLS handshake failed: no TLS version in common: this server speaks TLS 1.2 and 1.3"
    )
    assert handshake_failure(error(None), None) == "TLS handshake failed: [SSL: None] something"
    assert handshake_failure(error(None, ssl.SSLEOFError), None) == (
        "TLS handshake failed: the client closed the connection during the handshake"
    )


def test_an_unknown_version_is_shown_in_hex() -> None:
    parsed = read_client_hello(client_hello([0x1301], [versions_ext(0x7F1C)]))
    assert parsed is not None
    line = handshake_failure(error("UNSUPPORTED_PROTOCOL"), parsed)
    assert line.endswith("the client offers up to 0x7f1c")
