"""A capture record read back from its JSON form is the record that was written.

History, exports and imports all go through ``to_json``/``from_json``
(docs/ARCHITECTURE.md, "The capture record"): a field lost or defaulted there is a
request shown wrong after a restart. Lines written by older versions lack newer
keys; a broken line must be refused with a clear error, not read as something else.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from inspector.http.record import (
    CaptureRecord,
    ClientCert,
    SentResponse,
    TLSFacts,
    UpstreamExchange,
    iso_utc,
    parse_iso_utc,
)
from tests.records import make_record, make_response

UPSTREAM = UpstreamExchange(
    url="https://api.example.test/v1/items",
    status=200,
    reason="OK",
    headers=(("Content-Type", "application/json"),),
    body=b'{"items": []}',
    body_size=13,
    duration_ms=12.5,
    request_headers=(("Host", "api.example.test"),),
    connect_ms=3.25,
    first_byte_ms=10.0,
)
TLS = TLSFacts(
    version="TLSv1.3",
    cipher="TLS_AES_128_GCM_SHA256",
    sni="localhost",
    alpn_offered=("h2", "http/1.1"),
    alpn="http/1.1",
    ja4="t13d1516h2_8daaf6152771_02713d6af862",
    client_cert=ClientCert(subject="CN=client", sha256="ab" * 32),
)


def plain_record(**overrides: Any) -> CaptureRecord:
    """``make_record``'s request, at a time and with an answer's duration that JSON holds
    exactly (it keeps microseconds and milliseconds to three places)."""
    fields: dict[str, Any] = {"received_at": 1_764_131_232.25, "response": make_response(duration_ms=1.5)}
    fields.update(overrides)
    return make_record(**fields)


def full_record(**overrides: Any) -> CaptureRecord:
    """A forwarded HTTPS request with every field away from its default; its body was cut
    at the cap (``body_size`` counts every byte received) and sent chunked."""
    fields: dict[str, Any] = {
        "scheme": "https",
        "tls": TLS,
        "upstream": UPSTREAM,
        "error": "client went away",
        "body_size": 70_000,
        "response": make_response(duration_ms=1.5, step=2, steps=3, fault="trickle", error="template error"),
    }
    fields.update(overrides)
    return plain_record(**fields)


def through_json(record: CaptureRecord) -> CaptureRecord:
    """The record written as a JSONL line and read back."""
    return CaptureRecord.from_json(json.loads(json.dumps(record.to_json())))


def test_every_field_survives_the_round_trip() -> None:
    record = full_record()

    back = through_json(record)

    assert back == record
    assert back.raw_body is not None and back.raw_body.endswith(b"0\r\nX-Checksum: abc\r\n\r\n")
    assert back.body_size == 70_000  # not the 12 bytes kept


@pytest.mark.parametrize(
    "record",
    [
        full_record(raw_body=None, body=b"plain body", body_size=10),  # the body as sent, stored once
        full_record(body=b"", body_size=0, raw_body=None, tls=None, upstream=None, response=None),
        full_record(error=None, notes=(), trailers=(), query=(), body_truncated=False, scheme="http"),
    ],
    ids=["plain body", "no body, plain HTTP, unanswered", "nothing optional"],
)
def test_variants_survive_the_round_trip(record: CaptureRecord) -> None:
    assert through_json(record) == record


def test_a_record_without_raw_bytes_keeps_an_empty_head() -> None:
    """A request imported from a foreign HAR has a body but no raw bytes: after a restart
    its head must still be empty, not the body counted as head."""
    record = plain_record(raw_head=b"", raw_body=None, body=b'{"a": "\\r\\n\\r\\n"}', body_size=18)
    empty = plain_record(raw_head=b"", raw_body=None, body=b"", body_size=0)

    for original in (record, empty):
        back = through_json(original)
        assert (back.raw_head, back.raw_body) == (b"", None)
        assert back == original


def test_bytes_without_a_blank_line_all_count_as_head() -> None:
    """A chunked body broken off after bare-LF lines: no CRLF CRLF marks the end of the
    head, so the bytes received are kept whole as the head (none lost, none invented)."""
    record = plain_record(
        raw_head=b"POST /up HTTP/1.1\nTransfer-Encoding: chunked\n\n",
        raw_body=b"3\nabc\n",
        body=b"abc",
        body_size=3,
        error="incomplete chunked body",
    )

    back = through_json(record)

    assert back.raw == record.raw
    assert (back.raw_head, back.raw_body) == (record.raw, b"")


def test_with_response_keeps_every_field_of_the_request() -> None:
    record = full_record(response=None, upstream=None)
    sent = make_response(status=502, rule="forward")

    assert record.with_response(sent, UPSTREAM) == dataclasses.replace(
        record, response=sent, upstream=UPSTREAM
    )
    assert record.with_response(sent) == dataclasses.replace(record, response=sent)


def test_with_error_keeps_what_the_upstream_call_got_unless_told_otherwise() -> None:
    record = full_record(error=None, response=None)
    later = dataclasses.replace(UPSTREAM, status=None, error="upstream timed out", body=b"", body_size=0)

    unanswered = record.with_error("client went away")
    assert (unanswered.error, unanswered.upstream) == ("client went away", UPSTREAM)
    assert unanswered == dataclasses.replace(record, error="client went away")

    timed_out = record.with_error("upstream timed out", later)
    assert (timed_out.error, timed_out.upstream) == ("upstream timed out", later)

    plain = full_record(error=None, upstream=None).with_error("closed")
    assert (plain.error, plain.upstream) == ("closed", None)


def test_a_line_from_an_older_version_reads_with_defaults() -> None:
    """Only ``id`` and ``received_at`` are required; a missing key is its field's default."""
    at = "2025-11-26T04:27:12.250000Z"

    back = CaptureRecord.from_json({"id": 7, "received_at": at})

    assert back == CaptureRecord(id=7, received_at=parse_iso_utc(at), client="", server="")
    assert back.scheme == "http"
    nulls = {key: None for key in full_record().to_json() if key not in ("id", "received_at")}
    assert CaptureRecord.from_json({"id": 7, "received_at": at, **nulls}) == back


