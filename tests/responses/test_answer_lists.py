"""Answer lists: sequence, cycle and weighted random modes, per-client state, faults as data."""

from __future__ import annotations

import collections
import random
from typing import Any

import pytest

from inspector.http.record import CaptureRecord, SentResponse
from inspector.responses import FAULTS, Answer, Responder, Rule, RuleSet, render, validate_rule
from inspector.responses.answers import DEFAULT_TRICKLE_RATE
from inspector.responses.preview import preview
from inspector.responses.state import MAX_STATES, AnswerState

THREE = (Answer(status=503, body="busy"), Answer(status=502, body="bad"), Answer(status=200, body="ok"))


def listed(mode: str, answers: tuple[Answer, ...] = THREE, **rule: Any) -> Responder:
    return Responder(RuleSet(rules=(Rule(name="pay", path="/pay", mode=mode, responses=answers, **rule),)))


def bodies(responder: Responder, record: CaptureRecord, count: int) -> list[bytes]:
    return [responder(record).body for _ in range(count)]


def test_sequence_answers_in_order_then_the_last_again(make_record: Any) -> None:
    responder = listed("sequence")
    record = make_record(target="/pay")
    answers = [responder(record) for _ in range(5)]
    assert [a.body for a in answers] == [b"busy", b"bad", b"ok", b"ok", b"ok"]
    assert [a.status for a in answers] == [503, 502, 200, 200, 200]
    assert [(a.step, a.steps) for a in answers] == [(1, 3), (2, 3), (3, 3), (3, 3), (3, 3)]
    assert {a.rule for a in answers} == {"pay"}


def test_cycle_wraps_around(make_record: Any) -> None:
    responder = listed("cycle")
    assert bodies(responder, make_record(target="/pay"), 7) == [
        b"busy", b"bad", b"ok", b"busy", b"bad", b"ok", b"busy",
    ]  # fmt: skip


def test_random_follows_the_weights_and_a_seed_repeats_it(make_record: Any) -> None:
    answers = (Answer(body="a", weight=1), Answer(body="b", weight=3), Answer(body="never", weight=0))
    record = make_record(target="/pay")

    def draws(seed: int) -> list[bytes]:
        rules = RuleSet(rules=(Rule(name="r", mode="random", responses=answers),))
        return bodies(Responder(rules, rng=random.Random(seed)), record, 4000)

    first = draws(7)
    assert first == draws(7)  # the same seed, the same answers
    assert first != draws(8)
    counts = collections.Counter(first)
    assert set(counts) == {b"a", b"b"}  # weight 0 is never drawn
    # 3:1 expected; with 4,000 draws a share outside 0.70-0.80 would be a >7-sigma event
    assert 0.70 < counts[b"b"] / len(first) < 0.80


def test_random_draws_record_which_answer_they_were(make_record: Any) -> None:
    rules = RuleSet(rules=(Rule(name="r", mode="random", responses=THREE),))
    responder = Responder(rules, rng=random.Random(1))
    for answer in (responder(make_record()) for _ in range(30)):
        assert answer.steps == 3 and answer.step is not None
        assert answer.body == THREE[answer.step - 1].body.encode()


def test_a_single_answer_rule_has_no_step(make_record: Any) -> None:
    answer = Responder(RuleSet(rules=(Rule(name="one", body="x"),)))(make_record())
    assert (answer.body, answer.step, answer.steps, answer.fault) == (b"x", None, None, None)
    # a list of one answer is still a list: the record says step 1 of 1
    one = Responder(RuleSet(rules=(Rule(name="l", responses=(Answer(body="y"),)),)))(make_record())
    assert (one.body, one.step, one.steps) == (b"y", 1, 1)


