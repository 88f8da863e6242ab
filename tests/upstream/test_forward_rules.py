"""Forward rules in the rules file: parsed, checked in one line, written back."""

from __future__ import annotations

import json

import pytest
from fakeupstream import capture

from inspector.responses import RulesFileError, dumps, loads, render
from inspector.responses.model import Rule
from inspector.upstream import parse_target


def _one(rule: dict[str, object]) -> Rule:
    return loads(json.dumps({"rules": [rule]})).rules[0]


def test_a_url_string_is_short_for_an_object_with_defaults() -> None:
    rule = _one({"name": "api", "path": "/api/**", "forward": "http://127.0.0.1:9000/base"})
    assert rule.forward == parse_target("http://127.0.0.1:9000/base")
    assert rule.forward is not None and rule.forward.base_path == "/base"


def test_an_object_keeps_its_options_and_round_trips() -> None:
    forward = {"url": "https://127.0.0.1:9443/", "timeout_ms": 1500, "keep_host": True, "verify_tls": False}
    text = json.dumps({"rules": [{"name": "api", "forward": forward}]})
    rule = loads(text).rules[0]
    assert rule.forward is not None
    assert (rule.forward.timeout_ms, rule.forward.keep_host, rule.forward.verify_tls) == (1500, True, False)
    saved = json.loads(dumps(loads(text)))
    assert saved["rules"][0]["forward"] == forward
    assert loads(dumps(loads(text))).rules[0] == rule


def test_a_plain_forward_is_saved_as_its_url_and_a_rule_without_one_has_no_key() -> None:
    text = json.dumps({"rules": [{"name": "a", "forward": "http://h:1/x"}, {"name": "b"}]})
    saved = json.loads(dumps(loads(text)))["rules"]
    assert saved[0]["forward"] == "http://h:1/x"
    assert "forward" not in saved[1]


@pytest.mark.parametrize(
    ("forward", "says"),
    [
        ("ftp://h/", "must start with http:// or https://"),
        ("http://user:pw@h/", "must not hold user:password@"),
        ("http:///x", "has no host"),
        ("http://h:99999/", "invalid port"),
        ({"url": "http://h/", "timeout_ms": "soon"}, "timeout_ms must be a number"),
        ({"url": "http://h/", "keep_host": "yes"}, "keep_host must be true or false"),
        ({"url": "http://h/", "verify_tls": 3}, "verify_tls must be true, false or the path"),
        (42, "must be a URL or an object with a url"),
    ],
)
def test_a_bad_forward_is_one_line_naming_the_rule_and_key(forward: object, says: str) -> None:
    with pytest.raises(RulesFileError) as caught:
        loads(json.dumps({"rules": [{"name": "ok"}, {"name": "bad", "forward": forward}]}), source="r.json")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("r.json: rules[1].forward: ")
    assert says in message
    assert caught.value.problem is not None
    assert (caught.value.problem.rule, caught.value.problem.field) == (1, "forward")


def test_the_preview_of_a_forward_rule_says_where_requests_go_and_sends_nothing() -> None:
    rule = _one({"name": "api", "forward": "http://127.0.0.1:9/api"})
    shown = render(rule, capture(b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n"))
    assert shown.rule == "api"
    assert b"forwards the request to http://127.0.0.1:9/api" in shown.body
