"""The local CA: made right on first use, loaded after, one clear line for any damage."""

from __future__ import annotations

import datetime
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from inspector.paths import app_data_dir
from inspector.tls.ca import CAError, LocalCA, default_ca_dir, load_or_create

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ca_dir(tmp_path: Path) -> Path:
    return tmp_path / "ca"


def test_first_use_makes_the_pair_with_private_modes(ca_dir: Path) -> None:
    ca = load_or_create(ca_dir)
    assert ca.cert_path == ca_dir / "ca.pem"
    assert sorted(p.name for p in ca_dir.iterdir()) == [".lock", "ca-key.pem", "ca.pem"]
    assert stat.S_IMODE((ca_dir / "ca-key.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE(ca_dir.stat().st_mode) == 0o700
    assert (ca_dir / "ca.pem").read_bytes() == ca.cert_pem


def test_the_certificate_is_a_proper_ca(ca_dir: Path) -> None:
    cert = load_or_create(ca_dir).certificate
    ext = cert.extensions
    constraints = ext.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    usage = ext.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.key_cert_sign and usage.value.crl_sign
    assert not usage.value.digital_signature
    ski = ext.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = ext.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    assert cert.issuer == cert.subject
    cert.verify_directly_issued_by(cert)  # self-signed, and the signature holds
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert cert.public_key().curve.name == "secp256r1"  # type: ignore[union-attr]
    org = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    where = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value
    assert org == "Request Inspector local CA"
    assert "@" in str(where)  # user@host: where it was made
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert datetime.timedelta(days=3650) < lifetime <= datetime.timedelta(days=3652)


@pytest.mark.skipif(not shutil.which("openssl"), reason="needs the openssl command")
def test_openssl_agrees_it_is_a_ca(ca_dir: Path) -> None:
    ca = load_or_create(ca_dir)
    done = subprocess.run(
        ["openssl", "x509", "-in", str(ca.cert_path), "-noout", "-ext", "basicConstraints,keyUsage"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "CA:TRUE, pathlen:0" in done.stdout
    assert "Certificate Sign, CRL Sign" in done.stdout
    assert done.stdout.count("critical") == 2


def test_later_uses_load_the_same_ca(ca_dir: Path) -> None:
    first = load_or_create(ca_dir)
    again = load_or_create(ca_dir)
    assert again.certificate == first.certificate
    assert again.key.private_numbers() == first.key.private_numbers()


def test_default_folder_is_ca_in_the_app_data_folder() -> None:
    assert default_ca_dir() == app_data_dir() / "ca"
    assert load_or_create().directory == app_data_dir() / "ca"


def test_the_key_is_private_whatever_the_umask(tmp_path: Path) -> None:
    code = (
        "import os, sys; from pathlib import Path; os.umask(0)\n"
        "from inspector.tls.ca import load_or_create; load_or_create(Path(sys.argv[1]))\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "ca")], cwd=ROOT, check=True, timeout=60)
    assert stat.S_IMODE((tmp_path / "ca" / "ca-key.pem").stat().st_mode) == 0o600


CONCURRENT = """
import sys
from pathlib import Path
from inspector.tls.ca import load_or_create
sys.stdin.readline()  # all start together
ca = load_or_create(Path(sys.argv[1]))
print(ca.certificate.serial_number, ca.key.public_key() == ca.certificate.public_key())
"""


def test_processes_creating_at_once_get_one_matching_pair(ca_dir: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT, str(ca_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(6)
    ]
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    outputs = {proc.communicate(timeout=60)[0].strip() for proc in procs}
    assert len(outputs) == 1, outputs
    serial, matches = outputs.pop().split()
    assert matches == "True"
    assert int(serial) == load_or_create(ca_dir).certificate.serial_number


def _other_ca(tmp_path: Path) -> LocalCA:
    return load_or_create(tmp_path / "other")


def _break(ca_dir: Path, tmp_path: Path, how: str) -> None:
    load_or_create(ca_dir)
    cert, key = ca_dir / "ca.pem", ca_dir / "ca-key.pem"
    if how == "no cert":
        cert.unlink()
    elif how == "no key":
        key.unlink()
    elif how == "cert garbage":
        cert.write_bytes(b"not a certificate")
    elif how == "key garbage":
        key.write_bytes(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    elif how == "other key":
        key.write_bytes((_other_ca(tmp_path).directory / "ca-key.pem").read_bytes())
    elif how == "key readable":
        key.chmod(0o644)


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("no cert", "ca.pem is missing"),
        ("no key", "ca-key.pem is missing"),
        ("cert garbage", "ca.pem is not a PEM certificate"),
        ("key garbage", "ca-key.pem is not an unencrypted PEM private key"),
        ("other key", "ca-key.pem is not the key of ca.pem"),
        ("key readable", "may be read by other users (mode 0644); run: chmod 600"),
    ],
)
def test_damage_is_one_line_with_a_way_out(ca_dir: Path, tmp_path: Path, how: str, expected: str) -> None:
    _break(ca_dir, tmp_path, how)
    with pytest.raises(CAError) as caught:
        load_or_create(ca_dir)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message
    assert "move" in message
    assert str(ca_dir) in message


def test_a_leaf_certificate_in_place_of_the_ca(ca_dir: Path, tmp_path: Path) -> None:
    from inspector.tls.leaves import LeafIssuer

    ca = load_or_create(ca_dir)
    issuer = LeafIssuer(ca)
    leaf = issuer.issue("a.example")
    (ca_dir / "ca.pem").write_bytes(
        leaf.chain_pem.split(b"-----END CERTIFICATE-----")[0] + b"-----END CERTIFICATE-----\n"
    )
    (ca_dir / "ca-key.pem").write_bytes(leaf.chain_pem[leaf.chain_pem.index(b"-----BEGIN PRIVATE KEY") :])
    with pytest.raises(CAError, match=r"ca\.pem is not a CA certificate"):
        load_or_create(ca_dir)


def test_an_expired_ca(ca_dir: Path) -> None:
    load_or_create(ca_dir)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=4000)
    with pytest.raises(CAError, match=r"expired on \d{4}-\d\d-\d\d; move the folder away"):
        load_or_create(ca_dir, now=later)


def test_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    path = tmp_path / "ca"
    path.write_text("x")
    with pytest.raises(CAError, match="cannot create the CA folder"):
        load_or_create(path)


def test_a_folder_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(CAError, match="cannot create the CA folder"):
        load_or_create(tmp_path / "file" / "ca")


def test_an_app_data_folder_that_cannot_be_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("REQUEST_INSPECTOR_HOME", str(tmp_path / "file" / "data"))
    why = r"^cannot create the app-data folder for the CA: .*; pass --ca-dir DIR$"
    with pytest.raises(CAError, match=why):
        load_or_create()


def test_no_temporary_files_are_left(ca_dir: Path) -> None:
    load_or_create(ca_dir)
    assert not [p for p in ca_dir.iterdir() if p.name.endswith(".tmp")]
