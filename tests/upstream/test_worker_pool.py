"""The worker pool on its own, with jobs the test controls: its bounds, counts, thread
names, withdrawing, expiring, closing and the deadline heap.

Jobs are held and released with events; deadlines are set in the past (expire at
once) or an hour ahead (never), or read from a fake clock put in the pool
module's place where a test needs a deadline to pass at a moment it chooses.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from fakeupstream import FakeClock

from inspector.upstream import pool as pool_module
from inspector.upstream.forwarder import Forwarder
from inspector.upstream.pool import WorkerPool

WAIT = 10.0


class FakeJob:
    """A job that records what the pool did with it; ``hold`` keeps it running until released."""

    def __init__(
        self,
        key: Hashable = "k",
        deadline: float | None = None,
        *,
        hold: bool = False,
        end_on_drop: bool = True,
        fail: bool = False,
        fail_expire: bool = False,
    ) -> None:
        self.key = key
        self.deadline = time.monotonic() + 3600 if deadline is None else deadline
        self.hold = hold
        self.end_on_drop = end_on_drop
        self.fail = fail
        self.fail_expire = fail_expire
        self.started = threading.Event()
        self.finished = threading.Event()
        self.release = threading.Event()
        self.expired = threading.Event()
        self.dropped = threading.Event()

    def run(self) -> None:
        self.started.set()
        try:
            if self.hold:
                self.release.wait(WAIT)
            if self.fail:
                raise RuntimeError("the job broke")
        finally:
            self.finished.set()

    def expire(self) -> None:
        self.expired.set()
        if self.fail_expire:
            raise RuntimeError("expiring broke")

    def drop(self) -> None:
        self.dropped.set()
        if self.end_on_drop:
            self.release.set()


Pools = Callable[..., WorkerPool]


@pytest.fixture
def pools() -> Iterator[Pools]:
    """Pools that must end every thread they started, closed after the test."""
    made: list[WorkerPool] = []

    def make(**options: Any) -> WorkerPool:
        pool = WorkerPool(**options)
        made.append(pool)
        return pool

    yield make
    for pool in made:
        assert pool.close(timeout=WAIT), "a pool thread did not end"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock(100.0)
    monkeypatch.setattr(pool_module, "time", fake)
    return fake


def poll(condition: Callable[[], bool]) -> bool:
    """True once ``condition`` holds (checked every millisecond, for at most WAIT seconds)."""
    end = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > end:
            return False
        threading.Event().wait(0.001)
    return True


def pool_threads(prefix: str) -> dict[str, bool]:
    return {t.name: t.daemon for t in threading.enumerate() if t.name.startswith(prefix)}


def test_a_pool_needs_a_worker_and_a_queue_limit_of_0_or_more() -> None:
    message = "a pool needs at least one worker and a queue limit of 0 or more"
    for workers, queue_limit in ((0, 0), (0, 5), (1, -1)):
        with pytest.raises(ValueError) as caught:
            WorkerPool(workers=workers, queue_limit=queue_limit)
        assert str(caught.value) == message
    nothing_waits = WorkerPool(workers=1, queue_limit=0)
    assert not nothing_waits.submit(FakeJob())  # a queue limit of 0 refuses every job
    assert nothing_waits.close(timeout=WAIT)


def test_per_key_defaults_to_three_quarters_of_the_workers() -> None:
    defaults = {workers: WorkerPool(workers=workers, queue_limit=1).per_key for workers in (1, 2, 4, 5, 8)}
    assert defaults == {1: 1, 2: 2, 4: 3, 5: 4, 8: 6}
    assert WorkerPool(workers=8, queue_limit=1, per_key=2).per_key == 2
    forwarder = Forwarder(workers=8, per_upstream=2)
    assert forwarder.pool.per_key == 2
    assert forwarder.close(timeout=WAIT)


def test_a_new_pool_is_open_idle_and_closes_at_once() -> None:
    pool = WorkerPool(workers=2, queue_limit=2)
    assert pool.closed is False
    assert (pool.queued, pool.busy, pool.threads) == (0, 0, 0)
    assert pool.close(timeout=WAIT) is True  # no thread was ever started
    assert pool.closed is True
    assert not pool.submit(FakeJob())


def test_busy_counts_the_running_jobs(pools: Pools) -> None:
    pool = pools(workers=1, queue_limit=4)
    first = FakeJob(hold=True)
    assert pool.submit(first) and first.started.wait(WAIT)
    assert (pool.busy, pool.queued) == (1, 0)
    first.release.set()
    assert poll(lambda: pool.busy == 0)
    second = FakeJob(hold=True)
    assert pool.submit(second) and second.started.wait(WAIT)
    assert (pool.busy, pool.queued, pool.threads) == (1, 0, 1)
    second.release.set()
    assert poll(lambda: pool.busy == 0)


def test_threads_are_named_daemons_started_only_when_no_worker_is_idle(pools: Pools) -> None:
    pool = pools(workers=3, queue_limit=4, name="probe")
    quick = FakeJob()
    assert pool.submit(quick) and quick.finished.wait(WAIT)
    assert poll(lambda: pool.busy == 0)
    held = FakeJob("a", hold=True)
    assert pool.submit(held) and held.started.wait(WAIT)
    assert pool.threads == 1  # the idle worker took it
    other = FakeJob("b", hold=True)
    assert pool.submit(other) and other.started.wait(WAIT)
    assert pool_threads("probe-") == {"probe-deadlines": True, "probe-1": True, "probe-2": True}
    held.release.set()
    other.release.set()


def test_withdraw_takes_out_only_a_waiting_job(pools: Pools) -> None:
    pool = pools(workers=1, queue_limit=4)
    running, waiting = FakeJob(hold=True), FakeJob()
    assert pool.submit(running) and running.started.wait(WAIT)
    assert pool.submit(waiting) and pool.queued == 1
    assert pool.withdraw(running) is False
    assert pool.withdraw(waiting) is True
    assert pool.queued == 0
    assert pool.withdraw(waiting) is False  # not in the pool any more
    running.release.set()
    assert pool.close(timeout=WAIT)
    assert not waiting.started.is_set()


def test_a_failing_job_is_logged_and_its_worker_goes_on(
    pools: Pools, caplog: pytest.LogCaptureFixture
) -> None:
    pool = pools(workers=1, queue_limit=4)
    broken, after = FakeJob(fail=True), FakeJob()
    with caplog.at_level(logging.ERROR, logger=pool_module.__name__):
        assert pool.submit(broken) and broken.finished.wait(WAIT)
        assert pool.submit(after) and after.finished.wait(WAIT)
    assert [(r.name, r.getMessage(), r.exc_info is not None) for r in caplog.records] == [
        (pool_module.__name__, "upstream job failed", True)
    ]
    assert pool.threads == 1


def test_a_waiting_job_past_its_deadline_expires_and_leaves_the_queue(pools: Pools) -> None:
    pool = pools(workers=1, queue_limit=4)
    blocker = FakeJob(hold=True)
    assert pool.submit(blocker) and blocker.started.wait(WAIT)
    late = FakeJob(deadline=time.monotonic() - 1)
    assert pool.submit(late)
    assert late.expired.wait(WAIT)
    assert poll(lambda: pool.queued == 0)
    assert pool.withdraw(late) is False
    later = FakeJob(deadline=time.monotonic() - 1)  # the timer goes on after expiring one
    assert pool.submit(later) and later.expired.wait(WAIT)
    blocker.release.set()
    assert pool.close(timeout=WAIT)
    assert not late.started.is_set() and not later.started.is_set()
    assert not blocker.expired.is_set()


def test_a_failing_expire_is_logged_and_the_timer_goes_on(
    pools: Pools, caplog: pytest.LogCaptureFixture
) -> None:
    pool = pools(workers=1, queue_limit=4)
    blocker = FakeJob(hold=True)
    assert pool.submit(blocker) and blocker.started.wait(WAIT)
    with caplog.at_level(logging.ERROR, logger=pool_module.__name__):
        broken = FakeJob(deadline=time.monotonic() - 1, fail_expire=True)
        assert pool.submit(broken) and broken.expired.wait(WAIT)
        after = FakeJob(deadline=time.monotonic() - 1)
        assert pool.submit(after) and after.expired.wait(WAIT)
    assert [(r.name, r.getMessage(), r.exc_info is not None) for r in caplog.records] == [
        (pool_module.__name__, "expiring an upstream job failed", True)
    ]
    blocker.release.set()


def test_a_deadline_of_exactly_now_has_passed(pools: Pools, clock: FakeClock) -> None:
    pool = pools(workers=1, queue_limit=4)
    blocker = FakeJob(deadline=1000.0, hold=True)
    assert pool.submit(blocker) and blocker.started.wait(WAIT)
    due = FakeJob(deadline=clock.now)
    assert pool.submit(due) and due.expired.wait(WAIT)
    blocker.release.set()


def test_a_finished_job_is_never_expired(
    pools: Pools, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    pool = pools(workers=1, queue_limit=4)
    with caplog.at_level(logging.ERROR, logger=pool_module.__name__):
        done = FakeJob(deadline=110.0)
        assert pool.submit(done) and done.finished.wait(WAIT)
        assert poll(lambda: pool.busy == 0)
        blocker = FakeJob(deadline=1000.0, hold=True)
        assert pool.submit(blocker) and blocker.started.wait(WAIT)
        clock.now = 200.0  # past the finished job's deadline
        late = FakeJob(deadline=105.0)
        assert pool.submit(late) and late.expired.wait(WAIT)
        blocker.release.set()
        assert pool.close(timeout=WAIT)
    assert not done.expired.is_set()
    assert not caplog.records


def test_close_drops_waiting_jobs_without_running_them(pools: Pools) -> None:
    pool = pools(workers=1, queue_limit=4)
    running, waiting = FakeJob(hold=True), FakeJob()
    assert pool.submit(running) and running.started.wait(WAIT)
    assert pool.submit(waiting)
    assert pool.close(timeout=WAIT)  # the running job ends when dropped
    assert running.dropped.is_set() and waiting.dropped.is_set()
    assert pool.queued == 0
    assert not waiting.started.is_set()


def recording_threads(
    monkeypatch: pytest.MonkeyPatch, clock: FakeClock, *, until_ended: bool = False
) -> list[float | None]:
    """Make the pool's threads record each join's timeout; each join takes 1.5 s of the fake
    clock (and, ``until_ended``, waits up to WAIT for the thread whatever the timeout)."""
    joins: list[float | None] = []

    class RecordingThread(threading.Thread):
        def join(self, timeout: float | None = None) -> None:
            joins.append(timeout)
            clock.now += 1.5
            super().join(WAIT if until_ended else timeout)

    fake = SimpleNamespace(Thread=RecordingThread, Lock=threading.Lock, Condition=threading.Condition)
    monkeypatch.setattr(pool_module, "threading", fake)
    return joins


def test_close_shares_its_timeout_between_the_threads(
    pools: Pools, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    joins = recording_threads(monkeypatch, clock, until_ended=True)
    pool = pools(workers=2, queue_limit=4)
    jobs = [FakeJob("a", deadline=1000.0, hold=True), FakeJob("b", deadline=1000.0, hold=True)]
    for job in jobs:
        assert pool.submit(job) and job.started.wait(WAIT)
    for job in jobs:
        job.release.set()
    assert poll(lambda: pool.busy == 0)
    assert pool.close() is True
    assert joins == [2.0, 0.5, 0.0]  # 2 s in all, the default


def test_close_gives_up_on_a_stuck_worker_after_its_timeout(
    pools: Pools, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    joins = recording_threads(monkeypatch, clock)
    pool = pools(workers=1, queue_limit=4)
    stuck = FakeJob(deadline=1000.0, hold=True, end_on_drop=False)
    assert pool.submit(stuck) and stuck.started.wait(WAIT)
    try:
        assert pool.close(timeout=0.0) is False
        assert joins == [0.0, 0.0]
    finally:
        stuck.release.set()


def test_finished_jobs_leave_the_deadline_heap_in_bulk(pools: Pools) -> None:
    """The heap keeps a finished job's entry until more than half of it (plus 64) is such
    entries; then it is rebuilt from the live ones, and their deadlines still hold."""
    pool = pools(workers=1, queue_limit=4)
    blocker = FakeJob(hold=True)
    assert pool.submit(blocker) and blocker.started.wait(WAIT)
    for _ in range(67):
        job = FakeJob()
        assert pool.submit(job) and pool.withdraw(job)
    assert len(pool._deadlines) == 68  # 67 empty entries: not yet more than 2 * 2 + 64
    late = FakeJob(deadline=time.monotonic() - 1)
    assert pool.submit(late)
    assert len(pool._deadlines) <= 2  # rebuilt: the blocker's and (until it expires) the late one's
    assert late.expired.wait(WAIT)
    blocker.release.set()
