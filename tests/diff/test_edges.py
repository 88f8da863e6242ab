"""Comparisons at their edges: floats and NaN beside other changes, nesting deeper than
Python's recursion, forms whose names differ in case, hex rows around equal ones and at
the row cap, summary values at their length limit, and which side a condition is for.

Each case is one a user comparing two requests would see answered wrongly.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from inspector.diff import Change, compare, json_condition, jsondiff, textdiff
from inspector.diff import pairs as pairs_module
from inspector.diff.body import diff_body
from inspector.diff.engine import SUMMARY_VALUE
from inspector.diff.hexdiff import MAX_ROWS, ROW, diff_hex
from inspector.diff.jsondiff import MAX_DEPTH, diff_json
from inspector.diff.textdiff import diff_lines
from inspector.http.record import SentResponse
from inspector.responses import Condition
from tests.conftest import make_record
from tests.diff.test_to_rule import assert_separates, json_changes, json_records

FORM = "application/x-www-form-urlencoded"


# JSON values


def test_a_float_on_the_left_that_changed_is_a_change() -> None:
    found, _ = diff_json({"n": 1.5, "m": 2.0}, {"n": 2.5, "m": 2.0})
    assert [(c.change, c.path, c.left, c.right, c.note) for c in found] == [
        (Change.CHANGED, "$.n", 1.5, 2.5, "")
    ]


def test_nan_beside_another_change_is_no_change_of_its_own() -> None:
    found, _ = diff_json({"x": math.nan, "y": 1}, {"x": math.nan, "y": 2})
    assert [c.path for c in found] == ["$.y"]
    assert diff_json(math.nan, math.nan) == ((), ())


def nested(depth: int, leaf: int) -> list[Any]:
    value: Any = leaf
    for _ in range(depth):
        value = [value]
    return value


def test_arrays_nested_deeper_than_python_can_compare_still_differ() -> None:
    """Comparing such arrays with == raises RecursionError; the walk must not take that for equal."""
    found, notes = diff_json(nested(5000, 1), nested(5000, 2))
    assert len(found) == 1
    assert found[0].path == "$" + "[0]" * MAX_DEPTH
    assert found[0].note == f"nested deeper than {MAX_DEPTH} levels: compared whole"
    assert notes == ()


# conditions from JSON changes, for the side asked for


@pytest.mark.parametrize(
    ("left_doc", "right_doc", "condition"),
    [
        ({"a": 1}, {"a": 1, "b": 2}, Condition(source="json", name="b", op="absent")),
        ({"a": 1, "b": 2}, {"a": 1}, Condition(source="json", name="b", op="present")),
        ({"f": 1.5}, {"f": 2.5}, Condition(source="json", name="f", value=1.5)),
    ],
)
def test_a_condition_for_the_left_request_when_asked(
    left_doc: Any, right_doc: Any, condition: Condition
) -> None:
    left, right = json_records(left_doc, right_doc)
    found = json_condition(json_changes(left, right)[-1], left, right, prefer="left")
    assert (found.condition, found.matches) == (condition, "left")
    assert_separates(found, left, right)


def test_a_float_is_offered_as_an_equals_condition() -> None:
    left, right = json_records({"f": 1.5}, {"f": 2.5})
    found = json_condition(json_changes(left, right)[-1], left, right)
    assert (found.condition, found.matches) == (Condition(source="json", name="f", value=2.5), "right")


def test_infinity_is_never_offered_since_a_rules_file_cannot_hold_it() -> None:
    left, right = json_records({"a": math.inf}, {"a": 1})
    found = json_condition(json_changes(left, right)[-1], left, right, prefer="left")
    assert (found.condition, found.matches) == (Condition(source="json", name="a", value=1), "right")


def test_the_reason_a_dotted_key_has_no_condition() -> None:
    left, right = json_records({"a.b": 1}, {"a.b": 2})
    found = json_condition(json_changes(left, right)[-1], left, right)
    assert found.reason == (
        "$['a.b']: a key here cannot be written in a rule's dotted JSON path "
        "(it contains a dot, or it is the only key and empty)"
    )


# bodies


def test_json_bodies_say_both_sides_are_json() -> None:
    diff, phrase, _ = diff_body(b'{"a": 1}', "application/json", b'{"a": 2}', "application/json")
    assert (diff.kind, diff.left_kind, diff.right_kind) == ("json", "json", "json")
    assert phrase == "1 JSON value differs at $.a"


def test_form_field_names_that_differ_in_case_are_different_fields() -> None:
    diff, phrase, _ = diff_body(b"Token=1&a=2", FORM, b"token=1&a=2", FORM)
    assert phrase == "2 form fields differ"
    assert [(row.name, row.change) for row in diff.pairs if row.differs] == [
        ("Token", Change.REMOVED),
        ("token", Change.ADDED),
    ]


def test_one_differing_form_field_is_said_in_the_singular() -> None:
    _, phrase, _ = diff_body(b"a=1&b=2", FORM, b"a=1&b=3", FORM)
    assert phrase == "1 form field differs"


def test_a_form_cut_at_the_pair_limit_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pairs_module, "MAX_PAIRS", 2)
    _, _, notes = diff_body(b"a=1&b=2&c=3", FORM, b"a=1&b=5", FORM)
    assert notes == ("compared the first 2 pairs of 3",)


# bytes


def test_equal_bytes_report_their_sizes_and_that_all_of_them_match() -> None:
    diff = diff_hex(b"abc", b"abc")
    assert (diff.left_size, diff.right_size, diff.common_suffix, diff.rows) == (3, 3, 3, ())


def test_differing_rows_on_both_sides_of_an_equal_row_are_all_shown() -> None:
    left = b"A" * ROW + b"x" * ROW + b"B" * ROW
    right = b"C" * ROW + b"x" * ROW + b"D" * ROW
    diff = diff_hex(left, right)
    assert [row.offset for row in diff.rows] == [0, 2 * ROW]
    assert diff.differing_rows == 2


def test_exactly_the_row_cap_needs_no_note() -> None:
    diff = diff_hex(bytes(MAX_ROWS * ROW), b"\x01" * (MAX_ROWS * ROW))
    assert (len(diff.rows), diff.differing_rows, diff.note) == (MAX_ROWS, MAX_ROWS, "")


def test_the_shorter_sides_bytes_are_not_counted_as_prefix_and_suffix_at_once() -> None:
    diff = diff_hex(b"aa", b"aaa")
    assert (diff.first_offset, diff.common_suffix) == (2, 0)


# the one-line summary


def test_a_value_at_the_summary_limit_is_quoted_whole() -> None:
    reason = "R" * SUMMARY_VALUE
    sent = SentResponse(status=200, reason=reason, body=b"x", rule="default", bytes=1, duration_ms=0.1)
    summary = compare(make_record(response=sent), make_record(id=2)).summary
    assert f"reason {reason} vs OK" in summary
    assert f"{reason}…" not in summary


# text


def test_two_changes_far_apart_in_a_long_text_are_two_changed_lines() -> None:
    """Too long for difflib's budget: only the unique lines between the changes anchor them."""
    left = [f"line {i}\n" for i in range(1200)]
    right = left.copy()
    right[10], right[1190] = "changed\n", "changed too\n"
    diff = diff_lines(left, right)
    assert (diff.removed, diff.added, diff.first_line) == (2, 2, 10)


