"""User regular expressions run on RE2: linear time, and a clear line for what RE2 cannot run."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.responses import Condition, Responder, Rule, RuleSet, explain, validate_rule
from inspector.responses.regex import MAX_PATTERN, LinearRegex, PatternError

UNSUPPORTED = [
    r"^/(a)\1",  # backreference
    r"^/(?P<x>a)(?P=x)",  # named backreference
    r"^/a(?=b)",  # lookahead
    r"^/a(?!b)",  # negative lookahead
    r"^/(?<=a)b",  # lookbehind
    r"^/a++",  # possessive
    r"^/(?>a)",  # atomic group
    r"^/a\Z",  # Python's end anchor (RE2 spells it \z)
    r"(?x)^/ a",  # verbose mode
]


@pytest.mark.parametrize("pattern", UNSUPPORTED)
def test_patterns_re2_cannot_run_are_refused_in_one_line(pattern: str) -> None:
    with pytest.raises(PatternError) as info:
        LinearRegex(pattern)
    message = str(info.value)
    assert "not supported by the linear-time matcher" in message
    assert "backreferences, lookaround" in message
    assert "\n" not in message


@pytest.mark.parametrize("pattern", [p for p in UNSUPPORTED if p.startswith("^")])
def test_a_rule_with_such_a_path_or_condition_reports_the_field(pattern: str) -> None:
    [problem] = validate_rule(Rule(name="r", path=pattern))
    assert (problem.field, problem.index) == ("path", None)
    assert "not supported" in problem.message
    condition = Condition(source="query", name="q", op="regex", value=pattern)
    [problem] = validate_rule(Rule(name="r", conditions=(Condition(source="body"), condition)))
    assert (problem.field, problem.index) == ("conditions", 1)


def test_invalid_patterns_say_so_as_python_would() -> None:
    with pytest.raises(PatternError, match="invalid regular expression: missing \\), unterminated"):
        LinearRegex("^/(a")


def test_long_patterns_are_refused() -> None:
    with pytest.raises(PatternError, match=f"longer than {MAX_PATTERN}"):
        LinearRegex("^" + "a" * MAX_PATTERN)


def test_groups_and_surrogates() -> None:
    regex = LinearRegex(r"^/(?P<id>\d+)(?P<rest>/.*)?$")
    assert regex.match("/12") == {"id": "12"}
    assert regex.match("/12/x") == {"id": "12", "rest": "/x"}
    assert regex.match("/x") is None
    assert LinearRegex("b").search("a\ud800b") == {}  # imported text may hold lone surrogates


HOSTILE = [
    # pattern, text, matches: each stalls a backtracking engine for minutes at this size
    ("^/(a+)+$", "/" + "a" * 100_000 + "!", False),
    ("^/(a|aa)*$", "/" + "a" * 100_000 + "!", False),
    ("^/(.*a){12}", "/" + "a" * 100_000, True),
    ("^/(.*a){12}b", "/" + "a" * 100_000, False),
    (r"^/(\w+\s?)*$", "/" + "ab " * 30_000 + "!", False),
]


@pytest.mark.parametrize(("pattern", "text", "matches"), HOSTILE)
def test_hostile_texts_finish_with_the_right_answer(pattern: str, text: str, matches: bool) -> None:
    assert (LinearRegex(pattern).match(text) is not None) is matches


def test_a_hostile_body_against_a_regex_condition(make_record: Any) -> None:
    condition = Condition(source="body", op="regex", value="(x+x+)+y")
    rule = Rule(name="c", conditions=(condition,), body="matched")
    responder = Responder(RuleSet(rules=(rule,)))
    assert responder(make_record(body=b"x" * 1_000_000 + b"!")).rule == "default"
    assert responder(make_record(body=b"x" * 1_000_000 + b"y")).rule == "c"


def test_a_hostile_path_against_a_regex_path(make_record: Any) -> None:
    rule = Rule(name="r", path="^/(a+)+$")
    assert not explain(rule, make_record(target="/" + "a" * 8000 + "!")).matched
    assert explain(rule, make_record(target="/" + "a" * 8000)).matched
