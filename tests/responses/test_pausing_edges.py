"""Pausing's edges (Qt-free): what an edited answer keeps and drops, the exact lines
that say why an edit cannot be sent, the header-line limit, and the board's clock
when no time is given."""

from __future__ import annotations

import time

import pytest

from inspector.http.deferred import Deferred
from inspector.http.response import Response
from inspector.responses.pausing import (
    MAX_EDITED_HEADERS,
    PauseBoard,
    PausedRequest,
    edited_answer,
    parse_headers,
    with_fault,
)
from tests.responses.conftest import make_record

#: a rule's answer with every field set, as an upstream relay or a failed rule leaves it
FULL = Response(
    status=503,
    headers=(("X-Rule", "1"),),
    body=b"busy",
    reason="Wait",
    rule="pay",
    delay_ms=900,
    error="pay: it broke",
    fault="hang",
    bytes_per_s=7,
    step=2,
    steps=3,
    length=77,
    raw_headers=True,
)


def test_an_edited_answer_is_only_what_the_person_wrote_plus_the_rules_name_and_step() -> None:
    edited = edited_answer(FULL, status=201, headers=[("X-Hand", "é")], body=b"made")
    assert edited == Response(
        status=201, headers=(("X-Hand", "é"),), body=b"made", rule="pay", step=2, steps=3
    )  # no phrase, delay, error, fault, announced length or Latin-1 headers of the rule's answer
    trickled = edited_answer(FULL, status=200, headers=(), body=b"x", fault="trickle", bytes_per_s=3)
    assert (trickled.fault, trickled.bytes_per_s, trickled.delay_ms) == ("trickle", 3, 0)
    at_the_rules_rate = edited_answer(FULL, status=200, headers=(), body=b"x", fault="trickle")
    assert at_the_rules_rate.bytes_per_s == 1024


def test_a_fault_sent_without_a_rate_trickles_at_the_rules_rate() -> None:
    held = PausedRequest(make_record(), FULL, Deferred())
    assert held.send_fault("trickle")
    sent = held.deferred.response
    assert sent is not None and (sent.fault, sent.bytes_per_s, sent.body) == ("trickle", 1024, b"busy")


@pytest.mark.parametrize(
    ("status", "headers", "message"),
    [
        (199, [], "status: 199 is informational (1xx), not a final answer: use 200-999"),
        (1000, [], "status: 1000 is not a status code (200-999)"),
        (200, [("Bad Name", "v")], "'Bad Name' is not a header name"),
        (200, [("content-length", "3")], "content-length is computed by the listener; remove it"),
        (200, [("Transfer-Encoding", "chunked")], "Transfer-Encoding is computed by the listener; remove it"),
        (
            200,
            [("X-Ok", "1"), ("X", "a\nb")],
            "X: control character U+000A at position 2 is not allowed in a header value",
        ),
    ],
)
def test_an_edit_that_cannot_be_sent_says_why_in_one_line(
    status: int, headers: list[tuple[str, str]], message: str
) -> None:
    with pytest.raises(ValueError) as caught:
        edited_answer(FULL, status=status, headers=headers, body=b"")
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("fault", "bytes_per_s", "rate"),
    [
        ("trickle", 0, 1024),
        ("trickle", 1, 1),
        ("trickle", -5, 1),
        ("trickle", 2, 2),
        ("reset", 9, 0),
        (None, 9, 0),
    ],
)
def test_a_fault_sent_by_hand_has_a_rate_only_when_it_trickles(
    fault: str | None, bytes_per_s: int, rate: int
) -> None:
    sent = with_fault(FULL, fault, bytes_per_s)
    assert (sent.fault, sent.bytes_per_s, sent.delay_ms, sent.body) == (fault, rate, 0, b"busy")


def test_an_unknown_fault_names_the_faults_there_are() -> None:
    with pytest.raises(ValueError) as caught:
        with_fault(FULL, "explode")
    assert str(caught.value) == "'explode' is not one of close, reset, hang, trickle, truncate, malformed"


def test_header_lines_are_trimmed_and_capped_at_the_limit() -> None:
    assert parse_headers("  X-A  :  1  \n\tX-B:2") == ((("X-A", "1"), ("X-B", "2")), None)
    at_limit = "\n".join(f"X-{i}: {i}" for i in range(MAX_EDITED_HEADERS))
    pairs, problem = parse_headers(at_limit)
    assert (len(pairs), problem) == (MAX_EDITED_HEADERS, None)
    pairs, problem = parse_headers(at_limit + "\nX-last: 1\nX-after: 2")
    assert len(pairs) == MAX_EDITED_HEADERS + 1 and pairs[-1] == ("X-last", "1")
    assert problem == "headers: more than 200 lines"
    assert parse_headers("X: 1\nContent-Length: 2") == (
        (("X", "1"),),
        "headers line 2: Content-Length is computed by the listener; remove it",
    )


def test_the_board_reads_the_clock_itself_when_no_time_is_given() -> None:
    board = PauseBoard(limit=60.0)
    now = time.monotonic()
    overdue = PausedRequest(make_record(id=1), FULL, Deferred(), paused_at=now - 3600.0)
    fresh = PausedRequest(make_record(id=2), FULL, Deferred(), paused_at=now + 3600.0)
    board.add(overdue)
    board.add(fresh)
    assert board.left(overdue) == 0.0 and board.left(fresh) == 60.0
    assert board.expire() == [overdue]
    assert board.ids() == {2} and overdue.deferred.response is not None
    assert fresh.deferred.response is None


def test_time_left_never_goes_below_nothing() -> None:
    board = PauseBoard(limit=15.0)
    held = PausedRequest(make_record(), FULL, Deferred(), paused_at=100.0)
    assert [board.left(held, now=now) for now in (90.0, 100.0, 114.0, 115.0, 200.0)] == [
        15.0,
        15.0,
        1.0,
        0.0,
        0.0,
    ]
    assert PauseBoard(limit=1.0).oldest() is None


def test_the_board_finds_a_held_request_by_its_id() -> None:
    board = PauseBoard(limit=15.0)
    first = PausedRequest(make_record(id=4), FULL, Deferred())
    second = PausedRequest(make_record(id=9), FULL, Deferred())
    board.add(first)
    board.add(second)
    assert (board.get(4), board.get(9), board.get(5)) == (first, second, None)
