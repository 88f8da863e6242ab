"""Why a rule does not answer, word for word: a condition's reason, an answer's problems,
and the rules file's errors about conditions (matching.py, answers.py, schema.py)."""

from __future__ import annotations

import json

import pytest

from inspector.responses import FAULTS, Rule, validate_rule
from inspector.responses.matching import Matcher
from inspector.responses.model import Condition
from inspector.responses.rulesfile import RulesFileError, loads
from tests.responses.conftest import make_record


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        (Condition(source="header", name="X-A", op="equals", value="1"), "(header X-A equals '1'): absent"),
        (Condition(source="query", name="q", op="contains", value="1"), "(query q contains '1'): absent"),
        (Condition(source="header", name="X-A", op="present"), "(header X-A present): absent"),
        (
            Condition(source="json", name="a.b", op="equals", value=1),
            "(json a.b equals 1): not found in the JSON body",
        ),
        (
            Condition(source="json", name="a.b", op="present"),
            "(json a.b present): not found in the JSON body",
        ),
        (Condition(source="json", name="a", op="absent"), "(json a absent): found in the JSON body"),
    ],
)
def test_the_reason_a_condition_fails(condition: Condition, message: str) -> None:
    explained = Matcher(Rule(name="c", conditions=(condition,))).explain(make_record(body=b'{"a": {}}'))
    assert (explained.matched, explained.failed, explained.condition) == (False, "condition", 0)
    assert explained.message == f"condition 1 {message}"


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (Rule(name="f", fault="explode"), ("fault", f"'explode' is not one of {', '.join(FAULTS)}")),
        (
            Rule(name="f", fault="explode"),
            ("fault", "'explode' is not one of close, reset, hang, trickle, truncate, malformed"),
        ),
        (Rule(name="s", status=1.5), ("status", "status must be a number")),  # type: ignore[arg-type]
        (Rule(name="s", status=[200]), ("status", "status must be a number")),  # type: ignore[arg-type]
    ],
)
def test_an_answer_problem_names_its_field(rule: Rule, problem: tuple[str, str]) -> None:
    assert [(p.field, p.message) for p in validate_rule(rule)] == [problem]


@pytest.mark.parametrize(
    ("rule", "where", "detail"),
    [
        ({"conditions": [{"source": 5}]}, ".conditions[0].source", "source: expected a string, got a number"),
        ({"conditions": "x"}, ".conditions", "expected a list, got a string"),
    ],
)
def test_condition_errors_of_the_rules_file(rule: object, where: str, detail: str) -> None:
    with pytest.raises(RulesFileError) as info:
        loads(json.dumps({"rules": [rule]}), source="r.json")
    assert str(info.value) == f"r.json: rules[0]{where}: {detail.removeprefix('source: ')}"
    assert info.value.problem is not None
    assert info.value.problem.message == detail


def test_a_condition_without_a_value_compares_with_the_empty_string() -> None:
    text = json.dumps({"rules": [{"conditions": [{"source": "header", "name": "X", "op": "equals"}]}]})
    condition = loads(text).rules[0].conditions[0]
    assert condition.value == ""
    matcher = Matcher(Rule(name="c", conditions=(condition,)))
    assert matcher.match(make_record(headers=(("X", ""),))) is not None
    assert matcher.match(make_record(headers=(("X", "None"),))) is None
