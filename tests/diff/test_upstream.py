"""The upstream answers of forwarded requests, compared as one more answer section."""

from __future__ import annotations

import dataclasses

from inspector.diff import Change, compare, upstream_answer
from inspector.http.record import CaptureRecord, UpstreamExchange
from tests.conftest import make_record

UP = UpstreamExchange(
    url="http://127.0.0.1:9000/api/items",
    status=200,
    reason="OK",
    headers=(("Content-Type", "application/json"), ("X-Up", "1"), ("ETag", '"a"')),
    body=b'{"items": [{"qty": 1}]}',
    body_size=23,
    duration_ms=12.0,
)


def forwarded(**upstream: object) -> CaptureRecord:
    return make_record(upstream=dataclasses.replace(UP, **upstream))  # type: ignore[arg-type]


def test_two_upstream_answers_are_compared_by_status_headers_and_body() -> None:
    left = forwarded()
    right = forwarded(
        status=201,
        headers=(("content-type", "application/json"), ("ETag", '"b"'), ("X-Up", "1")),
        body=b'{"items": [{"qty": 2}]}',
        duration_ms=900.0,  # timings are not compared
    )
    comparison = compare(left, right)
    section = comparison.section("upstream")
    assert section.title == "Upstream answer" and not section.identical
    assert [(f.name, f.left, f.right) for f in section.fields if f.differs] == [("status", "200", "201")]
    changes = {(row.name, row.change, row.moved, row.case_only) for row in section.pairs}
    assert ("Content-Type", Change.SAME, False, True) in changes  # case-only, called out as such
    assert ("ETag", Change.CHANGED, True, False) in changes
    assert section.body is not None and section.body.kind == "json"
    assert [(c.path, c.left, c.right) for c in section.body.json] == [("$.items[0].qty", 1, 2)]
    assert (
        section.summary
        == "upstream: status 200 vs 201, 3 headers differ, body: 1 JSON value differs at $.items[0].qty"
    )
    assert comparison.summary.endswith(section.summary)


def test_a_failed_call_against_an_answer_names_the_error() -> None:
    left = forwarded()
    right = forwarded(
        status=None, reason="", headers=(), body=b"", error="upstream http://127.0.0.1:9000: refused"
    )
    summary = compare(left, right).section("upstream").summary
    assert summary.startswith(
        "upstream: status 200 vs (none), reason OK vs (none), error (none) vs upstream http"
    )


def test_only_one_side_forwarded_and_neither() -> None:
    plain = make_record()
    assert (
        compare(forwarded(), plain).section("upstream").summary == "upstream: only the left request has one"
    )
    assert (
        compare(plain, forwarded()).section("upstream").summary == "upstream: only the right request has one"
    )
    keys = [section.key for section in compare(plain, plain).sections]
    assert "upstream" not in keys and keys[-1] == "response"  # not forwarded: no empty section


def test_the_same_upstream_answer_folds_away() -> None:
    section = compare(forwarded(), forwarded(duration_ms=3.0)).section("upstream")
    assert section.identical and section.summary == ""
    assert upstream_answer(make_record()) is None