def test_state_key_keeps_one_counter_per_client(make_record: Any) -> None:
    responder = listed("sequence", state_key="{{ request.headers['X-Client'] }}")

    def call(client: str) -> bytes:
        return responder(make_record(target="/pay", headers=(("X-Client", client),))).body

    assert [call("a"), call("a"), call("b"), call("a"), call("b"), call("c")] == [
        b"busy", b"bad", b"busy", b"ok", b"bad", b"busy",
    ]  # fmt: skip
    assert responder.peek_counter("pay", "a") == 4
    assert responder.peek_counter("pay", "b") == 3
    assert responder.peek_counter("pay", "nobody") == 1


def test_without_state_key_every_client_shares_one_counter(make_record: Any) -> None:
    responder = listed("sequence")
    first = responder(make_record(target="/pay", client="10.0.0.1:1"))
    second = responder(make_record(target="/pay", client="10.0.0.2:1"))
    assert (first.body, second.body) == (b"busy", b"bad")


def test_state_resets_on_save_and_load_and_by_reset_state(make_record: Any) -> None:
    responder = listed("sequence")
    record = make_record(target="/pay")
    assert bodies(responder, record, 2) == [b"busy", b"bad"]
    responder.reset_state()
    assert bodies(responder, record, 1) == [b"busy"]
    responder.set_rules(responder.ruleset)  # what Save and a load do
    assert bodies(responder, record, 1) == [b"busy"]


def test_the_counter_variable_counts_within_the_state(make_record: Any) -> None:
    rule = Rule(
        name="c",
        state_key="{{ request.query.user }}",
        responses=(Answer(body="{{ counter }}"), Answer(body="n={{ counter }}")),
        mode="cycle",
    )
    responder = Responder(RuleSet(rules=(rule,)))
    got = [responder(make_record(target=f"/?user={u}")).body for u in "aaba"]
    assert got == [b"1", b"n=2", b"1", b"3"]


def test_a_failing_state_key_answers_500_naming_it(make_record: Any) -> None:
    responder = listed("sequence", state_key="{{ 1 // 0 }}")
    answer = responder(make_record(target="/pay"))
    assert answer.status == 500
    assert answer.error is not None and "state_key" in answer.error


def test_state_keeps_a_bounded_number_of_counters() -> None:
    state = AnswerState()
    for n in range(MAX_STATES + 50):
        state.advance("r", f"client {n}", "sequence", (1.0, 1.0))
    assert state.peek("r", "client 0") == 1  # the oldest was dropped: it starts again
    assert state.peek("r", f"client {MAX_STATES + 49}") == 2
    long_key = "x" * 10_000
    assert state.advance("r", long_key, "sequence", (1.0,)) == (1, 0)
    assert state.peek("r", long_key) == 2


@pytest.mark.parametrize("fault", FAULTS)
def test_faults_are_carried_in_the_response(make_record: Any, fault: str) -> None:
    answers = (Answer(status=200, body="payload", fault=fault),)
    answer = Responder(RuleSet(rules=(Rule(name="f", fault=fault, body="payload"),)))(make_record())
    assert (answer.fault, answer.body, answer.status) == (fault, b"payload", 200)
    assert answer.bytes_per_s == (DEFAULT_TRICKLE_RATE if fault == "trickle" else 0)
    in_list = listed("sequence", (*answers, Answer(body="fine")))(make_record(target="/pay"))
    assert (in_list.fault, in_list.step) == (fault, 1)


def test_trickle_takes_its_rate(make_record: Any) -> None:
    rule = Rule(name="slow", fault="trickle", bytes_per_s=10, body="0123456789")
    answer = Responder(RuleSet(rules=(rule,)))(make_record())
    assert (answer.fault, answer.bytes_per_s) == ("trickle", 10)


