"""Pairing headers, query pairs and form fields across two requests."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector.diff import pairs as pairs_module
from inspector.diff.model import Change, PairRow
from inspector.diff.pairs import count_differing, diff_pairs, kept_in_order


def rows_of(
    left: list[tuple[str, str]], right: list[tuple[str, str]], fold_case: bool = True
) -> list[PairRow]:
    rows, note = diff_pairs(left, right, fold_case=fold_case)
    assert note == ""
    return list(rows)


def summary(rows: list[PairRow]) -> list[tuple[str, str, str | None, str | None, bool, bool]]:
    return [(r.change.value, r.name, r.left_value, r.right_value, r.moved, r.case_only) for r in rows]


def test_identical_pairs_are_all_same() -> None:
    pairs = [("Host", "a"), ("Accept", "*/*"), ("Accept", "text/html")]
    rows = rows_of(pairs, pairs)
    assert [r.change for r in rows] == [Change.SAME] * 3
    assert count_differing(rows) == 0
    assert [(r.left_index, r.right_index) for r in rows] == [(0, 0), (1, 1), (2, 2)]


def test_added_removed_changed() -> None:
    rows = rows_of([("A", "1"), ("B", "2"), ("C", "3")], [("A", "1"), ("B", "9"), ("D", "4")])
    assert summary(rows) == [
        ("same", "A", "1", "1", False, False),
        ("changed", "B", "2", "9", False, False),
        ("removed", "C", "3", None, False, False),
        ("added", "D", None, "4", False, False),
    ]
    assert count_differing(rows) == 3


def test_added_rows_sit_after_their_right_neighbour() -> None:
    rows = rows_of([("A", "1"), ("B", "2")], [("New", "0"), ("A", "1"), ("Mid", "x"), ("B", "2")])
    assert [r.name for r in rows] == ["New", "A", "Mid", "B"]


def test_one_header_moved_to_the_end_is_the_only_one_marked() -> None:
    left = [("A", "1"), ("B", "2"), ("C", "3"), ("D", "4")]
    right = [("B", "2"), ("C", "3"), ("D", "4"), ("A", "1")]
    rows = rows_of(left, right)
    assert [(r.name, r.moved) for r in rows] == [("A", True), ("B", False), ("C", False), ("D", False)]
    assert all(r.change is Change.SAME for r in rows)


def test_two_swapped_headers_are_both_marked() -> None:
    rows = rows_of([("A", "1"), ("B", "2"), ("C", "3")], [("B", "2"), ("A", "1"), ("C", "3")])
    assert [(r.name, r.moved) for r in rows] == [("A", True), ("B", True), ("C", False)]


def test_case_only_name_difference_is_called_out() -> None:
    rows = rows_of([("Content-Type", "x")], [("content-type", "x")])
    assert summary(rows) == [("same", "Content-Type", "x", "x", False, True)]
    assert rows[0].right_name == "content-type"
    assert rows[0].differs


def test_case_difference_and_value_change_together() -> None:
    rows = rows_of([("X-Token", "a")], [("x-token", "b")])
    assert summary(rows) == [("changed", "X-Token", "a", "b", False, True)]


def test_query_names_are_exact() -> None:
    rows = rows_of([("Name", "x")], [("name", "x")], fold_case=False)
    assert [r.change for r in rows] == [Change.REMOVED, Change.ADDED]


def test_repeated_names_pair_equal_values_first() -> None:
    rows = rows_of([("a", "1"), ("a", "2"), ("a", "3")], [("a", "1"), ("a", "3")], fold_case=False)
    assert summary(rows) == [
        ("same", "a", "1", "1", False, False),
        ("removed", "a", "2", None, False, False),
        ("same", "a", "3", "3", False, False),
    ]


def test_repeated_names_left_over_pair_in_order_as_changed() -> None:
    rows = rows_of([("a", "1"), ("a", "2"), ("a", "3")], [("a", "x"), ("a", "2"), ("a", "y"), ("a", "z")])
    assert summary(rows) == [
        ("changed", "a", "1", "x", False, False),
        ("same", "a", "2", "2", False, False),
        ("changed", "a", "3", "y", False, False),
        ("added", "a", None, "z", False, False),
    ]


def test_repeated_equal_values_pair_kth_with_kth() -> None:
    rows = rows_of(
        [("a", "1"), ("b", "0"), ("a", "1")], [("a", "1"), ("a", "1"), ("b", "0")], fold_case=False
    )
    assert [(r.left_index, r.right_index) for r in rows] == [(0, 0), (1, 2), (2, 1)]


def test_empty_sides() -> None:
    assert rows_of([], []) == []
    assert [r.change for r in rows_of([], [("A", "1")])] == [Change.ADDED]
    assert [r.change for r in rows_of([("A", "1")], [])] == [Change.REMOVED]


def test_hostile_names_and_values_are_kept_as_they_are() -> None:
    left = [("X-\u202e", "\x00\r\n"), ("", "")]
    right = [("x-\u202e", "\x00\r\n"), ("", "v")]
    rows = rows_of(left, right)
    assert summary(rows) == [
        ("same", "X-\u202e", "\x00\r\n", "\x00\r\n", False, True),
        ("changed", "", "", "v", False, False),
    ]


def test_each_side_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pairs_module, "MAX_PAIRS", 3)
    left = [(f"h{i}", "v") for i in range(5)]
    rows, note = diff_pairs(left, left[:2], fold_case=True)
    assert note == "compared the first 3 pairs of 5"
    assert [r.change for r in rows] == [Change.SAME, Change.SAME, Change.REMOVED]


def _brute_force_kept(values: list[int]) -> list[bool]:
    """Items in every longest increasing subsequence, by enumerating subsets."""
    best: list[tuple[int, ...]] = []
    for size in range(len(values), -1, -1):
        best = [
            combo
            for combo in itertools.combinations(range(len(values)), size)
            if all(values[combo[i]] < values[combo[i + 1]] for i in range(size - 1))
        ]
        if best:
            break
    return [all(i in combo for combo in best) for i in range(len(values))]


@given(st.permutations(list(range(7))))
def test_kept_in_order_matches_brute_force(values: list[int]) -> None:
    assert kept_in_order(values) == _brute_force_kept(values)


@given(st.lists(st.integers(0, 50), unique=True, max_size=9))
def test_kept_in_order_on_gapped_values(values: list[int]) -> None:
    assert kept_in_order(values) == _brute_force_kept(values)
