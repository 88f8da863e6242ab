"""Leaf certificates: canonical names, correct SANs and constraints, cheap, cached, renewed."""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from inspector.tls.ca import LocalCA
from inspector.tls.contexts import ServerContexts
from inspector.tls.leaves import LEAF_VALIDITY, LeafIssuer, leaf_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Example.COM.", "example.com"),
        ("localhost", "localhost"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("under_score.example", "under_score.example"),
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("", None),
        (".", None),
        ("a..b", None),
        ("bad name", None),
        ("*.example", None),
        ("a/b", None),
        ("x" * 63 + ".example", "x" * 63 + ".example"),
        ("x" * 64 + ".example", None),
        (".".join(["a" * 61] * 4), ".".join(["a" * 61] * 4)),  # 247 characters
        (".".join(["a" * 63] * 4), None),  # 255 characters
        ("\udcff.example", None),  # not encodable
    ],
)
def test_leaf_name(name: str, expected: str | None) -> None:
    assert leaf_name(name) == expected


def _san(cert: x509.Certificate) -> x509.Extension[x509.SubjectAlternativeName]:
    return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)


def test_a_dns_leaf(local_ca: LocalCA) -> None:
    cert = LeafIssuer(local_ca).issue("xn--bcher-kva.example").certificate
    cert.verify_directly_issued_by(local_ca.certificate)
    assert cert.issuer == local_ca.certificate.subject
    san = _san(cert)
    assert san.value.get_values_for_type(x509.DNSName) == ["xn--bcher-kva.example"]
    assert san.value.get_values_for_type(x509.IPAddress) == []
    assert not san.critical
    ext = cert.extensions
    constraints = ext.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and not constraints.value.ca
    usage = ext.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    assert list(ext.get_extension_for_class(x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    aki = ext.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == local_ca.key_identifier
    ext.get_extension_for_class(x509.SubjectKeyIdentifier)


def test_an_ip_leaf(local_ca: LocalCA) -> None:
    cert = LeafIssuer(local_ca).issue("::1").certificate
    assert _san(cert).value.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("::1")]
    assert _san(cert).value.get_values_for_type(x509.DNSName) == []


def test_a_name_longer_than_a_common_name(local_ca: LocalCA) -> None:
    name = "x" * 60 + ".example"
    cert = LeafIssuer(local_ca).issue(name).certificate
    assert len(cert.subject) == 0
    assert _san(cert).critical  # RFC 5280 §4.2.1.6: empty subject, critical SAN


def test_validity_is_short_and_starts_in_the_past(local_ca: LocalCA) -> None:
    now = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    cert = LeafIssuer(local_ca, clock=lambda: now).issue("a.example").certificate
    assert cert.not_valid_after_utc == now + LEAF_VALIDITY
    assert cert.not_valid_before_utc == now - datetime.timedelta(days=1)


def test_one_key_for_every_leaf_of_an_issuer(local_ca: LocalCA) -> None:
    issuer = LeafIssuer(local_ca)
    a, b = issuer.issue("a.example"), issuer.issue("b.example")
    assert a.certificate.public_key() == b.certificate.public_key()
    assert a.certificate.serial_number != b.certificate.serial_number


def test_a_name_must_be_canonical(local_ca: LocalCA) -> None:
    with pytest.raises(ValueError, match="not a canonical leaf name"):
        LeafIssuer(local_ca).issue("Example.com")


@pytest.mark.skipif(not shutil.which("openssl"), reason="needs the openssl command")
@pytest.mark.parametrize("name", ["localhost", "127.0.0.1", "::1"])
def test_openssl_verifies_the_leaf_for_tls_servers(local_ca: LocalCA, tmp_path: Path, name: str) -> None:
    leaf = LeafIssuer(local_ca).issue(name)
    path = tmp_path / "leaf.pem"
    path.write_bytes(leaf.chain_pem)
    check = ["-verify_ip", name] if ":" in name or name[0].isdigit() else ["-verify_hostname", name]
    done = subprocess.run(
        ["openssl", "verify", "-CAfile", str(local_ca.cert_path), "-purpose", "sslserver", *check, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip().endswith("OK"), done.stdout + done.stderr
    wrong = subprocess.run(
        [
            "openssl",
            "verify",
            "-CAfile",
            str(local_ca.cert_path),
            "-verify_hostname",
            "other.example",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert wrong.returncode != 0


def _leaf_files() -> set[str]:
    return {p for p in os.listdir(tempfile.gettempdir()) if p.startswith("request-inspector-leaf-")}


def test_contexts_are_cached_per_name_and_bounded(local_ca: LocalCA) -> None:
    before = _leaf_files()
    contexts = ServerContexts(local_ca, max_names=2)
    a = contexts.for_name("A.example", "127.0.0.1")
    assert contexts.for_name("a.example", "127.0.0.1") is a
    assert contexts.issued == 1
    contexts.for_name("b.example", "127.0.0.1")
    contexts.for_name("c.example", "127.0.0.1")  # a.example goes: least recently used
    assert contexts.leaf("a.example") is None and contexts.issued == 3
    assert contexts.for_name("a.example", "127.0.0.1") is not a
    assert contexts.issued == 4
    assert _leaf_files() == before  # the key was on disk only while ssl loaded it


def test_unusable_names_get_the_local_address(local_ca: LocalCA) -> None:
    contexts = ServerContexts(local_ca)
    assert contexts.for_name("bad name", "127.0.0.1") is contexts.for_name(None, "127.0.0.1")
    assert contexts.leaf("127.0.0.1") is not None
    with pytest.raises(ValueError, match="cannot issue"):
        contexts.for_name(None, "not an address")


def test_a_leaf_near_its_end_is_renewed(local_ca: LocalCA) -> None:
    now = [datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)]
    contexts = ServerContexts(local_ca, issuer=LeafIssuer(local_ca, clock=lambda: now[0]))
    first = contexts.for_name("a.example", "127.0.0.1")
    now[0] += LEAF_VALIDITY - datetime.timedelta(days=2)
    assert contexts.for_name("a.example", "127.0.0.1") is first
    now[0] += datetime.timedelta(days=1, seconds=1)
    assert contexts.for_name("a.example", "127.0.0.1") is not first
    assert contexts.issued == 2
