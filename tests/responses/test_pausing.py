"""Pausing (Qt-free): a pause rule's request is held for a handler with the answer
its rule would send, answered once from another thread, and given up when the
client leaves; without a handler the rule answers at once."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

import pytest

from inspector.http.deferred import Deferred
from inspector.http.response import Response, serialise
from inspector.responses import Answer, Responder, Rule, RuleSet
from inspector.responses.pausing import (
    PauseBoard,
    PausedRequest,
    edited_answer,
    expiry_reason,
    headers_text,
    parse_headers,
    pauses_ignored,
    with_fault,
)
from tests.harness import start

PAY = Rule(
    name="pay",
    path="/pay",
    pause=True,
    responses=(Answer(status=503, body="busy"), Answer(status=200, body="ok {{ counter }}", delay_ms=50)),
)


class Handler:
    """Collects what the responder hands over (called on the loop thread)."""

    def __init__(self) -> None:
        self.held: queue.Queue[PausedRequest] = queue.Queue()
        self.gone_ids: queue.Queue[tuple[int, str]] = queue.Queue()

    def paused(self, request: PausedRequest) -> None:
        self.held.put(request)

    def gone(self, request_id: int, reason: str) -> None:
        self.gone_ids.put((request_id, reason))


def responder(handler: Handler | None) -> Responder:
    answering = Responder(RuleSet(rules=(PAY,)))
    answering.set_pause_handler(handler)
    return answering


def test_a_pause_rule_hands_over_the_answer_its_rule_would_send(make_record: Callable[..., Any]) -> None:
    handler = Handler()
    answering = responder(handler)
    first = answering(make_record(id=7, target="/pay"))
    second = answering(make_record(id=8, target="/pay"))
    assert isinstance(first, Deferred) and isinstance(second, Deferred)
    held = handler.held.get_nowait()
    assert held.id == 7 and held.deferred is first and held.rule == "pay"
    assert (held.answer.status, held.answer.body, held.answer.step, held.answer.steps) == (503, b"busy", 1, 2)
    later = handler.held.get_nowait()
    assert (later.answer.body, later.answer.step, later.answer.delay_ms) == (b"ok 2", 2, 50)
    assert isinstance(answering(make_record(target="/other")), Response)  # other rules: at once


def test_without_a_handler_a_pause_rule_answers_at_once(make_record: Callable[..., Any]) -> None:
    answer = responder(None)(make_record(target="/pay"))
    assert isinstance(answer, Response) and answer.status == 503


def test_each_way_of_answering_resolves_once(make_record: Callable[..., Any]) -> None:
    handler = Handler()
    answering = responder(handler)
    answering(make_record(target="/pay"))
    held = handler.held.get_nowait()
    assert held.let_rule_answer()
    assert held.deferred.response is held.answer
    assert not held.send_fault("reset")  # once only
    answering(make_record(target="/pay"))
    faulted = handler.held.get_nowait()
    assert faulted.send_fault("trickle", 10)
    sent = faulted.deferred.response
    assert sent is not None
    assert (sent.fault, sent.bytes_per_s, sent.delay_ms, sent.body) == ("trickle", 10, 0, b"ok 2")
    with pytest.raises(ValueError, match="not one of"):
        faulted.send_fault("explode")


def test_an_edited_answer_keeps_the_rule_and_step_and_is_checked() -> None:
    rule_answer = Response(
        status=503,
        reason="Wait",
        headers=(("X-A", "1"),),
        body=b"busy",
        rule="pay",
        step=1,
        steps=2,
        delay_ms=9,
    )
    edited = edited_answer(rule_answer, status=201, headers=[("X-B", "2")], body=b"made")
    assert (edited.status, edited.headers, edited.body) == (201, (("X-B", "2"),), b"made")
    assert serialise(edited, method="GET", keep_alive=True)[2] == "Created"  # not the 503's "Wait"
    assert (edited.rule, edited.step, edited.steps, edited.delay_ms, edited.fault) == ("pay", 1, 2, 0, None)
    faulted = edited_answer(rule_answer, status=200, headers=(), body=b"x", fault="malformed")
    assert faulted.fault == "malformed"
    for status, headers, problem in (
        (199, [], "status: 199 is informational"),
        (1000, [], "status: 1000 is not a status code"),
        (200, [("Bad Name", "v")], "'Bad Name' is not a header name"),
        (200, [("Content-Length", "3")], "computed by the listener"),
        (200, [("X", "a\r\nSet-Cookie: b")], r"control character U\+000D"),
    ):
        with pytest.raises(ValueError, match=problem):
            edited_answer(rule_answer, status=status, headers=headers, body=b"")


def test_header_lines_round_trip_and_say_which_line_is_wrong() -> None:
    pairs = (("Content-Type", "text/plain"), ("X-Dup", "a"), ("X-Dup", "b: c"))
    assert parse_headers(headers_text(pairs)) == (pairs, None)
    assert parse_headers("\n  \nX: 1\n") == ((("X", "1"),), None)
    assert parse_headers("X: 1\nno colon here") == ((("X", "1"),), "headers line 2: 'Name: value' expected")
    assert parse_headers("A b: 1")[1] == "headers line 1: 'A b' is not a header name"
    assert parse_headers("X: 1\x00")[1] == (
        "headers line 1: X: control character U+0000 at position 2 is not allowed in a header value"
    )
    many = "\n".join(f"X-{i}: {i}" for i in range(300))
    assert parse_headers(many)[1] == "headers: more than 200 lines"


def test_with_fault_without_one_only_drops_the_delay() -> None:
    answer = Response(status=200, body=b"x", delay_ms=500, fault="reset")
    assert with_fault(answer, None) == Response(status=200, body=b"x")
    assert with_fault(answer, "trickle").bytes_per_s == 1024


def test_the_board_ends_pauses_at_the_limit_with_a_close_fault(make_record: Callable[..., Any]) -> None:
    board = PauseBoard(limit=15.0)
    answer = Response(status=200, rule="pay", step=2, steps=3)
    early = PausedRequest(make_record(id=1), answer, Deferred(), paused_at=100.0)
    late = PausedRequest(make_record(id=2), answer, Deferred(), paused_at=110.0)
    board.add(early)
    board.add(late)
    assert board.ids() == {1, 2} and board.oldest() is early and 2 in board and len(board) == 2
    assert board.left(late, now=112.0) == 13.0
    assert board.expire(now=114.9) == []
    assert board.expire(now=115.0) == [early]
    assert board.ids() == {2} and board.get(1) is None
    ended = early.deferred.response
    assert ended is not None and (ended.fault, ended.error, ended.rule, ended.step) == (
        "close", expiry_reason(15.0), "pay", 2
    )  # fmt: skip
    assert expiry_reason(15.0) == "not answered: paused for 15 s without an answer (the idle limit)"
    assert board.remove(2) is late and board.remove(2) is None


def test_over_a_real_socket_the_answer_comes_from_another_thread_and_a_hang_up_is_told() -> None:
    handler = Handler()
    running = start(responder=responder(handler))
    try:
        client = running.connect()
        client.send(b"GET /pay HTTP/1.1\r\nHost: t\r\n\r\n")
        held = handler.held.get(timeout=10)
        assert client.is_open(0.0)  # nothing answered yet: the connection waits
        edited = edited_answer(held.answer, status=202, headers=[("X-Hand", "yes")], body=b"by hand")
        threading.Thread(target=held.send, args=(edited,)).start()
        response = client.response()
        assert (response.status, response.header("X-Hand"), response.body) == (202, "yes", b"by hand")
        record = running.sink.wait_for(lambda r: r.id == held.id)
        assert record.response is not None and (record.response.status, record.response.rule) == (202, "pay")
        assert (record.response.step, record.response.steps) == (1, 2)

        client.send(b"GET /pay HTTP/1.1\r\nHost: t\r\n\r\n")
        second = handler.held.get(timeout=10)
        client.close()
        gone_id, reason = handler.gone_ids.get(timeout=10)
        assert gone_id == second.id and "closed the connection" in reason
        assert not second.let_rule_answer()  # too late: nothing is sent
        record = running.sink.wait_for(lambda r: r.id == second.id)
        assert record.response is None and record.error == reason
    finally:
        running.stop()


def test_headless_names_the_pause_rules_it_answers_at_once() -> None:
    assert pauses_ignored([Rule(name="plain"), Rule(name="off", pause=True, enabled=False)]) is None
    assert pauses_ignored([PAY, Rule(name="b", pause=True)]) == (
        "note: pauses are ignored in headless mode (they need the window): 'pay', 'b' answer at once"
    )
    five = [Rule(name=f"r{i}", pause=True) for i in range(5)]
    assert pauses_ignored(five) == (
        "note: pauses are ignored in headless mode (they need the window): "
        "'r0', 'r1', 'r2', 'r3', 'r4' answer at once"
    )
    six = [Rule(name=f"r{i}", pause=True) for i in range(6)]
    assert pauses_ignored(six) == (
        "note: pauses are ignored in headless mode (they need the window): "
        "'r0', 'r1', 'r2', 'r3', 'r4' and 1 more answer at once"
    )
    many = [Rule(name=f"r{i}", pause=True) for i in range(7)]
    assert pauses_ignored(many) == (
        "note: pauses are ignored in headless mode (they need the window): "
        "'r0', 'r1', 'r2', 'r3', 'r4' and 2 more answer at once"
    )
