"""to_curl's command run with the real curl: every kind of target, the URL's authority
with and without a base URL, HTTP/1.0, a request without method or target, and HTTPS
resent to the real server trusting the local CA as "Copy as cURL (exact)" does."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.formats import to_curl
from inspector.http.record import CaptureRecord
from inspector.tls.ca import load_or_create
from inspector.tls.contexts import ServerContexts
from tests.formats.curl_wire import capture_one, needs_curl, parse_request, request_line, run_curl
from tests.harness import start
from tests.records import make_record


@needs_curl
def test_without_base_url_curl_goes_to_the_host_or_else_the_listener() -> None:
    """The UI copies the command without ``base_url``: the URL's authority is the Host
    field, or the listener's address when the request had none or an empty one."""
    with_host: list[CaptureRecord] = []

    def host_named(port: int) -> None:
        with_host.append(make_record(method="GET", target="/h?a=1", body=b"", raw_body=None,
                                     server="192.0.2.1:9", headers=(("Host", f"127.0.0.1:{port}"),)))
        run_curl(to_curl(with_host[0]))

    raw = capture_one(host_named)
    assert parse_request(raw)[1:] == ("/h?a=1", [("Host", with_host[0].headers[0][1])], b"")

    raw = capture_one(lambda port: run_curl(to_curl(make_record(
        method="GET", target="/none", body=b"", raw_body=None, server=f"127.0.0.1:{port}",
        headers=(("X-A", "1"),)))))
    assert parse_request(raw) == ("GET", "/none", [("X-A", "1")], b"")  # and no Host at all

    raw = capture_one(lambda port: run_curl(to_curl(make_record(
        method="GET", target="/empty", body=b"", raw_body=None, server=f"127.0.0.1:{port}",
        headers=(("Host", ""),)))))
    assert raw.startswith(b"GET /empty HTTP/1.1\r\nHost:\r\n\r\n")


@needs_curl
def test_http_1_0_and_a_request_without_method_or_target() -> None:
    old = make_record(method="GET", target="/old", http_version="1.0", body=b"", raw_body=None,
                      headers=(("Host", "h"),))
    raw = capture_one(lambda port: run_curl(to_curl(old, base_url=f"http://127.0.0.1:{port}")))
    assert request_line(raw) == b"GET /old HTTP/1.0"

    # a malformed request (no method, no target) is resent as the simplest request there is
    broken = make_record(method="", target="", http_version="1.1", body=b"", raw_body=None,
                         headers=(("Host", "h"),))
    raw = capture_one(lambda port: run_curl(to_curl(broken, base_url=f"http://127.0.0.1:{port}")))
    assert request_line(raw) == b"GET / HTTP/1.1"


ODD_TARGETS = [
    ("OPTIONS", "*"),
    ("GET", "http://example.test/p?q=1"),
    ("GET", "/del\x7fchar"),
    ("GET", "/a b"),
    ("GET", "/page#frag"),
    ("GET", "/!$&'()*+,;=~:@"),
]


@needs_curl
@pytest.mark.parametrize(("method", "target"), ODD_TARGETS, ids=[t for _, t in ODD_TARGETS])
def test_every_kind_of_target_arrives_unchanged(method: str, target: str) -> None:
    rec = make_record(method=method, target=target, body=b"", raw_body=None, headers=(("Host", "h"),))
    raw = capture_one(lambda port: run_curl(to_curl(rec, base_url=f"http://127.0.0.1:{port}")))
    assert request_line(raw) == f"{method} {target} HTTP/1.1".encode("latin-1")


@needs_curl
def test_base_url_keeps_its_host_name() -> None:
    """A base URL's own letters are kept; only its trailing slashes go."""
    rec = make_record(method="GET", target="/in", body=b"", raw_body=None, headers=(("Host", "h"),))
    for base in ("http://SANDBOX", "http://SANDBOX//"):

        def run(port: int, base: str = base) -> None:
            run_curl(to_curl(rec, base_url=base), f"--connect-to SANDBOX:80:127.0.0.1:{port}")

        raw = capture_one(run)
        assert parse_request(raw) == ("GET", "/in", [("Host", "h")], b"")


@needs_curl
def test_https_record_is_resent_over_tls_trusting_the_local_ca(tmp_path: Path) -> None:
    """As "Copy as cURL (exact)" does: no base URL, the local CA as ``--cacert``."""
    ca = load_or_create(tmp_path / "ca")
    running = start(tls=ServerContexts(ca))
    try:
        rec = make_record(scheme="https", method="PUT", target="/secure?x=1",
                          headers=(("Host", f"localhost:{running.port}"), ("Content-Length", "3")),
                          body=b"abc", raw_body=None)
        cmd = to_curl(rec, cacert=str(ca.cert_path))
        assert f" --cacert {ca.cert_path} 'https://localhost:{running.port}/secure?x=1' " in cmd
        run_curl(cmd)
        (captured,) = running.sink.wait(1)
    finally:
        running.stop()
        running.server.close()
    assert (captured.scheme, captured.error) == ("https", None)
    assert (captured.method, captured.target, captured.headers, captured.body) == (
        rec.method, rec.target, rec.headers, rec.body)
