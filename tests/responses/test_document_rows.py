"""The rules document row by row: an edit of one rule leaves the others (and their problems) where
they were, and the rules a document hands the listener send body files from its file's folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.responses import Responder, Rule, RuleSet
from inspector.responses.document import RulesDocument
from tests.responses.conftest import make_record

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


def test_the_saved_rules_send_body_files_from_the_documents_folder(tmp_path: Path) -> None:
    (tmp_path / "reply.txt").write_bytes(b"from the rules folder")
    rule = Rule(name="file", path="/f", body_file="reply.txt")
    document = RulesDocument(RuleSet(rules=(rule,)), tmp_path / "rules.json")
    assert document.saved.folder == tmp_path
    assert document.saved.body_files() == [tmp_path / "reply.txt"]
    answer = Responder(document.saved)(make_record(target="/f"))
    assert answer.status == 200 and answer.body == b"from the rules folder"
