"""Two records compared section by section, with the one-line summary."""

from __future__ import annotations

import dataclasses
import json

import pytest

from inspector.diff import ANSWERS, Answer, Change, compare, engine
from inspector.http.record import CaptureRecord, SentResponse
from tests.conftest import make_record

JSON_HEADERS = (("Host", "localhost"), ("Content-Type", "application/json"), ("X-A", "1"), ("Accept", "*/*"))


def json_record(
    record_id: int, document: object, headers: tuple[tuple[str, str], ...] = JSON_HEADERS
) -> CaptureRecord:
    body = json.dumps(document).encode()
    head = "POST /orders HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return make_record(
        id=record_id,
        method="POST",
        target="/orders",
        path="/orders",
        query=(),
        headers=headers,
        body=body,
        raw_head=head.encode(),
    )


def test_the_summary_names_each_difference() -> None:
    left = json_record(1, {"items": [{"qty": 1, "sku": "a"}], "user": "u"})
    right = json_record(
        2,
        {"user": "u", "items": [{"sku": "a", "qty": 2}]},
        (
            ("host", "localhost"),
            ("Content-Type", "application/json"),
            ("X-A", "2"),
            ("X-New", "y"),
            ("Accept", "*/*"),
        ),
    )
    comparison = compare(left, right)
    assert comparison.summary == "3 headers differ, body: 1 JSON value differs at $.items[0].qty"
    assert (comparison.left_id, comparison.right_id) == (1, 2)
    assert [(s.key, s.identical) for s in comparison.sections] == [
        ("request", True),
        ("headers", False),
        ("trailers", True),
        ("query", True),
        ("body", False),
        ("raw", False),
        ("response", True),
    ]
    rows = [r for r in comparison.section("headers").pairs if r.differs]
    assert [(r.name, r.change, r.case_only) for r in rows] == [
        ("Host", Change.SAME, True),
        ("X-A", Change.CHANGED, False),
        ("X-New", Change.ADDED, False),
    ]


def test_identical_records_fold_everything() -> None:
    record = make_record()
    comparison = compare(record, dataclasses.replace(record, id=9, received_at=0.0, client="10.0.0.1:1"))
    assert comparison.identical
    assert comparison.summary == "no differences"
    assert all(s.identical and s.summary == "" for s in comparison.sections)


def test_request_line_fields() -> None:
    left = make_record()
    right = dataclasses.replace(left, method="POST", scheme="https", http_version="1.0")
    section = compare(left, right).section("request")
    assert section.summary == "method, version and scheme differ"
    assert [(f.name, f.left, f.right) for f in section.fields if f.differs] == [
        ("method", "GET", "POST"),
        ("version", "1.1", "1.0"),
        ("scheme", "http", "https"),
    ]
    assert (
        compare(left, dataclasses.replace(left, target="/x")).section("request").summary == "target differs"
    )


def test_errors_and_notes_are_compared() -> None:
    left = make_record()
    right = dataclasses.replace(left, error="header too large", notes=("bare LF",))
    section = compare(left, right).section("request")
    assert section.summary == "error and notes differ"


def test_query_pairs() -> None:
    left = make_record(query=(("a", "1"), ("a", "2")))
    right = make_record(query=(("a", "2"), ("a", "1"), ("b", "")))
    section = compare(left, right).section("query")
    assert section.summary == "3 query pairs differ"
    only_order = compare(left, make_record(query=(("a", "2"), ("a", "1")))).section("query")
    assert only_order.summary == "2 query pairs differ in order only"


def test_only_raw_bytes_differ() -> None:
    left = make_record()
    right = dataclasses.replace(left, raw_head=left.raw_head.replace(b"\r\n", b"\n"))
    comparison = compare(left, right)
    assert comparison.summary == "raw bytes differ (the parsed request is the same)"
    raw = comparison.section("raw")
    assert raw.body is not None
    assert raw.body.text is not None
    assert raw.body.text.removed == 4


