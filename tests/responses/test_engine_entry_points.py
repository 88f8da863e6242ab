"""The engine's two entry points (inspector/responses/engine.py): the live preview's
``render`` (a CORS preflight, which answer of a list it shows) and the responder the server
calls (a rule that cannot answer says why, a forward rule hands the request upstream)."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.http.deferred import Deferred
from inspector.http.response import Response
from inspector.responses import Answer, Responder, Rule, RuleSet, render
from inspector.responses.preview import preview
from inspector.responses.state import Pick
from inspector.upstream import parse_target
from tests.responses import test_forwarding_rules as forwarding_tests
from tests.responses.test_rule_cors_and_files import PREFLIGHT

upstream = forwarding_tests.upstream  # the fixture: a small upstream on 127.0.0.1


def test_the_preview_of_a_cors_rule_given_a_preflight_is_the_preflight_answer(make_record: Any) -> None:
    rule = Rule(name="api", methods=("GET", "PUT"), path="/api/**", cors=True, body="data")
    response = render(rule, make_record(**PREFLIGHT))
    assert (response.status, response.rule, response.body, response.error) == (204, "api", b"", None)
    assert response.headers == (
        ("Access-Control-Allow-Origin", "http://app.example"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Vary", "Origin"),
        ("Access-Control-Allow-Methods", "GET, PUT"),
        ("Access-Control-Allow-Headers", "content-type, x-token"),
        ("Access-Control-Max-Age", "600"),
    )


THREE = (Answer(body="first"), Answer(body="second"), Answer(body="third"))

PREVIEWED = [
    # mode, counter, answer asked for, body shown
    ("random", 1, None, "first"),
    ("random", 7, None, "first"),
    ("random", 1, 2, "third"),
    ("random", 1, 3, "first"),  # out of range: as if none was asked for
    ("random", 1, -1, "first"),
    ("sequence", 1, None, "first"),
    ("sequence", 2, None, "second"),
    ("sequence", 9, None, "third"),
    ("sequence", 2, 5, "second"),
    ("cycle", 4, None, "first"),
    ("cycle", 5, None, "second"),
    ("cycle", 1, 1, "second"),
]


@pytest.mark.parametrize(("mode", "counter", "answer", "body"), PREVIEWED)
def test_the_preview_shows_the_answer_asked_for_or_the_one_the_counter_picks(
    make_record: Any, mode: str, counter: int, answer: int | None, body: str
) -> None:
    rule = Rule(name="list", responses=THREE, mode=mode)
    response = render(rule, make_record(), counter=counter, answer=answer)
    assert (response.status, response.body.decode()) == (200, body), response.error


BROKEN = [
    # rule, the reason its 500 gives
    (Rule(name="bad", responses=THREE, mode="shuffle"), "mode: 'shuffle' is not one of"),
    (
        Rule(name="bad", responses=(Answer(weight=0), Answer(weight=0)), mode="random"),
        "mode: random mode needs an answer whose weight is above 0",
    ),
]


@pytest.mark.parametrize(("rule", "reason"), BROKEN)
def test_a_rule_that_cannot_answer_as_written_answers_500_saying_why(
    make_record: Any, rule: Rule, reason: str
) -> None:
    response = Responder(RuleSet(rules=(rule,)))(make_record())
    assert isinstance(response, Response)
    assert (response.status, response.rule) == (500, "bad")
    assert response.error is not None and response.error.startswith(f"bad: {reason}")
    assert f"\n\n{reason}" in response.body.decode()


def test_a_state_key_that_fails_is_previewed_as_no_state_and_answered_with_a_500(make_record: Any) -> None:
    rule = Rule(name="keyed", state_key="{{ 1 / 0 }}", responses=THREE)
    shown = preview(rule, (rule,), make_record())
    assert shown.pick == Pick(None, None, 1, "", "state_key fails: ZeroDivisionError: division by zero")
    response = Responder(RuleSet(rules=(rule,)))(make_record())
    assert isinstance(response, Response)
    assert (response.status, response.error) == (500, "keyed: state_key: ZeroDivisionError: division by zero")


def test_a_forward_rule_hands_the_request_to_its_upstream_and_answers_with_its_reply(
    make_record: Any, upstream: tuple[str, list[bytes]]
) -> None:
    url, received = upstream
    rule = Rule(name="fwd", path="/api/**", forward=parse_target(url + "/base"))
    responder = Responder(RuleSet(rules=(rule,)))
    try:
        deferred = responder(make_record(target="/api/x?a=1"))
        assert isinstance(deferred, Deferred)
        response = forwarding_tests._answer(deferred)
        assert (response.status, response.body, response.rule) == (201, b"ok", "fwd")
        assert forwarding_tests.ANSWER.endswith(response.body)
        assert received[0].startswith(b"GET /base/api/x?a=1 HTTP/1.1\r\n")
    finally:
        responder.close()
