"""Which answer a request gets and what the editor's preview says about the next one: the whole
Pick that foresee gives for each mode at the edges of its list, the same through a rule's preview
with and without a ``state_key``, and the counters AnswerState keeps (its answers per mode, one
counter per rule and value, the least recently used dropped first, a version that changes on
every count, and a rule with one answer that takes no random draw from the others)."""

from __future__ import annotations

import random

import pytest

from inspector.responses import Answer, Rule
from inspector.responses.preview import preview
from inspector.responses.state import MAX_STATES, AnswerState, Pick, foresee
from tests.responses.conftest import make_record

THREE = (1.0, 1.0, 1.0)
SINCE = "since the state was reset"
REPEATS = "; the last answer repeats"
ANN = " for state key value 'ann'"
R = "random: each request draws by weight"
#: (mode, counter, weights, state_key value or None without a state_key)
Asked = tuple[str, int, tuple[float, ...], str | None]


@pytest.mark.parametrize(
    ("asked", "step", "steps", "why"),
    [
        # one answer: no step, whatever the mode
        (("sequence", 1, (1.0,), None), None, None, f"one answer; request 1 {SINCE}"),
        (("cycle", 7, (0.0,), "ann"), None, None, f"one answer; request 7 {SINCE}{ANN}"),
        (("random", 2, (), ""), None, None, f"one answer; request 2 {SINCE} for state key value ''"),
        # sequence: in order, then the last again
        (("sequence", 1, THREE, None), 1, 3, f"sequence: request 1 {SINCE}"),
        (("sequence", 3, THREE, None), 3, 3, f"sequence: request 3 {SINCE}"),
        (("sequence", 4, THREE, None), 3, 3, f"sequence: request 4 {SINCE}{REPEATS}"),
        (("sequence", 9, (1.0, 0.0), "ann"), 2, 2, f"sequence: request 9 {SINCE}{ANN}{REPEATS}"),
        (("sequence", 2, (1.0, 0.0), "ann"), 2, 2, f"sequence: request 2 {SINCE}{ANN}"),
        # cycle: round and round, the round counted from 1
        (("cycle", 1, THREE, None), 1, 3, f"cycle: request 1 {SINCE}, round 1"),
        (("cycle", 3, THREE, None), 3, 3, f"cycle: request 3 {SINCE}, round 1"),
        (("cycle", 4, THREE, None), 1, 3, f"cycle: request 4 {SINCE}, round 2"),
        (("cycle", 6, THREE, "ann"), 3, 3, f"cycle: request 6 {SINCE}{ANN}, round 2"),
        (("cycle", 7, (1.0, 1.0), None), 1, 2, f"cycle: request 7 {SINCE}, round 4"),
        # random: no draw is made, the chances are shown instead
        (("random", 5, (1.0, 3.0), "ann"), None, 2, f"{R} (1: 25%, 2: 75%)"),
        (("random", 1, (1.0, 2.0), None), None, 2, f"{R} (1: 33%, 2: 67%)"),
        (("random", 1, (0.0, 1.0, 1.0), None), None, 3, f"{R} (1: 0%, 2: 50%, 3: 50%)"),
        (("random", 3, (0.0, 0.0), None), None, 2, f"{R} (1: -, 2: -)"),
    ],
)
def test_foresee_says_which_answer_the_next_request_gets_and_why(
    asked: Asked, step: int | None, steps: int | None, why: str
) -> None:
    mode, counter, weights, state = asked
    shown = foresee(mode, counter, weights, state or "", keyed=state is not None)
    assert shown == Pick(step, steps, counter, state or "", why)


LIST = (Answer(body="one"), Answer(body="two"))


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (Rule(name="r", body="only"), Pick(None, None, 1, "", f"one answer; request 1 {SINCE}")),
        (
            Rule(name="r", body="only", state_key="{{ request.query.who }}"),
            Pick(None, None, 1, "ann", f"one answer; request 1 {SINCE}{ANN}"),
        ),
        (Rule(name="r", responses=LIST), Pick(1, 2, 1, "", f"sequence: request 1 {SINCE}")),
        (
            Rule(name="r", responses=LIST, mode="cycle"),
            Pick(1, 2, 1, "", f"cycle: request 1 {SINCE}, round 1"),
        ),
        (
            Rule(name="r", responses=LIST, state_key="{{ request.query.who }}"),
            Pick(1, 2, 1, "ann", f"sequence: request 1 {SINCE}{ANN}"),
        ),
        (
            Rule(name="r", responses=LIST, state_key="fixed"),  # plain text: one counter, named
            Pick(1, 2, 1, "fixed", f"sequence: request 1 {SINCE} for state key value 'fixed'"),
        ),
    ],
)
def test_the_preview_names_the_state_key_value_only_for_a_rule_with_one(rule: Rule, expected: Pick) -> None:
    shown = preview(rule, (rule,), make_record(target="/?who=ann"))
    assert (shown.pick, shown.gets_pick) == (expected, expected)