def test_raw_bytes_that_differ_with_the_headers_are_not_called_the_only_difference() -> None:
    left = make_record()
    extra = left.raw_head.replace(b"\r\n\r\n", b"\r\nX-Extra: 1\r\n\r\n")
    right = dataclasses.replace(left, headers=(*left.headers, ("X-Extra", "1")), raw_head=extra)
    comparison = compare(left, right)
    assert comparison.summary == "1 header differs"
    raw = comparison.section("raw")
    assert (raw.title, raw.identical, raw.summary) == ("Raw bytes", False, "raw bytes differ")


def test_raw_bytes_keep_undecodable_bytes_apart() -> None:
    left = make_record(raw_head=b"GET /\xff HTTP/1.1\r\n\r\n")
    right = make_record(raw_head=b"GET /\xfe HTTP/1.1\r\n\r\n")
    raw = compare(left, right).section("raw")
    assert raw.body is not None
    assert raw.body.text is not None
    lines = [(line.tag, line.text) for line in raw.body.text.hunks[0].lines]
    assert lines[:2] == [("-", "GET /\udcff HTTP/1.1\r\n"), ("+", "GET /\udcfe HTTP/1.1\r\n")]


def test_response_section() -> None:
    left = make_record()
    assert left.response is not None
    right = dataclasses.replace(
        left,
        response=dataclasses.replace(
            left.response,
            status=500,
            rule="broken",
            headers=(("Content-Type", "text/plain"),),
            body=b"boom",
            duration_ms=99.0,
            bytes=1,
        ),
    )
    section = compare(left, right).section("response")
    assert section.summary == (
        "response: status 200 vs 500, rule default vs broken, 1 header differs, body: 1 line removed, 1 added"
    )
    assert [f.name for f in section.fields if f.differs] == ["status", "rule"]
    assert [r.name for r in section.pairs if r.differs] == ["Content-Type"]


def test_duration_and_size_of_the_response_are_not_differences() -> None:
    left = make_record()
    assert left.response is not None
    right = dataclasses.replace(
        left, response=dataclasses.replace(left.response, duration_ms=12.5, bytes=999)
    )
    assert compare(left, right).identical


def test_only_one_request_was_answered() -> None:
    left = make_record()
    right = dataclasses.replace(left, response=None)
    comparison = compare(left, right)
    assert comparison.summary == "response: only the left request has one"
    assert compare(right, right).section("response").identical


def test_body_truncated_at_capture_is_noted() -> None:
    left = make_record(body=b"abc", body_size=10, body_truncated=True)
    right = make_record(body=b"abd")
    section = compare(left, right).section("body")
    assert "the left body was cut off at capture (3 of 10 bytes kept)" in section.notes


def test_an_answer_source_is_one_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    """How another answer plugs in (as the upstream answer of a forwarded request did): one more entry."""

    def upstream(record: CaptureRecord) -> Answer | None:
        status = record.header("X-Upstream-Status")
        if status is None:
            return None
        return Answer(fields=(("url", "http://127.0.0.1:9/"), ("status", status)), headers=(), body=b"")

    monkeypatch.setattr(engine, "ANSWERS", (*ANSWERS, ("elsewhere", "Another answer", upstream)))
    left = make_record(headers=(("X-Upstream-Status", "200"),))
    right = make_record(headers=(("X-Upstream-Status", "502"),))
    comparison = compare(left, right)
    assert [s.key for s in comparison.sections][-2:] == ["response", "elsewhere"]
    assert comparison.summary == "1 header differs, elsewhere: status 200 vs 502"


def test_sent_response_fields_are_compared_as_text() -> None:
    left = make_record(response=SentResponse(status=200, error=None))
    right = make_record(response=SentResponse(status=200, error="template error: boom"))
    assert compare(left, right).summary == "response: error (none) vs template error: boom"
    long_error = "x" * 100
    right = make_record(response=SentResponse(status=200, error=long_error))
    assert compare(left, right).summary == f"response: error (none) vs {'x' * 40}\u2026"
