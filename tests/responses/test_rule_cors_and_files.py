"""CORS option, rules file load/save, presets, snapshot swaps, no Qt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from inspector.http.response import serialise
from inspector.responses import (
    Condition,
    Responder,
    Rule,
    RuleSet,
    RulesFileError,
    default_rules_path,
    dumps,
    explain,
    list_presets,
    load_rules,
    loads,
    save_rules,
)

PREFLIGHT = {
    "method": "OPTIONS",
    "target": "/api/items",
    "headers": (
        ("Origin", "http://app.example"),
        ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", "content-type, x-token"),
    ),
}


def test_cors_rule_answers_preflight(make_record: Any) -> None:
    rule = Rule(
        name="api",
        methods=("GET", "PUT"),
        path="/api/**",
        conditions=(Condition(source="header", name="X-Token", op="present"),),
        cors=True,
        body="data",
    )
    record = make_record(**PREFLIGHT)
    response = Responder(RuleSet(rules=(rule,)))(record)
    assert (response.status, response.rule, response.body) == (204, "api", b"")
    headers = dict(response.headers)
    assert headers["Access-Control-Allow-Origin"] == "http://app.example"
    assert headers["Access-Control-Allow-Methods"] == "GET, PUT"
    assert headers["Access-Control-Allow-Headers"] == "content-type, x-token"
    assert headers["Access-Control-Max-Age"] == "600"
    why = explain(rule, record)
    assert (why.matched, why.message) == (True, "matches (CORS preflight)")


def test_cors_normal_answer_gets_allow_origin(make_record: Any) -> None:
    rule = Rule(name="api", path="/api/**", cors=True, body="data")
    with_origin = make_record(target="/api/x", headers=(("Origin", "http://a.example"),))
    response = Responder(RuleSet(rules=(rule,)))(with_origin)
    assert dict(response.headers)["Access-Control-Allow-Origin"] == "http://a.example"
    response = Responder(RuleSet(rules=(rule,)))(make_record(target="/api/x"))
    assert dict(response.headers)["Access-Control-Allow-Origin"] == "*"
    own = Rule(name="own", cors=True, headers=(("Access-Control-Allow-Origin", "https://x"),))
    response = Responder(RuleSet(rules=(own,)))(with_origin)
    assert [v for n, v in response.headers if n == "Access-Control-Allow-Origin"] == ["https://x"]


def test_preflight_not_for_other_paths_or_methods_or_non_cors_rules(make_record: Any) -> None:
    record = make_record(**PREFLIGHT)
    for rule in (
        Rule(name="p", path="/other/**", cors=True),
        Rule(name="m", methods=("GET",), path="/api/**", cors=True),
        Rule(name="n", path="/api/**"),
    ):
        response = Responder(RuleSet(rules=(rule,)))(record)
        assert response.status == 200 and response.body in (b"", b"hello world")
    origin_crlf = dict(PREFLIGHT)
    origin_crlf["headers"] = (("Origin", "x\r\nSet-Cookie: a=b"), *PREFLIGHT["headers"][1:])
    rule = Rule(name="c", cors=True)
    wire, *_ = serialise(
        Responder(RuleSet(rules=(rule,)))(make_record(**origin_crlf)),
        method="OPTIONS",
        keep_alive=True,
    )
    assert b"\r\nSet-Cookie" not in wire


FULL = {
    "version": 1,
    "future_top_level": {"kept": True},
    "rules": [
        {
            "name": "greet",
            "enabled": True,
            "methods": ["GET", "HEAD"],
            "path": "/hello/{name}",
            "conditions": [{"source": "query", "name": "lang", "op": "equals", "value": "fr"}],
            "status": 201,
            "headers": [
                ["Content-Type", "text/plain; charset=utf-8"],
                ["X-Name", "{{ request.params.name }}"],
            ],
            "body": "bonjour {{ request.params.name }} from {{ request.client.host }}",
            "delay_ms": 0,
            "future_rule_key": [1, 2],
        },
        {"name": "minimal"},
    ],
}


def test_design_example_loads_and_answers(make_record: Any, tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(FULL), encoding="utf-8")
    ruleset = load_rules(path, strict=True)
    response = Responder(ruleset)(make_record(target="/hello/jack?lang=fr"))
    assert (response.status, response.rule) == (201, "greet")
    assert response.body == b"bonjour jack from 127.0.0.1"
    assert dict(response.headers)["X-Name"] == "jack"
    minimal = ruleset.rules[1]
    assert (minimal.methods, minimal.path, minimal.status, minimal.body) == ((), "**", 200, "")


def test_save_load_round_trip_keeps_unknown_keys(tmp_path: Path) -> None:
    first = loads(json.dumps(FULL))
    path = tmp_path / "sub" / "rules.json"
    save_rules(path, first)
    again = load_rules(path)
    assert again == first
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["future_top_level"] == {"kept": True}
    assert saved["rules"][0]["future_rule_key"] == [1, 2]
    assert loads(dumps(again)) == again
    assert [p.name for p in path.parent.iterdir()] == ["rules.json"]  # no temp file left


def test_file_without_version_is_version_1() -> None:
    ruleset = loads('{"rules": [{"name": "a", "status": "{{ 200 }}"}]}')
    assert ruleset.version == 1 and ruleset.rules[0].status == "{{ 200 }}"


CORRUPT = [
    ("", "rules.json line 1 column 1: Expecting value"),
    ('{\n  "rules": [\n    {"name": "a",}\n  ]\n}', "rules.json line 3 column 18:"),
    ("[]", "rules.json: top level: expected an object"),
    ('{"version": 3, "rules": []}', "version 3 is newer"),
    ('{"version": "1"}', "version: expected a whole number"),
    ('{"rules": {}}', "rules: expected a list"),
    ('{"rules": [1]}', "rules[0]: expected an object"),
    ('{"rules": [{"status": true}]}', "rules[0].status: expected a number or a template"),
    ('{"rules": [{"methods": ["G ET"]}]}', "rules[0].methods[0]"),
    ('{"rules": [{"headers": [["X"]]}]}', "rules[0].headers[0]: expected a [name, value] pair"),
    ('{"rules": [{"headers": [["Bad Name", "v"]]}]}', "not a valid header name"),
    ('{"rules": [{"delay_ms": -1}]}', "rules[0].delay_ms: must not be negative"),
    ('{"rules": [{"delay_ms": "5"}]}', "rules[0].delay_ms: expected a whole number"),
    ('{"rules": [{"enabled": 1}]}', "rules[0].enabled: expected true or false"),
    ('{"rules": [{"conditions": [{"source": "cookie"}]}]}', "source: 'cookie' is not one of"),
    ('{"rules": [{"conditions": [{"source": "body", "op": "like"}]}]}', "op: 'like' is not one"),
    ('{"rules": [{"conditions": [{"source": "json", "value": []}]}]}', "value: expected a string"),
    ('{"rules": [{"body": 5}]}', "rules[0].body: expected a string, got a number"),
]


@pytest.mark.parametrize(("text", "message"), CORRUPT)
def test_corrupt_files_raise_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rules.json"
    path.write_text(text, encoding="utf-8")
    responder = Responder(RuleSet(rules=(Rule(name="keep"),)))
    with pytest.raises(RulesFileError) as info:
        responder.set_rules(load_rules(path))
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert [r.name for r in responder.ruleset.rules] == ["keep"]  # nothing half-loaded


def test_unreadable_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match="cannot read"):
        load_rules(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"rules": []}\xff')
    with pytest.raises(RulesFileError, match=r"bad\.json: not UTF-8"):
        load_rules(bad)


def test_template_errors_load_but_strict_refuses(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text('{"rules": [{"name": "b", "body": "x\\n{{ oops"}]}', encoding="utf-8")
    ruleset = load_rules(path)
    assert [(p.rule, p.field, p.line) for p in ruleset.problems()] == [(0, "body", 2)]
    with pytest.raises(RulesFileError, match="rule 'b': body line 2"):
        load_rules(path, strict=True)


def test_save_failure_keeps_old_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    save_rules(path, RuleSet(rules=(Rule(name="old"),)))
    target_is_dir = tmp_path / "adir"
    target_is_dir.mkdir()
    (target_is_dir / "x").write_text("x")
    with pytest.raises(RulesFileError, match="cannot write"):
        save_rules(target_is_dir, RuleSet())
    assert load_rules(path).rules[0].name == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "rules.json"]


def test_default_rules_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUEST_INSPECTOR_HOME", str(tmp_path))
    assert default_rules_path() == tmp_path / "rules.json"


EXPECTED_PRESETS = {
    # preset name: (record overrides, status, body check)
    "hello world": ({}, 200, lambda body: body == b"hello world"),
    "echo json": (
        {"method": "POST", "target": "/x?a=1", "body": b'{"k": 1}'},
        200,
        lambda body: json.loads(body)["json"] == {"k": 1} and json.loads(body)["args"] == {"a": "1"},
    ),
    "no content": ({}, 204, lambda body: body == b""),
    "not found": ({"target": "/nope"}, 404, lambda body: b"/nope" in body),
    "redirect": ({"target": "/?to=/next"}, 302, lambda body: b"/next" in body),
    "cors preflight": (PREFLIGHT, 204, lambda body: body == b""),
    "slow": ({}, 200, lambda body: b"2000" in body),
    "json api": (
        {"target": "/api/users/42"},
        200,
        lambda body: json.loads(body)["id"] == "42",
    ),
}


def test_every_preset_loads_and_renders(make_record: Any) -> None:
    presets = dict(list_presets())
    assert set(presets) == set(EXPECTED_PRESETS)
    for name, path in presets.items():
        ruleset = load_rules(path, strict=True)
        assert ruleset.rules, name
        overrides, status, check = EXPECTED_PRESETS[name]
        response = Responder(ruleset)(make_record(**overrides))
        assert response.error is None, (name, response.error)
        assert response.status == status, name
        assert check(response.body), (name, response.body)
        for rule in ruleset.rules:  # every rule renders without error
            assert Responder(RuleSet(rules=(rule,)))(make_record(**overrides)).error is None
    slow = load_rules(presets["slow"])
    assert Responder(slow)(make_record()).delay_ms == 2000
    redirect = Responder(load_rules(presets["redirect"]))(make_record(target="/?to=/next"))
    assert dict(redirect.headers)["Location"] == "/next"


def test_snapshot_swap_while_answering(make_record: Any) -> None:
    one = RuleSet(rules=(Rule(name="one", body="1"),))
    two = RuleSet(rules=(Rule(name="two", body="2"),))
    responder = Responder(one)
    record = make_record()
    stop = threading.Event()
    bad: list[Any] = []

    def serve() -> None:
        while not stop.is_set():
            response = responder(record)
            if (response.rule, response.body) not in (("one", b"1"), ("two", b"2")):
                bad.append(response)

    thread = threading.Thread(target=serve)
    thread.start()
    for i in range(200):
        responder.set_rules(two if i % 2 else one)
    stop.set()
    thread.join()
    assert bad == []
    assert responder.ruleset is two


def test_importing_the_layer_loads_no_qt() -> None:
    code = (
        "import sys, inspector.responses, inspector.responses.engine;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'));"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