@pytest.mark.parametrize(
    ("mode", "weights", "answers"),
    [
        ("sequence", THREE, [0, 1, 2, 2, 2]),
        ("cycle", THREE, [0, 1, 2, 0, 1]),
        ("cycle", (1.0, 1.0), [0, 1, 0, 1, 0]),
        ("sequence", (1.0,), [0, 0, 0, 0, 0]),
        ("cycle", (1.0,), [0, 0, 0, 0, 0]),
        ("random", (1.0,), [0, 0, 0, 0, 0]),
        ("random", (0.0, 1.0, 0.0), [1, 1, 1, 1, 1]),
    ],
)
def test_each_count_returns_the_counter_and_the_answer_it_picks(
    mode: str, weights: tuple[float, ...], answers: list[int]
) -> None:
    state = AnswerState(random.Random(0))
    assert [state.advance("r", "", mode, weights) for _ in answers] == list(enumerate(answers, 1))


def test_random_answers_are_drawn_from_the_generator_given() -> None:
    weights = (1.0, 2.0, 3.0)
    state = AnswerState(random.Random(42))
    drawn = [state.advance("r", "", "random", weights)[1] for _ in range(30)]
    twin = random.Random(42)
    assert drawn == [twin.choices(range(3), weights=weights)[0] for _ in range(30)]
    assert len(set(drawn)) == 3


def test_without_a_generator_given_random_draws_every_answer() -> None:
    state = AnswerState()
    drawn = {state.advance("r", "", "random", THREE)[1] for _ in range(300)}
    assert drawn == {0, 1, 2}  # each missed with odds (2/3)**300


def test_a_rule_with_one_answer_takes_no_draw_from_the_random_rules() -> None:
    weights = (1.0, 1.0, 1.0, 1.0)
    state = AnswerState(random.Random(7))
    drawn = []
    for _ in range(20):
        assert state.advance("one", "", "random", (1.0,))[1] == 0
        drawn.append(state.advance("r", "", "random", weights)[1])
    twin = random.Random(7)
    assert drawn == [twin.choices(range(4), weights=weights)[0] for _ in range(20)]


def test_each_rule_and_state_value_counts_on_its_own() -> None:
    state = AnswerState()
    counts = [
        state.advance(rule, value, "sequence", THREE)
        for rule, value in [("a", ""), ("a", "x"), ("b", ""), ("a", ""), ("a", "x"), ("a", "")]
    ]
    assert counts == [(1, 0), (1, 0), (1, 0), (2, 1), (2, 1), (3, 2)]
    assert [state.peek("a"), state.peek("a", "x"), state.peek("b"), state.peek("b", "x")] == [4, 3, 2, 1]


def test_a_value_counted_again_is_kept_when_the_oldest_are_dropped() -> None:
    state = AnswerState()
    state.advance("r", "kept", "sequence", THREE)
    state.advance("r", "dropped", "sequence", THREE)
    for n in range(MAX_STATES - 2):
        state.advance("r", f"client {n}", "sequence", THREE)
    assert state.advance("r", "kept", "sequence", THREE) == (2, 1)  # now the most recent
    state.advance("r", "one too many", "sequence", THREE)
    assert (state.peek("r", "kept"), state.peek("r", "dropped")) == (3, 1)
    assert (state.peek("r", "client 0"), state.peek("r", "one too many")) == (2, 2)


def test_the_version_changes_on_every_count_and_reset() -> None:
    state = AnswerState()
    seen = [state.version]
    for rule in ("a", "a", "b", "a"):
        state.advance(rule, "", "sequence", THREE)
        seen.append(state.version)
    state.reset()
    seen.append(state.version)
    state.advance("a", "", "sequence", THREE)
    seen.append(state.version)
    assert len(set(seen)) == len(seen)
    state.peek("a")
    assert state.version == seen[-1]  # looking counts nothing
