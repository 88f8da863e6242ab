"""CORS as the responder answers it (inspector/responses/engine.py): which rule answers a
preflight and with which headers, and what an Origin adds to a CORS rule's normal answer."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.http.response import Response
from inspector.responses import Responder, Rule, RuleSet

ASKS_PUT = (("Access-Control-Request-Method", "PUT"),)
FROM_APP = (("Origin", "http://app.example"),)
ANY_ORIGIN = (("Access-Control-Allow-Origin", "*"),)
APP_ORIGIN = (
    ("Access-Control-Allow-Origin", "http://app.example"),
    ("Access-Control-Allow-Credentials", "true"),
    ("Vary", "Origin"),
)
MAX_AGE = (("Access-Control-Max-Age", "600"),)

ANSWERED = [
    # rule, request headers, listener, headers of the 204
    (
        Rule(name="r", cors=True),
        ASKS_PUT,
        "127.0.0.1:8090",
        (*ANY_ORIGIN, ("Access-Control-Allow-Methods", "PUT"), *MAX_AGE),
    ),
    (
        Rule(name="r", cors=True),
        (("Access-Control-Request-Method", ""),),
        "127.0.0.1:8090",
        (*ANY_ORIGIN, ("Access-Control-Allow-Methods", ""), *MAX_AGE),
    ),
    (
        Rule(name="r", methods=("GET", "PUT"), cors=True),
        (*FROM_APP, *ASKS_PUT, ("Access-Control-Request-Headers", "x-a, x-b")),
        "127.0.0.1:8090",
        (
            *APP_ORIGIN,
            ("Access-Control-Allow-Methods", "GET, PUT"),
            ("Access-Control-Allow-Headers", "x-a, x-b"),
            *MAX_AGE,
        ),
    ),
    # a rule for OPTIONS answers the preflight whatever method it asks for
    (
        Rule(name="r", methods=("OPTIONS",), cors=True),
        ASKS_PUT,
        "127.0.0.1:8090",
        (*ANY_ORIGIN, ("Access-Control-Allow-Methods", "OPTIONS"), *MAX_AGE),
    ),
    (
        Rule(name="r", cors=True, listeners=("8091",)),
        ASKS_PUT,
        "[::1]:8091",
        (*ANY_ORIGIN, ("Access-Control-Allow-Methods", "PUT"), *MAX_AGE),
    ),
]


@pytest.mark.parametrize(("rule", "headers", "listener", "allowed"), ANSWERED)
def test_a_cors_rule_answers_a_preflight_with_what_it_allows(
    make_record: Any,
    rule: Rule,
    headers: tuple[tuple[str, str], ...],
    listener: str,
    allowed: tuple[tuple[str, str], ...],
) -> None:
    record = make_record(method="OPTIONS", target="/api/x", server=listener, headers=headers)
    response = Responder(RuleSet(rules=(rule,)))(record)
    assert isinstance(response, Response)
    assert (response.status, response.rule, response.body, response.error) == (204, "r", b"", None)
    assert response.headers == allowed


NOT_ANSWERED = [
    Rule(name="r", cors=True, listeners=("8091",)),  # another listener's rule
    Rule(name="r", cors=True, listeners=("127.0.0.1:8091",)),
    Rule(name="r", path="^(", cors=True),  # a path that cannot be compiled
    Rule(name="r", path="/other/**", cors=True),
    Rule(name="r", methods=("GET",), cors=True),
]


@pytest.mark.parametrize("rule", NOT_ANSWERED)
def test_a_preflight_the_cors_rule_does_not_cover_goes_to_the_next_rule(make_record: Any, rule: Rule) -> None:
    record = make_record(method="OPTIONS", target="/api/x", headers=ASKS_PUT)
    response = Responder(RuleSet(rules=(rule, Rule(name="next", body="fallback"))))(record)
    assert isinstance(response, Response)
    assert (response.status, response.rule, response.body) == (200, "next", b"fallback")


def test_a_cors_rules_answer_to_an_origin_allows_that_origin_with_credentials(make_record: Any) -> None:
    rule = Rule(name="r", cors=True, headers=(("X-A", "1"),), body="{{ request.method }}")
    responder = Responder(RuleSet(rules=(rule,)))
    response = responder(make_record(method="POST", headers=FROM_APP))
    assert isinstance(response, Response)
    assert (response.status, response.body) == (200, b"POST")
    assert response.headers == (("X-A", "1"), *APP_ORIGIN)
    response = responder(make_record(method="POST"))
    assert isinstance(response, Response)
    assert response.headers == (("X-A", "1"), *ANY_ORIGIN)
