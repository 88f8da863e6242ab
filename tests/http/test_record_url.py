"""CaptureRecord.url: the one home of a request's URL (detail pane, HAR, copy URL)."""

from __future__ import annotations

import dataclasses

import pytest

from inspector.http.record import CaptureRecord


def _record(
    method: str, target: str, host: str | None = "example.test:8090", scheme: str = "http"
) -> CaptureRecord:
    headers = (("Host", host),) if host is not None else ()
    return CaptureRecord(
        id=1,
        received_at=0.0,
        client="127.0.0.1:5000",
        server="127.0.0.1:8090",
        scheme=scheme,
        method=method,
        target=target,
        headers=(("X-Other", "1"), *headers),
    )


@pytest.mark.parametrize(
    ("method", "target", "host", "url"),
    [
        ("GET", "/a/b?x=1&y", "example.test:8090", "http://example.test:8090/a/b?x=1&y"),
        ("GET", "/", None, "http://127.0.0.1:8090/"),  # HTTP/1.0 without Host: the listener
        ("GET", "http://other.test/p?q", "example.test", "http://other.test/p?q"),  # absolute-form
        ("OPTIONS", "*", "example.test", "http://example.test"),  # asterisk-form: empty path
        ("CONNECT", "upstream.test:443", "upstream.test:443", "http://upstream.test:443"),
        ("GET", "weird", "example.test", "http://example.test/weird"),  # a rejected, malformed target
        ("", "", None, ""),  # nothing readable was received
    ],
)
def test_url_for_every_target_form(method: str, target: str, host: str | None, url: str) -> None:
    assert _record(method, target, host).url == url


def test_url_uses_the_records_scheme_and_a_host_header_in_any_case() -> None:
    record = _record("GET", "/x", None, scheme="https")
    record = dataclasses.replace(record, headers=(("hOsT", "h.test"),))
    assert record.url == "https://h.test/x"


def test_scheme_survives_the_json_round_trip() -> None:
    record = _record("GET", "/", scheme="https")
    assert record.to_json()["scheme"] == "https"
    assert CaptureRecord.from_json(record.to_json()).scheme == "https"
    legacy = record.to_json()
    del legacy["scheme"]
    assert CaptureRecord.from_json(legacy).scheme == "http"  # lines written before the field existed