def test_text_at_the_line_limit_is_still_diffed_line_by_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textdiff, "MAX_LINES", 10)
    left = [f"{i}\n" for i in range(10)]
    assert diff_lines(left, [*left[:9], "x\n"]).line_by_line
    assert diff_lines([*left[:9], "x\n"], left).line_by_line


def test_one_side_over_the_line_limit_is_enough_to_fall_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textdiff, "MAX_LINES", 10)
    long = [f"{i}\n" for i in range(20)]
    for left, right in ((long, long[:5]), (long[:5], long)):
        diff = diff_lines(left, right)
        assert not diff.line_by_line
        assert diff.first_line == 5  # where the shorter side ends
    assert diff_lines(long, long[:12]).first_line == 12


def test_the_last_line_of_room_shows_one_more_hunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textdiff, "MAX_SHOWN_LINES", 9)
    left = [f"{i}\n" for i in range(40)]
    right = left.copy()
    right[5], right[30] = "five\n", "thirty\n"  # two hunks of 3 + 1 + 1 + 3 lines
    diff = diff_lines(left, right)
    assert [len(hunk.lines) for hunk in diff.hunks] == [8, 1]
    assert diff.note == "showing the first 9 of 16 lines of the diff"


def test_equal_bytes_text_on_one_side_only_are_shown_as_bytes() -> None:
    """The same bytes, text in the charset one side declares and not in the other's."""
    diff, phrase, _ = diff_body(b"caf\xe9", "text/plain; charset=latin-1", b"caf\xe9", "text/plain")
    assert (diff.kind, diff.left_kind, diff.right_kind, phrase) == ("hex", "text", "binary", "")


