"""Rule matching: path patterns, methods, conditions, explain()."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector.responses import Condition, Responder, Rule, RuleSet, explain
from inspector.responses.matching import PatternError, compile_path, resolve_json_path

PATHS = [
    # pattern, path, expected params (None = no match)
    ("/index.html", "/index.html", {}),
    ("/index.html", "/index.htm", None),
    ("/index.html", "/index.html/x", None),
    ("/*.html", "/page.html", {}),
    ("/*.html", "/a/page.html", None),
    ("/a/*/c", "/a/b/c", {}),
    ("/a/*/c", "/a/b/x/c", None),
    ("/a/*/c", "/a//c", {}),
    ("/api/**", "/api", {}),
    ("/api/**", "/api/", {}),
    ("/api/**", "/api/v1/users/7", {}),
    ("/api/**", "/apix", None),
    ("/**/end", "/end", {}),
    ("/**/end", "/a/b/end", {}),
    ("/**/end", "/a/b/endx", None),
    ("/files/**.txt", "/files/a/b.txt", {}),
    ("**", "*", {}),
    ("/**", "/anything/at/all", {}),
    ("/users/{id}", "/users/42", {"id": "42"}),
    ("/users/{id}", "/users/", None),
    ("/users/{id}", "/users/42/posts", None),
    ("/users/{id}/posts/{post}", "/users/7/posts/x", {"id": "7", "post": "x"}),
    ("/users/{name}", "/users/j%C3%A9r%C3%B4me", {"name": "jérôme"}),
    ("/users/{name}", "/users/a%2Fb", {"name": "a/b"}),
    ("/café", "/caf%C3%A9", {}),
    ("/a.b", "/axb", None),
    ("/a+b", "/a+b", {}),
    ("^/items/(?P<item>\\d+)$", "/items/12", {"item": "12"}),
    ("^/items/(?P<item>\\d+)$", "/items/ab", None),
    ("^/items/", "/items/anything/more", {}),
    ("^/(?P<a>x)?y", "/y", {}),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), PATHS)
def test_path_patterns(make_record: Any, pattern: str, path: str, expected: Any) -> None:
    rule = Rule(name="r", path=pattern)
    result = explain(rule, make_record(target=path))
    if expected is None:
        assert not result.matched
        assert result.failed == "path"
    else:
        assert result.matched, result.message
        assert result.params == expected


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("^/(unclosed", "invalid regular expression"),
        ("/users/{id", "does not start a {name} capture"),
        ("/users/{1x}", "does not start a {name} capture"),
        ("/{a}/{a}", "used twice"),
    ],
)
def test_bad_patterns(pattern: str, message: str) -> None:
    with pytest.raises(PatternError, match=message.replace("{", "\\{").replace("}", "\\}")):
        compile_path(pattern)


@pytest.mark.parametrize(
    ("methods", "method", "matched"),
    [
        ((), "GET", True),
        ((), "BREW", True),
        (("GET", "HEAD"), "HEAD", True),
        (("GET",), "POST", False),
        (("get",), "GET", True),
        (("POST",), "post", True),
    ],
)
def test_methods(make_record: Any, methods: tuple[str, ...], method: str, matched: bool) -> None:
    result = explain(Rule(name="r", methods=methods), make_record(method=method))
    assert result.matched is matched
    if not matched:
        assert result.failed == "method"
        assert method in result.message


JSON_BODY = (
    b'{"user": {"id": 42, "name": "Ann", "admin": true, "tags": ["a", "b"], "nil": null},'
    b' "items": [{"sku": "x1"}, {"sku": "y2"}]}'
)

CONDITIONS = [
    # source, name, op, value, record overrides, expected
    ("header", "X-Token", "equals", "abc", {"headers": (("x-token", "abc"),)}, True),
    ("header", "X-Token", "equals", "abc", {"headers": (("X-Token", "abd"),)}, False),
    ("header", "X-Token", "equals", "abc", {"headers": (("X-Token", "no"), ("X-Token", "abc"))}, True),
    ("header", "User-Agent", "contains", "curl", {"headers": (("User-Agent", "curl/8.5"),)}, True),
    ("header", "User-Agent", "contains", "curl", {"headers": (("User-Agent", "Mozilla"),)}, False),
    ("header", "Accept", "regex", "json$", {"headers": (("Accept", "application/json"),)}, True),
    ("header", "Accept", "regex", "^json", {"headers": (("Accept", "application/json"),)}, False),
    ("header", "Authorization", "present", "", {"headers": (("authorization", ""),)}, True),
    ("header", "Authorization", "present", "", {}, False),
    ("header", "Authorization", "absent", "", {}, True),
    ("header", "Authorization", "absent", "", {"headers": (("Authorization", "x"),)}, False),
    ("header", "X-Missing", "equals", "", {}, False),
    ("query", "lang", "equals", "fr", {"target": "/?lang=fr"}, True),
    ("query", "lang", "equals", "fr", {"target": "/?lang=en&lang=fr"}, True),
    ("query", "lang", "equals", "fr", {"target": "/?Lang=fr"}, False),
    ("query", "lang", "equals", "", {"target": "/?lang="}, True),
    ("query", "q", "contains", "oo", {"target": "/?q=food"}, True),
    ("query", "q", "regex", "^\\d+$", {"target": "/?q=123"}, True),
    ("query", "q", "regex", "^\\d+$", {"target": "/?q=12a"}, False),
    ("query", "debug", "present", "", {"target": "/?debug"}, True),
    ("query", "debug", "absent", "", {"target": "/?x=1"}, True),
    ("query", "n", "equals", 5, {"target": "/?n=5"}, True),
    ("body", "", "equals", "ping", {"body": b"ping"}, True),
    ("body", "", "contains", "needle", {"body": b"hay needle hay"}, True),
    ("body", "", "contains", "needle", {"body": b"hay"}, False),
    ("body", "", "regex", "^<\\?xml", {"body": b"<?xml version='1.0'?>"}, True),
    ("body", "", "present", "", {"body": b"x"}, True),
    ("body", "", "present", "", {}, False),
    ("body", "", "absent", "", {}, True),
    ("body", "", "contains", "é", {"body": "café".encode()}, True),
    ("json", "user.name", "equals", "Ann", {"body": JSON_BODY}, True),
    ("json", "user.id", "equals", 42, {"body": JSON_BODY}, True),
    ("json", "user.id", "equals", "42", {"body": JSON_BODY}, True),
    ("json", "user.id", "equals", 43, {"body": JSON_BODY}, False),
    ("json", "user.admin", "equals", True, {"body": JSON_BODY}, True),
    ("json", "user.admin", "equals", 1, {"body": JSON_BODY}, False),
    ("json", "user.admin", "equals", "true", {"body": JSON_BODY}, True),
    ("json", "user.nil", "equals", None, {"body": JSON_BODY}, True),
    ("json", "user.nil", "present", "", {"body": JSON_BODY}, True),
    ("json", "user.tags", "contains", "b", {"body": JSON_BODY}, True),
    ("json", "user.tags", "contains", "c", {"body": JSON_BODY}, False),
    ("json", "user", "contains", "admin", {"body": JSON_BODY}, True),
    ("json", "user.name", "contains", "nn", {"body": JSON_BODY}, True),
    ("json", "items.1.sku", "equals", "y2", {"body": JSON_BODY}, True),
    ("json", "items.2.sku", "present", "", {"body": JSON_BODY}, False),
    ("json", "items.2.sku", "absent", "", {"body": JSON_BODY}, True),
    ("json", "items.0.sku", "regex", "^x\\d$", {"body": JSON_BODY}, True),
    ("json", "user.id", "regex", "^4", {"body": JSON_BODY}, True),
    ("json", "user.name", "equals", "Ann", {"body": b"not json"}, False),
    ("json", "user", "absent", "", {"body": b"not json"}, True),
    ("json", "user", "present", "", {"body": b""}, False),
]


@pytest.mark.parametrize(("source", "name", "op", "value", "overrides", "expected"), CONDITIONS)
def test_conditions(
    make_record: Any,
    *,
    source: str,
    name: str,
    op: str,
    value: Any,
    overrides: dict[str, Any],
    expected: bool,
) -> None:
    cond = Condition(source=source, name=name, op=op, value=value)
    rule = Rule(name="r", conditions=(cond,))
    result = explain(rule, make_record(**overrides))
    assert result.matched is expected, result.message
    if not expected:
        assert result.failed == "condition"
        assert result.condition == 0


def test_all_conditions_must_hold_and_explain_names_the_failing_one(make_record: Any) -> None:
    rule = Rule(
        name="r",
        methods=("POST",),
        path="/login",
        conditions=(
            Condition(source="header", name="Content-Type", op="contains", value="json"),
            Condition(source="json", name="user", op="equals", value="admin"),
        ),
    )
    ok = make_record(
        method="POST",
        target="/login",
        headers=(("Content-Type", "application/json"),),
        body=b'{"user": "admin"}',
    )
    assert explain(rule, ok).matched
    bad = make_record(
        method="POST",
        target="/login",
        headers=(("Content-Type", "application/json"),),
        body=b'{"user": "guest"}',
    )
    result = explain(rule, bad)
    assert (result.matched, result.failed, result.condition) == (False, "condition", 1)
    assert result.message.startswith("condition 2 (json user equals 'admin')")
    assert "guest" in result.message
    assert explain(rule, make_record(method="GET", target="/login")).failed == "method"
    assert explain(rule, make_record(method="POST", target="/logout")).failed == "path"


def test_disabled_and_invalid_rules_never_match(make_record: Any) -> None:
    record = make_record()
    assert explain(Rule(name="r", enabled=False), record).failed == "disabled"
    bad_regex = Condition(source="query", name="q", op="regex", value="(")
    result = explain(Rule(name="r", conditions=(bad_regex,)), record)
    assert result.failed == "invalid"
    assert "condition 1" in result.message
    assert explain(Rule(name="r", path="^("), record).failed == "invalid"


def test_first_enabled_match_answers(make_record: Any) -> None:
    rules = RuleSet(
        rules=(
            Rule(name="off", enabled=False, body="off"),
            Rule(name="posts", methods=("POST",), body="posts"),
            Rule(name="api", path="/api/**", body="api"),
            Rule(name="all", body="all"),
            Rule(name="never", body="never"),
        )
    )
    responder = Responder(rules)
    assert responder(make_record(target="/api/x")).rule == "api"
    assert responder(make_record(method="POST", target="/api/x")).rule == "posts"
    assert responder(make_record(target="/other")).body == b"all"


def test_no_match_answers_with_the_default_rule(make_record: Any) -> None:
    responder = Responder(RuleSet(rules=(Rule(name="api", path="/api/**"),)))
    response = responder(make_record(target="/index.html?name=jack&age=18"))
    assert response.status == 200
    assert response.rule == "default"
    assert response.body == b"hello world"
    assert response.headers == (("Content-Type", "text/html; charset=utf-8"),)
    assert Responder()(make_record()).body == b"hello world"


@pytest.mark.parametrize(
    ("dotted", "found", "value"),
    [
        ("", True, {"a": [1, {"b": 2}]}),
        ("a", True, [1, {"b": 2}]),
        ("a.0", True, 1),
        ("a.1.b", True, 2),
        ("a.2", False, None),
        ("a.x", False, None),
        ("a.-1", False, None),
        ("z", False, None),
        # not ASCII digits: "²" passes str.isdigit() but int() refuses it, and
        # U+0661 (Arabic-Indic one) passes both; neither is a list index
        ("a.²", False, None),
        ("a.¹.b", False, None),
        ("a.\u0661", False, None),
        ("a.0²", False, None),
    ],
)
def test_resolve_json_path(dotted: str, found: bool, value: Any) -> None:
    assert resolve_json_path({"a": [1, {"b": 2}]}, dotted) == (found, value)


@pytest.mark.parametrize("step", ["²", "\u0661", "\U0001d7d8"])
def test_json_condition_with_a_non_ascii_digit_step_falls_through(make_record: Any, step: str) -> None:
    # before the fix "²" reached int() on a list and the request got the engine's 500
    rule = Rule(
        name="json",
        conditions=(Condition(source="json", name=f"items.{step}", op="present"),),
        body="matched",
    )
    record = make_record(
        method="POST", body=b'{"items": ["a", "b"]}', headers=(("Content-Type", "application/json"),)
    )
    assert not explain(rule, record).matched
    response = Responder(RuleSet(rules=(rule,)))(record)
    assert (response.status, response.error, response.body) == (200, None, b"hello world")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
    max_leaves=12,
)


#: path steps: ASCII digits, other Unicode digits and numbers (², ½, U+0661), letters
STEPS = st.text(st.characters(categories=["Nd", "No", "Nl"]) | st.sampled_from("0123456789ab"), max_size=3)


@given(st.lists(JSON_VALUES, min_size=1, max_size=4) | JSON_VALUES, st.lists(STEPS, min_size=1, max_size=4))
def test_resolve_json_path_never_raises(document: Any, steps: list[str]) -> None:
    found, value = resolve_json_path(document, ".".join(steps))
    assert found or value is None
