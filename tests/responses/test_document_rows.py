"""The rules document row by row: an edit of one rule leaves the others (and their problems) where
they were; which moves change the order; the first free name."""

from __future__ import annotations

import pytest

from inspector.responses import Rule, RuleSet
from inspector.responses.document import RulesDocument

A, B, C = (Rule(name=n, path=f"/{n}", body=n) for n in "abc")
BROKEN = Rule(name="broken", status=102)


@pytest.mark.parametrize(("row", "order"), [(0, "xbc"), (1, "axc"), (2, "abx")])
def test_replacing_one_rule_leaves_the_others_in_place(row: int, order: str) -> None:
    document = RulesDocument(RuleSet(rules=(A, B, C)))
    assert document.replace(row, Rule(name="x", status=102))
    assert "".join(rule.name for rule in document.rules) == order
    assert len(document) == 3
    assert [(p.rule, p.field) for p in document.all_problems()] == [(row, "status")]


@pytest.mark.parametrize("row", [0, 1, 2])
def test_replacing_a_broken_rule_drops_only_its_problems(row: int) -> None:
    rules = [BROKEN, BROKEN, BROKEN]
    document = RulesDocument(RuleSet(rules=tuple(rules)))
    assert document.replace(row, A)
    rules[row] = A
    assert document.rules == tuple(rules)
    assert sorted(p.rule for p in document.all_problems()) == [r for r in range(3) if r != row]


def test_set_rules_replaces_every_rule_and_its_problems() -> None:
    document = RulesDocument(RuleSet(rules=(BROKEN, A, BROKEN)))
    document.set_rules([B])
    assert document.rules == (B,) and document.all_problems() == []
    document.set_rules([C, BROKEN])
    assert document.rules == (C, BROKEN)
    assert [p.rule for p in document.all_problems()] == [1]


@pytest.mark.parametrize(
    ("row", "count", "before", "moves"),
    [
        (0, 1, 0, False),  # before itself
        (0, 1, 1, False),  # before the next rule: where it is
        (1, 2, 3, False),  # a block before the rule after it
        (0, 1, 2, True),
        (0, 1, 3, True),  # to the end
        (2, 1, 0, True),
        (1, 2, 0, True),
        (0, 1, 4, False),  # past the end
        (3, 1, 0, False),  # no rule 3
        (2, 2, 0, False),  # the block runs past the last rule
        (-1, 1, 2, False),
        (0, 0, 2, False),  # no rules
        (0, 1, -1, False),
    ],
)
def test_can_move_says_whether_the_order_would_change(row: int, count: int, before: int, moves: bool) -> None:
    document = RulesDocument(RuleSet(rules=(A, B, C)))
    assert document.can_move(row, count, before) is moves
    assert document.move(row, count, before) is moves
    assert (document.rules != (A, B, C)) is moves


@pytest.mark.parametrize("row", [0, 1, 2])
def test_removing_one_rule_leaves_the_others(row: int) -> None:
    rules = [A, BROKEN, C]
    document = RulesDocument(RuleSet(rules=tuple(rules)))
    assert document.remove(row) == rules.pop(row)
    assert document.rules == tuple(rules)
    assert [p.rule for p in document.all_problems()] == [i for i, r in enumerate(rules) if r is BROKEN]


@pytest.mark.parametrize(
    ("names", "unique"),
    [
        ((), "a"),
        (("b", "a 2"), "a"),
        (("a",), "a 2"),
        (("a", "a 2"), "a 3"),
        (("a", "a 3"), "a 2"),
        (("a", "a 2", "a 3", "a 4"), "a 5"),
    ],
)
def test_unique_name_takes_the_first_free_number(names: tuple[str, ...], unique: str) -> None:
    document = RulesDocument(RuleSet(rules=tuple(Rule(name=n) for n in names)))
    assert document.unique_name("a") == unique


def test_a_document_of_nothing_is_empty_and_clean() -> None:
    document = RulesDocument()
    assert document.rules == () and len(document) == 0
    assert document.path is None and document.folder is None and document.saved == RuleSet()
    assert not document.is_dirty() and document.all_problems() == []
