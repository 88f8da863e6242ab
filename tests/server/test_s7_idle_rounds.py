"""``Server.serve_forever`` itself, idle, on the test's clock: each ``select`` waits
until the next thing due (the sweep, a paused listener) and the clock moves by
that wait, so the test sees how long the loop would sleep without sleeping."""

from __future__ import annotations

import selectors
import socket
import time
from collections.abc import Iterator

import pytest

from inspector.http.response import default_responder
from inspector.server.deadlines import SWEEP_INTERVAL
from inspector.server.loop import Server
from inspector.server.sink import CallbackSink
from tests.server.test_loop_rounds import T0, Clock


class _PausedAcceptor:
    """A listener paused (out of descriptors) until ``until``; its socket is not watched."""

    def __init__(self, until: float) -> None:
        self.paused_until: float | None = until
        self.closed = False

    def resume(self) -> None:
        self.paused_until = None

    def close(self) -> None:
        self.closed = True


def _serve_rounds(server: Server, clock: Clock, rounds: int) -> list[float]:
    """Run ``serve_forever`` for ``rounds`` selects that find nothing; each one's timeout."""
    waits: list[float] = []
    real = server._sel.select

    def select(timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        assert timeout is not None
        waits.append(timeout)
        clock.advance(timeout)  # the whole wait passes: nothing happened meanwhile
        if len(waits) >= rounds:
            server.stop()
        return real(0)

    server._sel.select = select  # type: ignore[method-assign]
    server.serve_forever()
    return waits


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    made = Clock()
    monkeypatch.setattr(time, "monotonic", made)
    return made


def _server() -> Server:
    return Server("127.0.0.1", 0, sink=CallbackSink(lambda record: None), responder=default_responder)


def test_an_idle_loop_sleeps_until_each_next_sweep(clock: Clock) -> None:
    waits = _serve_rounds(_server(), clock, rounds=6)
    assert waits == pytest.approx([SWEEP_INTERVAL] * 6)


def test_a_paused_listener_is_watched_again_when_due_and_a_later_one_stays_paused(clock: Clock) -> None:
    server = _server()
    early, late = _PausedAcceptor(T0 + 0.3), _PausedAcceptor(T0 + 100.0)
    listeners = server._listeners
    listeners.by_fd.update({-101: early, -102: late})  # type: ignore[dict-item]
    listeners.paused_until = early.paused_until
    # The loop wakes at the first sweep, then at the early listener's due time, then sweeps on.
    waits = _serve_rounds(server, clock, rounds=4)
    assert waits == pytest.approx([SWEEP_INTERVAL, 0.05, SWEEP_INTERVAL - 0.05, SWEEP_INTERVAL])
    assert early.paused_until is None
    assert late.paused_until == T0 + 100.0
    assert early.closed and late.closed  # the server closed them on its way out


class _PausingAcceptor(_PausedAcceptor):
    """A listener whose next accept runs out of descriptors: it pauses until ``until``."""

    def __init__(self, until: float) -> None:
        super().__init__(until)
        self.due = until
        self.paused_until = None

    def accept(self) -> Iterator[tuple[socket.socket, str, str]]:
        self.paused_until = self.due
        yield from ()


def test_a_listener_that_pauses_while_accepting_wakes_the_loop_when_due(clock: Clock) -> None:
    server = _server()
    pausing = _PausingAcceptor(T0 + 0.1)
    server._listeners.by_fd[-103] = pausing  # type: ignore[assignment]
    server._accept(pausing)  # type: ignore[arg-type]
    assert server._listeners.paused_until == T0 + 0.1
    waits = _serve_rounds(server, clock, rounds=2)
    assert waits == pytest.approx([0.1, SWEEP_INTERVAL - 0.1])
    assert pausing.paused_until is None  # watched again on time, with no descriptor freed
