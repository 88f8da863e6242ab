"""Line diffs at the edges of their budgets: exact opcodes, with the budgets set small."""

from __future__ import annotations

import pytest

from inspector.diff import textdiff
from inspector.diff.model import Comparison
from inspector.diff.textdiff import diff_lines, line_opcodes

Opcode = tuple[str, int, int, int, int]


def opcodes(
    monkeypatch: pytest.MonkeyPatch,
    left: str,
    right: str,
    *,
    work: int | None = None,
    cells: int | None = None,
) -> list[Opcode]:
    if work is not None:
        monkeypatch.setattr(textdiff, "WORK_BUDGET", work)
    if cells is not None:
        monkeypatch.setattr(textdiff, "CELL_BUDGET", cells)
    return line_opcodes(left.split(), right.split())


# Anchored on K0..K3 (unique on both sides); between them: a one-line left side found on the right,
# a one-line right side found on the left, a 2x2 region anchored on "w" and, last, one on "z".
# The whole region costs 14 + 13 = 27 units of work and the "w" region 4 more: 31 in all before
# the "z" region asks for more.
NESTED_LEFT = "F K0 x K1 x y z w K2 p w K3 u z"
NESTED_RIGHT = "G K0 a x y K1 y K2 w q K3 z v"
NESTED_HEAD: list[Opcode] = [
    ("delete", 0, 1, 0, 0),
    ("insert", 1, 1, 0, 1),
    ("equal", 1, 2, 1, 2),
    ("insert", 2, 2, 2, 3),
    ("equal", 2, 3, 3, 4),
    ("insert", 3, 3, 4, 5),
    ("equal", 3, 4, 5, 6),
    ("delete", 4, 5, 6, 6),
    ("equal", 5, 6, 6, 7),
    ("delete", 6, 8, 7, 7),
    ("equal", 8, 9, 7, 8),
    ("delete", 9, 10, 8, 8),
    ("equal", 10, 11, 8, 9),
    ("insert", 11, 11, 9, 10),
    ("equal", 11, 12, 10, 11),
]


def test_the_last_region_is_anchored_while_work_remains(monkeypatch: pytest.MonkeyPatch) -> None:
    assert opcodes(monkeypatch, NESTED_LEFT, NESTED_RIGHT, work=32, cells=0) == [
        *NESTED_HEAD,
        ("delete", 12, 13, 11, 11),
        ("equal", 13, 14, 11, 12),
        ("insert", 14, 14, 12, 13),
    ]


def test_the_last_region_is_replaced_whole_once_work_is_spent(monkeypatch: pytest.MonkeyPatch) -> None:
    assert opcodes(monkeypatch, NESTED_LEFT, NESTED_RIGHT, work=31, cells=0) == [
        *NESTED_HEAD,
        ("delete", 12, 14, 11, 11),
        ("insert", 14, 14, 11, 13),
    ]


def test_no_work_budget_means_no_anchors(monkeypatch: pytest.MonkeyPatch) -> None:
    assert opcodes(monkeypatch, "u z", "z v", work=0, cells=0) == [
        ("delete", 0, 2, 0, 0),
        ("insert", 2, 2, 0, 2),
    ]


def test_a_two_line_region_is_anchored(monkeypatch: pytest.MonkeyPatch) -> None:
    assert opcodes(monkeypatch, "u z", "z v", cells=0) == [
        ("delete", 0, 1, 0, 0),
        ("equal", 1, 2, 0, 1),
        ("insert", 2, 2, 1, 2),
    ]


def test_every_anchor_of_the_run_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    # the whole region costs 10: after it no region is anchored again, so both A and B must come from it
    assert opcodes(monkeypatch, "p A m B q", "r A n B s", work=10, cells=0) == [
        ("delete", 0, 1, 0, 0),
        ("insert", 1, 1, 0, 1),
        ("equal", 1, 2, 1, 2),
        ("delete", 2, 3, 2, 2),
        ("insert", 3, 3, 2, 3),
        ("equal", 3, 4, 3, 4),
        ("delete", 4, 5, 4, 4),
        ("insert", 5, 5, 4, 5),
    ]


