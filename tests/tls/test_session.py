"""The sans-IO TLS session with an in-memory client: handshakes, facts, failures and their reasons."""

from __future__ import annotations

import datetime
import hashlib
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from hellobuild import client_hello, sigalgs_ext, sni_ext, versions_ext
from tlspump import Exchange, client_context, connect

from inspector.tls.ca import LocalCA
from inspector.tls.contexts import ServerContexts
from inspector.tls.ja4 import ja4
from inspector.tls.session import State, TLSSession

REQUEST = b"GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n"


def session(contexts: ServerContexts, address: str = "127.0.0.1") -> TLSSession:
    return TLSSession(contexts, local_address=address)


def opened(contexts: ServerContexts, context: ssl.SSLContext, name: str | None = "localhost") -> Exchange:
    exchange = connect(session(contexts), context, name)
    assert exchange.handshake(), (exchange.client_error, exchange.session.failure)
    assert exchange.session.state is State.OPEN
    return exchange


@pytest.mark.parametrize(
    ("version", "name"), [(ssl.TLSVersion.TLSv1_3, "TLSv1.3"), (ssl.TLSVersion.TLSv1_2, "TLSv1.2")]
)
def test_a_handshake_then_plaintext_both_ways(
    contexts: ServerContexts, ca_file: Path, version: ssl.TLSVersion, name: str
) -> None:
    exchange = opened(contexts, client_context(str(ca_file), alpn=["h2", "http/1.1"], version=version))
    exchange.send(REQUEST)
    assert bytes(exchange.plaintext) == REQUEST
    exchange.session.send(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    assert b"".join(exchange.replies()).endswith(b"\r\n\r\nok")
    facts = exchange.session.facts()
    assert facts.version == name
    assert facts.cipher == exchange.client.cipher()[0]  # type: ignore[index]
    assert (facts.sni, facts.alpn_offered, facts.alpn) == ("localhost", ("h2", "http/1.1"), "http/1.1")
    assert exchange.session.hello is not None and facts.ja4 == ja4(exchange.session.hello)
    assert facts.client_cert is None
    assert facts.to_json() == {
        "version": name,
        "cipher": facts.cipher,
        "sni": "localhost",
        "alpn_offered": ["h2", "http/1.1"],
        "alpn": "http/1.1",
        "ja4": facts.ja4,
        "client_cert": None,
    }


def test_no_common_alpn_goes_on_without_one(contexts: ServerContexts, ca_file: Path) -> None:
    exchange = opened(contexts, client_context(str(ca_file), alpn=["h2"]))
    assert exchange.session.facts().alpn is None
    assert exchange.client.selected_alpn_protocol() is None


def test_the_leaf_names_the_sni_name(contexts: ServerContexts, ca_file: Path) -> None:
    """The client checks the hostname, so a finished handshake proves the leaf names it."""
    exchange = opened(contexts, client_context(str(ca_file)), "bücher.example")
    assert exchange.session.facts().sni == "xn--bcher-kva.example"
    assert contexts.leaf("xn--bcher-kva.example") is not None


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_no_sni_gets_the_local_address(contexts: ServerContexts, ca_file: Path, address: str) -> None:
    # Python sends no SNI for an IP literal, and checks the certificate's IP SAN.
    exchange = connect(session(contexts, address), client_context(str(ca_file)), address)
    assert exchange.handshake(), exchange.client_error
    assert exchange.session.facts().sni is None
    assert exchange.session.hello is not None and ja4(exchange.session.hello)[3] == "i"


def test_a_client_that_does_not_trust_the_ca(contexts: ServerContexts) -> None:
    exchange = connect(session(contexts), client_context(None))
    assert not exchange.handshake()
    assert isinstance(exchange.client_error, ssl.SSLCertVerificationError)
    assert exchange.session.failure == (
        "TLS handshake failed: the client does not trust the local CA; see HTTPS: trust the local CA…"
    )
    facts = exchange.session.facts()
    assert (facts.sni, facts.version, facts.alpn) == ("localhost", None, None)
    assert facts.ja4 is not None and facts.ja4.startswith("t13d")
    assert exchange.session.receive_data(b"more") == b""


def _failed(contexts: ServerContexts, data: bytes) -> TLSSession:
    tls = session(contexts)
    assert tls.receive_data(data) == b""
    assert tls.state is State.FAILED
    return tls


def test_no_common_version(contexts: ServerContexts) -> None:
    tls = _failed(contexts, client_hello([0x002F, 0x0035], [sni_ext(b"old.example")], legacy_version=0x0301))
    assert tls.failure == (
        "TLS handshake failed: no TLS version in common: this server speaks TLS 1.2 and 1.3, "
        "the client offers up to TLS 1.0"
    )
    assert tls.facts().sni == "old.example"
    assert tls.data_to_send()[:1] == b"\x15"  # the protocol_version alert goes back


def test_no_common_cipher(contexts: ServerContexts) -> None:
    hello = client_hello([0x0005, 0x000A], [versions_ext(0x0303), sigalgs_ext(0x0403)])
    tls = _failed(contexts, hello)
    assert tls.failure == "TLS handshake failed: no cipher suite in common with the client (it offered 2)"


def test_garbage_after_0x16(contexts: ServerContexts) -> None:
    tls = _failed(contexts, b"\x16GET / HTTP/1.1\r\n\r\n")
    assert (
        tls.failure
        == "TLS handshake failed: not TLS: the byte after 0x16 is 0x47, not a TLS record version (0x03)"
    )
    assert tls.hello_error is not None and tls.facts().ja4 is None


def test_closed_before_the_hello_ended(contexts: ServerContexts) -> None:
    tls = session(contexts)
    data = client_hello([0x1301], [sni_ext(b"a.example")])
    assert tls.receive_data(data[:20]) == b""
    assert tls.state is State.HANDSHAKE
    tls.receive_data(b"")
    assert (
        tls.failure == "TLS handshake failed: the client closed the connection before its ClientHello ended"
    )


def test_closed_during_a_real_handshake(contexts: ServerContexts, ca_file: Path) -> None:
    exchange = connect(session(contexts), client_context(str(ca_file), version=ssl.TLSVersion.TLSv1_2))
    try:
        exchange.client.do_handshake()
    except ssl.SSLWantReadError:
        pass
    exchange.to_server()
    assert exchange.session.state is State.HANDSHAKE
    exchange.session.receive_data(b"")
    assert (
        exchange.session.failure
        == "TLS handshake failed: the client closed the connection during the handshake"
    )
    assert exchange.session.facts().sni == "localhost"


def test_close_notify_both_ways(contexts: ServerContexts, ca_file: Path) -> None:
    exchange = opened(contexts, client_context(str(ca_file)))
    exchange.session.close()
    exchange.to_client()
    assert exchange.client.read(10) == b""  # close_notify (no data would raise SSLWantReadError)
    other = opened(contexts, client_context(str(ca_file)))
    other.client.write(REQUEST)
    try:
        other.client.unwrap()
    except ssl.SSLWantReadError:
        pass
    other.to_server()
    assert bytes(other.plaintext) == REQUEST
    assert other.session.state is State.CLOSED
    assert other.session.facts().version is not None  # the handshake happened
    # A half-close: the request that came before close_notify still gets its answer.
    other.session.send(b"HTTP/1.1 200 OK\r\n\r\n")
    other.session.close()
    assert b"".join(other.replies()) == b"HTTP/1.1 200 OK\r\n\r\n"
    with pytest.raises(RuntimeError, match="state closed"):
        other.session.send(b"more")


def test_send_needs_an_open_session(contexts: ServerContexts) -> None:
    with pytest.raises(RuntimeError, match="state handshake"):
        session(contexts).send(b"x")


def _client_cert(
    tmp_path: Path, issuer_key: ec.EllipticCurvePrivateKey, issuer: x509.Name | None
) -> tuple[str, str, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "webhook sender")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer or subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(issuer_key if issuer else key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "client.pem", tmp_path / "client-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_path), str(key_path), cert.public_bytes(serialization.Encoding.DER)


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2])
def test_a_client_certificate_from_the_local_ca_is_recorded(
    contexts: ServerContexts, local_ca: LocalCA, ca_file: Path, tmp_path: Path, version: ssl.TLSVersion
) -> None:
    cert, key, der = _client_cert(tmp_path, local_ca.key, local_ca.certificate.subject)
    exchange = opened(contexts, client_context(str(ca_file), certchain=(cert, key), version=version))
    exchange.send(REQUEST)  # in TLS 1.3 the server sees the client's certificate with its Finished
    facts = exchange.session.facts()
    assert facts.client_cert is not None
    assert facts.client_cert.subject == "CN=webhook sender"
    assert facts.client_cert.sha256 == hashlib.sha256(der).hexdigest()


