"""Deferred: an answer handed over later, once, from any thread (inspector/http/deferred.py).

The server parks a request on it; the window's pause, delays and forwarding resolve or
cancel it. What each call returns decides whether an answer is sent, and the record
shows the reason a request was given up.
"""

from __future__ import annotations

from inspector.http.deferred import Deferred
from inspector.http.response import Response

ANSWER = Response(status=202, body=b"later")


def test_a_new_handle_is_waiting_with_nothing_to_say() -> None:
    handle = Deferred()

    assert (handle.response, handle.cancelled, handle.cancel_reason, handle.upstream) == (
        None,
        False,
        "",
        None,
    )


def test_resolve_hands_the_answer_over_once() -> None:
    told: list[Deferred] = []
    handle = Deferred()
    assert handle.attach(told.append) is None

    assert handle.resolve(ANSWER) is True
    assert told == [handle] and handle.response is ANSWER
    assert handle.resolve(Response(status=500)) is False  # the first answer stands
    assert handle.response is ANSWER and told == [handle]
    assert handle.cancel("client went away") is False  # too late: the answer is on its way
    assert (handle.cancelled, handle.cancel_reason) == (False, "")
    assert handle.attach(told.append) is ANSWER


def test_cancel_gives_up_once_with_its_reason() -> None:
    reasons: list[str] = []
    handle = Deferred(on_cancel=reasons.append)

    assert handle.cancel("client went away") is True
    assert (handle.cancelled, handle.cancel_reason, reasons) == (
        True,
        "client went away",
        ["client went away"],
    )
    assert handle.cancel("listener stopped") is False
    assert handle.resolve(ANSWER) is False
    assert (handle.response, handle.cancel_reason, reasons) == (
        None,
        "client went away",
        ["client went away"],
    )
