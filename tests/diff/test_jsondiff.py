"""JSON compared by meaning, path by path."""

from __future__ import annotations

import json
from typing import Any

import pytest

from inspector.diff import jsondiff
from inspector.diff.jsondiff import diff_json, format_path
from inspector.diff.model import Change


def changes(left: Any, right: Any) -> list[tuple[str, str, Any, Any]]:
    found, notes = diff_json(left, right)
    assert notes == ()
    return [(c.change.value, c.path, c.left, c.right) for c in found]


@pytest.mark.parametrize(
    ("steps", "text"),
    [
        ((), "$"),
        (("items", 0, "qty"), "$.items[0].qty"),
        (("a key",), "$['a key']"),
        (("it's",), "$['it\\'s']"),
        (("back\\slash",), "$['back\\\\slash']"),
        (("0",), "$['0']"),
        (("",), "$['']"),
        (("_x9",), "$._x9"),
        (("é",), "$['é']"),
        ((3, 4), "$[3][4]"),
    ],
)
def test_format_path(steps: tuple[str | int, ...], text: str) -> None:
    assert format_path(steps) == text


def test_equal_documents_have_no_changes() -> None:
    doc = {"items": [{"qty": 1, "sku": "a"}], "user": None, "ok": True}
    assert changes(doc, json.loads(json.dumps(doc))) == []


def test_key_order_is_no_difference() -> None:
    assert changes({"a": 1, "b": {"x": 1, "y": 2}}, {"b": {"y": 2, "x": 1}, "a": 1}) == []


def test_changed_value_at_its_path() -> None:
    left = {"items": [{"qty": 1, "sku": "a"}, {"qty": 5}]}
    right = {"items": [{"qty": 2, "sku": "a"}, {"qty": 5}]}
    assert changes(left, right) == [("changed", "$.items[0].qty", 1, 2)]


def test_added_and_removed_keys() -> None:
    assert changes({"a": 1, "b": 2}, {"a": 1, "c": 3}) == [
        ("removed", "$.b", 2, None),
        ("added", "$.c", None, 3),
    ]


def test_type_changes() -> None:
    assert changes({"n": 1}, {"n": "1"}) == [("type", "$.n", 1, "1")]
    assert changes({"n": True}, {"n": 1}) == [("type", "$.n", True, 1)]
    assert changes({"n": False}, {"n": 0}) == [("type", "$.n", False, 0)]
    assert changes({"n": None}, {"n": 0}) == [("type", "$.n", None, 0)]
    assert changes({"n": {}}, {"n": []}) == [("type", "$.n", {}, [])]


def test_bool_and_number_inside_equal_looking_containers() -> None:
    # Python's == says [True] == [1]; the walk must not skip it.
    assert changes({"a": [True, {"b": 0}]}, {"a": [1, {"b": False}]}) == [
        ("type", "$.a[0]", True, 1),
        ("type", "$.a[1].b", 0, False),
    ]


def test_numbers_compare_by_value() -> None:
    assert changes({"n": 1}, {"n": 1.0}) == []
    assert changes([10**20], [1e20]) == []
    assert changes({"n": 1}, {"n": 1.5}) == [("changed", "$.n", 1, 1.5)]


def test_nan_equals_itself() -> None:
    left, right = json.loads('{"x": NaN}'), json.loads('{"x": NaN}')
    assert changes(left, right) == []
    assert changes(json.loads("[NaN]"), json.loads("[null]"))[0][0] == "type"


def test_array_length_change() -> None:
    assert changes({"items": [1, 2]}, {"items": [1, 2, 3, 4]}) == [
        ("length", "$.items", 2, 4),
        ("added", "$.items[2]", None, 3),
        ("added", "$.items[3]", None, 4),
    ]
    assert changes([1, 2], [9]) == [
        ("length", "$", 2, 1),
        ("changed", "$[0]", 1, 9),
        ("removed", "$[1]", 2, None),
    ]


def test_changes_come_in_document_order() -> None:
    left = {"z": {"b": 1, "a": 1}, "y": [1, {"k": 1}]}
    right = {"y": [2, {"k": 2}], "z": {"a": 2, "b": 2}, "new": 1}
    assert [c[1] for c in changes(left, right)] == ["$.z.b", "$.z.a", "$.y[0]", "$.y[1].k", "$.new"]


def test_scalar_documents() -> None:
    assert changes(1, 2) == [("changed", "$", 1, 2)]
    assert changes("a", "a") == []


def test_nesting_beyond_the_limit_is_compared_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsondiff, "MAX_DEPTH", 3)
    left = {"a": {"b": {"c": {"d": 1}}}}
    right = {"a": {"b": {"c": {"d": 2}}}}
    found, _ = diff_json(left, right)
    assert [(c.change, c.path) for c in found] == [(Change.CHANGED, "$.a.b.c")]
    assert found[0].note == "nested deeper than 3 levels: compared whole"


def test_deeply_nested_hostile_document_does_not_recurse() -> None:
    depth = 900  # json.loads' own limit is near 1,000; the walk uses no recursion at all
    left = json.loads("[" * depth + "1" + "]" * depth)
    right = json.loads("[" * depth + "2" + "]" * depth)
    found, _ = diff_json(left, right)
    assert len(found) == 1
    assert found[0].path == "$" + "[0]" * jsondiff.MAX_DEPTH


def test_visits_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsondiff, "MAX_NODES", 10)
    found, notes = diff_json(list(range(100)), list(range(1, 101)))
    assert notes == ("compared the first 10 values; the rest were not walked",)
    assert len(found) == 9  # the root took one visit


def test_changes_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsondiff, "MAX_CHANGES", 5)
    found, notes = diff_json(list(range(100)), list(range(1, 101)))
    assert len(found) == 5
    assert notes == ("listed the first 5 differences",)


def test_a_long_array_with_one_late_change_is_not_walked_item_by_item(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jsondiff, "MAX_NODES", 100)
    left = list(range(300_000))
    assert changes(left, [*left[:-1], -1]) == [("changed", "$[299999]", 299_999, -1)]
    assert changes(left, [-1, *left[1:]]) == [("changed", "$[0]", 0, -1)]
    assert changes(left, [*left, 7]) == [("length", "$", 300_000, 300_001), ("added", "$[300000]", None, 7)]


def test_equal_prefix_with_bool_and_number_is_still_walked() -> None:
    assert changes([1, 2, 3, True], [True, 2, 3, 1]) == [("type", "$[0]", 1, True), ("type", "$[3]", True, 1)]


def test_a_long_array_is_walked_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsondiff, "MAX_NODES", 500)
    found, notes = diff_json(list(range(1, 300_000)), list(range(-1, -300_000, -1)))
    assert notes == ("compared the first 500 values; the rest were not walked",)
    assert len(found) == 499  # the root took one visit
