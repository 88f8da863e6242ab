"""How an answer renders, by what a client or the window sees: the 500 that replaces a failed
answer (its one-line reason, where it failed), the output cap at its exact edge, template
comments, text that is not UTF-8, and answers built once (without templates; body files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.responses import MAX_OUTPUT, Answer, Responder, Rule, RuleSet, render
from inspector.responses.answers import failure_response
from tests.responses.conftest import make_record

LONG = 300  # the longest reason a failure shows whole


@pytest.mark.parametrize(
    ("reason", "shown"),
    [
        ("a" * LONG, "a" * LONG),
        ("a" * (LONG + 1), "a" * (LONG - 1) + "…"),
        ("b" * 1000, "b" * (LONG - 1) + "…"),
        ("two\n\tlines  here\r\n", "two lines here"),
    ],
)
def test_a_failure_shows_its_reason_on_one_line_of_at_most_300_characters(reason: str, shown: str) -> None:
    answer = failure_response("r", reason)
    assert (answer.status, answer.rule, answer.error) == (500, "r", f"r: {shown}")
    told = "Request Inspector: the response rule 'r' failed, so this 500 was sent instead of its answer."
    assert answer.body == f"{told}\n\n{shown}\n".encode()
    assert answer.headers == (("Content-Type", "text/plain; charset=utf-8"),)


def test_a_long_problem_reaches_the_client_cut_to_300_characters() -> None:
    name = "a b" * 150
    answer = render(Rule(name="h", headers=((name, "x"),)), make_record())
    reason = f"headers[0]: {name!r} is not a header name"
    assert answer.error == f"h: {reason[: LONG - 1]}…"


@pytest.mark.parametrize(
    ("rule", "answer", "error"),
    [
        (
            Rule(name="h", headers=(("X-A", "{{ 'a' ~ '\\x01' ~ 'b' }}"),)),
            None,
            "h: headers[0]: ValueError: X-A: control character U+0001 at position 2 "
            "is not allowed in a header value",
        ),
        (
            Rule(name="l").with_answers((Answer(), Answer(body="ok\n{{ 1 // 0 }}"), Answer())),
            1,
            "l: responses[1].body line 2: ZeroDivisionError: integer division or modulo by zero",
        ),
        (
            Rule(name="l").with_answers((Answer(), Answer(status="{{ 'no' }}"))),
            1,
            "l: responses[1].status: ValueError: 'no' is not a status code",
        ),
        (
            Rule(name="one", body="{{ 'x' * 20 }}{{ 1 // 0 }}"),
            None,
            "one: body line 1: ZeroDivisionError: integer division or modulo by zero",
        ),
    ],
)
def test_a_render_failure_names_the_answer_and_the_place(rule: Rule, answer: int | None, error: str) -> None:
    failed = render(rule, make_record(), answer=answer)
    assert (failed.status, failed.error) == (500, error)


TEMPLATED_STATUS = "{{ 200 }}"  # so the body is rendered for each request, not built once


@pytest.mark.parametrize("status", [200, TEMPLATED_STATUS])
def test_the_body_may_be_exactly_the_output_cap(status: int | str) -> None:
    answer = render(Rule(name="big", status=status, body="x" * MAX_OUTPUT), make_record())
    assert (answer.status, len(answer.body), answer.error) == (200, MAX_OUTPUT, None)


@pytest.mark.parametrize("status", [200, TEMPLATED_STATUS])
@pytest.mark.parametrize("body", ["x" * (MAX_OUTPUT + 1), "é" * (MAX_OUTPUT // 2 + 1)])
def test_a_body_over_the_output_cap_is_a_500_saying_so(status: int | str, body: str) -> None:
    answer = render(Rule(name="big", status=status, body=body), make_record())
    assert (answer.status, answer.error) == (500, f"big: body: output is larger than {MAX_OUTPUT} bytes")


@pytest.mark.parametrize(
    ("body", "sent"),
    [
        ("a{# a note for whoever edits the rule #}b", b"ab"),
        ("{#- only a note -#}", b""),
        ("a\ud800b", b"a?b"),  # a lone surrogate (JSON allows "\ud800") is sent as "?"
        ("{{ 'a' }}\udfff", b"a?"),
    ],
)
def test_comments_are_dropped_and_text_that_is_not_utf8_is_replaced(body: str, sent: bytes) -> None:
    answer = render(Rule(name="c", body=body), make_record())
    assert (answer.status, answer.body) == (200, sent)


@pytest.mark.parametrize("body", ["hi", "x" * MAX_OUTPUT])
def test_an_answer_without_templates_is_built_once(body: str) -> None:
    responder = Responder(RuleSet(rules=(Rule(name="plain", headers=(("X-A", "1"),), body=body),)))
    first = responder(make_record(target="/a"))
    assert (first.status, first.headers, first.body) == (200, (("X-A", "1"),), body.encode())
    assert responder(make_record(target="/b")) is first


def test_a_body_file_answer_renders_its_header_templates_for_each_request(tmp_path: Path) -> None:
    (tmp_path / "data.txt").write_bytes(b"same bytes")
    rule = Rule(name="f", body_file="data.txt", headers=(("X-Path", "{{ request.path }}"),))
    responder = Responder(RuleSet(rules=(rule,), folder=tmp_path))
    paths = [dict(responder(make_record(target=p)).headers)["X-Path"] for p in ("/a", "/b", "/a")]
    assert paths == ["/a", "/b", "/a"]


def test_a_plain_body_file_answer_is_built_once_per_version_of_the_file(tmp_path: Path) -> None:
    (tmp_path / "data.txt").write_bytes(b"one")
    responder = Responder(RuleSet(rules=(Rule(name="f", body_file="data.txt"),), folder=tmp_path))
    first = responder(make_record())
    assert first.body == b"one"
    assert responder(make_record()) is first
    (tmp_path / "data.txt").write_bytes(b"two!")
    assert responder(make_record()).body == b"two!"
