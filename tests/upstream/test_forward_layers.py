"""Forward rules from the testing layer and headless mode, with real clients and upstreams:
chunked bodies both ways, ``Expect: 100-continue``, an https:// upstream with a test CA."""

from __future__ import annotations

import http.client
import json
import re
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import trustme
from conftest import UpstreamFactory
from fakeupstream import WAIT, Received, Reply, response

from inspector.testing import Inspector

ROOT = Path(__file__).resolve().parents[2]


def _echo(received: Received) -> Reply:
    """Answers with the request line and body it got, chunked (the client gets it re-framed)."""
    body = received.request_line + b"|" + received.body
    return Reply(
        [
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body),
        ]
    )


def test_the_testing_layer_forwards_and_records_the_upstream(start_upstream: UpstreamFactory) -> None:
    upstream = start_upstream(_echo)
    with Inspector(rules=[{"name": "api", "path": "/api/**", "forward": upstream.url("/v1")}]) as insp:
        conn = http.client.HTTPConnection(insp.url.removeprefix("http://"), timeout=WAIT)
        conn.putrequest("POST", "/api/send", skip_accept_encoding=True)
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        conn.send(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        answer = conn.getresponse()
        body = answer.read()
        conn.close()
        assert (answer.status, body) == (200, b"POST /v1/api/send HTTP/1.1|abcde")
        assert answer.getheader("Content-Length") == str(len(body))  # re-framed, not chunked
        assert answer.getheader("Transfer-Encoding") is None
        record = insp.wait_for("POST", "/api/send")
        assert record.upstream is not None and record.upstream.status == 200
        assert record.response is not None and record.response.rule == "api"
    (received,) = upstream.wait_requests(1)
    assert b"Content-Length: 5" in received.header_lines  # de-chunked, with a correct length
    assert not any(line.lower().startswith(b"transfer-encoding") for line in received.header_lines)


def test_expect_100_continue_is_answered_here_and_not_sent_upstream(start_upstream: UpstreamFactory) -> None:
    upstream = start_upstream(_echo)
    with Inspector(rules=[{"path": "/api/**", "forward": upstream.url()}]) as insp:
        host, port = insp.url.removeprefix("http://").rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=WAIT) as sock:
            sock.sendall(
                b"PUT /api/up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"
            )
            assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
            sock.sendall(b"data")
            got = b""
            while not got.endswith(b"|data"):
                chunk = sock.recv(4096)
                assert chunk, got
                got += chunk
        assert got.startswith(b"HTTP/1.1 200 OK\r\n")
    (received,) = upstream.wait_requests(1)
    assert received.body == b"data"
    assert not any(line.lower().startswith(b"expect") for line in received.header_lines)


def test_an_https_upstream_verified_with_a_test_ca(start_upstream: UpstreamFactory, tmp_path: Path) -> None:
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    upstream = start_upstream(lambda r: Reply([response(200, b"secret")]), tls=context)
    trusted = {"url": upstream.url(), "verify_tls": str(ca_file)}
    rules = [{"path": "/ok/**", "forward": trusted}, {"path": "/bad/**", "forward": upstream.url()}]
    with Inspector(rules=rules) as insp:
        conn = http.client.HTTPConnection(insp.url.removeprefix("http://"), timeout=WAIT)
        conn.request("GET", "/ok/x")
        good = conn.getresponse()
        assert (good.status, good.read()) == (200, b"secret")
        conn.request("GET", "/bad/x")  # the system store does not know the test CA
        bad = conn.getresponse()
        assert bad.status == 502
        assert bad.read().decode().startswith(f"upstream {upstream.url()}: ")
        conn.close()
        assert insp.wait_for(path="/ok/x").upstream.url == upstream.url("/ok/x")  # type: ignore[union-attr]


def test_headless_forwards_and_writes_the_upstream_to_jsonl(
    start_upstream: UpstreamFactory, tmp_path: Path
) -> None:
    upstream = start_upstream(lambda r: Reply([response(203, b"from upstream", ("X-Up", "yes"))]))
    rules = tmp_path / "rules.json"
    rules.write_text(
        json.dumps({"rules": [{"name": "fwd", "forward": {"url": upstream.url(), "timeout_ms": 5000}}]})
    )
    proc = subprocess.Popen(
        [sys.executable, "main.py", "--headless", "--no-db", "--port", "0", "--rules", str(rules),
         "--jsonl", "-", "--until", "1", "--timeout", "30"],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline().decode()
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", first)
        assert match, first
        conn = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=WAIT)
        conn.request("GET", "/p?q=1")
        answer = conn.getresponse()
        assert (answer.status, answer.read(), answer.getheader("X-Up")) == (203, b"from upstream", "yes")
        conn.close()
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=WAIT)
    assert proc.returncode == 0
    line = json.loads(out.splitlines()[0])
    assert line["upstream"]["status"] == 203 == line["response"]["status"]
    assert line["upstream"]["url"] == upstream.url("/p?q=1")
    assert line["upstream"]["error"] is None