def test_a_missing_body_size_is_the_body_length() -> None:
    line = full_record().to_json()
    del line["body_size"]

    assert CaptureRecord.from_json(line).body_size == 12


@pytest.mark.parametrize("key", ["body_b64", "raw_b64"])
@pytest.mark.parametrize("bad", ["not base64!", "YWJj*", "YWJ"])
def test_bad_base64_is_refused_with_a_clear_error(key: str, bad: str) -> None:
    line = full_record().to_json()
    line[key] = bad

    with pytest.raises(ValueError, match=r"^invalid base64: "):
        CaptureRecord.from_json(line)


@pytest.mark.parametrize("missing", ["id", "received_at"])
def test_a_line_without_its_id_or_time_is_refused(missing: str) -> None:
    line = full_record().to_json()
    del line[missing]

    with pytest.raises(KeyError):
        CaptureRecord.from_json(line)


def test_received_at_reads_back_to_the_microsecond() -> None:
    for timestamp in (1_764_131_232.999999, 1_700_000_000.0, 0.000001):
        assert parse_iso_utc(iso_utc(timestamp)) == pytest.approx(timestamp, abs=1e-6)
    assert parse_iso_utc("2025-11-26T06:27:12.500000+02:00") == parse_iso_utc("2025-11-26T04:27:12.500000Z")
    with pytest.raises(ValueError):
        parse_iso_utc("yesterday")


def test_a_sent_response_without_extras_reads_back() -> None:
    sent = SentResponse(status=204)

    assert SentResponse.from_json(json.loads(json.dumps(sent.to_json()))) == sent


FAILED_UPSTREAM = UpstreamExchange(
    url="http://127.0.0.1:9/down",
    duration_ms=30_000.0,
    error="upstream timed out after 30 s",
    request_headers=(("Host", "127.0.0.1:9"),),
)


@pytest.mark.parametrize(
    "exchange",
    [
        dataclasses.replace(UPSTREAM, informational=(100, 103), body=b"", body_size=5_000_000),
        FAILED_UPSTREAM,
        UpstreamExchange(url="http://h.test/"),
    ],
    ids=["answered, body past the limit", "timed out", "nothing yet"],
)
def test_an_upstream_exchange_survives_the_round_trip(exchange: UpstreamExchange) -> None:
    """What the Upstream tab shows: status, reason, both header lists, 1xx answers, the
    body's size when it was not kept, the times and the error."""
    assert UpstreamExchange.from_json(json.loads(json.dumps(exchange.to_json()))) == exchange


def test_an_upstream_exchange_with_only_the_contract_keys_reads_with_defaults() -> None:
    line = {
        "url": "http://h.test/a",
        "status": 404,
        "headers": [],
        "body_b64": "bm9wZQ==",
        "body_size": None,
        "duration_ms": None,
        "error": None,
    }

    assert UpstreamExchange.from_json(line) == UpstreamExchange(
        url="http://h.test/a", status=404, body=b"nope", body_size=4
    )
    with pytest.raises(KeyError):
        UpstreamExchange.from_json({"status": 200})


def test_times_are_written_to_the_microsecond() -> None:
    exchange = dataclasses.replace(
        UPSTREAM, duration_ms=12.3456789, connect_ms=3.0004999, first_byte_ms=9.87654
    )
    sent = make_response(duration_ms=0.0015)

    line = exchange.to_json()

    assert (line["duration_ms"], line["connect_ms"], line["first_byte_ms"]) == (12.346, 3.0, 9.877)
    assert FAILED_UPSTREAM.to_json()["connect_ms"] is None
    assert FAILED_UPSTREAM.to_json()["first_byte_ms"] is None
    assert sent.to_json()["duration_ms"] == 0.002


@pytest.mark.parametrize(
    "sent",
    [
        make_response(duration_ms=1.5, step=2, steps=3, fault="trickle", error="template error"),
        SentResponse(status=204),  # nothing sent but the status line: no bytes counted, no time
    ],
    ids=["every field", "defaults"],
)
def test_a_sent_response_survives_the_round_trip(sent: SentResponse) -> None:
    assert SentResponse.from_json(json.loads(json.dumps(sent.to_json()))) == sent


def test_a_sent_response_from_an_older_version_reads_with_defaults() -> None:
    assert SentResponse.from_json({"status": 200}) == SentResponse(status=200)
    with pytest.raises(KeyError):
        SentResponse.from_json({"reason": "OK"})


def test_a_client_certificate_without_its_facts_reads_as_empty() -> None:
    facts = TLSFacts.from_json({"client_cert": {}})

    assert facts == TLSFacts(client_cert=ClientCert(subject="", sha256=""))
    assert TLSFacts.from_json({"client_cert": "CN=x"}) == TLSFacts()  # not an object: no certificate
