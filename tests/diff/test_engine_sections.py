"""Each section of a comparison pinned whole: its title, rows, notes and summary phrase."""

from __future__ import annotations

import dataclasses

from inspector.diff import Change, compare
from inspector.diff.engine import MAX_RAW
from inspector.diff.pairs import MAX_PAIRS
from inspector.http.record import CaptureRecord, UpstreamExchange
from tests.records import make_record, make_response

TITLES = [
    ("request", "Request"),
    ("headers", "Headers"),
    ("trailers", "Trailers"),
    ("query", "Query"),
    ("body", "Body"),
    ("raw", "Raw bytes"),
    ("response", "Response sent"),
]


def plain(**overrides: object) -> CaptureRecord:
    """A complete, untruncated request (its raw bytes agree with its body)."""
    fields: dict[str, object] = {"body_truncated": False, "body_size": 12}
    fields.update(overrides)
    return make_record(**fields)


def test_every_section_has_its_title_when_nothing_differs() -> None:
    record = plain()
    comparison = compare(record, dataclasses.replace(record, id=record.id + 1))
    assert [(s.key, s.title, s.identical, s.notes) for s in comparison.sections] == [
        (key, title, True, ()) for key, title in TITLES
    ]
    assert comparison.summary == "no differences"


def test_every_section_has_its_title_when_everything_differs() -> None:
    left = plain()
    right = plain(
        method="PUT",
        headers=(*left.headers, ("X-New", "1")),
        trailers=(("X-Checksum", "def"),),
        query=(("name", "jill"),),
        body=b"other",
        raw_head=b"PUT / HTTP/1.1\r\n\r\n",
        response=make_response(status=404),
    )
    comparison = compare(left, right)
    assert [(s.key, s.title, s.identical) for s in comparison.sections] == [
        (key, title, False) for key, title in TITLES
    ]
    assert [s.summary for s in comparison.sections] == [
        "method differs",
        "1 header differs",
        "1 trailer differs",
        "4 query pairs differ",
        comparison.section("body").summary,
        "raw bytes differ",
        "response: status 201 vs 404",
    ]
    assert comparison.section("body").summary.startswith("body: ")


def test_trailers_compare_names_without_case() -> None:
    left = plain(trailers=(("X-Checksum", "abc"),))
    right = plain(trailers=(("x-checksum", "abc"),))
    section = compare(left, right).section("trailers")
    assert (section.title, section.summary, section.notes) == (
        "Trailers",
        "1 trailer differs in order or case only",
        (),
    )
    assert [(r.name, r.change, r.case_only) for r in section.pairs] == [("X-Checksum", Change.SAME, True)]


def test_two_trailers_differ() -> None:
    left = plain(trailers=(("X-A", "1"), ("X-B", "2")))
    right = plain(trailers=(("X-A", "9"), ("X-B", "8")))
    comparison = compare(left, right)
    assert comparison.section("trailers").summary == "2 trailers differ"
    assert comparison.summary == "2 trailers differ"


def test_query_names_keep_their_case() -> None:
    left = plain(query=(("name", "jack"),))
    right = plain(query=(("Name", "jack"),))
    section = compare(left, right).section("query")
    assert (section.title, section.summary) == ("Query", "2 query pairs differ")
    assert [(r.name, r.change) for r in section.pairs] == [("name", Change.REMOVED), ("Name", Change.ADDED)]


def test_too_many_headers_are_noted() -> None:
    many = tuple((f"X-{i}", str(i)) for i in range(MAX_PAIRS + 1))
    left = plain(headers=many)
    right = plain(headers=(*many[:-1], ("X-last", "x")))
    section = compare(left, right).section("headers")
    assert section.notes == (f"compared the first {MAX_PAIRS:,} pairs of {MAX_PAIRS + 1:,}",)
    response = make_response(headers=many)
    answer = compare(plain(response=response), plain(response=make_response(headers=many[:-1]))).section(
        "response"
    )
    assert answer.notes == (f"compared the first {MAX_PAIRS:,} pairs of {MAX_PAIRS + 1:,}",)
    assert answer.title == "Response sent"


def test_a_right_body_cut_off_is_noted() -> None:
    left = plain()
    right = plain(body_truncated=True, body_size=4096)
    section = compare(left, right).section("body")
    assert section.notes == ("the right body was cut off at capture (12 of 4,096 bytes kept)",)
    both = compare(right, right).section("body")
    assert both.notes == (
        "the left body was cut off at capture (12 of 4,096 bytes kept)",
        "the right body was cut off at capture (12 of 4,096 bytes kept)",
    )


