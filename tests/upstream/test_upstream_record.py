"""A forwarded request's record keeps its ``upstream`` part through JSONL, the store and HAR."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import UpstreamFactory
from fakeupstream import Reply, capture, response

from inspector.formats import import_har, to_har
from inspector.formats.jsonl import jsonl_line
from inspector.http.record import CaptureRecord, SentResponse
from inspector.store import CaptureStore
from inspector.upstream import Forwarder, parse_target

CONTRACT_KEYS = {"url", "status", "headers", "body_b64", "body_size", "duration_ms", "error"}


def _forwarded(forwarder: Forwarder, url: str, raw: bytes) -> CaptureRecord:
    """The record the server makes of a forwarded request: its answer and its upstream
    part (times rounded to the microsecond, as JSONL writes them)."""
    record = capture(raw)
    result = forwarder.submit(record, parse_target(url), rule="to upstream").result(10.0)
    assert result is not None
    sent = SentResponse(status=result.response.status, headers=result.response.headers, rule="to upstream")
    return CaptureRecord.from_json(record.with_response(sent, result.response.upstream).to_json())


def test_a_relayed_answer_and_a_failure_survive_jsonl_the_store_and_har(
    start_upstream: UpstreamFactory, forwarder: Forwarder, tmp_path: Path
) -> None:
    upstream = start_upstream(lambda received: Reply([response(418, b"\x00\xffteapot", ("X-Up", "1"))]))
    ok = _forwarded(forwarder, upstream.url("/b"), b"GET /x?y=1 HTTP/1.1\r\nHost: h\r\n\r\n")
    dead_url = upstream.url()
    upstream.close()
    failed = _forwarded(forwarder, dead_url, b"GET /z HTTP/1.1\r\nHost: h\r\n\r\n")
    failed = CaptureRecord.from_json({**failed.to_json(), "id": 2})
    assert ok.upstream is not None and ok.upstream.status == 418 and ok.upstream.body == b"\x00\xffteapot"
    assert failed.upstream is not None and failed.upstream.status is None and failed.upstream.error

    for record in (ok, failed):
        line = json.loads(jsonl_line(record))
        assert set(line["upstream"]) >= CONTRACT_KEYS
        assert CaptureRecord.from_json(line) == record
    assert json.loads(jsonl_line(ok))["upstream"]["status"] == 418

    with CaptureStore(tmp_path / "h.sqlite3") as store:
        store.add_many([ok, failed])
        assert store.flush(5)
        assert [store.get(ok.id), store.get(failed.id)] == [ok, failed]

    assert import_har(to_har([ok, failed])) == [ok, failed]


def test_a_record_without_an_upstream_says_null() -> None:
    record = capture(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    assert record.to_json()["upstream"] is None
    assert CaptureRecord.from_json(record.to_json()).upstream is None
