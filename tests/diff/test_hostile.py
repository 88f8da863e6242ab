"""Whole comparisons of hostile requests: every limit is reached, said and survived."""

from __future__ import annotations

import dataclasses

from inspector.diff import compare
from inspector.diff.body import MAX_BODY
from inspector.diff.pairs import MAX_PAIRS
from inspector.diff.textdiff import MAX_LINES
from tests.conftest import make_record


def test_huge_binary_bodies_differing_past_the_detail_limit() -> None:
    left = make_record(body=b"\x00" * (3 * MAX_BODY) + b"\x01")
    right = make_record(body=b"\x00" * (3 * MAX_BODY) + b"\x02")
    section = compare(left, right).section("body")
    assert not section.identical
    assert section.summary == f"body: bytes differ from offset {3 * MAX_BODY:#x}, past the part compared"
    assert section.notes == ("compared the first 1.0 MiB of 3.0 MiB in detail",)


def test_too_many_lines_fall_back_to_where_the_texts_part() -> None:
    lines = [f"{i}\n".encode() for i in range(MAX_LINES + 10)]
    left = make_record(headers=(("Content-Type", "text/plain"),), body=b"".join(lines))
    lines[MAX_LINES + 5] = b"changed\n"
    right = make_record(headers=(("Content-Type", "text/plain"),), body=b"".join(lines))
    section = compare(left, right).section("body")
    assert section.summary == f"body: texts differ from line {MAX_LINES + 6:,}"
    assert section.body is not None
    assert section.body.text is not None
    assert not section.body.text.line_by_line


def test_json_nested_beyond_the_parser_is_compared_as_text() -> None:
    left = make_record(headers=(("Content-Type", "application/json"),), body=b"[" * 100_000 + b"]" * 100_000)
    right = dataclasses.replace(left, body=b"[" * 100_000 + b"1" + b"]" * 100_000)
    section = compare(left, right).section("body")
    assert section.body is not None
    assert section.body.kind == "text"
    assert section.summary == "body: 1 line removed, 1 added"


def test_one_megabyte_line() -> None:
    left = make_record(body=b"a" * (MAX_BODY - 10))
    right = make_record(body=b"a" * (MAX_BODY // 2) + b"b" + b"a" * (MAX_BODY // 2 - 11))
    section = compare(left, right).section("body")
    assert section.summary == "body: 1 line removed, 1 added"


def test_thousands_of_headers_are_capped() -> None:
    headers = tuple((f"X-{i % 50}", str(i)) for i in range(MAX_PAIRS + 500))
    left = make_record(headers=headers)
    right = make_record(headers=headers[::-1])
    section = compare(left, right).section("headers")
    assert section.notes == (f"compared the first {MAX_PAIRS:,} pairs of {MAX_PAIRS + 500:,}",)
    assert not section.identical


def test_hostile_text_is_returned_as_data_not_interpreted() -> None:
    left = make_record(headers=(("X-\u202eevil", "<b>\x1b[31m</b>"),))
    right = make_record(headers=(("X-\u202eevil", "<i>\x00</i>"),))
    [row] = [r for r in compare(left, right).section("headers").pairs if r.differs]
    assert (row.left_value, row.right_value) == ("<b>\x1b[31m</b>", "<i>\x00</i>")


def test_raw_bytes_beyond_the_limit_are_said() -> None:
    left = make_record(body=b"x\n" * MAX_BODY)
    right = make_record(body=b"x\n" * MAX_BODY + b"y")
    raw = compare(left, right).section("raw")
    assert "compared the first 1.0 MiB line by line" in raw.notes
