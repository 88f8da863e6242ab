"""The rules file's load errors word for word, and what a rule writes back (schema.py).

Every structural error is one line naming its place (``rules[1].responses[0].weight``)
and carries a Problem the editor puts at that field; both are asserted exactly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from inspector.responses import Answer, Rule, RuleSet, RulesFileError, dumps, load_rules, loads

# (the second rule of the file, the message after "r.json: rules[1]",
#  the problem's (field, index, answer), the problem's message)
ERRORS: list[tuple[Any, str, tuple[str, int | None, int | None], str]] = [
    (
        {"status": None},
        ".status: expected a number or a template string",
        ("status", None, None),
        "expected a number or a template string",
    ),
    (
        {"responses": [{"weight": "2"}]},
        ".responses[0].weight: expected a number, got a string",
        ("weight", None, 0),
        "expected a number, got a string",
    ),
    (
        {"responses": [{"weight": -1}]},
        ".responses[0].weight: must not be negative",
        ("weight", None, 0),
        "must not be negative",
    ),
    (
        {"bytes_per_s": "x"},
        ".bytes_per_s: expected a whole number of bytes, got a string",
        ("bytes_per_s", None, None),
        "expected a whole number of bytes, got a string",
    ),
    ({"delay_ms": -2}, ".delay_ms: must not be negative", ("delay_ms", None, None), "must not be negative"),
    (
        {"delay_ms": None},
        ".delay_ms: expected a whole number of milliseconds, got null",
        ("delay_ms", None, None),
        "expected a whole number of milliseconds, got null",
    ),
    (
        {"body_file": 7},
        ".body_file: expected a file path string, got a number",
        ("body_file", None, None),
        "expected a file path string, got a number",
    ),
    (
        {"conditions": [{"source": "cookie"}]},
        ".conditions[0].source: 'cookie' is not one of header, query, body, json",
        ("conditions", 0, None),
        "source: 'cookie' is not one of header, query, body, json",
    ),
    (
        {"conditions": [{"source": "header", "op": 5}]},
        ".conditions[0].op: expected a string, got a number",
        ("conditions", 0, None),
        "op: expected a string, got a number",
    ),
    (
        {"conditions": [{"source": "header", "op": "like"}]},
        ".conditions[0].op: 'like' is not one of equals, contains, regex, present, absent",
        ("conditions", 0, None),
        "op: 'like' is not one of equals, contains, regex, present, absent",
    ),
    (
        {"conditions": [{"source": "header", "name": 3}]},
        ".conditions[0].name: expected a string, got a number",
        ("conditions", 0, None),
        "name: expected a string, got a number",
    ),
    (
        {"conditions": [{"source": "header", "value": [1]}]},
        ".conditions[0].value: expected a string, number, boolean or null",
        ("conditions", 0, None),
        "value: expected a string, number, boolean or null",
    ),
    (
        {"headers": [["X"]]},
        ".headers[0]: expected a [name, value] pair",
        ("headers", 0, None),
        "expected a [name, value] pair",
    ),
    (
        {"headers": [[5, "v"]]},
        ".headers[0]: expected a header name string, got a number",
        ("headers", 0, None),
        "expected a header name string, got a number",
    ),
    (
        {"headers": [["Bad Name", "v"]]},
        ".headers[0]: 'Bad Name' is not a valid header name",
        ("headers", 0, None),
        "'Bad Name' is not a valid header name",
    ),
    (
        {"headers": [["X", None]]},
        ".headers[0]: expected a string value, got null",
        ("headers", 0, None),
        "expected a string value, got null",
    ),
    (
        {"headers": [["X", True]]},
        ".headers[0]: expected a string value, got a boolean",
        ("headers", 0, None),
        "expected a string value, got a boolean",
    ),
    (
        {"headers": "X: 1"},
        ".headers: expected a list of [name, value] pairs, got a string",
        ("headers", None, None),
        "expected a list of [name, value] pairs, got a string",
    ),
    (
        {"responses": [{"headers": [["X", "1"], ["Y"]]}]},
        ".responses[0].headers[1]: expected a [name, value] pair",
        ("headers", 1, 0),
        "expected a [name, value] pair",
    ),
    (
        {"mode": 3},
        ".mode: expected a string, got a number",
        ("mode", None, None),
        "expected a string, got a number",
    ),
    (
        {"methods": 5},
        ".methods: expected a list of method names, got a number",
        ("methods", None, None),
        "expected a list of method names, got a number",
    ),
    (
        {"methods": ["GET", "G T"]},
        ".methods[1]: 'G T' is not a method name",
        ("methods", 1, None),
        "'G T' is not a method name",
    ),
    (
        {"listeners": "x"},
        '.listeners: expected a list of listeners ("127.0.0.1:8090"), got a string',
        ("listeners", None, None),
        'expected a list of listeners ("127.0.0.1:8090"), got a string',
    ),
    (
        {"forward": 5},
        ".forward: forward must be a URL or an object with a url",
        ("forward", None, None),
        "forward must be a URL or an object with a url",
    ),
    (
        {"enabled": "yes"},
        ".enabled: expected true or false, got a string",
        ("enabled", None, None),
        "expected true or false, got a string",
    ),
    (
        {"cors": 1},
        ".cors: expected true or false, got a number",
        ("cors", None, None),
        "expected true or false, got a number",
    ),
    (
        {"pause": "yes"},
        ".pause: expected true or false, got a string",
        ("pause", None, None),
        "expected true or false, got a string",
    ),
    (
        {"state_key": 1},
        ".state_key: expected a template string, got a number",
        ("state_key", None, None),
        "expected a template string, got a number",
    ),
    (
        {"path": 1},
        ".path: expected a string, got a number",
        ("path", None, None),
        "expected a string, got a number",
    ),
    (
        {"name": None},
        ".name: expected a string, got null",
        ("name", None, None),
        "expected a string, got null",
    ),
    (
        {"fault": 1},
        ".fault: expected a fault name or null, got a number",
        ("fault", None, None),
        "expected a fault name or null, got a number",
    ),
    (
        {"fault": "boom"},
        ".fault: 'boom' is not one of close, reset, hang, trickle, truncate, malformed",
        ("fault", None, None),
        "'boom' is not one of close, reset, hang, trickle, truncate, malformed",
    ),
    (5, ": expected an object, got a number", ("", None, None), "expected an object, got a number"),
    (
        {"responses": 1},
        ".responses: expected a list of answers, got a number",
        ("responses", None, None),
        "expected a list of answers, got a number",
    ),
    (
        {"responses": [None]},
        ".responses[0]: expected an object, got null",
        ("responses", 0, None),
        "expected an object, got null",
    ),
]


@pytest.mark.parametrize(("rule", "message", "where", "detail"), ERRORS)
def test_each_load_error_names_its_place_and_field(
    rule: Any, message: str, where: tuple[str, int | None, int | None], detail: str
) -> None:
    with pytest.raises(RulesFileError) as info:
        loads(json.dumps({"rules": [{}, rule]}), source="r.json")
    assert str(info.value) == "r.json: rules[1]" + message
    problem = info.value.problem
    assert problem is not None
    assert (problem.rule, (problem.field, problem.index, problem.answer)) == (1, where)
    assert problem.message == detail


def test_defaults_of_a_bare_rule() -> None:
    rule = loads('{"rules": [{}]}').rules[0]
    assert rule.name == "rule 1" and rule.enabled is True and rule.path == "**"
    assert rule.methods == () and rule.conditions == () and rule.listeners == ()
    assert rule.cors is False and rule.pause is False and rule.state_key == ""
    assert rule.mode == "sequence" and rule.forward is None and not rule.listed
    assert rule.answers == (Answer(),)
    answer = rule.answers[0]
    assert (answer.status, answer.headers, answer.body, answer.body_file) == (200, (), "", "")
    assert (answer.delay_ms, answer.fault, answer.bytes_per_s, answer.weight) == (0, None, 0, 1)


def test_every_key_is_read() -> None:
    rule = loads(
        json.dumps(
            {
                "rules": [
                    {
                        "name": "n",
                        "enabled": False,
                        "methods": "get",
                        "path": "/a/**",
                        "conditions": [{"source": "query", "name": "q", "op": "contains", "value": 3}],
                        "listeners": ["127.0.0.1:8090", "8091"],
                        "cors": True,
                        "pause": True,
                        "mode": "cycle",
                        "state_key": "{{ client }}",
                        "future": [1],
                        "responses": [
                            {"status": 201, "headers": {"X-A": 1}, "weight": 2.0, "later": "x"},
                            {"body": "b", "delay_ms": 5.0, "bytes_per_s": 7, "fault": "close"},
                        ],
                    }
                ]
            }
        )
    ).rules[0]
    assert (rule.name, rule.enabled, rule.methods, rule.path) == ("n", False, ("GET",), "/a/**")
    condition = rule.conditions[0]
    assert (condition.source, condition.name, condition.op, condition.value) == ("query", "q", "contains", 3)
    assert rule.listeners == ("127.0.0.1:8090", "8091")
    assert (rule.cors, rule.pause, rule.mode, rule.state_key) == (True, True, "cycle", "{{ client }}")
    assert rule.extra == (("future", [1]),)
    first, second = rule.responses
    assert (first.status, first.headers, first.extra) == (201, (("X-A", "1"),), (("later", "x"),))
    assert first.weight == 2 and isinstance(first.weight, int)
    assert (second.body, second.delay_ms, second.bytes_per_s, second.fault) == ("b", 5, 7, "close")
    assert second.weight == 1 and second.extra == ()


def test_a_rule_own_answer_keeps_no_unknown_keys_but_the_rule_does() -> None:
    rule = loads('{"rules": [{"status": 204, "weight": 9, "later": 1}]}').rules[0]
    assert rule.answers[0].status == 204 and rule.answers[0].weight == 1
    assert rule.answers[0].extra == ()
    assert rule.extra == (("weight", 9), ("later", 1))


def test_written_back_word_for_word() -> None:
    single = Rule(
        name="one",
        methods=("GET",),
        path="/x",
        listeners=("8091",),
        pause=True,
        extra=(("future", 1),),
    )
    listed = Rule(name="two", cors=True, mode="cycle", state_key="{{ client }}").with_answers(
        (
            Answer(status=201, delay_ms=5, weight=3),
            Answer(body="b", body_file="f.bin", fault="close", bytes_per_s=9),
        )
    )
    document = json.loads(dumps(RuleSet(rules=(single, listed))))
    assert document["rules"][0] == {
        "name": "one",
        "enabled": True,
        "methods": ["GET"],
        "path": "/x",
        "conditions": [],
        "listeners": ["8091"],
        "status": 200,
        "headers": [],
        "body": "",
        "delay_ms": 0,
        "cors": False,
        "pause": True,
        "future": 1,
    }
    assert document["rules"][1] == {
        "name": "two",
        "enabled": True,
        "methods": [],
        "path": "**",
        "conditions": [],
        "mode": "cycle",
        "state_key": "{{ client }}",
        "responses": [
            {"status": 201, "headers": [], "body": "", "delay_ms": 5, "weight": 3},
            {
                "status": 200,
                "headers": [],
                "body": "b",
                "body_file": "f.bin",
                "fault": "close",
                "bytes_per_s": 9,
            },
        ],
        "cors": True,
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", 'rules: top level: expected an object with "rules", got a list'),
        ('{"version": "2"}', "rules: version: expected a whole number, got a string"),
        ('{"version": 0}', "rules: version 0 is not a rules-file version"),
        ('{"version": 3}', "rules: version 3 is newer than this app reads (up to 2)"),
        ('{"rules": {}}', "rules: rules: expected a list, got an object"),
        ('{"x": 1' + "0" * 4000 + "}", "rules: an integer of 4001 digits (limit 4000)"),
        ('{"x": 1e400}', "rules: the number 1e400 is too large"),
        ('{"x": NaN}', "rules: NaN is not a number a rules file may hold"),
        ('{"x":' + "[" * 64 + "]" * 64 + "}", "rules: nested deeper than 64 levels"),
        ('{"a":', "rules line 1 column 6: Expecting value"),
    ],
)
def test_a_document_no_rules_file_can_hold_is_refused_word_for_word(text: str, message: str) -> None:
    with pytest.raises(RulesFileError) as info:
        loads(text)
    assert str(info.value) == message


def test_the_largest_integer_and_deepest_nesting_allowed_are_read() -> None:
    ruleset = loads('{"x": ' + "9" * 4000 + ', "y": ' + "[" * 63 + "]" * 63 + ', "z": 1.5}')
    extra = dict(ruleset.extra)
    assert extra["x"] == int("9" * 4000) and extra["z"] == 1.5
    depth, value = 1, extra["y"]
    while value:
        depth, value = depth + 1, value[0]
    assert depth == 63


def test_a_rules_file_points_relative_body_files_into_its_folder(tmp_path: Path) -> None:
    (tmp_path / "rules.json").write_text('{"rules": [{"name": "bad", "status": "{{ 1 +"}]}')
    ruleset = load_rules(tmp_path / "rules.json")
    assert ruleset.folder == tmp_path
    with pytest.raises(RulesFileError, match=r"^rules\.json: rule 'bad': ") as info:
        load_rules(tmp_path / "rules.json", strict=True)
    assert info.value.problem is not None and info.value.problem.field == "status"
