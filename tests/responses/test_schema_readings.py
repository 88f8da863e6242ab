"""What the rules file's keys read as (schema.py): each accepted spelling of a key and the
rule or answer it gives, and what a rule writes back.

Each reading case gives one rule (the file's third, so its default name is "rule 3") and
the attributes it must have; answers are read through ``Rule.answers``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from inspector.responses import Answer, Condition, Rule, RuleSet, dumps, loads
from inspector.upstream.target import parse_target

UPSTREAM = "http://127.0.0.1:9000/api"


def third_rule(rule: dict[str, Any]) -> Any:
    return loads(json.dumps({"rules": [{}, {"name": "ok"}, rule]})).rules[2]


# (the rule, {attribute of the Rule: value})
RULES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({}, {"name": "rule 3", "methods": (), "listeners": (), "forward": None, "enabled": True}),
    ({"name": ""}, {"name": ""}),
    (
        {"methods": None, "conditions": None, "listeners": None},
        {"methods": (), "conditions": (), "listeners": ()},
    ),
    ({"methods": ""}, {"methods": ()}),
    ({"methods": "post"}, {"methods": ("POST",)}),
    ({"methods": ["get", "Put", "PROPFIND"]}, {"methods": ("GET", "PUT", "PROPFIND")}),
    ({"listeners": ["[::1]:8091", "127.0.0.1:80"]}, {"listeners": ("[::1]:8091", "127.0.0.1:80")}),
    ({"mode": "random"}, {"mode": "random"}),
    ({"mode": "cycle", "state_key": "{{ client }}"}, {"mode": "cycle", "state_key": "{{ client }}"}),
    ({"enabled": False, "cors": True, "pause": True}, {"enabled": False, "cors": True, "pause": True}),
    ({"path": "^/a$"}, {"path": "^/a$"}),
    ({"forward": None}, {"forward": None}),
    ({"forward": UPSTREAM}, {"forward": parse_target(UPSTREAM)}),
    (
        {"forward": {"url": UPSTREAM, "keep_host": True, "timeout_ms": 500}},
        {"forward": parse_target({"url": UPSTREAM, "keep_host": True, "timeout_ms": 500})},
    ),
    # a rule's own answer has no weight and no unknown keys: the rule keeps them
    ({"weight": -1, "x-note": "n"}, {"extra": (("weight", -1), ("x-note", "n")), "listed": False}),
    # an empty or null list of answers: the rule's own keys answer
    ({"responses": [], "status": 201}, {"listed": False, "status": 201}),
    ({"responses": None, "body": "b"}, {"listed": False, "body": "b"}),
    # one answer in a list stays a list (its records carry step 1 of 1)
    ({"responses": [{"status": 202}]}, {"listed": True, "responses": (Answer(status=202),)}),
    (
        {"conditions": [{"source": "json", "name": "a.b", "op": "present"}, {"source": "query"}]},
        {
            "conditions": (
                Condition(source="json", name="a.b", op="present", value=""),
                Condition(source="query", name="", op="equals", value=""),
            )
        },
    ),
    (
        {"conditions": [{"source": "header", "name": "X", "value": v} for v in (None, True, 1.5, "s")]},
        {"conditions": tuple(Condition(source="header", name="X", value=v) for v in (None, True, 1.5, "s"))},
    ),
]


@pytest.mark.parametrize(("rule", "attributes"), RULES)
def test_each_rule_key_reads_as(rule: dict[str, Any], attributes: dict[str, Any]) -> None:
    read = third_rule(rule)
    assert {name: getattr(read, name) for name in attributes} == attributes


# (one answer's keys, {attribute of the Answer: value}); read both as a rule's own
# answer and as the second answer of a list, except for the list-only keys
ANSWERS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({}, {"status": 200, "headers": (), "body": "", "body_file": "", "delay_ms": 0, "bytes_per_s": 0}),
    ({"status": 404, "body": "gone"}, {"status": 404, "body": "gone"}),
    ({"status": "{{ 200 + 1 }}"}, {"status": "{{ 200 + 1 }}"}),
    ({"status": 0}, {"status": 0}),
    ({"fault": None}, {"fault": None}),
    ({"fault": "hang"}, {"fault": "hang"}),
    ({"delay_ms": 5.0, "bytes_per_s": 7.0}, {"delay_ms": 5, "bytes_per_s": 7}),
    ({"delay_ms": 0.0, "bytes_per_s": 0}, {"delay_ms": 0, "bytes_per_s": 0}),
    ({"delay_ms": 1, "bytes_per_s": 1}, {"delay_ms": 1, "bytes_per_s": 1}),
    ({"body_file": "payloads/ok.png"}, {"body_file": "payloads/ok.png"}),
    (
        {"headers": {"X-A": 1, "X-B": 1.5, "X-C": "c", "X-D": -2}},
        {"headers": (("X-A", "1"), ("X-B", "1.5"), ("X-C", "c"), ("X-D", "-2"))},
    ),
    ({"headers": [["X", 2], ["X", ""]]}, {"headers": (("X", "2"), ("X", ""))}),
    ({"headers": {}}, {"headers": ()}),
]


@pytest.mark.parametrize(("keys", "attributes"), ANSWERS)
def test_each_answer_key_reads_as(keys: dict[str, Any], attributes: dict[str, Any]) -> None:
    own = third_rule(keys).answers
    listed = third_rule({"responses": [{"body": "first"}, keys]}).answers
    assert len(own) == 1 and len(listed) == 2
    assert listed[0] == Answer(body="first")
    for answer in (own[0], listed[1]):
        assert {name: getattr(answer, name) for name in attributes} == attributes
        assert answer.weight == 1 and answer.extra == ()


@pytest.mark.parametrize(
    ("keys", "weight", "extra"),
    [
        ({"weight": 0}, 0, ()),
        ({"weight": 0.5}, 0.5, ()),
        ({"weight": 0.0}, 0, ()),
        ({"weight": 2.0}, 2, ()),
        ({"weight": 3}, 3, ()),
        ({"weight": 1, "later": [1], "x": None}, 1, (("later", [1]), ("x", None))),
    ],
)
def test_an_answer_in_a_list_keeps_its_weight_and_unknown_keys(
    keys: dict[str, Any], weight: float, extra: tuple[tuple[str, Any], ...]
) -> None:
    answer = third_rule({"responses": [{}, keys]}).responses[1]
    assert answer.weight == weight and type(answer.weight) is type(weight)
    assert answer.extra == extra


def test_a_rich_rules_file_reads_back_as_it_was_written() -> None:
    text = json.dumps(
        {
            "rules": [
                {
                    "name": "rich",
                    "methods": ["GET"],
                    "conditions": [{"source": "json", "name": "a.b", "op": "regex", "value": "^x"}],
                    "listeners": ["8091"],
                    "forward": {"url": UPSTREAM, "keep_host": True},
                    "mode": "random",
                    "state_key": "{{ client }}",
                    "responses": [
                        {"status": 201, "headers": [["X", "1"]], "weight": 0.5, "later": {"a": 1}},
                        {"fault": "reset", "delay_ms": 3, "bytes_per_s": 9, "body_file": "b.bin"},
                    ],
                    "future": True,
                },
                {"name": "single", "status": "{{ 404 }}", "delay_ms": 2, "fault": "close", "pause": True},
            ]
        }
    )
    ruleset = loads(text)
    assert loads(dumps(ruleset)) == ruleset
    assert json.loads(dumps(loads(dumps(ruleset)))) == json.loads(dumps(ruleset))


def written(*rules: Any) -> list[dict[str, Any]]:
    document: dict[str, Any] = json.loads(dumps(RuleSet(rules=tuple(rules))))
    assert document["version"] == 2
    rules_json: list[dict[str, Any]] = document["rules"]
    return rules_json


def test_conditions_forward_and_unknown_keys_are_written_back() -> None:
    rule = third_rule(
        {
            "name": "w",
            "conditions": [{"source": "json", "name": "a.b", "op": "present", "value": None}],
            "forward": UPSTREAM,
            "responses": [{"later": 1, "body": "x"}, {"weight": 2, "status": 500}],
            "future": [1],
        }
    )
    assert written(rule) == [
        {
            "name": "w",
            "enabled": True,
            "methods": [],
            "path": "**",
            "conditions": [{"source": "json", "name": "a.b", "op": "present", "value": None}],
            "mode": "sequence",
            "responses": [
                {"status": 200, "headers": [], "body": "x", "later": 1},
                {"status": 500, "headers": [], "body": "", "weight": 2},
            ],
            "cors": False,
            "forward": UPSTREAM,
            "future": [1],
        }
    ]


def test_a_forward_with_options_is_written_as_an_object() -> None:
    rule = third_rule({"forward": {"url": UPSTREAM, "keep_host": True, "timeout_ms": 500}})
    forward = written(rule)[0]["forward"]
    assert forward == {"url": UPSTREAM, "timeout_ms": 500, "keep_host": True, "verify_tls": True}


def test_unknown_keys_never_overwrite_the_keys_a_rule_or_answer_writes() -> None:
    rule = Rule(name="k", extra=(("name", "other"), ("z", 1))).with_answers(
        (
            Answer(status=201, extra=(("status", 500), ("body", "other"), ("y", 2))),
            Answer(delay_ms=4, weight=0),
        )
    )
    first, second = written(rule)[0]["responses"]
    assert first == {"status": 201, "headers": [], "body": "", "y": 2}
    assert second == {"status": 200, "headers": [], "body": "", "delay_ms": 4, "weight": 0}
    document = written(rule)[0]
    assert (document["name"], document["z"]) == ("k", 1)
