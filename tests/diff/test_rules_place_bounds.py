"""A condition placed into the first rule, and refused past the last one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inspector.diff.rule_edit import place_condition
from inspector.responses import Condition, Rule
from tests.diff.test_rule_edit import document, json_pair, separation


def test_into_the_first_rule_and_not_past_the_last(tmp_path: Path) -> None:
    left, right = json_pair()
    doc = document(tmp_path, Rule(name="hook", methods=("POST",), path="/hook"), Rule(name="other"))
    found = separation(left, right)
    placed = place_condition(doc, found, left, right, row=0)
    assert placed.row == 0 and len(doc) == 2
    assert placed.rule == doc.rule(0)
    assert placed.rule.conditions == (Condition(source="json", name="items.0.qty", op="equals", value=3),)
    assert (placed.left.matched, placed.right.matched) == (False, True)
    with pytest.raises(ValueError, match=re.escape("no rule at position 3")):
        place_condition(doc, found, left, right, row=2)
    with pytest.raises(ValueError, match=re.escape("no rule at position 0")):
        place_condition(doc, found, left, right, row=-1)
    with pytest.raises(ValueError) as refused:
        place_condition(doc, found, left, right)
    assert str(refused.value) == "give a new rule or the position of one"
