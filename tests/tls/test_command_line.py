"""``--tls auto|off``, ``--ca`` and ``--ca-dir`` from the command line, headless, with curl."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from cli import curl, needs_curl_and_openssl
from hellobuild import client_hello, sni_ext, versions_ext

from tests.launching import headless

ROOT = Path(__file__).resolve().parents[2]


def main_py(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "main.py"), *args]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def records(jsonl: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in jsonl.read_text().splitlines()]


def test_ca_prints_the_path_and_the_commands_and_exits_0(tmp_path: Path) -> None:
    folder = tmp_path / "my ca"
    done = subprocess.run(
        main_py("--ca", "--ca-dir", str(folder), "--port", "9443"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env(),
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"The local CA's certificate: {folder / 'ca.pem'}"
    assert f"  curl --cacert '{folder / 'ca.pem'}' https://localhost:9443/" in lines
    assert any("NODE_EXTRA_CA_CERTS" in line for line in lines)
    assert stat.S_IMODE((folder / "ca-key.pem").stat().st_mode) == 0o600


@needs_curl_and_openssl
def test_one_port_both_schemes_headless(tmp_path: Path) -> None:
    jsonl, ca = tmp_path / "out.jsonl", tmp_path / "ca"
    command = main_py("--headless", "--no-db", "--port", "0", "--jsonl", str(jsonl), "--ca-dir", str(ca))
    with headless(command, cwd=tmp_path, env=env()) as port:
        secure = curl("--cacert", str(ca / "ca.pem"), f"https://localhost:{port}/x")
        plain = curl(f"http://127.0.0.1:{port}/x")
        refused = curl(f"https://localhost:{port}/x")
    assert (secure.returncode, secure.stdout, plain.returncode, plain.stdout) == (
        0,
        "hello world",
        0,
        "hello world",
    )
    assert refused.returncode == 60
    first, second, third = records(jsonl)
    assert (first["scheme"], first["tls"]["sni"], first["tls"]["version"]) == (
        "https",
        "localhost",
        "TLSv1.3",
    )
    assert first["tls"]["ja4"].startswith("t13d") and first["response"]["status"] == 200
    assert (second["scheme"], second["tls"]) == ("http", None)
    assert third["error"].startswith("TLS handshake failed: the client does not trust the local CA")
    assert third["tls"]["sni"] == "localhost" and third["raw_b64"]


def test_tls_off_answers_a_client_hello_400(tmp_path: Path) -> None:
    jsonl = tmp_path / "out.jsonl"
    command = main_py("--headless", "--no-db", "--port", "0", "--jsonl", str(jsonl), "--tls", "off")
    with headless(command, cwd=tmp_path, env=env()) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(client_hello([0x1301], [sni_ext(b"off.example"), versions_ext(0x0304)]))
            answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 400 ")
    assert not (tmp_path / "ca").exists()
    (record,) = records(jsonl)
    assert (record["scheme"], record["tls"]) == ("http", None)


def test_the_tls_tunnel_carries_plain_tcp_to_the_https_side(tmp_path: Path) -> None:
    """tools/tls_tunnel.py, which CI uses to run the conformance corpus over TLS."""
    jsonl, ca = tmp_path / "out.jsonl", tmp_path / "ca"
    command = main_py("--headless", "--no-db", "--port", "0", "--jsonl", str(jsonl), "--ca-dir", str(ca))
    with headless(command, cwd=tmp_path, env=env()) as port:
        tool = [sys.executable, str(ROOT / "tools" / "tls_tunnel.py")]
        tunnel = subprocess.Popen(
            [*tool, "--to", f"127.0.0.1:{port}", "--cafile", str(ca / "ca.pem")],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert tunnel.stdout is not None
            line = tunnel.stdout.readline()
            assert line.startswith("tunnel on 127.0.0.1:"), line
            with socket.create_connection(("127.0.0.1", int(line.rsplit(":", 1)[1])), timeout=10) as sock:
                sock.sendall(b"GET /through HTTP/1.1\r\nHost: t\r\n\r\n")
                sock.shutdown(socket.SHUT_WR)  # the half-close crosses the tunnel
                answer = b"".join(iter(lambda: sock.recv(4096), b""))
        finally:
            tunnel.terminate()
            tunnel.communicate(timeout=10)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.endswith(b"hello world")
    (record,) = records(jsonl)
    assert (record["path"], record["scheme"], record["tls"]["alpn"]) == ("/through", "https", "http/1.1")
