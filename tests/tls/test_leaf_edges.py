"""Leaves at the edges of their rules: names of exactly the longest lengths, the 64-character
common name limit on either side, and the leaf's own record of the name it answers."""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from inspector.tls.ca import LocalCA
from inspector.tls.leaves import MAX_NAME, LeafIssuer, leaf_name

#: 253 characters: labels of 63, 63, 63 and 61
LONGEST = ".".join(["a" * 63] * 3 + ["b" * 61])


def test_the_longest_name_and_one_more() -> None:
    assert len(LONGEST) == MAX_NAME == 253
    assert leaf_name(LONGEST) == LONGEST
    assert leaf_name(LONGEST + ".") == LONGEST  # the root's dot is not counted
    assert leaf_name(LONGEST + "b") is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("WWW.BOX", "www.box"),  # only dots are cut from the end
        ("a.b", "a.b"),  # one-character labels
        ("a", "a"),
        ("a::1]", None),  # brackets count only as a pair
        ("[::12", None),
        ("[127.0.0.1]", "127.0.0.1"),
        ("fe80::1%a%b", "fe80::1"),  # everything from the first % is the zone
        ("1.2.3.4%x", "1.2.3.4"),
        ("bü.x", "xn--b-eha.x"),
    ],
)
def test_more_canonical_names(name: str, expected: str | None) -> None:
    assert leaf_name(name) == expected


def test_every_field_of_a_leaf(local_ca: LocalCA) -> None:
    now = datetime.datetime(2031, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)
    cert = LeafIssuer(local_ca, clock=lambda: now).issue("a.example").certificate
    assert cert.not_valid_before_utc == now - datetime.timedelta(days=1)
    assert cert.not_valid_after_utc == now + datetime.timedelta(days=7)
    assert [(type(e.value).__name__, e.critical) for e in cert.extensions] == [
        ("BasicConstraints", True),
        ("KeyUsage", True),
        ("ExtendedKeyUsage", False),
        ("SubjectAlternativeName", False),
        ("SubjectKeyIdentifier", False),
        ("AuthorityKeyIdentifier", False),
    ]
    ext = cert.extensions
    assert ext.get_extension_for_class(x509.BasicConstraints).value == x509.BasicConstraints(
        ca=False, path_length=None
    )
    usage = ext.get_extension_for_class(x509.KeyUsage).value
    flags = ("content_commitment", "key_encipherment", "data_encipherment", "key_agreement", "key_cert_sign")
    assert usage.digital_signature and not usage.crl_sign
    assert [getattr(usage, flag) for flag in flags] == [False] * len(flags)
    assert list(ext.get_extension_for_class(x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    ski = ext.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert ski == x509.SubjectKeyIdentifier.from_public_key(cert.public_key())
    aki = ext.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert (aki.key_identifier, aki.authority_cert_issuer, aki.authority_cert_serial_number) == (
        local_ca.key_identifier,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("length", "common_name", "san_critical"),
    [(63, True, False), (64, True, False), (65, False, True), (66, False, True)],
)
def test_the_common_name_up_to_64_characters(
    local_ca: LocalCA, length: int, common_name: bool, san_critical: bool
) -> None:
    name = "x" * (length - len(".example")) + ".example"
    assert len(name) == length
    leaf = LeafIssuer(local_ca).issue(name)
    assert leaf.name == name
    subject = leaf.certificate.subject
    cns = [str(a.value) for a in subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    assert cns == ([name] if common_name else [])
    assert len(subject) == (1 if common_name else 0)
    san = leaf.certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    assert san.critical is san_critical
    assert san.value.get_values_for_type(x509.DNSName) == [name]


def test_the_leaf_knows_its_name_and_carries_its_key(local_ca: LocalCA) -> None:
    leaf = LeafIssuer(local_ca).issue("::1")
    assert leaf.name == "::1"
    assert leaf.chain_pem.startswith(b"-----BEGIN CERTIFICATE-----\n")
    assert b"-----BEGIN PRIVATE KEY-----\n" in leaf.chain_pem
    assert x509.load_pem_x509_certificate(leaf.chain_pem) == leaf.certificate
