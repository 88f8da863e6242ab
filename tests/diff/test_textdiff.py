"""Line diffs: correct on any input, bounded on hostile input."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.diff import textdiff
from inspector.diff.model import TextDiff
from inspector.diff.textdiff import _Solver, diff_lines, line_opcodes, split_lines


def apply(left: list[str], right: list[str], opcodes: list[tuple[str, int, int, int, int]]) -> list[str]:
    """Rebuild the right side from the left and the opcodes, checking they tile both."""
    out: list[str] = []
    at_left = at_right = 0
    for tag, i1, i2, j1, j2 in opcodes:
        assert (i1, j1) == (at_left, at_right)
        if tag == "equal":
            assert left[i1:i2] == right[j1:j2]
            out.extend(left[i1:i2])
        elif tag == "insert":
            assert i1 == i2
            out.extend(right[j1:j2])
        else:
            assert tag == "delete"
            assert j1 == j2
        at_left, at_right = i2, j2
    assert (at_left, at_right) == (len(left), len(right))
    return out


def unified(diff: TextDiff) -> list[str]:
    out = []
    for hunk in diff.hunks:
        out.append(hunk.header + "\n")
        out.extend(line.tag + line.text for line in hunk.lines)
    return out


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("", []),
        ("a", ["a"]),
        ("a\n", ["a\n"]),
        ("a\r\nb", ["a\r\n", "b"]),
        ("a\n\nb\n", ["a\n", "\n", "b\n"]),
        ("a\x0cb\u2028c\rd", ["a\x0cb\u2028c\rd"]),  # only LF ends a line
    ],
)
def test_split_lines(text: str, lines: list[str]) -> None:
    assert split_lines(text) == lines
    assert "".join(split_lines(text)) == text


def test_one_changed_line_reads_like_difflib() -> None:
    left = split_lines("a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n")
    right = split_lines("a\nb\nX\nd\ne\nf\ng\nh\ni\nY\n")
    diff = diff_lines(left, right)
    assert unified(diff) == list(difflib.unified_diff(left, right, n=3))[2:]
    assert (diff.removed, diff.added, diff.first_line, diff.note) == (2, 2, 2, "")


def test_far_apart_changes_make_separate_hunks() -> None:
    left = [f"{i}\n" for i in range(40)]
    right = left.copy()
    right[5], right[30] = "five\n", "thirty\n"
    diff = diff_lines(left, right)
    assert [h.header for h in diff.hunks] == ["@@ -3,7 +3,7 @@", "@@ -28,7 +28,7 @@"]
    assert unified(diff) == list(difflib.unified_diff(left, right, n=3))[2:]


def test_identical_texts_have_no_hunks() -> None:
    lines = split_lines("same\ntext\n")
    assert diff_lines(lines, lines) == TextDiff()


def test_missing_final_newline_is_a_difference() -> None:
    diff = diff_lines(split_lines("a\nb\n"), split_lines("a\nb"))
    assert [(line.tag, line.text) for line in diff.hunks[0].lines] == [(" ", "a\n"), ("-", "b\n"), ("+", "b")]


def test_crlf_against_lf_is_a_difference() -> None:
    diff = diff_lines(split_lines("a\r\nb\r\n"), split_lines("a\nb\n"))
    assert (diff.removed, diff.added) == (2, 2)


def test_a_moved_block_anchors_on_unique_lines() -> None:
    block = [f"unique {i}\n" for i in range(5)]
    left = ["start\n", *block, "middle\n", "end\n"]
    right = ["start\n", "middle\n", *block, "end\n"]
    opcodes = line_opcodes(left, right)
    assert apply(left, right, opcodes) == right
    assert sum(i2 - i1 for tag, i1, i2, _, _ in opcodes if tag == "delete") == 1  # only "middle" moves


def test_too_many_lines_fall_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textdiff, "MAX_LINES", 10)
    left = [f"{i}\n" for i in range(20)]
    right = left.copy()
    right[12] = "x\n"
    diff = diff_lines(left, right)
    assert not diff.line_by_line
    assert diff.hunks == ()
    assert diff.first_line == 12
    assert diff.note == "too large to diff line by line (20 and 20 lines; the limit is 10)"
    assert diff_lines(left, left).first_line is None


def test_shown_lines_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textdiff, "MAX_SHOWN_LINES", 7)
    left = [f"{i}\n" for i in range(10)]
    right = [f"other {i}\n" for i in range(10)]
    diff = diff_lines(left, right)
    assert sum(len(h.lines) for h in diff.hunks) == 7
    assert diff.note == "showing the first 7 of 20 lines of the diff"
    assert (diff.removed, diff.added) == (10, 10)
    hunk = diff.hunks[0]
    assert (hunk.left_count, hunk.right_count) == (7, 0)


ADVERSARIAL = {
    "reversed": (
        lambda n: [f"line {i}\n" for i in range(n)],
        lambda n: [f"line {i}\n" for i in range(n)][::-1],
    ),
    "disjoint": (lambda n: [f"a{i}\n" for i in range(n)], lambda n: [f"b{i}\n" for i in range(n)]),
    "swapped pairs": (lambda n: ["x\n", "y\n"] * (n // 2), lambda n: ["y\n", "x\n"] * (n // 2)),
    "every third changed": (
        lambda n: [f"line {i}\n" for i in range(n)],
        lambda n: ["changed\n" if i % 3 == 0 else f"line {i}\n" for i in range(n)],
    ),
    "interleaved ends": (
        lambda n: [f"line {i}\n" for i in range(n)],
        lambda n: [f"line {k}\n" for i in range(n // 2) for k in (i, n - 1 - i)],
    ),
    "few distinct lines": (
        lambda n: [f"{i % 3}\n" for i in range(n)],
        lambda n: [f"{(i * 7) % 5}\n" for i in range(n)],
    ),
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_inputs_stay_within_budgets_and_correct(name: str) -> None:
    make_left, make_right = ADVERSARIAL[name]
    n = 6000
    left, right = make_left(n), make_right(n)
    ids: dict[str, int] = {}
    solver = _Solver(
        [ids.setdefault(x, len(ids)) for x in left], [ids.setdefault(x, len(ids)) for x in right]
    )
    opcodes = solver.run()
    # Anchoring stops once its budget is spent (one region's pass may finish past it);
    # difflib never gets more than its cell budget, whatever the input.
    assert solver.work <= textdiff.WORK_BUDGET + len(left) + len(right)
    assert solver.cells <= textdiff.CELL_BUDGET
    assert apply(left, right, opcodes) == right


def test_difflib_sees_only_small_gaps(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real = difflib.SequenceMatcher

    def spy(junk: None, a: list[int], b: list[int]) -> difflib.SequenceMatcher[int]:
        seen.append(len(a) * len(b))
        return real(junk, a, b)

    monkeypatch.setattr(textdiff.difflib, "SequenceMatcher", spy)
    left = ["x\n", "y\n"] * 3000
    diff_lines(left, ["y\n", "x\n"] * 3000)
    assert sum(seen) <= textdiff.CELL_BUDGET


line_lists = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "d\n", "a", "\r\n", "\n"]), max_size=40)


@settings(max_examples=300)
@given(line_lists, line_lists)
def test_opcodes_always_turn_left_into_right(left: list[str], right: list[str]) -> None:
    assert apply(left, right, line_opcodes(left, right)) == right


@settings(max_examples=200)
@given(line_lists, line_lists)
def test_hunks_agree_with_the_counts(left: list[str], right: list[str]) -> None:
    diff = diff_lines(left, right)
    lines = [line for hunk in diff.hunks for line in hunk.lines]
    assert sum(1 for line in lines if line.tag == "-") == diff.removed
    assert sum(1 for line in lines if line.tag == "+") == diff.added
    for hunk in diff.hunks:
        assert left[hunk.left_start : hunk.left_start + hunk.left_count] == [
            line.text for line in hunk.lines if line.tag != "+"
        ]
        assert right[hunk.right_start : hunk.right_start + hunk.right_count] == [
            line.text for line in hunk.lines if line.tag != "-"
        ]
    assert (diff.hunks == ()) == (left == right)
