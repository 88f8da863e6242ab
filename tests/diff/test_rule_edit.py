"""A difference's condition put into the rules document: a new rule or the selected one, unsaved,
and the rule then matches exactly one of the two requests."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from inspector.diff import Separation, compare, json_condition, pair_condition
from inspector.diff.rule_edit import place_condition, with_condition
from inspector.http.record import CaptureRecord
from inspector.responses import Condition, Rule, RuleSet
from inspector.responses.document import RulesDocument
from tests.diff.strategies import records
from tests.responses.conftest import make_record


def document(tmp_path: Path, *rules: Rule) -> RulesDocument:
    return RulesDocument(RuleSet(rules=rules or (Rule(name="default"),)), tmp_path / "rules.json")


def json_pair() -> tuple[CaptureRecord, CaptureRecord]:
    def one(record_id: int, qty: int) -> CaptureRecord:
        body = json.dumps({"items": [{"qty": qty}]}).encode()
        return make_record(id=record_id, method="POST", target="/hook", body=body)

    return one(1, 2), one(2, 3)


def separation(left: CaptureRecord, right: CaptureRecord) -> Separation:
    [change] = compare(left, right).section("body").body.json  # type: ignore[union-attr]
    return json_condition(change, left, right)


def test_a_new_rule_goes_on_top_unsaved_and_tells_the_two_apart(tmp_path: Path) -> None:
    left, right = json_pair()
    doc = document(tmp_path, Rule(name="default"), Rule(name="other", path="/other"))
    found = separation(left, right)
    placed = place_condition(
        doc, found, left, right, new_rule=Rule(name="default", methods=("POST",), path="/hook")
    )
    assert placed.row == 0
    assert placed.rule == doc.rule(0)
    assert placed.rule.name == "default 2"  # unique in the document
    assert placed.rule.conditions == (Condition(source="json", name="items.0.qty", op="equals", value=3),)
    assert (placed.left.matched, placed.right.matched) == (False, True)
    assert "value is '2'" in placed.left.message
    assert doc.is_dirty() and [r.name for r in doc.saved.rules] == ["default", "other"]
    assert not (tmp_path / "rules.json").exists()  # nothing was saved


def test_into_the_selected_rule_once(tmp_path: Path) -> None:
    left, right = json_pair()
    existing = Rule(
        name="hook",
        methods=("POST",),
        path="/hook",
        conditions=(Condition(source="header", name="Host", op="present"),),
    )
    doc = document(tmp_path, Rule(name="first"), existing)
    found = separation(left, right)
    placed = place_condition(doc, found, left, right, row=1)
    assert placed.row == 1 and len(doc) == 2
    assert placed.rule.conditions == (*existing.conditions, found.condition)
    assert placed.right.matched and not placed.left.matched
    again = place_condition(doc, found, left, right, row=1)
    assert again.rule.conditions == placed.rule.conditions  # not added twice
    assert with_condition(existing, existing.conditions[0]) is existing


def test_refusals(tmp_path: Path) -> None:
    left, right = json_pair()
    doc = document(tmp_path)
    none = Separation(condition=None, matches=None, reason="only the order differs")
    with pytest.raises(ValueError, match="only the order differs"):
        place_condition(doc, none, left, right, new_rule=Rule(name="x"))
    found = separation(left, right)
    with pytest.raises(ValueError, match="no rule at position 5"):
        place_condition(doc, found, left, right, row=4)
    with pytest.raises(ValueError, match="new rule"):
        place_condition(doc, found, left, right)
    assert not doc.is_dirty()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(left=records(record_id=1), right=records(record_id=2))
def test_every_condition_placed_matches_exactly_one_request(
    tmp_path_factory: pytest.TempPathFactory, left: CaptureRecord, right: CaptureRecord
) -> None:
    comparison = compare(left, right)
    found: list[Separation] = []
    for key, source in (("headers", "header"), ("query", "query")):
        for row in comparison.section(key).pairs:
            if row.differs:
                found.append(pair_condition(row, source, left, right))  # type: ignore[arg-type]
    body = comparison.section("body").body
    if body is not None:
        found.extend(json_condition(change, left, right) for change in body.json)
    for separation_found in found:
        if separation_found.condition is None:
            continue
        matched = left if separation_found.matches == "left" else right
        doc = RulesDocument(RuleSet(rules=(Rule(name="default"),)))
        new_rule = Rule(name="difference", methods=(matched.method,))
        placed = place_condition(doc, separation_found, left, right, new_rule=new_rule)
        assert placed.left.matched != placed.right.matched, separation_found
        assert (placed.left if separation_found.matches == "left" else placed.right).matched
        assert dataclasses.replace(placed.rule, conditions=()) == dataclasses.replace(new_rule, conditions=())
