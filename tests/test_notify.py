"""The notification policy: off by default, only while inactive, rate-limited and folded."""

from __future__ import annotations

from inspector.http.record import SentResponse
from inspector.notify import LINE_LIMIT, NotifyPolicy, describe
from tests.conftest import make_record


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def policy(clock: Clock) -> NotifyPolicy:
    made = NotifyPolicy(interval=10.0, clock=clock)
    made.enabled = True
    return made


def test_off_by_default_and_silent_while_the_window_is_active() -> None:
    clock = Clock()
    assert NotifyPolicy(clock=clock).arrived(["GET / -> 200"], active=False) is None
    on = policy(clock)
    assert on.arrived(["GET / -> 200"], active=True) is None
    assert on.arrived([], active=False) is None
    assert on.waiting == 0 and on.next_due() is None


def test_rate_limited_and_folded() -> None:
    clock = Clock()
    on = policy(clock)
    first = on.arrived(["GET /a -> 200"], active=False)
    assert first is not None and (first.text, first.count) == ("GET /a -> 200", 1)
    clock.now += 1.0
    assert on.arrived(["GET /b -> 200", "GET /c -> 200"], active=False) is None
    for n in range(9):
        clock.now += 0.5
        assert on.arrived([f"POST /hook -> {500 + n}"], active=False) is None
    assert on.waiting == 11
    assert on.next_due() == 10.0 - 5.5
    assert on.due() is None  # not before the interval is over
    clock.now = 1010.0
    folded = on.due()
    assert folded is not None
    assert (folded.text, folded.count) == ("11 new requests (last: POST /hook -> 508)", 11)
    assert on.waiting == 0 and on.next_due() is None and on.due() is None
    clock.now += 3.0  # within the interval of the folded notice
    assert on.arrived(["GET /d -> 200"], active=False) is None
    clock.now += 7.0
    single = on.due()
    assert single is not None and (single.text, single.count) == ("GET /d -> 200", 1)
    clock.now += 60.0  # a quiet spell: the next one is told at once
    batch = on.arrived(["GET /e -> 200", "GET /f -> 404"], active=False)
    assert batch is not None and batch.text == "2 new requests (last: GET /f -> 404)"


def test_activating_the_window_drops_what_waits() -> None:
    clock = Clock()
    on = policy(clock)
    assert on.arrived(["GET /a -> 200"], active=False) is not None
    assert on.arrived(["GET /b -> 200"], active=False) is None
    on.activated()
    assert on.waiting == 0 and on.due() is None
    clock.now += 1.0
    again = on.arrived(["GET /c -> 200"], active=False)  # back in the background: told at once
    assert again is not None and again.text == "GET /c -> 200"


def test_describe_is_one_short_escaped_line() -> None:
    record = make_record(method="POST", path="/hook<b>&\x1b[31m\u202e", response=SentResponse(status=500))
    line = describe(record)
    assert line == "POST /hook\\x3cb\\x3e\\x26\\x1b[31m\\u202e → 500"
    assert not {"<", ">", "&", "\x1b", "\u202e"} & set(line)
    assert describe(make_record(response=None)).endswith("→ no answer")
    assert describe(make_record(error="bad request")).endswith("→ malformed")
    long = describe(make_record(path="/" + "x" * 500))
    assert len(long) <= LINE_LIMIT + 1 and long.endswith("…")
