"""HTTPS and HTTP on one port of the real server loop, with real clients on 127.0.0.1, port 0."""

from __future__ import annotations

import http.client
import shutil
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest
from cli import chromium_dom, curl, needs_curl_and_openssl, nss_home, s_client
from hellobuild import client_hello, sni_ext, versions_ext

from inspector.formats import to_curl
from inspector.http.limits import Limits
from inspector.http.record import CaptureRecord
from inspector.replay import ReplayCall, ReplayError, ReplayRequest
from inspector.simple_curl import to_simple_curl
from inspector.tls.ca import LocalCA
from inspector.tls.contexts import ServerContexts
from inspector.tls.trust import trust_steps
from tests.harness import WAIT, Running, ServerFactory, get

pytestmark = needs_curl_and_openssl
DISTRUST = "TLS handshake failed: the client does not trust the local CA; see HTTPS: trust"


@pytest.fixture
def https(start_server: ServerFactory, contexts: ServerContexts) -> Running:
    return start_server(tls=contexts)


def test_one_port_answers_https_and_http(https: Running, ca_file: Path) -> None:
    secure = curl("--cacert", str(ca_file), f"https://localhost:{https.port}/x?y=1")
    plain = curl(f"http://127.0.0.1:{https.port}/x")
    assert (secure.returncode, secure.stdout) == (0, "hello world"), secure.stderr
    assert (plain.returncode, plain.stdout) == (0, "hello world"), plain.stderr
    first, second = https.sink.wait(2)
    assert (first.scheme, first.url, first.error) == ("https", f"https://localhost:{https.port}/x?y=1", None)
    assert first.tls is not None
    assert (first.tls.version, first.tls.sni, first.tls.alpn) == ("TLSv1.3", "localhost", "http/1.1")
    assert first.tls.alpn_offered == ("h2", "http/1.1")
    assert first.tls.ja4 is not None and first.tls.ja4.startswith("t13d")
    assert first.raw.startswith(b"GET /x?y=1 HTTP/1.1\r\n")  # the plaintext, not the TLS records
    assert first.response is not None and first.response.status == 200
    assert (second.scheme, second.tls, second.url) == ("http", None, f"http://127.0.0.1:{https.port}/x")
    line = first.to_json()
    assert line["tls"]["sni"] == "localhost" and line["scheme"] == "https"
    again = CaptureRecord.from_json(line)
    assert (again.tls, again.scheme, again.to_json()) == (first.tls, "https", line)


def test_curl_without_the_ca_is_a_row_with_the_reason(https: Running) -> None:
    done = curl(f"https://localhost:{https.port}/")
    assert done.returncode == 60, done.stderr  # the certificate was not trusted
    record = https.sink.wait(1)[0]
    assert record.error is not None
    assert record.error.startswith(DISTRUST)
    assert (record.scheme, record.method, record.path, record.response) == ("https", "", "", None)
    assert record.tls is not None and (record.tls.sni, record.tls.version) == ("localhost", None)
    assert record.raw[:1] == b"\x16" and b"localhost" in record.raw  # the ClientHello's bytes
    https.sink.assert_no_more()


def test_python_http_client_keep_alive_and_a_body(https: Running, ca_file: Path) -> None:
    context = ssl.create_default_context(cafile=str(ca_file))
    conn = http.client.HTTPSConnection("localhost", https.port, context=context, timeout=WAIT)
    conn.request("POST", "/hook", body=b"x" * 100_000, headers={"Content-Type": "text/plain"})
    assert conn.getresponse().read() == b"hello world"
    conn.request("GET", "/again")
    assert conn.getresponse().status == 200
    conn.close()
    post, again = https.sink.wait(2)
    assert (post.method, post.body, post.scheme) == ("POST", b"x" * 100_000, "https")
    assert (again.path, again.tls) == ("/again", post.tls)
    https.wait_connections(0)
    assert https.server.bytes_in_flight == 0


def test_openssl_sni_and_alpn_and_a_new_name_made_off_the_loop(
    start_server: ServerFactory, local_ca: LocalCA, ca_file: Path
) -> None:
    contexts = ServerContexts(local_ca)
    makers: list[str] = []
    prepare = contexts.prepare

    def watched(name: str) -> None:
        makers.append(threading.current_thread().name)
        prepare(name)

    contexts.prepare = watched  # type: ignore[method-assign]
    https = start_server(tls=contexts)
    out = s_client(https.port, "-servername", "new.example", "-alpn", "http/1.1", "-CAfile", str(ca_file))
    assert "Verify return code: 0 (ok)" in out and "hello world" in out, out
    record = https.sink.wait(1)[0]
    assert record.tls is not None and (record.tls.sni, record.tls.alpn) == ("new.example", "http/1.1")
    assert len(makers) == 1 and makers[0].startswith("tls-contexts"), makers
    assert contexts.leaf("new.example") is not None


