"""Path matching with percent-encoding, through both of a Matcher's ways in (match, explain)."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.responses import Condition, Rule
from inspector.responses.matching import Matcher
from tests.responses.conftest import make_record

PERCENT = [
    # pattern, path as sent, the captures (None: no match)
    ("/users/{name}", "/users/%FF", {"name": "\ufffd"}),  # not UTF-8: replaced, no error
    ("/users/{name}", "/users/a%C3", {"name": "a\ufffd"}),
    ("/users/{name}", "/users/a%2Fb%FF", {"name": "a/b\ufffd"}),
    ("/users/{name}", "/users/%zz", {"name": "%zz"}),  # not an escape: kept as sent
    ("/a/*", "/a%2Fb%FF", {}),  # matched only once decoded, bad bytes and all
    ("/a/{x}", "/a%2Fb%FF", {"x": "b\ufffd"}),
    ("/café", "/caf%C3%A9", {}),
    ("/café", "/caf%E9", None),  # Latin-1 escapes are not UTF-8
    ("/a b", "/a%20b", {}),
    ("/a%20b", "/a%20b", {}),  # matched as sent first
    ("/a/b", "/a%2Fb", {}),
    ("/a/b", "/a/c", None),
    ("/a/b", "/a%2Fc", None),
    ("^/u/(?P<n>.+)$", "/u/a%20b", {"n": "a%20b"}),  # regex groups stay as matched
    ("^/u/(?P<n>[a-z ]+)$", "/u/a%20b", {"n": "a b"}),  # ...unless only the decoded path matched
    ("^/café$", "/caf%C3%A9", {}),
    ("^/x$", "/x%FF", None),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), PERCENT)
def test_percent_encoded_paths(pattern: str, path: str, expected: Any) -> None:
    matcher = Matcher(Rule(name="r", path=pattern))
    record = make_record(target=path)
    assert matcher.match_path(path) == expected
    assert matcher.match(record) == expected
    result = matcher.explain(record)
    assert result.matched is (expected is not None)
    assert result.params == (expected if expected is not None else {})


def _cond(source: str, name: str, op: str, value: object = "") -> Condition:
    return Condition(source=source, name=name, op=op, value=value)


#: rule, record overrides, which part fails (None: the rule answers), the params it gives
BOTH_WAYS: list[tuple[Rule, dict[str, Any], str | None, dict[str, str]]] = [
    (Rule(name="r"), {}, None, {}),
    (Rule(name="r", enabled=False), {}, "disabled", {}),
    (Rule(name="r", listeners=("nope",)), {}, "invalid", {}),
    (Rule(name="r", path="^("), {}, "invalid", {}),
    (Rule(name="r", conditions=(_cond("cookie", "a", "equals"),)), {}, "invalid", {}),
    (Rule(name="r", listeners=("8091",)), {"server": "127.0.0.1:8090"}, "listener", {}),
    (Rule(name="r", listeners=("8090",)), {"server": "127.0.0.1:8090"}, None, {}),
    (Rule(name="r", methods=("POST",)), {"method": "GET"}, "method", {}),
    (Rule(name="r", methods=("post",)), {"method": "POST"}, None, {}),
    (Rule(name="r", path="/u/{id}"), {"target": "/v/1"}, "path", {}),
    (Rule(name="r", path="/u/{id}"), {"target": "/u/1"}, None, {"id": "1"}),
    (
        Rule(name="r", path="/u/{id}", conditions=(_cond("query", "a", "present"),)),
        {"target": "/u/1?a"},
        None,
        {"id": "1"},
    ),
    (
        Rule(name="r", path="/u/{id}", conditions=(_cond("query", "a", "present"),)),
        {"target": "/u/1?b"},
        "condition",
        {"id": "1"},
    ),
    (
        Rule(
            name="r",
            conditions=(_cond("query", "a", "present"), _cond("header", "X-B", "equals", "1")),
        ),
        {"target": "/?a", "headers": (("x-b", "2"),)},
        "condition",
        {},
    ),
]


@pytest.mark.parametrize(("rule", "overrides", "failed", "params"), BOTH_WAYS)
def test_match_and_explain_agree(
    rule: Rule, overrides: dict[str, Any], failed: str | None, params: dict[str, str]
) -> None:
    matcher = Matcher(rule)
    record = make_record(**overrides)
    result = matcher.explain(record)
    assert (result.matched, result.failed, result.params) == (failed is None, failed, params)
    assert matcher.match(record) == (params if failed is None else None)


@pytest.mark.parametrize(
    ("rule", "overrides", "message"),
    [
        (Rule(name="r"), {}, "matches"),
        (Rule(name="r", enabled=False), {}, "the rule is disabled"),
        (
            Rule(name="r", listeners=("8091", "[::1]:8092")),
            {"server": "127.0.0.1:8090"},
            "listener 127.0.0.1:8090 is not one of 8091, [::1]:8092",
        ),
        (Rule(name="r", listeners=("8091",)), {"server": ""}, "listener no listener is not one of 8091"),
        (
            Rule(name="r", methods=("POST", "PUT")),
            {"method": "GET"},
            "method GET is not one of POST, PUT",
        ),
        (Rule(name="r", path="/a"), {"target": "/b"}, "path '/b' does not match '/a'"),
        (
            Rule(name="r", listeners=("8091", "x" * 100)),
            {},
            f"listeners: {'x' * 80!r} is not a listener (e.g. 127.0.0.1:8090, [::1]:8091 or 8091)",
        ),
        (
            Rule(name="r", conditions=(_cond("cookie", "a", "equals"),)),
            {},
            "condition 1: unknown source 'cookie' (expected one of header, query, body, json)",
        ),
        (
            Rule(name="r", conditions=(_cond("body", "", "present"), _cond("query", "a", "is"))),
            {},
            "condition 2: unknown op 'is' (expected one of equals, contains, regex, present, absent)",
        ),
        (
            Rule(name="r", conditions=(_cond("header", "", "present"),)),
            {},
            "condition 1: a header condition needs a name",
        ),
        (
            Rule(name="r", conditions=(_cond("query", "", "present"),)),
            {},
            "condition 1: a query condition needs a name",
        ),
        (
            Rule(name="r", conditions=(_cond("header", "X-A", "absent"),)),
            {"headers": (("x-a", "1"),)},
            "condition 1 (header X-A absent): present",
        ),
        (
            Rule(name="r", conditions=(_cond("json", "a", "equals", {"k": "é"}),)),
            {"body": b'{"a": {"k": "e"}}'},
            "condition 1 (json a equals {'k': 'é'}): value is '{\"k\": \"e\"}'",
        ),
        (
            Rule(name="r", conditions=(_cond("json", "a", "equals", "x"),)),
            {"body": '{"a": ["é"]}'.encode()},
            "condition 1 (json a equals 'x'): value is '[\"é\"]'",
        ),
    ],
)
def test_what_explain_says(rule: Rule, overrides: dict[str, Any], message: str) -> None:
    assert Matcher(rule).explain(make_record(**overrides)).message == message


def test_a_listener_problem_is_at_its_index() -> None:
    matcher = Matcher(Rule(name="r", listeners=("8091", "nope")))
    assert matcher.problem is not None
    assert (matcher.problem.field, matcher.problem.index) == ("listeners", 1)
    assert matcher.match_path("/") is None  # the path is never compiled


def test_a_bare_port_listener_is_the_port_after_the_last_colon() -> None:
    matcher = Matcher(Rule(name="r", listeners=("8091",)))
    assert matcher.listener_ok("[::1]:8091") and matcher.listener_ok("127.0.0.1:8091")
    assert not matcher.listener_ok("[::1]:8090")


@pytest.mark.parametrize("op", ["equals", "contains"])
def test_only_regex_conditions_are_compiled_as_regexes(op: str) -> None:
    matcher = Matcher(Rule(name="r", conditions=(_cond("query", "q", op, "(a"),)))
    assert matcher.problem is None
    assert matcher.match(make_record(target="/?q=(a")) == {}


def test_a_json_value_is_compared_as_text_with_its_characters() -> None:
    condition = _cond("json", "a", "equals", '{"k": "é"}')
    matcher = Matcher(Rule(name="r", conditions=(condition,)))
    assert matcher.match(make_record(body='{"a": {"k": "é"}}'.encode())) == {}
    assert matcher.match(make_record(body=b'{"a": {"k": "e"}}')) is None


@pytest.mark.parametrize(("pattern", "matched"), [("^A", True), ("^B", False), ("n{2}", True), ("x", False)])
def test_a_json_regex_condition_fails_when_its_value_does_not_match(pattern: str, matched: bool) -> None:
    matcher = Matcher(Rule(name="r", conditions=(_cond("json", "user", "regex", pattern),)))
    record = make_record(body=b'{"user": "Ann"}')
    assert (matcher.match(record) is not None) is matched
    assert matcher.explain(record).matched is matched