def test_each_answer_has_its_own_delay_and_problems(make_record: Any) -> None:
    rule = Rule(
        name="mixed",
        responses=(Answer(body="{{ 1 +", delay_ms=5), Answer(body="fine", delay_ms=250)),
    )
    problems = validate_rule(rule)
    assert [(p.answer, p.field, p.line) for p in problems] == [(0, "body", 1)]
    assert problems[0].where == "responses[0].body line 1"
    responder = Responder(RuleSet(rules=(rule,)))
    broken, fine = responder(make_record()), responder(make_record())
    assert broken.status == 500 and broken.error is not None and "responses[0].body" in broken.error
    assert (broken.step, broken.steps) == (1, 2)  # the record still says which answer failed
    assert (fine.body, fine.delay_ms, fine.step) == (b"fine", 250, 2)


@pytest.mark.parametrize(
    ("rule", "field", "message"),
    [
        (Rule(name="m", mode="shuffle", responses=THREE), "mode", "'shuffle' is not one of"),
        (
            Rule(name="w", mode="random", responses=(Answer(weight=0), Answer(weight=0))),
            "mode",
            "weight is above 0",
        ),
        (Rule(name="f", fault="explode"), "fault", "'explode' is not one of"),
        (Rule(name="s", state_key="{{ oops"), "state_key", "unexpected end of template"),
        (Rule(name="b", body="x", body_file="a.png"), "body_file", "not both"),
    ],
)
def test_rule_wide_and_answer_problems(rule: Rule, field: str, message: str) -> None:
    problems = validate_rule(rule)
    assert [p.field for p in problems] == [field]
    assert message in problems[0].message


def test_render_shows_the_answer_asked_for(make_record: Any) -> None:
    rule = Rule(name="r", mode="sequence", responses=THREE)
    record = make_record()
    assert [render(rule, record, answer=i).body for i in range(3)] == [b"busy", b"bad", b"ok"]
    assert render(rule, record, counter=2).body == b"bad"  # the counter picks it otherwise
    assert render(rule, record, counter=9).body == b"ok"


def test_preview_tells_which_answer_the_next_request_gets(make_record: Any) -> None:
    rule = Rule(name="pay", path="/pay", responses=THREE, state_key="{{ request.query.who }}")
    responder = Responder(RuleSet(rules=(rule,)))
    record = make_record(target="/pay?who=ann")
    responder(record)
    shown = preview(rule, (rule,), record, answer=0, state=responder.state)
    assert shown.pick is not None
    assert (shown.pick.step, shown.pick.steps, shown.pick.counter, shown.pick.state) == (2, 3, 2, "ann")
    assert "sequence: request 2" in shown.pick.why and "'ann'" in shown.pick.why
    assert shown.response is not None and shown.response.body == b"busy"  # the answer selected
    assert shown.gets is not None and shown.gets.body == b"bad"  # what the request gets
    assert responder.peek_counter("pay", "ann") == 2  # a preview counts nothing
    other = preview(rule, (rule,), make_record(target="/pay?who=bob"), state=responder.state)
    assert other.pick is not None and other.pick.step == 1


def test_preview_of_a_rule_that_does_not_answer_shows_what_does(make_record: Any) -> None:
    first = Rule(name="first", path="/pay", body="first wins")
    edited = Rule(name="edited", path="/pay", responses=THREE, mode="random")
    shown = preview(edited, (first, edited), make_record(target="/pay"))
    assert shown.answered_by == 0
    assert shown.gets is not None and shown.gets.body == b"first wins"
    assert shown.response is not None and shown.response.body == b"busy"
    assert shown.pick is not None and shown.pick.step is None and "random" in shown.pick.why
    assert "1: 33%" in shown.pick.why


def test_sent_response_round_trips_step_steps_and_fault() -> None:
    sent = SentResponse(status=200, rule="pay", step=2, steps=3, fault="trickle")
    again = SentResponse.from_json(sent.to_json())
    assert again == sent
    assert sent.to_json()["step"] == 2 and sent.to_json()["fault"] == "trickle"
    plain = SentResponse.from_json({"status": 200})  # a record from before these fields
    assert (plain.step, plain.steps, plain.fault) == (None, None, None)
