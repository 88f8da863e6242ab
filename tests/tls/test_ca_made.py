"""The CA certificate field by field, the one-line errors word for word, and the writes that
must not follow a file planted in the CA folder. test_ca.py covers the folder's life; here
each property a client or a user reads back is pinned."""

from __future__ import annotations

import datetime
import errno
import getpass
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from inspector.tls.ca import CAError, load_or_create

NOW = datetime.datetime(2030, 5, 17, 12, 30, tzinfo=datetime.UTC)
WAY_OUT = (
    "; move it away to make a new CA (which must then be trusted again), or pass --ca-dir DIR to use another"
)


@pytest.fixture
def ca_dir(tmp_path: Path) -> Path:
    return tmp_path / "ca"


@pytest.fixture
def no_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    (attribute,) = name.get_attributes_for_oid(oid)
    return str(attribute.value)


def test_every_field_of_the_certificate(ca_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(getpass, "getuser", lambda: "ada")
    monkeypatch.setattr(socket, "gethostname", lambda: "box")
    ca = load_or_create(ca_dir, now=NOW)
    cert = x509.load_pem_x509_certificate((ca_dir / "ca.pem").read_bytes())
    assert cert == ca.certificate
    assert [(a.oid, a.value) for a in cert.subject] == [
        (NameOID.ORGANIZATION_NAME, "Request Inspector local CA"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, "ada@box"),
        (NameOID.COMMON_NAME, "Request Inspector CA ada@box"),
    ]
    assert cert.issuer == cert.subject
    assert cert.not_valid_before_utc == NOW - datetime.timedelta(days=1)
    assert cert.not_valid_after_utc == NOW + datetime.timedelta(days=3650)
    assert cert.serial_number > 0
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
    cert.verify_directly_issued_by(cert)
    extensions = {type(e.value): e for e in cert.extensions}
    assert [type(e.value) for e in cert.extensions] == [
        x509.BasicConstraints,
        x509.KeyUsage,
        x509.SubjectKeyIdentifier,
        x509.AuthorityKeyIdentifier,
    ]
    assert {kind.__name__: e.critical for kind, e in extensions.items()} == {
        "BasicConstraints": True,
        "KeyUsage": True,
        "SubjectKeyIdentifier": False,
        "AuthorityKeyIdentifier": False,
    }
    assert extensions[x509.BasicConstraints].value == x509.BasicConstraints(ca=True, path_length=0)
    usage = extensions[x509.KeyUsage].value
    assert isinstance(usage, x509.KeyUsage)
    assert {
        flag: getattr(usage, flag)
        for flag in (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
        )
    } == {
        "digital_signature": False,
        "content_commitment": False,
        "key_encipherment": False,
        "data_encipherment": False,
        "key_agreement": False,
        "key_cert_sign": True,
        "crl_sign": True,
    }
    public = ca.key.public_key()
    assert extensions[x509.SubjectKeyIdentifier].value == x509.SubjectKeyIdentifier.from_public_key(public)
    assert ca.key_identifier == x509.SubjectKeyIdentifier.from_public_key(public).digest
    aki = extensions[x509.AuthorityKeyIdentifier].value
    assert isinstance(aki, x509.AuthorityKeyIdentifier)
    assert (aki.key_identifier, aki.authority_cert_issuer, aki.authority_cert_serial_number) == (
        ca.key_identifier,
        None,
        None,
    )
    assert isinstance(ca.key, ec.EllipticCurvePrivateKey) and ca.key.curve.name == "secp256r1"


def test_the_key_file_is_unencrypted_pkcs8(ca_dir: Path) -> None:
    ca = load_or_create(ca_dir)
    pem = (ca_dir / "ca-key.pem").read_bytes()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----\n")  # PKCS#8, no password
    key = serialization.load_pem_private_key(pem, password=None)
    assert key.public_key() == ca.certificate.public_key()


def test_file_modes_exactly_whatever_the_umask(ca_dir: Path, no_umask: None) -> None:
    load_or_create(ca_dir)
    assert stat.S_IMODE((ca_dir / "ca-key.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((ca_dir / "ca.pem").stat().st_mode) == 0o644
    assert stat.S_IMODE(ca_dir.stat().st_mode) == 0o700


def test_a_user_without_a_name(ca_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """getpass fails for a uid with no passwd entry (in a container): the CA says "user"."""

    def nobody() -> str:
        raise KeyError("getpwuid(): uid not found: 4242")

    monkeypatch.setattr(getpass, "getuser", nobody)
    monkeypatch.setattr(socket, "gethostname", lambda: "box")
    subject = load_or_create(ca_dir).certificate.subject
    assert _attr(subject, NameOID.ORGANIZATIONAL_UNIT_NAME) == "user@box"


def test_a_long_host_name_is_cut_to_a_common_name(ca_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    host = "h" * 70
    monkeypatch.setattr(getpass, "getuser", lambda: "ada")
    monkeypatch.setattr(socket, "gethostname", lambda: host)
    subject = load_or_create(ca_dir).certificate.subject
    assert _attr(subject, NameOID.ORGANIZATIONAL_UNIT_NAME) == f"ada@{host}"
    assert _attr(subject, NameOID.COMMON_NAME) == f"Request Inspector CA ada@{host}"[:64]
    assert len(_attr(subject, NameOID.COMMON_NAME)) == 64


def test_a_full_disk_is_one_line_and_leaves_nothing(ca_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(CAError) as caught:
        load_or_create(ca_dir)
    assert str(caught.value) == f"cannot write the CA into {ca_dir}: No space left on device"
    assert sorted(p.name for p in ca_dir.iterdir()) == [".lock"]


def test_a_file_planted_at_the_temporary_name_is_not_written_through(
    ca_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another user may win the race between removing a leftover temporary file and creating
    ours, with a link to a file of their choosing: the key must never be written through it."""
    victim = tmp_path / "victim"
    victim.write_bytes(b"theirs")
    real_open = os.open

    def racing_open(path: str | os.PathLike[str], flags: int, mode: int = 0o777) -> int:
        if str(path).endswith(".tmp") and not os.path.lexists(path):
            os.symlink(victim, path)
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", racing_open)
    with pytest.raises(CAError, match=rf"^cannot write the CA into {ca_dir}: File exists$"):
        load_or_create(ca_dir)
    assert victim.read_bytes() == b"theirs"
    assert not (ca_dir / "ca-key.pem").exists()


def _rewrite_cert(ca_dir: Path, build: x509.CertificateBuilder) -> None:
    key = serialization.load_pem_private_key((ca_dir / "ca-key.pem").read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "someone else's CA")])
    cert = (
        build.subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - datetime.timedelta(days=1))
        .not_valid_after(NOW + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    (ca_dir / "ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def test_a_certificate_without_basic_constraints(ca_dir: Path) -> None:
    load_or_create(ca_dir)
    _rewrite_cert(ca_dir, x509.CertificateBuilder())
    with pytest.raises(CAError) as caught:
        load_or_create(ca_dir, now=NOW)
    assert str(caught.value) == (
        f"the CA folder {ca_dir} is damaged: ca.pem is not a CA certificate made by this app" + WAY_OUT
    )


def test_a_certificate_without_a_key_identifier(ca_dir: Path) -> None:
    load_or_create(ca_dir)
    constraints = x509.BasicConstraints(ca=True, path_length=0)
    _rewrite_cert(ca_dir, x509.CertificateBuilder().add_extension(constraints, critical=True))
    with pytest.raises(CAError) as caught:
        load_or_create(ca_dir, now=NOW)
    assert str(caught.value) == (
        f"the CA folder {ca_dir} is damaged: ca.pem is not a CA certificate made by this app" + WAY_OUT
    )


@pytest.mark.parametrize(
    ("remove", "what"),
    [("ca.pem", "ca.pem is missing"), ("ca-key.pem", "ca-key.pem is missing")],
)
def test_damage_word_for_word(ca_dir: Path, remove: str, what: str) -> None:
    load_or_create(ca_dir)
    (ca_dir / remove).unlink()
    with pytest.raises(CAError) as caught:
        load_or_create(ca_dir)
    assert str(caught.value) == f"the CA folder {ca_dir} is damaged: {what}" + WAY_OUT


def test_a_readable_key_word_for_word(ca_dir: Path) -> None:
    load_or_create(ca_dir)
    key = ca_dir / "ca-key.pem"
    key.chmod(0o640)
    with pytest.raises(CAError) as caught:
        load_or_create(ca_dir)
    assert str(caught.value) == (
        f"{key} may be read by other users (mode 0640); "
        f"run: chmod 600 {key}  (or move the CA folder away to make a new CA)"
    )
    key.chmod(0o400)  # read-only for its owner is private too
    assert load_or_create(ca_dir).key is not None


def test_expiry_is_at_the_last_instant(ca_dir: Path) -> None:
    ca = load_or_create(ca_dir, now=NOW)
    end = ca.certificate.not_valid_after_utc
    assert load_or_create(ca_dir, now=end - datetime.timedelta(seconds=1)).certificate == ca.certificate
    with pytest.raises(CAError) as caught:
        load_or_create(ca_dir, now=end)
    assert str(caught.value) == (
        f"the local CA in {ca_dir} expired on {end:%Y-%m-%d}; "
        "move the folder away to make a new one (which must then be trusted again)"
    )


def _other_key_pem() -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.mark.parametrize(
    ("file", "content", "what"),
    [
        ("ca.pem", b"not a certificate", "ca.pem is not a PEM certificate"),
        ("ca-key.pem", b"not a key", "ca-key.pem is not an unencrypted PEM private key"),
        ("ca-key.pem", None, "ca-key.pem is not the key of ca.pem"),
    ],
)
def test_damaged_files_word_for_word(ca_dir: Path, file: str, content: bytes | None, what: str) -> None:
    load_or_create(ca_dir)
    (ca_dir / file).write_bytes(_other_key_pem() if content is None else content)
    with pytest.raises(CAError) as caught:
        load_or_create(ca_dir)
    assert str(caught.value) == f"the CA folder {ca_dir} is damaged: {what}" + WAY_OUT


def test_a_certificate_that_is_not_a_ca_word_for_word(ca_dir: Path) -> None:
    load_or_create(ca_dir)
    constraints = x509.BasicConstraints(ca=False, path_length=None)
    key = serialization.load_pem_private_key((ca_dir / "ca-key.pem").read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    _rewrite_cert(
        ca_dir, x509.CertificateBuilder().add_extension(constraints, True).add_extension(ski, False)
    )
    with pytest.raises(CAError) as caught:
        load_or_create(ca_dir, now=NOW)
    assert str(caught.value) == f"the CA folder {ca_dir} is damaged: ca.pem is not a CA certificate" + WAY_OUT


def test_a_ca_that_cannot_be_read(ca_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_or_create(ca_dir)

    def denied(self: Path) -> bytes:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(CAError) as caught:
        load_or_create(ca_dir)
    assert str(caught.value) == f"cannot read the CA in {ca_dir}: Permission denied"


def test_the_folder_and_its_parents_are_made(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b" / "ca"
    ca = load_or_create(deep)
    assert ca.directory == deep and ca.cert_path == deep / "ca.pem"
    assert (deep / "ca-key.pem").is_file()


def test_the_default_folder_is_used_and_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUEST_INSPECTOR_HOME", str(tmp_path / "home"))
    ca = load_or_create()
    assert ca.directory.name == "ca" and ca.directory.is_relative_to(tmp_path / "home")
    assert (ca.directory / "ca.pem").is_file()


def test_folders_that_cannot_be_made_word_for_word(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(CAError) as caught:
        load_or_create(tmp_path / "file")
    assert str(caught.value) == f"cannot create the CA folder {tmp_path / 'file'}: File exists"
    with pytest.raises(CAError) as caught:
        load_or_create(tmp_path / "file" / "ca")
    assert str(caught.value) == f"cannot create the CA folder {tmp_path / 'file' / 'ca'}: Not a directory"
    monkeypatch.setenv("REQUEST_INSPECTOR_HOME", str(tmp_path / "file" / "data"))
    with pytest.raises(CAError) as caught:
        load_or_create()
    assert (
        str(caught.value)
        == "cannot create the app-data folder for the CA: Not a directory; pass --ca-dir DIR"
    )
