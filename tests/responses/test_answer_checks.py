"""What an answer's checks let through and what they say, word for word: the bounds of a
status, the problems of negative numbers and of a body beside a body_file, how much of a
bad status the message shows."""

from __future__ import annotations

import pytest

from inspector.responses import Answer, Problem, Rule, render, validate_rule
from tests.responses.conftest import make_record


@pytest.mark.parametrize("status", [200, 999, "999", "{{ 999 }}", "{{ 200 }}"])
def test_the_edges_of_the_status_range_are_answered(status: int | str) -> None:
    rule = Rule(name="edge", status=status, body="x")
    assert validate_rule(rule) == []
    answer = render(rule, make_record())
    assert (answer.status, answer.error) == (int(str(status).strip("{} ")), None)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (1000, "1000 is not a status code (200-999)"),
        (199, "199 is informational (1xx), not a final answer: use 200-999"),
        (99, "99 is not a status code (200-999)"),
        ("x" * 50, f"{'x' * 40!r} is not a status code (200-999) or a template"),
        ("   ", "an empty status is not a status code (200-999) or a template"),
    ],
)
def test_a_status_out_of_range_is_refused_with_its_reason(status: int | str, message: str) -> None:
    assert validate_rule(Rule(name="s", status=status)) == [Problem(field="status", message=message)]


def test_a_rendered_status_out_of_range_names_what_it_rendered() -> None:
    long = render(Rule(name="s", status="{{ 'y' * 50 }}"), make_record())
    assert long.status == 500
    assert long.error == f"s: status: ValueError: {'y' * 40!r} is not a status code"
    high = render(Rule(name="s", status="{{ 1000 }}"), make_record())
    assert high.error == "s: status: ValueError: 1000 is not a status code (200-999)"


@pytest.mark.parametrize(
    ("answer", "field", "message"),
    [
        (Answer(delay_ms=-1), "delay_ms", "delay_ms must not be negative"),
        (Answer(fault="trickle", bytes_per_s=-5), "bytes_per_s", "bytes_per_s must not be negative"),
        (Answer(body="x", body_file="a.png"), "body_file", "an answer has a body or a body_file, not both"),
    ],
)
def test_negative_numbers_and_two_bodies_are_refused(answer: Answer, field: str, message: str) -> None:
    one = Rule(name="one").with_answers((answer,))
    assert validate_rule(one) == [Problem(field=field, message=message)]
    failed = render(one, make_record())
    assert (failed.status, failed.error) == (500, f"one: {field}: {message}")
    listed = Rule(name="two").with_answers((Answer(), answer))
    assert validate_rule(listed) == [Problem(field=field, message=message, answer=1)]
    assert render(listed, make_record(), answer=1).error == f"two: responses[1].{field}: {message}"


@pytest.mark.parametrize(("delay_ms", "sent"), [(0, 0), (1, 1), (10 * 60 * 1000 + 1, 10 * 60 * 1000)])
def test_the_delay_is_sent_as_written_up_to_its_cap(delay_ms: int, sent: int) -> None:
    assert render(Rule(name="d", delay_ms=delay_ms), make_record()).delay_ms == sent
