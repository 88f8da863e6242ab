"""https:// upstreams: verified against a given CA, the system store, or not at all.

The test CA is made by trustme (a throwaway CA and leaf certificates); nothing
here uses the app's own CA.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme
from conftest import UpstreamFactory
from fakeupstream import FakeUpstream, Reply, forward, response

from inspector.upstream import Forwarder

GET = b"GET /secure?x=1 HTTP/1.1\r\nHost: client.example\r\nX-Case: Kept\r\n\r\n"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> Path:
    path = tmp_path / "test-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


def server_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(*names).configure_cert(context)
    return context


@pytest.fixture
def tls_upstream(ca: trustme.CA, start_upstream: UpstreamFactory) -> FakeUpstream:
    answer = response(200, b"secret", ("X-Tls", "yes"))
    return start_upstream(lambda r: Reply([answer]), tls=server_context(ca, "127.0.0.1"))


def test_verified_against_a_ca_file(forwarder: Forwarder, tls_upstream: FakeUpstream, ca_file: Path) -> None:
    upstream = tls_upstream
    url = upstream.url("/api")
    first = forward(forwarder, GET, url, verify_tls=str(ca_file))
    assert (first.response.status, first.response.body) == (200, b"secret")
    assert first.upstream.url == url + "/secure?x=1"
    (received,) = upstream.wait_requests(1)
    assert received.request_line == b"GET /api/secure?x=1 HTTP/1.1"
    assert received.header_lines[:2] == [f"Host: 127.0.0.1:{upstream.port}".encode(), b"X-Case: Kept"]
    assert b"X-Forwarded-Proto: http" in received.header_lines
    # kept alive over TLS too
    assert forward(forwarder, GET, url, verify_tls=str(ca_file)).upstream.connect_ms is None
    assert upstream.connections == 1


def test_the_system_store_does_not_trust_a_test_ca(forwarder: Forwarder, tls_upstream: FakeUpstream) -> None:
    url = tls_upstream.url()
    result = forward(forwarder, GET, url)
    assert result.response.status == 502
    assert (result.response.error or "").startswith(f"upstream {url}: TLS verification failed: ")
    assert "certificate" in (result.response.error or "")


def test_verify_tls_false_accepts_any_certificate(forwarder: Forwarder, tls_upstream: FakeUpstream) -> None:
    result = forward(forwarder, GET, tls_upstream.url(), verify_tls=False)
    assert (result.response.status, result.response.body) == (200, b"secret")


def test_a_certificate_for_another_name_fails_verification(
    forwarder: Forwarder, ca: trustme.CA, ca_file: Path, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(tls=server_context(ca, "elsewhere.example"))
    result = forward(forwarder, GET, upstream.url(), verify_tls=str(ca_file))
    assert result.response.status == 502
    assert "TLS verification failed" in (result.response.error or "")
    assert "127.0.0.1" in (result.response.error or "")


def test_a_missing_ca_file_answers_502_naming_it(
    forwarder: Forwarder, tls_upstream: FakeUpstream, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.pem"
    result = forward(forwarder, GET, tls_upstream.url(), verify_tls=str(missing))
    assert result.response.status == 502
    assert f"cannot use CA file {missing}" in (result.response.error or "")


def test_plain_http_to_a_tls_upstream_is_a_502_not_a_hang(
    forwarder: Forwarder, ca: trustme.CA, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(tls=server_context(ca, "127.0.0.1"))
    result = forward(forwarder, GET, upstream.url().replace("https://", "http://"), timeout_ms=5000)
    assert result.response.status == 502


def test_an_upstream_that_also_speaks_http2_is_asked_for_http_1_1(
    forwarder: Forwarder, ca: trustme.CA, start_upstream: UpstreamFactory
) -> None:
    """Servers that choose by ALPN would pick h2, which the forwarder does not speak."""
    context = server_context(ca, "127.0.0.1")
    context.set_alpn_protocols(["h2", "http/1.1"])
    upstream = start_upstream(lambda r: Reply([response(200, b"ok")]), tls=context)
    assert forward(forwarder, GET, upstream.url(), verify_tls=False).response.status == 200
    assert upstream.alpn == ["http/1.1"]
