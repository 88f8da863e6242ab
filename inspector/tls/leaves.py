"""Leaf certificates for the names clients ask for, issued by the local CA (RFC 5280, RFC 6125).

Strategy. A client names the host it wants in SNI (a DNS name; some send an IP
literal) or sends no SNI, and then the connection's local address stands in.
:func:`leaf_name` turns that into one canonical name (lower-case A-label, or
an IP address in its compressed form) or ``None`` when it cannot name a
certificate. :class:`LeafIssuer` signs a certificate for it with the CA key.

Issuing is cheap so a handshake for a new name does not stall the server
loop: one EC P-256 leaf key is made per process and reused for every leaf
(it lives only in memory), so a leaf costs one ECDSA signature and building
the certificate, ~0.25 ms.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from inspector.tls.ca import BACKDATE, LocalCA

#: Seven days. Leaves are never written to disk and are made again by each
#: process, so they only need to outlive one run of the app (renewed a day
#: before they end, for runs that last longer); a short life makes a leaf and
#: the in-memory leaf key worth little to anyone who copies them.
LEAF_VALIDITY = datetime.timedelta(days=7)
#: A cached leaf is replaced when it has less than this left.
RENEW_BEFORE = datetime.timedelta(days=1)
#: RFC 1035: names of at most 253 characters, labels of at most 63.
MAX_NAME = 253
MAX_LABEL = 63
#: Characters of an A-label name; ``_`` because some internal names use it and
#: clients accept it in certificates, ``*`` never (we issue no wildcards).
NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")


def leaf_name(name: str) -> str | None:
    """The canonical form of a host name or IP literal, or ``None`` if it cannot name a leaf.

    ``Bücher.Example.`` becomes ``xn--bcher-kva.example``; ``[::1]`` becomes ``::1``.
    """
    text = name.strip().rstrip(".")
    literal = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    literal = literal.split("%", 1)[0]  # an IPv6 zone (fe80::1%eth0) is not part of the address
    try:
        return str(ipaddress.ip_address(literal))
    except ValueError:
        pass
    if not text.isascii():
        try:
            text = text.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    text = text.lower()
    if not text or len(text) > MAX_NAME or not NAME_CHARS.issuperset(text):
        return None
    if any(not 0 < len(label) <= MAX_LABEL for label in text.split(".")):
        return None
    return text


@dataclass(frozen=True, slots=True)
class Leaf:
    """One issued leaf: its canonical name, certificate, and the PEM ``ssl`` loads (certificate, key)."""

    name: str
    certificate: x509.Certificate
    chain_pem: bytes

    @property
    def not_after(self) -> datetime.datetime:
        return self.certificate.not_valid_after_utc


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class LeafIssuer:
    """Signs leaf certificates with the CA's key, all for one in-memory EC P-256 key."""

    def __init__(self, ca: LocalCA, *, clock: Callable[[], datetime.datetime] = _utcnow) -> None:
        self._ca = ca
        self._clock = clock
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._key_pem = self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self._ski = x509.SubjectKeyIdentifier.from_public_key(self._key.public_key())
        self._aki = x509.AuthorityKeyIdentifier(ca.key_identifier, None, None)

    def now(self) -> datetime.datetime:
        return self._clock()

    def issue(self, name: str) -> Leaf:
        """A leaf for ``name``, which must be canonical (:func:`leaf_name`).

        Raises:
            ValueError: ``name`` is not canonical.
        """
        if leaf_name(name) != name:
            raise ValueError(f"not a canonical leaf name: {name!r}")
        try:
            alt: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(name))
        except ValueError:
            alt = x509.DNSName(name)
        # RFC 5280 §4.2.1.6: with an empty subject the SAN must be critical.
        if len(name) <= 64:
            subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        else:
            subject = x509.Name([])
        now = self._clock()
        certificate = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self._ca.certificate.subject)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - BACKDATE)
            .not_valid_after(now + LEAF_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName([alt]), critical=len(name) > 64)
            .add_extension(self._ski, critical=False)
            .add_extension(self._aki, critical=False)
            .sign(self._ca.key, hashes.SHA256())
        )
        return Leaf(name, certificate, certificate.public_bytes(serialization.Encoding.PEM) + self._key_pem)