def test_a_line_twice_on_the_left_is_no_anchor(monkeypatch: pytest.MonkeyPatch) -> None:
    assert opcodes(monkeypatch, "p c c q", "r c s", cells=0) == [
        ("delete", 0, 4, 0, 0),
        ("insert", 4, 4, 0, 3),
    ]


def test_a_line_twice_on_the_right_is_no_anchor(monkeypatch: pytest.MonkeyPatch) -> None:
    assert opcodes(monkeypatch, "p c q", "r c c s", cells=0) == [
        ("delete", 0, 3, 0, 0),
        ("insert", 3, 3, 0, 4),
    ]


def test_the_first_right_line_can_anchor(monkeypatch: pytest.MonkeyPatch) -> None:
    assert opcodes(monkeypatch, "p q X r", "X s t u", cells=0) == [
        ("delete", 0, 2, 0, 0),
        ("equal", 2, 3, 0, 1),
        ("delete", 3, 4, 1, 1),
        ("insert", 4, 4, 1, 4),
    ]


# three 4x4 gaps (16 cells each) without anchors, each sharing "c c"
GAPS_LEFT = "x1 c c y1 K1 x2 c c y2 K2 x3 c c y3"
GAPS_RIGHT = "z1 c c w1 K1 z2 c c w2 K2 z3 c c w3"


def matched_gap(start: int) -> list[Opcode]:
    return [
        ("delete", start, start + 1, start, start),
        ("insert", start + 1, start + 1, start, start + 1),
        ("equal", start + 1, start + 3, start + 1, start + 3),
        ("delete", start + 3, start + 4, start + 3, start + 3),
        ("insert", start + 4, start + 4, start + 3, start + 4),
    ]


def whole_gap(start: int) -> list[Opcode]:
    return [("delete", start, start + 4, start, start), ("insert", start + 4, start + 4, start, start + 4)]


K1: list[Opcode] = [("equal", 4, 5, 4, 5)]
K2: list[Opcode] = [("equal", 9, 10, 9, 10)]


def test_every_gap_is_matched_within_the_cell_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = [*matched_gap(0), *K1, *matched_gap(5), *K2, *matched_gap(10)]
    assert opcodes(monkeypatch, GAPS_LEFT, GAPS_RIGHT, cells=48) == expected


def test_the_gap_past_the_cell_budget_is_replaced_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = [*matched_gap(0), *K1, *matched_gap(5), *K2, *whole_gap(10)]
    assert opcodes(monkeypatch, GAPS_LEFT, GAPS_RIGHT, cells=47) == expected


def test_a_gap_of_exactly_the_cell_budget_is_matched(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = [*matched_gap(0), *K1, *whole_gap(5), *K2, *whole_gap(10)]
    assert opcodes(monkeypatch, GAPS_LEFT, GAPS_RIGHT, cells=16) == expected


def test_trailing_context_is_three_lines() -> None:
    diff = diff_lines(["a\n", "b\n", "c\n", "d\n", "e\n", "f\n"], ["A\n", "b\n", "c\n", "d\n", "e\n", "f\n"])
    (hunk,) = diff.hunks
    assert [line.tag + line.text for line in hunk.lines] == ["-a\n", "+A\n", " b\n", " c\n", " d\n"]
    assert (hunk.left_start, hunk.left_count, hunk.right_start, hunk.right_count) == (0, 4, 0, 4)


def test_seven_equal_lines_part_two_hunks() -> None:
    left = [f"{n}\n" for n in range(9)]
    right = ["X\n", *left[1:8], "Y\n"]
    diff = diff_lines(left, right)
    assert [(h.left_start, h.left_count, h.right_start, h.right_count) for h in diff.hunks] == [
        (0, 4, 0, 4),
        (5, 4, 5, 4),
    ]


def test_a_missing_section_names_its_key() -> None:
    with pytest.raises(KeyError) as raised:
        Comparison(left_id=1, right_id=2, sections=(), summary="no differences").section("headers")
    assert raised.value.args == ("headers",)
