"""The local certificate authority: made once per CA folder, then loaded (RFC 5280 §4.2).

Strategy. The CA folder (``ca/`` in the app-data folder unless ``--ca-dir``
names another) holds ``ca.pem``, the certificate users trust, and
``ca-key.pem``, its key (mode 0600, created so that it is never readable by
anyone else, not even for a moment). The pair is created on first use under
an exclusive lock on ``.lock`` in the folder, each file written to a private
temporary name and renamed into place, so two processes starting at once end
up with one CA, never a key that belongs to another certificate.

Anything wrong with the folder is a :class:`CAError`: one line that says what
and how to get out (move the folder away, or pick another one).

The CA is EC P-256: its signatures take ~0.1 ms, so issuing a leaf for a new
name (:mod:`inspector.tls.leaves`) does not hold up the server loop.
"""

from __future__ import annotations

import datetime
import getpass
import os
import socket
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from inspector.paths import app_data_dir

CA_DIR_NAME = "ca"
CERT_FILE = "ca.pem"
KEY_FILE = "ca-key.pem"
LOCK_FILE = ".lock"
#: Ten years: trusting the CA is a manual step in every browser and system store
#: a user has; a CA that expired would make them do every step again. The key
#: never leaves the machine, and the name constraints a CA could carry cannot
#: help here (any name a client asks for gets a leaf).
CA_VALIDITY = datetime.timedelta(days=3650)
#: Certificates start a day in the past, so a client whose clock is a little
#: behind still accepts them.
BACKDATE = datetime.timedelta(days=1)
ORGANIZATION = "Request Inspector local CA"


class CAError(Exception):
    """The CA folder cannot be used; the message is one line saying why and what to do."""


def default_ca_dir() -> Path:
    """``ca/`` in the app-data folder."""
    return app_data_dir() / CA_DIR_NAME


@dataclass(frozen=True, slots=True)
class LocalCA:
    """A loaded CA: its folder, certificate and key."""

    directory: Path
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def cert_path(self) -> Path:
        """The certificate users may trust and share (``ca.pem``)."""
        return self.directory / CERT_FILE

    @property
    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def key_identifier(self) -> bytes:
        return self.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest


def load_or_create(directory: Path | None = None, *, now: datetime.datetime | None = None) -> LocalCA:
    """The CA in ``directory`` (default :func:`default_ca_dir`), made there first if it has none.

    Raises:
        CAError: the folder cannot be created or read, or holds a damaged CA.
    """
    if directory is None:
        try:
            directory = default_ca_dir()
        except OSError as exc:  # the app-data folder itself cannot be made
            raise CAError(
                f"cannot create the app-data folder for the CA: {exc.strerror or exc}; pass --ca-dir DIR"
            ) from None
    now = now or datetime.datetime.now(datetime.UTC)
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise CAError(f"cannot create the CA folder {directory}: {exc.strerror or exc}") from None
    if not directory.is_dir():
        raise CAError(f"the CA folder {directory} is not a folder; pass --ca-dir DIR to use another")
    with _locked(directory):
        cert_path, key_path = directory / CERT_FILE, directory / KEY_FILE
        if not cert_path.exists() and not key_path.exists():
            _create(directory, now)
        return _load(directory, now)


def _damaged(directory: Path, what: str) -> CAError:
    return CAError(
        f"the CA folder {directory} is damaged: {what}; move it away to make a new CA "
        "(which must then be trusted again), or pass --ca-dir DIR to use another"
    )


def _load(directory: Path, now: datetime.datetime) -> LocalCA:
    cert_path, key_path = directory / CERT_FILE, directory / KEY_FILE
    for path in (cert_path, key_path):
        if not path.is_file():
            raise _damaged(directory, f"{path.name} is missing")
    if sys.platform != "win32":
        mode = stat.S_IMODE(key_path.stat().st_mode)
        if mode & 0o077:
            raise CAError(
                f"{key_path} may be read by other users (mode {mode:04o}); "
                f"run: chmod 600 {key_path}  (or move the CA folder away to make a new CA)"
            )
    try:
        cert_pem, key_pem = cert_path.read_bytes(), key_path.read_bytes()
    except OSError as exc:
        raise CAError(f"cannot read the CA in {directory}: {exc.strerror or exc}") from None
    try:
        certificate = x509.load_pem_x509_certificate(cert_pem)
    except ValueError:
        raise _damaged(directory, f"{CERT_FILE} is not a PEM certificate") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise _damaged(directory, f"{KEY_FILE} is not an unencrypted PEM private key") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.public_key() != certificate.public_key():
        raise _damaged(directory, f"{KEY_FILE} is not the key of {CERT_FILE}")
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
        certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    except x509.ExtensionNotFound:
        raise _damaged(directory, f"{CERT_FILE} is not a CA certificate made by this app") from None
    if not constraints.ca:
        raise _damaged(directory, f"{CERT_FILE} is not a CA certificate")
    if certificate.not_valid_after_utc <= now:
        raise CAError(
            f"the local CA in {directory} expired on {certificate.not_valid_after_utc:%Y-%m-%d}; "
            "move the folder away to make a new one (which must then be trusted again)"
        )
    return LocalCA(directory, certificate, key)


def _create(directory: Path, now: datetime.datetime) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    where = _user_at_host()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, where),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Request Inspector CA {where}"[:64]),
        ]
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        # The key first: a folder with a key and no certificate is damaged, and
        # says so, whereas a certificate without its key could be trusted in vain.
        _write_new(directory / KEY_FILE, key_pem, 0o600)
        _write_new(directory / CERT_FILE, certificate.public_bytes(serialization.Encoding.PEM), 0o644)
    except OSError as exc:
        raise CAError(f"cannot write the CA into {directory}: {exc.strerror or exc}") from None


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Write ``path`` through a temporary file created with ``mode`` (never wider), then rename."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)  # a leftover keeps its mode; O_EXCL makes ours
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder's ``.lock`` file (blocking)."""
    try:
        handle = open(directory / LOCK_FILE, "a+b")  # noqa: SIM115 (closed below, after unlocking)
    except OSError as exc:
        raise CAError(f"cannot use the CA folder {directory}: {exc.strerror or exc}") from None
    with handle:
        if sys.platform == "win32":
            import msvcrt

            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
            try:
                yield
            finally:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _user_at_host() -> str:
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "user"
    return f"{user}@{socket.gethostname()}"
