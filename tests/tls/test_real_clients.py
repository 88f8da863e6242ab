"""Real clients over a real loopback socket: curl, Python's ssl and http.client, openssl s_client."""

from __future__ import annotations

import datetime
import http.client
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli import curl, needs_curl_and_openssl, s_client
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from tlsdriver import TLSDriver

from inspector.tls.ca import LocalCA
from inspector.tls.contexts import ServerContexts
from tests.network import needs_ipv6

pytestmark = needs_curl_and_openssl


@pytest.fixture
def driver(contexts: ServerContexts) -> Iterator[TLSDriver]:
    running = TLSDriver(contexts)
    yield running
    running.stop()


def test_curl_with_the_ca(driver: TLSDriver, ca_file: Path) -> None:
    done = curl("--cacert", str(ca_file), f"https://localhost:{driver.port}/x?y=1")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "hello over tls"
    outcome = driver.outcome()
    assert outcome.plaintext.startswith(b"GET /x?y=1 HTTP/1.1\r\nHost: localhost:")
    facts = outcome.facts
    assert (facts.version, facts.sni, facts.alpn, outcome.failure) == (
        "TLSv1.3",
        "localhost",
        "http/1.1",
        None,
    )
    assert facts.alpn_offered == ("h2", "http/1.1")
    assert facts.ja4 is not None and facts.ja4.startswith("t13d")


def test_curl_tls12(driver: TLSDriver, ca_file: Path) -> None:
    done = curl(
        "--cacert", str(ca_file), "--tlsv1.2", "--tls-max", "1.2", f"https://localhost:{driver.port}/"
    )
    assert done.returncode == 0, done.stderr
    assert driver.outcome().facts.version == "TLSv1.2"


def test_curl_without_the_ca(driver: TLSDriver) -> None:
    done = curl(f"https://localhost:{driver.port}/")
    assert done.returncode == 60  # peer certificate cannot be authenticated
    outcome = driver.outcome()
    assert outcome.failure == (
        "TLS handshake failed: the client does not trust the local CA; see HTTPS: trust the local CA…"
    )
    assert outcome.facts.sni == "localhost" and outcome.facts.version is None
    assert outcome.raw.startswith(b"\x16\x03")


def test_curl_by_ip_address_gets_a_leaf_for_it(driver: TLSDriver, ca_file: Path) -> None:
    done = curl("--cacert", str(ca_file), f"https://127.0.0.1:{driver.port}/")
    assert done.returncode == 0, done.stderr
    assert driver.outcome().facts.sni is None


def test_python_http_client(driver: TLSDriver, ca_file: Path) -> None:
    context = ssl.create_default_context(cafile=str(ca_file))
    conn = http.client.HTTPSConnection("localhost", driver.port, context=context, timeout=20)
    conn.request("POST", "/hook", body=b'{"a": 1}', headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    assert (response.status, response.read()) == (200, b"hello over tls")
    conn.close()
    assert driver.outcome().plaintext.startswith(b"POST /hook HTTP/1.1\r\n")


@needs_ipv6  # checked before the driver binds: its failing is a failure
def test_python_ssl_over_ipv6(contexts: ServerContexts, ca_file: Path) -> None:
    running = TLSDriver(contexts, "::1")
    try:
        context = ssl.create_default_context(cafile=str(ca_file))
        raw = socket.create_connection(("::1", running.port), timeout=20)
        with context.wrap_socket(raw, server_hostname="::1") as tls:
            tls.sendall(b"GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n")
            assert tls.recv(1000).endswith(b"hello over tls")
        assert running.outcome().facts.version == "TLSv1.3"
    finally:
        running.stop()


def test_openssl_sni_and_alpn(driver: TLSDriver, ca_file: Path) -> None:
    out = s_client(driver.port, "-servername", "sni.example", "-alpn", "http/1.1", "-CAfile", str(ca_file))
    assert "Verify return code: 0 (ok)" in out
    assert "ALPN protocol: http/1.1" in out
    assert "hello over tls" in out
    facts = driver.outcome().facts
    assert (facts.sni, facts.alpn_offered, facts.alpn) == ("sni.example", ("http/1.1",), "http/1.1")


def test_openssl_h2_only_gets_no_alpn(driver: TLSDriver, ca_file: Path) -> None:
    out = s_client(driver.port, "-servername", "a.example", "-alpn", "h2", "-CAfile", str(ca_file))
    assert "No ALPN negotiated" in out
    assert driver.outcome().facts.alpn is None


def test_openssl_without_sni_gets_the_address_leaf(driver: TLSDriver) -> None:
    out = s_client(driver.port, "-noservername")
    assert "subject=CN = 127.0.0.1" in out
    assert driver.outcome().facts.sni is None


def test_openssl_tls11_has_no_common_version(driver: TLSDriver) -> None:
    s_client(driver.port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-servername", "old.example")
    outcome = driver.outcome()
    assert outcome.failure == (
        "TLS handshake failed: no TLS version in common: this server speaks TLS 1.2 and 1.3, "
        "the client offers up to TLS 1.1"
    )
    assert outcome.facts.sni == "old.example"


def test_garbage_after_0x16_on_a_socket(driver: TLSDriver) -> None:
    with socket.create_connection(("127.0.0.1", driver.port), timeout=20) as sock:
        sock.sendall(b"\x16\x03\x01\x00\x05\x02\x00\x00\x01\x00")
        sock.shutdown(socket.SHUT_WR)
        sock.recv(100)
    outcome = driver.outcome()
    assert (
        outcome.failure == "TLS handshake failed: the first handshake message is of type 2, not a ClientHello"
    )
    assert outcome.raw == b"\x16\x03\x01\x00\x05\x02\x00\x00\x01\x00"


def _client_pair(tmp_path: Path, ca: LocalCA | None) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sender")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca.certificate.subject if ca else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(ca.key if ca else key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "c.pem", tmp_path / "k.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_path), str(key_path)


def test_openssl_client_certificate_from_the_local_ca(
    driver: TLSDriver, local_ca: LocalCA, tmp_path: Path
) -> None:
    cert, key = _client_pair(tmp_path, local_ca)
    out = s_client(driver.port, "-servername", "a.example", "-cert", cert, "-key", key)
    assert "hello over tls" in out
    client_cert = driver.outcome().facts.client_cert
    assert client_cert is not None and client_cert.subject == "CN=sender" and len(client_cert.sha256) == 64


def test_openssl_unknown_client_certificate_fails_with_the_reason(driver: TLSDriver, tmp_path: Path) -> None:
    cert, key = _client_pair(tmp_path, None)
    out = s_client(driver.port, "-servername", "a.example", "-cert", cert, "-key", key)
    assert "hello over tls" not in out
    failure = driver.outcome().failure
    assert failure is not None and failure.startswith(
        "TLS handshake failed: the client's certificate is not issued"
    )