def test_an_unknown_client_certificate_fails_with_the_reason(
    contexts: ServerContexts, ca_file: Path, tmp_path: Path
) -> None:
    cert, key, _ = _client_cert(tmp_path, ec.generate_private_key(ec.SECP256R1()), None)
    exchange = connect(session(contexts), client_context(str(ca_file), certchain=(cert, key)))
    exchange.handshake()
    assert exchange.session.failure is not None
    assert exchange.session.failure.startswith(
        "TLS handshake failed: the client's certificate is not issued by the local CA"
    )


def test_an_unusable_local_address(contexts: ServerContexts, ca_file: Path) -> None:
    """A client without SNI gets no leaf for it (the handshake fails, saying why);
    one that names a host does."""
    without = connect(session(contexts, ""), client_context(str(ca_file)), None)
    assert not without.handshake()
    assert without.session.failure == "TLS handshake failed: cannot issue a certificate for ''"
    named = connect(session(contexts, ""), client_context(str(ca_file)), "localhost")
    assert named.handshake(), named.session.failure


def test_a_deferred_name_waits_for_its_context(local_ca: LocalCA, ca_file: Path) -> None:
    """With defer_new_names the handshake stops after the hello until the name's context is made."""
    fresh = ServerContexts(local_ca)
    tls = TLSSession(fresh, local_address="127.0.0.1", defer_new_names=True)
    exchange = connect(tls, client_context(str(ca_file)), "deferred.example")
    assert not exchange.handshake(rounds=2)
    assert (tls.needed_name, tls.state, tls.data_to_send()) == ("deferred.example", State.HANDSHAKE, b"")
    fresh.prepare("deferred.example")
    assert tls.resume() == b""
    assert exchange.handshake(), (exchange.client_error, tls.failure)
    exchange.send(REQUEST)
    assert bytes(exchange.plaintext) == REQUEST and tls.facts().sni == "deferred.example"


def test_an_end_of_input_while_a_name_waits_fails_the_handshake(local_ca: LocalCA, ca_file: Path) -> None:
    tls = TLSSession(ServerContexts(local_ca), local_address="127.0.0.1", defer_new_names=True)
    exchange = connect(tls, client_context(str(ca_file)), "gone.example")
    exchange.handshake(rounds=1)
    assert tls.needed_name == "gone.example"
    assert tls.receive_data(b"") == b""
    assert tls.failure == "TLS handshake failed: the client closed the connection during the handshake"


def test_a_server_name_that_is_not_ascii(contexts: ServerContexts) -> None:
    """Found by tools/fuzz_tls.py: CPython's SNI callback cannot decode it (a traceback on stderr)."""
    tls = _failed(contexts, client_hello([0x1301], [sni_ext(b"localho\xff\xff"), versions_ext(0x0304)]))
    assert tls.failure == (
        "TLS handshake failed: the server name the client sent (SNI) is not ASCII; "
        "TLS wants IDNA A-labels (xn--…)"
    )
    assert tls.facts().sni == "localho\\xff\\xff"
    assert tls.data_to_send() == b""
