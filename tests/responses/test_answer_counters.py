"""Counters and caps around an answer: the state's version after a reset (the editor's preview
refreshes on it), the preview of a random list whose weights are all 0, and the cap on all
text a template produces, at its exact edge."""

from __future__ import annotations

import pytest

from inspector.responses import Answer, Responder, Rule, RuleSet, render
from inspector.responses.budget import MAX_EMITTED, MAX_OUTPUT
from inspector.responses.engine import CompiledRule
from inspector.responses.preview import preview
from inspector.responses.state import AnswerState
from tests.responses.conftest import make_record


def test_every_reset_changes_the_state_version() -> None:
    state = AnswerState()
    seen = [state.version]
    state.advance("r", "", "sequence", [1.0])
    seen.append(state.version)
    state.reset()
    seen.append(state.version)
    state.reset()  # nothing to clear: the preview still refreshes
    seen.append(state.version)
    assert len(set(seen)) == len(seen)
    assert state.peek("r") == 1


def test_the_preview_of_a_random_list_without_weight_shows_no_chances() -> None:
    rule = Rule(name="w", mode="random", responses=(Answer(weight=0), Answer(weight=0)))
    state = Responder(RuleSet(rules=(rule,))).state
    shown = preview(rule, (rule,), make_record(), state=state)
    assert shown.pick is not None
    assert shown.pick.why == "random: each request draws by weight (1: -, 2: -)"


def emitting(inside_set: int) -> str:
    """A body that produces ``inside_set`` characters into a {% set %} block, then "ok"."""
    whole, rest = divmod(inside_set, MAX_OUTPUT)
    return (
        f"{{% set x %}}{{% for i in range({whole}) %}}{{{{ 'a' * {MAX_OUTPUT} }}}}{{% endfor %}}"
        f"{{{{ 'a' * {rest} }}}}{{% endset %}}ok"
    )


@pytest.mark.parametrize(
    ("inside_set", "status", "error"),
    [
        (MAX_EMITTED - 2, 200, None),  # with "ok": exactly MAX_EMITTED
        (MAX_EMITTED - 1, 500, f"e: body: the template produced more than {MAX_EMITTED} characters"),
    ],
)
def test_all_text_a_template_produces_is_capped(inside_set: int, status: int, error: str | None) -> None:
    answer = render(Rule(name="e", body=emitting(inside_set)), make_record())
    assert (answer.status, answer.error) == (status, error)
    if status == 200:
        assert answer.body == b"ok"


def test_a_state_key_sees_counter_as_0() -> None:
    # the key is rendered before the request is counted: ``counter`` is defined, as 0
    compiled = CompiledRule(Rule(name="k", state_key="user-{{ counter }}"))
    pick = compiled.foresee(make_record(), {}, AnswerState())
    assert pick.state == "user-0"
    assert pick.why == "one answer; request 1 since the state was reset for state key value 'user-0'"


def test_long_state_values_with_lone_surrogates_are_counted_apart() -> None:
    # a value over 200 characters is kept as a digest; a template can build lone surrogates
    rule = Rule(name="k", state_key="{{ request.query.who ~ '\\ud800' * 250 }}", body="{{ counter }}")
    responder = Responder(RuleSet(rules=(rule,)))
    bodies = [responder(make_record(target=f"/?who={who}")).body for who in ("a", "a", "b", "a", "b")]
    assert bodies == [b"1", b"2", b"1", b"3", b"2"]