def test_garbage_after_0x16_is_a_row(https: Running) -> None:
    client = https.connect()
    client.send(b"\x16\x03\x01\x00\x05hello")
    client.wait_closed()
    record = https.sink.wait(1)[0]
    assert record.error is not None and record.error.startswith("TLS handshake failed: ")
    assert record.raw == b"\x16\x03\x01\x00\x05hello"
    assert record.tls is not None and record.tls.sni is None


def test_a_handshake_stalled_midway_is_cut_at_the_head_deadline(
    start_server: ServerFactory, contexts: ServerContexts
) -> None:
    https = start_server(Limits(head_timeout=0.5), tls=contexts)
    hello = client_hello([0x1301], [sni_ext(b"stall.example"), versions_ext(0x0304)])
    client = https.connect()
    client.send(hello[: len(hello) // 2])
    client.wait_closed()
    record = https.sink.wait(1)[0]
    assert record.error == (
        "TLS handshake failed: the handshake was not done 0.5 s after its first byte "
        f"({len(hello) // 2} bytes received)"
    )
    assert record.raw == hello[: len(hello) // 2]
    https.wait_connections(0)


def test_a_plain_client_is_not_held_up_by_a_stalled_handshake(https: Running) -> None:
    stalled = https.connect()
    stalled.send(b"\x16\x03\x01")
    plain = https.connect()
    plain.send(get("/plain"))
    assert plain.response().status == 200
    assert https.sink.wait(1)[0].path == "/plain"


def test_tls_off_keeps_tls_bytes_a_malformed_request(start_server: ServerFactory) -> None:
    plain = start_server()
    client = plain.connect()
    hello = client_hello([0x1301], [sni_ext(b"off.example"), versions_ext(0x0304)])
    client.send(hello)
    assert client.response().status == 400
    record = plain.sink.wait(1)[0]
    assert (record.scheme, record.tls) == ("http", None)


def test_a_client_that_sends_nothing_leaves_no_row(https: Running) -> None:
    with socket.create_connection(https.address, timeout=WAIT):
        pass
    https.wait_connections(0)
    https.sink.assert_no_more()


def test_copy_as_curl_sends_an_https_request_again_with_the_ca(https: Running, ca_file: Path) -> None:
    url = f"https://localhost:{https.port}/p"
    sent = curl("--cacert", str(ca_file), "-H", "X-Trace: 1", "--data-binary", "a=1", url)
    assert sent.returncode == 0, sent.stderr
    first = https.sink.wait(1)[0]
    for command in (to_curl(first, cacert=str(ca_file)), to_simple_curl(first, cacert=str(ca_file))):
        assert f"--cacert {ca_file}" in command and url in command
        again = subprocess.run(
            ["bash", "-c", command + " -sS"], capture_output=True, text=True, timeout=30, check=False
        )
        assert (again.returncode, again.stdout) == (0, "hello world"), again.stderr
        copy = https.sink.wait(1)[0]
        assert (copy.scheme, copy.method, copy.target, copy.body) == ("https", "POST", "/p", b"a=1")
        assert copy.headers == first.headers
    assert "--cacert" not in to_curl(first) and "--cacert" not in to_curl(
        first, "http://127.0.0.1:1", str(ca_file)
    )


@pytest.mark.browser
@pytest.mark.skipif(not (shutil.which("chromium") and shutil.which("certutil")), reason="chromium, certutil")
def test_headless_chromium_trusting_the_ca_through_nss(https: Running, ca_file: Path, tmp_path: Path) -> None:
    (command,) = next(s for s in trust_steps(ca_file) if s.client.startswith("Chromium")).commands
    env = nss_home(tmp_path, ca_file, command)
    done = chromium_dom(f"https://localhost:{https.port}/page", tmp_path / "profile", env)
    assert "hello world" in done.stdout, done.stderr[-2000:]
    page = https.sink.wait_for(lambda r: r.path == "/page")
    assert page.tls is not None and (page.scheme, page.tls.sni) == ("https", "localhost")
    assert page.tls.alpn == "http/1.1" and "h2" in page.tls.alpn_offered
    assert "Chrome" in (page.header("User-Agent") or "")


def test_replay_to_https_verifies_with_the_local_ca(https: Running, ca_file: Path) -> None:
    url = f"https://localhost:{https.port}/replayed?x=1"
    request = ReplayRequest(method="POST", url=url, headers=(("X-Again", "1"),), body=b"body")
    answer = ReplayCall(request, cafile=str(ca_file)).run()
    assert (answer.status, answer.body) == (200, b"hello world")
    record = https.sink.wait(1)[0]
    assert (record.scheme, record.target, record.body, record.header("Host")) == (
        "https",
        "/replayed?x=1",
        b"body",
        f"localhost:{https.port}",
    )
    with pytest.raises(ReplayError, match=f"the certificate of localhost:{https.port} is not trusted"):
        ReplayCall(request).run()  # the system's store alone does not know the local CA
