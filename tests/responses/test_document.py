"""The Qt-free rules document the editor is a view on: open, edit, validate, save."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.responses import (
    DEFAULT_RULE,
    DEFAULT_RULES,
    Rule,
    RuleSet,
    RulesFileError,
    load_rules,
    save_rules,
)
from inspector.responses.document import RulesDocument

A, B, C = (Rule(name=n, path=f"/{n}", body=n) for n in "abc")


def test_opening_a_missing_file_gives_the_default_rules(tmp_path: Path) -> None:
    document = RulesDocument.open(tmp_path / "rules.json")
    assert document.rules == DEFAULT_RULES  # the favicon 404, then hello world
    assert document.rules[-1] == DEFAULT_RULE
    assert not document.is_dirty() and not document.load_error
    assert not (tmp_path / "rules.json").exists()


def test_opening_a_file_and_a_broken_one(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    save_rules(path, RuleSet(rules=(A, B)))
    assert RulesDocument.open(path).rules == (A, B)
    path.write_text('{"rules": [{"name": 3}]}', encoding="utf-8")
    document = RulesDocument.open(path, RuleSet(rules=(C,)))
    assert document.rules == (C,)  # the rules in use stay on show
    assert document.load_error == "rules.json: rules[0].name: expected a string, got a number"


def test_edits_and_problems_by_position() -> None:
    broken = Rule(name="broken", headers=(("X-A", "{{ oops"),), status=102)
    document = RulesDocument(RuleSet(rules=(A, broken)))
    assert [(p.rule, p.field, p.index) for p in document.all_problems()] == [
        (1, "status", None),
        (1, "headers", 0),
    ]
    assert document.insert(99, [C]) == 2
    assert document.rules == (A, broken, C)
    assert document.move(2, 1, 0)  # C before A
    assert document.rules == (C, A, broken)
    assert [p.rule for p in document.all_problems()] == [2, 2]  # problems moved with their rule
    assert not document.move(0, 1, 1)  # onto itself
    assert not document.replace(0, C)
    assert document.replace(2, B)
    assert document.all_problems() == []
    assert document.remove(0) == C
    assert document.unique_name("a") == "a 2" and document.unique_name("z") == "z"


def test_save_revert_take_and_export(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"rules": [{"name": "a", "future": 1}], "extra": True}), encoding="utf-8")
    document = RulesDocument.open(path)
    document.insert(0, [B])
    assert document.is_dirty()
    document.revert()
    assert not document.is_dirty() and [r.name for r in document.rules] == ["a"]
    document.take(RuleSet(rules=(C,), extra=(("other", 2),)))
    assert document.is_dirty()
    exported = document.export(tmp_path / "out" / "x.json")
    assert load_rules(tmp_path / "out" / "x.json").extra == exported.extra == (("other", 2),)
    saved = document.save()
    assert document.saved is saved and not document.is_dirty()
    assert json.loads(path.read_text(encoding="utf-8"))["other"] == 2


def test_save_refuses_what_the_file_could_not_read_back(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    document = RulesDocument(RuleSet(rules=(A,)), path)
    document.replace(0, Rule(name="bad", methods=("G T",)))
    with pytest.raises(RulesFileError, match=r"could not be read back .*methods\[0\]") as info:
        document.save()
    assert info.value.problem is not None and info.value.problem.field == "methods"
    assert not path.exists()
    with pytest.raises(RulesFileError, match="no file"):
        RulesDocument(RuleSet(rules=(A,))).save()
