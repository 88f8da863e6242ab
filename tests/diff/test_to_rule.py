"""From a difference to a rule condition, proven with the rules engine's own matching."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from inspector.diff import JsonChange, PairRow, Separation, compare, json_condition, pair_condition
from inspector.http.record import CaptureRecord
from inspector.responses import Condition, Rule, explain
from tests.diff.strategies import JSON_VALUES
from tests.responses.conftest import make_record


def matches(condition: Condition, record: CaptureRecord) -> bool:
    return explain(Rule(name="t", conditions=(condition,)), record).matched


def assert_separates(found: Separation, left: CaptureRecord, right: CaptureRecord) -> None:
    assert found.condition is not None, found.reason
    one, other = (left, right) if found.matches == "left" else (right, left)
    assert matches(found.condition, one)
    assert not matches(found.condition, other)


def header_rows(left: CaptureRecord, right: CaptureRecord) -> list[PairRow]:
    return [row for row in compare(left, right).section("headers").pairs if row.differs]


def with_headers(*headers: tuple[str, str], record_id: int = 1) -> CaptureRecord:
    return make_record(id=record_id, headers=(("Host", "x"), *headers))


def test_changed_header_value_becomes_equals() -> None:
    left, right = with_headers(("X-Token", "abc")), with_headers(("X-Token", "xyz"), record_id=2)
    [row] = header_rows(left, right)
    found = pair_condition(row, "header", left, right)
    assert found.condition == Condition(source="header", name="X-Token", op="equals", value="xyz")
    assert found.matches == "right"
    assert found.reason == "header X-Token equals 'xyz': holds for the right request only"
    assert_separates(found, left, right)
    found = pair_condition(row, "header", left, right, prefer="left")
    assert (found.condition, found.matches) == (
        Condition(source="header", name="X-Token", value="abc"),
        "left",
    )


def test_added_header_becomes_present_and_removed_becomes_absent() -> None:
    left, right = with_headers(), with_headers(("X-Debug", "1"))
    [row] = header_rows(left, right)
    found = pair_condition(row, "header", left, right)
    assert found.condition == Condition(source="header", name="X-Debug", op="present")
    assert_separates(found, left, right)
    [row] = header_rows(right, left)
    found = pair_condition(row, "header", right, left)
    assert (found.condition, found.matches) == (
        Condition(source="header", name="X-Debug", op="absent"),
        "right",
    )
    assert_separates(found, right, left)


def test_a_repeated_header_falls_back_to_the_side_that_can_be_told_apart() -> None:
    left = with_headers(("Accept", "a"), ("Accept", "b"))
    right = with_headers(("Accept", "a"))
    [row] = header_rows(left, right)
    found = pair_condition(row, "header", left, right, prefer="right")
    # "right lacks Accept: b" cannot be a condition (right still has Accept); "left has it" can.
    assert (found.condition, found.matches) == (Condition(source="header", name="Accept", value="b"), "left")
    assert_separates(found, left, right)


def test_no_condition_when_every_value_is_on_both_sides() -> None:
    left = make_record(target="/?a=1&a=2")
    right = make_record(target="/?a=2&a=1&a=1")
    rows = [
        row
        for row in compare(left, right).section("query").pairs
        if row.differs and row.change.value == "added"
    ]
    found = pair_condition(rows[0], "query", left, right)
    assert found == Separation(
        condition=None,
        matches=None,
        reason="both requests have another query 'a' value that a condition would match",
    )


def test_case_and_order_cannot_become_conditions() -> None:
    left = with_headers(("X-A", "1"), ("X-B", "2"))
    right = with_headers(("x-a", "1"), record_id=2)
    right = dataclasses.replace(right, headers=(("X-B", "2"), ("Host", "x"), ("x-a", "1")))
    rows = header_rows(left, right)
    reasons = {row.name: pair_condition(row, "header", left, right).reason for row in rows}
    assert reasons["X-A"] == "only the letter case of the name differs, which rules do not look at"
    assert reasons["X-B"] == "only the order differs, which rules do not look at"
    assert all(pair_condition(row, "header", left, right).condition is None for row in rows)


def test_query_pair_is_exact_by_name() -> None:
    left, right = make_record(target="/?lang=en"), make_record(target="/?lang=fr&Lang=en")
    rows = [row for row in compare(left, right).section("query").pairs if row.differs]
    found = [pair_condition(row, "query", left, right) for row in rows]
    assert [f.condition for f in found] == [
        Condition(source="query", name="lang", value="fr"),
        Condition(source="query", name="Lang", op="present"),
    ]
    for item in found:
        assert_separates(item, left, right)


def json_records(left_doc: Any, right_doc: Any) -> tuple[CaptureRecord, CaptureRecord]:
    headers = (("Host", "x"), ("Content-Type", "application/json"))
    return (
        make_record(method="POST", headers=headers, body=json.dumps(left_doc).encode()),
        make_record(id=2, method="POST", headers=headers, body=json.dumps(right_doc).encode()),
    )


def json_changes(left: CaptureRecord, right: CaptureRecord) -> list[JsonChange]:
    body = compare(left, right).section("body").body
    assert body is not None
    return list(body.json)


@pytest.mark.parametrize(
    ("left_doc", "right_doc", "condition", "side"),
    [
        (
            {"items": [{"qty": 1}]},
            {"items": [{"qty": 2}]},
            Condition(source="json", name="items.0.qty", value=2),
            "right",
        ),
        ({"a": 1}, {"a": 1, "b": {"c": 1}}, Condition(source="json", name="b", op="present"), "right"),
        ({"a": 1, "b": 2}, {"a": 1}, Condition(source="json", name="b", op="absent"), "right"),
        ({"n": "1"}, {"n": 1}, Condition(source="json", name="n", value=1), "right"),
        ({"n": None}, {"n": True}, Condition(source="json", name="n", value=True), "right"),
        ({"n": 1}, {"n": {}}, Condition(source="json", name="n", value=1), "left"),
        ([1, 2], [1, 2, 3], Condition(source="json", name="2", op="present"), "right"),
        ({"l": [1, 2, 3]}, {"l": [1]}, Condition(source="json", name="l.2", op="absent"), "right"),
        ({"0": "x"}, {"0": "y"}, Condition(source="json", name="0", value="y"), "right"),
        ({"": {"k": 1}}, {"": {"k": 2}}, Condition(source="json", name=".k", value=2), "right"),
    ],
)
def test_json_differences(left_doc: Any, right_doc: Any, condition: Condition, side: str) -> None:
    left, right = json_records(left_doc, right_doc)
    changes = json_changes(left, right)
    found = json_condition(changes[-1], left, right)
    assert (found.condition, found.matches) == (condition, side)
    assert_separates(found, left, right)


def test_array_length_becomes_present_or_absent_at_the_shorter_length() -> None:
    left, right = json_records({"l": [1, 2]}, {"l": [1, 2, 3, 4]})
    length = json_changes(left, right)[0]
    assert length.change.value == "length"
    found = json_condition(length, left, right)
    assert (found.condition, found.matches) == (Condition(source="json", name="l.2", op="present"), "right")
    found = json_condition(length, left, right, prefer="left")
    assert (found.condition, found.matches) == (Condition(source="json", name="l.2", op="absent"), "left")
    assert_separates(found, left, right)


def test_json_keys_that_dotted_paths_cannot_write() -> None:
    for left_doc, right_doc in (({"a.b": 1}, {"a.b": 2}), ({"": 1}, {"": 2})):
        left, right = json_records(left_doc, right_doc)
        [change] = json_changes(left, right)
        found = json_condition(change, left, right)
        assert found.condition is None
        assert "cannot be written in a rule's dotted JSON path" in found.reason


def test_json_containers_of_different_types_have_no_condition() -> None:
    left, right = json_records({"a": {}}, {"a": []})
    [change] = json_changes(left, right)
    found = json_condition(change, left, right)
    assert found.condition is None
    assert found.reason == "$.a: no equals, present or absent condition holds for only one request"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(JSON_VALUES, JSON_VALUES)
def test_every_offered_json_condition_separates(left_doc: Any, right_doc: Any) -> None:
    left, right = json_records(left_doc, right_doc)
    for change in json_changes(left, right):
        found = json_condition(change, left, right)
        if found.condition is not None:
            assert_separates(found, left, right)
        else:
            assert found.matches is None