def test_only_raw_bytes_and_one_request_part_differ() -> None:
    base = plain()
    raw = {"raw_head": base.raw_head.replace(b"\r\n", b"\n")}
    cases: list[tuple[CaptureRecord, str]] = [
        (dataclasses.replace(base, method="PUT", **raw), "method differs"),
        (dataclasses.replace(base, trailers=(("X-Checksum", "x"),), **raw), "1 trailer differs"),
        (dataclasses.replace(base, query=(("name", "jack"),), **raw), "3 query pairs differ"),
        (dataclasses.replace(base, body=b"hello", raw_body=base.raw_body, **raw), None),
    ]
    for right, phrase in cases:
        comparison = compare(base, right)
        expected = phrase if phrase is not None else comparison.section("body").summary
        assert expected
        assert comparison.summary == expected


def test_raw_bytes_alone_come_first_in_the_summary() -> None:
    left = plain()
    right = dataclasses.replace(
        left, raw_head=left.raw_head.replace(b"\r\n", b"\n"), response=make_response(status=500)
    )
    assert compare(left, right).summary == (
        "raw bytes differ (the parsed request is the same), response: status 201 vs 500"
    )


def test_raw_bytes_of_exactly_the_limit_are_compared_whole() -> None:
    line = b"x" * 1023 + b"\n"
    left = plain(raw_head=line * (MAX_RAW // 1024), raw_body=b"")
    right = plain(raw_head=line * (MAX_RAW // 1024 - 1) + b"y" * 1023 + b"\n", raw_body=b"")
    assert len(left.raw) == len(right.raw) == MAX_RAW
    section = compare(left, right).section("raw")
    assert section.notes == ()
    assert section.body is not None
    assert (section.body.kind, section.body.left_kind, section.body.right_kind) == ("text", "text", "text")
    longer = compare(left, dataclasses.replace(right, raw_body=b"z")).section("raw")
    assert longer.notes == ("compared the first 1.0 MiB line by line",)


def test_a_long_raw_diff_is_noted() -> None:
    left = plain(raw_head=b"".join(b"a%d\n" % i for i in range(3000)), raw_body=b"")
    right = plain(raw_head=b"".join(b"b%d\n" % i for i in range(3000)), raw_body=b"")
    section = compare(left, right).section("raw")
    assert section.body is not None
    assert section.body.text is not None
    assert section.body.text.note
    assert section.notes == (section.body.text.note,)
    assert (section.title, section.summary, section.body.kind) == ("Raw bytes", "raw bytes differ", "text")


def test_one_sided_answers() -> None:
    left = plain()
    right = plain(response=None)
    section = compare(left, right).section("response")
    assert (section.title, section.identical, section.summary) == (
        "Response sent",
        False,
        "response: only the left request has one",
    )
    assert compare(left, right).summary == "response: only the left request has one"
    neither = compare(right, right).section("response")
    assert (neither.title, neither.identical, neither.summary) == ("Response sent", True, "")


def test_an_answer_without_a_rule() -> None:
    left = plain()
    right = plain(response=make_response(rule=None))
    section = compare(left, right).section("response")
    assert section.summary == "response: rule greet vs (none)"
    assert [(f.name, f.left, f.right) for f in section.fields] == [
        ("status", "201", "201"),
        ("reason", "Created", "Created"),
        ("rule", "greet", ""),
        ("error", "", ""),
    ]
    assert section.notes == ()


def test_upstream_answer_fields() -> None:
    left = plain(upstream=UpstreamExchange(url="http://a.test/x", status=200, reason="OK"))
    right = plain(upstream=UpstreamExchange(url="http://b.test/x", status=200, reason="OK"))
    comparison = compare(left, right)
    section = comparison.section("upstream")
    assert (section.title, section.summary, section.notes) == (
        "Upstream answer",
        "upstream: url http://a.test/x vs http://b.test/x",
        (),
    )
    assert [(f.name, f.left, f.right) for f in section.fields] == [
        ("url", "http://a.test/x", "http://b.test/x"),
        ("status", "200", "200"),
        ("reason", "OK", "OK"),
        ("error", "", ""),
    ]
    one = compare(left, plain()).section("upstream")
    assert (one.title, one.identical, one.summary) == (
        "Upstream answer",
        False,
        "upstream: only the left request has one",
    )