def test_answers_in_forms_are_recognised_by_their_content_type_header_in_any_case() -> None:
    for name in ("Content-Type", "content-type", "CONTENT-TYPE"):
        headers = (("Server", "x"), (name, FORM))
        answers = [
            SentResponse(
                status=200, reason="OK", headers=headers, body=body, rule="r", bytes=1, duration_ms=0.1
            )
            for body in (b"a=1&b=2", b"a=1&b=3")
        ]
        comparison = compare(make_record(response=answers[0]), make_record(id=2, response=answers[1]))
        body = comparison.section("response").body
        assert body is not None
        assert body.kind == "form", name


def test_swapping_two_json_documents_mirrors_every_change(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsondiff, "MAX_DEPTH", 2)
    left = {"same": 1, "gone": 2, "changed": "a", "deep": {"b": {"c": 1}}}
    right = {"same": 1, "changed": "b", "deep": {"b": {"c": 2}}, "new": 3}
    forward, _ = diff_json(left, right)
    backward, _ = diff_json(right, left)
    assert {c.path: c for c in backward} == {c.path: c.mirrored() for c in forward}
    deep = next(c for c in backward if c.path == "$.deep.b")
    assert (deep.left, deep.right, deep.note) == (
        {"c": 2},
        {"c": 1},
        "nested deeper than 2 levels: compared whole",
    )
    assert {c.path: c.change for c in backward}["$.gone"] is Change.ADDED


def test_a_bool_beside_an_integer_too_big_for_the_fast_check_is_still_a_type_change() -> None:
    """true == 1 in Python; orjson cannot encode 2**70, so the walk must decide, not assume equal."""
    found, _ = diff_json([True, 2**70], [1, 2**70])
    assert [(c.change, c.path) for c in found] == [(Change.TYPE, "$[0]")]


def test_an_equal_nested_object_does_not_end_the_comparison() -> None:
    found, _ = diff_json({"same": {"a": [1, 2]}, "x": 1}, {"same": {"a": [1, 2]}, "x": 2})
    assert [c.path for c in found] == ["$.x"]


def test_every_change_below_the_depth_limit_is_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsondiff, "MAX_DEPTH", 1)
    found, _ = diff_json({"a": {"x": 1}, "b": {"x": 1}}, {"a": {"x": 2}, "b": {"x": 2}})
    assert [c.path for c in found] == ["$.a", "$.b"]


def test_a_change_far_from_the_start_shows_only_its_context() -> None:
    left = [f"{i}\n" for i in range(40)]
    right = left.copy()
    right[30] = "thirty\n"
    diff = diff_lines(left, right)
    assert [hunk.header for hunk in diff.hunks] == ["@@ -28,7 +28,7 @@"]
