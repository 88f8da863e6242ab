"""The rules file, version 2: answer lists, faults, body files, pause; version 1 files unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from inspector.responses import (
    Answer,
    Responder,
    Rule,
    RuleSet,
    RulesFileError,
    dumps,
    list_presets,
    load_rules,
    loads,
    save_rules,
)
from inspector.responses.rulesfile import FORMAT_VERSION
from tests.responses.served import write_rules

#: the example of the README's "Answer lists" (a client id keys the state)
FLAKY = {
    "version": 2,
    "rules": [
        {
            "name": "flaky",
            "path": "/pay",
            "mode": "sequence",
            "state_key": "{{ request.headers['X-Client'] }}",
            "responses": [
                {"status": 503, "body": "busy"},
                {"fault": "reset"},
                {"status": 200, "headers": [["Content-Type", "image/png"]], "body_file": "payloads/ok.png"},
            ],
        }
    ],
}

#: a rules file as version 1 wrote it (every key, in its order)
VERSION_1 = """{
  "version": 1,
  "rules": [
    {
      "name": "greet",
      "enabled": true,
      "methods": ["GET"],
      "path": "/hello/{name}",
      "conditions": [{"source": "query", "name": "lang", "op": "equals", "value": "fr"}],
      "status": 201,
      "headers": [["Content-Type", "text/plain; charset=utf-8"]],
      "body": "bonjour {{ request.params.name }} #{{ counter }}",
      "delay_ms": 0,
      "cors": false
    }
  ]
}
"""


def test_the_example_loads_with_its_answers_in_order(tmp_path: Path) -> None:
    ruleset = load_rules(write_rules(tmp_path, FLAKY), strict=True)
    rule = ruleset.rules[0]
    assert rule.listed and rule.mode == "sequence"
    assert rule.state_key == "{{ request.headers['X-Client'] }}"
    assert [a.status for a in rule.answers] == [503, 200, 200]
    assert [a.fault for a in rule.answers] == [None, "reset", None]
    assert rule.answers[2].body_file == "payloads/ok.png"
    assert ruleset.folder == tmp_path
    assert ruleset.body_files() == [tmp_path / "payloads" / "ok.png"]


def test_a_version_1_file_loads_and_answers_unchanged(make_record: Any, tmp_path: Path) -> None:
    ruleset = load_rules(write_rules(tmp_path, VERSION_1), strict=True)
    assert ruleset.version == 1
    rule = ruleset.rules[0]
    assert not rule.listed and rule.answers == (
        Answer(
            status=201,
            headers=(("Content-Type", "text/plain; charset=utf-8"),),
            body="bonjour {{ request.params.name }} #{{ counter }}",
        ),
    )
    responder = Responder(ruleset)
    answers = [responder(make_record(target="/hello/jack?lang=fr")) for _ in range(2)]
    assert [a.body for a in answers] == [b"bonjour jack #1", b"bonjour jack #2"]
    assert [(a.status, a.step, a.steps, a.fault) for a in answers] == [(201, None, None, None)] * 2


def test_a_version_1_file_is_saved_as_version_2_with_the_same_keys(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    save_rules(path, loads(VERSION_1))
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["version"] == FORMAT_VERSION == 2
    old = json.loads(VERSION_1)["rules"][0]
    assert saved["rules"][0] == old  # no new key for a rule that uses none
    assert load_rules(path) == loads(VERSION_1)


def test_every_shipped_preset_loads(tmp_path: Path) -> None:
    presets = list_presets()
    assert presets
    for _name, path in presets:
        ruleset = load_rules(path, strict=True)
        again = tmp_path / path.name
        save_rules(again, ruleset)
        assert load_rules(again) == ruleset


def test_answer_lists_round_trip_with_unknown_keys_kept(tmp_path: Path) -> None:
    rule = Rule(
        name="r",
        mode="random",
        state_key="{{ request.client.host }}",
        pause=True,
        responses=(
            Answer(status=503, body="busy", weight=3, delay_ms=20),
            Answer(fault="trickle", bytes_per_s=64, body="slow", weight=0.5),
            Answer(body_file="files/a.bin", extra=(("future_answer_key", [1]),)),
        ),
        extra=(("future_rule_key", True),),
    )
    text = dumps(RuleSet(rules=(rule,)))
    obj = json.loads(text)["rules"][0]
    assert obj["responses"][0] == {"status": 503, "headers": [], "body": "busy", "delay_ms": 20, "weight": 3}
    assert obj["responses"][1]["fault"] == "trickle" and obj["responses"][1]["bytes_per_s"] == 64
    assert obj["responses"][2]["future_answer_key"] == [1]
    assert obj["pause"] is True and obj["future_rule_key"] is True
    for own in ("status", "headers", "body", "delay_ms"):
        assert own not in obj  # a listed rule has no answer keys of its own
    assert loads(text).rules == (rule,)


def test_a_single_answer_may_use_the_new_keys_at_the_rule_level() -> None:
    text = '{"rules": [{"name": "logo", "path": "/logo.png", "body_file": "logo.png", "fault": "truncate"}]}'
    rule = loads(text).rules[0]
    assert not rule.listed
    assert (rule.body_file, rule.fault) == ("logo.png", "truncate")
    assert json.loads(dumps(RuleSet(rules=(rule,))))["rules"][0]["body_file"] == "logo.png"


def test_with_answers_stores_one_answer_in_the_rules_own_keys() -> None:
    rule = Rule(name="r", responses=(Answer(body="a"), Answer(body="b")), mode="cycle")
    one = rule.with_answers((Answer(status=404, body="gone", body_file="", delay_ms=5),))
    assert not one.listed and (one.status, one.body, one.delay_ms) == (404, "gone", 5)
    again = one.with_answers((Answer(body="x"), Answer(body="y")))
    assert again.listed and again.status == 200 and again.body == "" and again.mode == "cycle"
    with pytest.raises(ValueError, match="at least one answer"):
        rule.with_answers(())


@pytest.mark.parametrize(
    ("rules", "message", "where"),
    [
        ([{"mode": "shuffle"}], "rules[0].mode: 'shuffle' is not one of sequence, cycle", ("mode", None)),
        ([{"responses": {}}], "rules[0].responses: expected a list of answers", ("responses", None)),
        ([{"responses": [1]}], "rules[0].responses[0]: expected an object", ("responses", None)),
        (
            [{"responses": [{}, {"status": True}]}],
            "rules[0].responses[1].status: expected a number or a template string",
            ("status", 1),
        ),
        (
            [{"responses": [{"headers": [["X", "1"], ["Bad Name", "v"]]}]}],
            "rules[0].responses[0].headers[1]: 'Bad Name' is not a valid header name",
            ("headers", 0),
        ),
        ([{"responses": [{"fault": "boom"}]}], "responses[0].fault: 'boom' is not one of", ("fault", 0)),
        ([{"responses": [{"weight": -1}]}], "responses[0].weight: must not be negative", ("weight", 0)),
        ([{"responses": [{"weight": "2"}]}], "responses[0].weight: expected a number", ("weight", 0)),
        ([{"bytes_per_s": 1.5}], "rules[0].bytes_per_s: expected a whole number", ("bytes_per_s", None)),
        ([{"body_file": 7}], "rules[0].body_file: expected a file path string", ("body_file", None)),
        ([{"pause": "yes"}], "rules[0].pause: expected true or false", ("pause", None)),
        (
            [{"status": 201, "responses": [{}]}],
            'rules[0].responses: "status" beside "responses"',
            ("responses", None),
        ),
    ],
)
def test_invalid_answer_lists_are_one_line_errors_with_their_place(
    rules: list[Any], message: str, where: tuple[str, int | None]
) -> None:
    with pytest.raises(RulesFileError) as info:
        loads(json.dumps({"rules": rules}), source="rules.json")
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    problem = info.value.problem
    assert problem is not None and problem.rule == 0
    assert (problem.field, problem.answer) == where


def test_version_3_is_refused_and_version_2_read() -> None:
    assert loads('{"version": 2, "rules": []}').version == 2
    with pytest.raises(RulesFileError, match="version 3 is newer than this app reads \\(up to 2\\)"):
        loads('{"version": 3, "rules": []}')
