"""The rules document's smaller parts: the rule "New rule from request" makes, the exact path
pattern it uses, insert and move at the edges, body files of moved rules, and what a failed
open or save leaves."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from inspector.responses import DEFAULT_RULES, Rule, RuleSet, RulesFileError, save_rules
from inspector.responses.document import (
    NEW_RULE,
    RULE_NAME_LIMIT,
    RulesDocument,
    exact_path_pattern,
    rebased,
    rule_for_request,
)
from inspector.responses.engine import explain
from inspector.responses.model import Answer
from tests.responses.conftest import make_record

A, B, C, D = (Rule(name=n, path=f"/{n}", body=n) for n in "abcd")


@pytest.mark.parametrize(
    ("path", "pattern"),
    [
        ("", "/**"),
        ("/plain/path", "/plain/path"),
        ("/a*b", r"^/a\*b$"),
        ("/a{b}", r"^/a\{b\}$"),
        ("^/x", r"^\^/x$"),
    ],
)
def test_the_exact_pattern_of_a_path(path: str, pattern: str) -> None:
    assert exact_path_pattern(path) == pattern


@pytest.mark.parametrize("path", ["/plain/path", "/a*b", "/a{b}/c", "^/x", "/a.b(c)"])
def test_the_exact_pattern_matches_its_path_and_no_other(path: str) -> None:
    rule = Rule(name="r", path=exact_path_pattern(path))
    assert explain(rule, make_record(target=path)).matched
    assert not explain(rule, make_record(target=path + "x")).matched
    assert not explain(rule, make_record(target="/other")).matched


def test_a_rule_made_from_a_request_answers_its_method_and_exact_path() -> None:
    rule = rule_for_request(make_record(method="post", target="/api/a*b?x=1"))
    assert rule == dataclasses.replace(
        NEW_RULE, name="post /api/a*b", methods=("POST",), path=r"^/api/a\*b$", body="hello world\n"
    )
    assert rule.headers == (("Content-Type", "text/plain; charset=utf-8"),)


def test_a_rule_made_from_a_request_with_no_method_name() -> None:
    rule = rule_for_request(make_record(method="G T", target="/x"))
    assert rule.methods == () and rule.name == "G T /x"
    nameless = rule_for_request(make_record(method="", target="", path=""))
    assert nameless.name == "from request" and nameless.path == "/**"


def test_a_rule_made_from_a_long_request_is_named_within_the_limit() -> None:
    rule = rule_for_request(make_record(target="/" + "p" * 100))
    assert rule.name == ("GET /" + "p" * 100)[:RULE_NAME_LIMIT] + "\u2026"


def test_rebased_rules_name_the_same_body_files(tmp_path: Path) -> None:
    source, target = tmp_path / "one", tmp_path
    single = Rule(name="s", body_file="s.bin")
    listed = Rule(name="l", responses=(Answer(body_file="x.bin"), Answer(body="inline")))
    untouched = Rule(name="u", body="no file")
    out = rebased((single, listed, untouched), source, target)
    assert out[0].answers[0].body_file == "one/s.bin" and not out[0].listed
    assert out[1].listed
    assert [a.body_file for a in out[1].answers] == ["one/x.bin", ""]
    assert [a.body for a in out[1].answers] == ["", "inline"]
    assert out[2] is untouched


def test_insert_is_clamped_to_the_list() -> None:
    document = RulesDocument(RuleSet(rules=(A, B)))
    assert document.insert(-5, [C]) == 0
    assert document.rules == (C, A, B)
    assert document.insert(0, [D]) == 0
    assert list(document.rules) == [D, C, A, B]
    assert document.insert(99, [A]) == 4
    assert list(document.rules) == [D, C, A, B, A]


@pytest.mark.parametrize(
    ("row", "count", "before", "order"),
    [
        (0, 1, 2, "bacd"),
        (0, 2, 4, "cdab"),
        (1, 2, 4, "adbc"),
        (0, 1, 4, "bcda"),
        (2, 1, 0, "cabd"),
        (2, 2, 1, "acdb"),
    ],
)
def test_move_puts_rules_before_the_rule_named(row: int, count: int, before: int, order: str) -> None:
    document = RulesDocument(RuleSet(rules=(A, B, C, D)))
    problems = {rule.name: document.problems(i) for i, rule in enumerate(document.rules)}
    assert document.move(row, count, before)
    assert "".join(rule.name for rule in document.rules) == order
    assert all(document.problems(i) == problems[rule.name] for i, rule in enumerate(document.rules))


def test_a_file_that_cannot_be_opened_keeps_its_path_for_saving(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text("{ not json")
    document = RulesDocument.open(path, RuleSet(rules=(A,)))
    assert document.load_error
    assert document.rules == (A,)
    assert document.path == path and document.folder == tmp_path
    document.save()
    reopened = RulesDocument.open(path)
    assert (reopened.rules, reopened.load_error) == ((A,), "")
    path.write_text("{ not json")
    assert RulesDocument.open(path).rules == DEFAULT_RULES


def test_save_says_which_rule_could_not_be_read_back(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    save_rules(path, RuleSet(rules=(A,)))
    document = RulesDocument.open(path)
    document.replace(0, Rule(name="bad", methods=("G T",)))
    with pytest.raises(RulesFileError) as caught:
        document.save()
    assert str(caught.value) == (
        "the rules file could not be read back (rules: rules[0].methods[0]: 'G T' is not a method name)"
    )
