"""The record's fast paths give exactly what the plain ways give."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.http.record import CaptureRecord, SentResponse, iso_utc
from inspector.http.response import DEFAULT_RESPONSE, Response, serialise


@settings(max_examples=1000)
@given(st.floats(min_value=0, max_value=4_000_000_000, allow_nan=False))
def test_iso_utc_matches_datetime(timestamp: float) -> None:
    expected = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).isoformat(timespec="microseconds")
    assert iso_utc(timestamp) == expected.replace("+00:00", "Z")


def test_iso_utc_across_a_second_boundary() -> None:
    assert iso_utc(1_764_131_232.999999) == "2025-11-26T04:27:12.999999Z"
    assert iso_utc(1_764_131_233.0000004) == "2025-11-26T04:27:13.000000Z"
    assert iso_utc(1_764_131_232.9999996) == "2025-11-26T04:27:13.000000Z"


def test_with_response_equals_dataclasses_replace() -> None:
    record = CaptureRecord(
        id=3,
        received_at=1.5,
        client="127.0.0.1:1",
        server="127.0.0.1:2",
        method="POST",
        target="/a?b=c",
        path="/a",
        query=(("b", "c"),),
        http_version="1.1",
        headers=(("Host", "x"),),
        trailers=(("T", "1"),),
        body=b"xy",
        body_size=2,
        body_truncated=True,
        error="e",
        notes=("n",),
        raw_head=b"h",
        raw_body=b"rb",
    )
    sent = SentResponse(status=201, rule="r", bytes=10)
    assert record.with_response(sent) == dataclasses.replace(record, response=sent)
    assert {f.name for f in dataclasses.fields(CaptureRecord)} == set(CaptureRecord.__slots__)


def test_serialise_reuses_bytes_only_for_the_same_response_object() -> None:
    first = serialise(DEFAULT_RESPONSE, method="GET", keep_alive=True)
    assert serialise(DEFAULT_RESPONSE, method="GET", keep_alive=True) is first
    assert serialise(DEFAULT_RESPONSE, method="HEAD", keep_alive=True)[0].endswith(b"\r\n\r\n")
    assert b"Connection: close" in serialise(DEFAULT_RESPONSE, method="GET", keep_alive=False)[0]
    other = Response(status=200, body=b"other")
    assert serialise(other, method="GET", keep_alive=True)[0].endswith(b"other")
