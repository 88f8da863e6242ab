"""The render budget counts the rendering thread's CPU time, not the wall clock: time the
thread spends without the CPU (a loaded machine, other threads holding the GIL) does not
use it up, and work does, at one clock read every CHECK_EVERY checkpoints."""

from __future__ import annotations

import threading
import time

import pytest

from inspector.responses import budget
from inspector.responses.budget import CHECK_EVERY, Budget, RenderLimitError, check_deadline, tick


def _spin_cpu(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_time_without_the_cpu_does_not_count() -> None:
    with Budget(0.05):
        # the wall clock passes the deadline while this thread waits (as when another
        # thread has the CPU or the GIL); the wait is the subject here, not a delay
        threading.Event().wait(0.2)
        check_deadline()
        for _ in range(CHECK_EVERY * 2):
            tick()


def test_work_counts_and_is_caught_at_the_next_clock_read() -> None:
    with Budget(0.02):
        _spin_cpu(0.03)
        with pytest.raises(RenderLimitError, match=r"^rendering took longer than 1 s of CPU time$"):
            check_deadline()
    with Budget(0.02):
        _spin_cpu(0.03)
        for _ in range(CHECK_EVERY - 1):
            tick()  # the clock is read only at every CHECK_EVERY-th checkpoint
        with pytest.raises(RenderLimitError):
            tick()


def test_each_thread_has_its_own_budget_and_outside_one_nothing_is_checked() -> None:
    _spin_cpu(0.01)
    check_deadline()  # no budget: nothing to exceed
    tick()
    failures: list[BaseException] = []

    def other() -> None:
        try:
            check_deadline()  # this thread has no budget, though the main one has
        except BaseException as exc:  # reported to the test below
            failures.append(exc)

    with Budget(0.0):
        _spin_cpu(0.001)
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        with pytest.raises(RenderLimitError):
            check_deadline()
    assert failures == []
    assert budget.current() is None
