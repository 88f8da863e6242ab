"""curl and openssl s_client, run the way the real-client tests need them (bounded, output kept)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

needs_curl_and_openssl = pytest.mark.skipif(
    not (shutil.which("curl") and shutil.which("openssl")), reason="needs curl and openssl"
)


def curl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["curl", "-sS", "--max-time", "20", *args], capture_output=True, text=True, timeout=30, check=False
    )


def s_client(port: int, *args: str, send: bytes = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n") -> str:
    """Everything ``openssl s_client`` printed after sending ``send`` to 127.0.0.1:``port``."""
    done = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-ign_eof", *args],
        input=send,
        capture_output=True,
        timeout=30,
        check=False,
    )
    return (done.stdout + done.stderr).decode("utf-8", "replace")


def nss_home(tmp_path: Path, ca_file: Path, command: str) -> dict[str, str]:
    """A throwaway HOME whose NSS database trusts the CA through ``command`` (the trust step's)."""
    home = tmp_path / "home"
    (home / ".pki" / "nssdb").mkdir(parents=True)
    env = {**os.environ, "HOME": str(home)}
    subprocess.run(
        ["certutil", "-d", f"sql:{home}/.pki/nssdb", "-N", "--empty-password"], env=env, check=True
    )
    subprocess.run(["sh", "-c", command], env=env, check=True, timeout=30)
    return env


def chromium_dom(url: str, profile: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Headless Chromium's ``--dump-dom`` of ``url``."""
    return subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={profile}",
            "--dump-dom",
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
