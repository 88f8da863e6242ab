"""Pairs at the cap exactly, and names that fold to the same capitals but not the same small letters."""

from __future__ import annotations

import pytest

from inspector.diff import pairs as pairs_module
from inspector.diff.model import Change, PairRow
from inspector.diff.pairs import diff_pairs


def test_a_side_of_exactly_max_pairs_is_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pairs_module, "MAX_PAIRS", 3)
    three = [(f"h{i}", "v") for i in range(3)]
    rows, note = diff_pairs(three, three[:1], fold_case=True)
    assert note == ""
    assert [r.change for r in rows] == [Change.SAME, Change.REMOVED, Change.REMOVED]
    rows, note = diff_pairs(three[:1], three, fold_case=True)
    assert note == ""
    assert [r.change for r in rows] == [Change.SAME, Change.ADDED, Change.ADDED]


def test_header_names_fold_to_small_letters() -> None:
    # "ß".upper() is "SS", as is "ss".upper(); in small letters they stay apart
    rows, note = diff_pairs([("ß", "1")], [("ss", "1")], fold_case=True)
    assert note == ""
    assert rows == (
        PairRow(change=Change.REMOVED, left_name="ß", left_value="1", left_index=0),
        PairRow(change=Change.ADDED, right_name="ss", right_value="1", right_index=0),
    )
    rows, _ = diff_pairs([("X-Ä", "1")], [("x-ä", "1")], fold_case=True)
    assert [(r.change, r.case_only) for r in rows] == [(Change.SAME, True)]
