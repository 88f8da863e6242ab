"""The trust commands, run here where they can be: curl, Python, Node, NSS certutil (in a
throwaway database), Chromium with that database, and update-ca-certificates into a
throwaway root. Nothing touches this machine's own trust stores."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli import chromium_dom, nss_home
from tlsdriver import TLSDriver

from inspector.tls.contexts import ServerContexts
from inspector.tls.trust import DEBIAN_FILE, STORE_NAME, trust_steps, trust_text


@pytest.fixture
def driver(contexts: ServerContexts) -> Iterator[TLSDriver]:
    running = TLSDriver(contexts)
    yield running
    running.stop()


def step(ca_file: Path, client: str, url: str = "https://localhost:8090/") -> tuple[str, ...]:
    (found,) = [s for s in trust_steps(ca_file, url=url) if s.client.startswith(client)]
    return found.commands


def exported(command: str) -> tuple[str, str]:
    """``export NAME=VALUE  # note`` as (NAME, VALUE), as a shell would read it."""
    words = shlex.split(command, comments=True)
    assert words[0] == "export"
    name, _, value = words[1].partition("=")
    return name, value


def test_the_text_names_the_file_and_every_client(tmp_path: Path) -> None:
    path = tmp_path / "my ca" / "ca.pem"
    text = trust_text(path)
    assert text.startswith(f"The local CA's certificate: {path}\n")
    for word in (
        "curl",
        "REQUESTS_CA_BUNDLE",
        "SSL_CERT_FILE",
        "NODE_EXTRA_CA_CERTS",
        "certutil -d sql:$HOME/.pki/nssdb",
        "update-ca-certificates",
        "security add-trusted-cert",
        "certutil -addstore -user Root",
    ):
        assert word in text
    assert f"'{path}'" in text  # a path with a space is quoted for the shell
    assert f'"{path}"' in text  # and for Windows
    assert "Nothing is installed for you" in text


def test_curl_command(driver: TLSDriver, ca_file: Path) -> None:
    (command,) = step(ca_file, "curl", f"https://localhost:{driver.port}/")
    done = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "hello over tls"


FETCH = (
    "import ssl, sys, urllib.request; "
    "print(urllib.request.urlopen(sys.argv[1], timeout=20{}).read().decode())"
)


@pytest.mark.parametrize("which", ["SSL_CERT_FILE", "in code"])
def test_python_commands(driver: TLSDriver, ca_file: Path, which: str) -> None:
    commands = step(ca_file, "Python")
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")}
    if which == "SSL_CERT_FILE":
        name, value = exported(commands[1])
        assert name == "SSL_CERT_FILE"
        env[name] = value
        code = FETCH.format("")
    else:
        code = FETCH.format(", context=" + commands[2].split("  #")[0])
    done = subprocess.run(
        [sys.executable, "-c", code, f"https://localhost:{driver.port}/"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.stdout.strip() == "hello over tls", done.stderr
    assert exported(commands[0]) == ("REQUESTS_CA_BUNDLE", str(ca_file))


@pytest.mark.skipif(not shutil.which("node"), reason="needs node")
def test_node_command(driver: TLSDriver, ca_file: Path) -> None:
    name, value = exported(step(ca_file, "Node")[0])
    script = (
        "require('https').get(process.argv[1], r => { let b = ''; r.on('data', d => b += d);"
        " r.on('end', () => console.log(b)); }).on('error', e => { console.log(e.code); });"
    )
    url = f"https://localhost:{driver.port}/"
    trusted = subprocess.run(
        ["node", "-e", script, url],
        env={**os.environ, name: value},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert trusted.stdout.strip() == "hello over tls", trusted.stderr
    untrusted = subprocess.run(
        ["node", "-e", script, url], capture_output=True, text=True, timeout=30, check=False
    )
    # The chain sent holds the CA too (OpenSSL completes it from the store we verify clients with).
    assert untrusted.stdout.strip() == "SELF_SIGNED_CERT_IN_CHAIN"


needs_certutil = pytest.mark.skipif(not shutil.which("certutil"), reason="needs certutil (libnss3-tools)")


def _nss_list(env: dict[str, str]) -> str:
    listing = ["certutil", "-d", f"sql:{env['HOME']}/.pki/nssdb", "-L"]
    return subprocess.run(listing, env=env, capture_output=True, text=True, check=True).stdout


@needs_certutil
def test_nss_certutil_command(tmp_path: Path, ca_file: Path) -> None:
    env = nss_home(tmp_path, ca_file, step(ca_file, "Chromium")[0])
    line = next(line for line in _nss_list(env).splitlines() if line.startswith(STORE_NAME))
    assert line.split()[-1] == "C,,"
    (s,) = [s for s in trust_steps(ca_file) if s.client.startswith("Chromium")]
    subprocess.run(["sh", "-c", s.undo[0]], env=env, check=True)
    assert STORE_NAME not in _nss_list(env)


@needs_certutil
@pytest.mark.browser
@pytest.mark.skipif(not shutil.which("chromium"), reason="needs Debian's chromium")
def test_chromium_trusts_the_ca_through_nss(tmp_path: Path, ca_file: Path, driver: TLSDriver) -> None:
    env = nss_home(tmp_path, ca_file, step(ca_file, "Chromium")[0])
    done = chromium_dom(f"https://localhost:{driver.port}/", tmp_path / "profile", env)
    assert "hello over tls" in done.stdout, done.stderr[-2000:]
    assert driver.answered().facts.alpn == "http/1.1"


@pytest.mark.skipif(not Path("/usr/sbin/update-ca-certificates").exists(), reason="Debian's ca-certificates")
def test_debian_commands_into_a_throwaway_root(tmp_path: Path, ca_file: Path, driver: TLSDriver) -> None:
    copy, update = step(ca_file, "Debian")
    assert copy == f"sudo cp {shlex.quote(str(ca_file))} {DEBIAN_FILE}"
    assert update == "sudo update-ca-certificates"
    local, etc, share, hooks = (tmp_path / d for d in ("local", "etc", "share", "hooks"))
    for folder in (local, etc, share, hooks):
        folder.mkdir()
    (tmp_path / "ca-certificates.conf").write_text("")
    shutil.copy(ca_file, local / Path(DEBIAN_FILE).name)  # what `cp` does, into the throwaway root
    subprocess.run(
        [
            "update-ca-certificates",
            "--certsconf",
            str(tmp_path / "ca-certificates.conf"),
            "--certsdir",
            str(share),
            "--localcertsdir",
            str(local),
            "--etccertsdir",
            str(etc),
            "--hooksdir",
            str(hooks),
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    bundle = etc / "ca-certificates.crt"
    assert bundle.read_bytes() == ca_file.read_bytes()
    done = subprocess.run(
        ["curl", "-sS", "--cacert", str(bundle), f"https://localhost:{driver.port}/"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.stdout == "hello over tls", done.stderr
