"""A bounded pool of worker threads for blocking upstream calls, fair between upstreams,
with every job settled by its deadline.

Strategy (docs/ARCHITECTURE.md, "Threads"): the server loop hands a job over
and returns at once; a worker thread runs it. Three bounds keep one upstream
from hurting anyone else:

- ``workers`` threads at most, started on demand and kept;
- ``queue_limit`` jobs waiting at most: past it :meth:`WorkerPool.submit`
  refuses at once (the caller answers 503) instead of queueing without bound;
- ``per_key`` running jobs per key (per upstream) at most, so a slow upstream
  never occupies every worker; waiting jobs are taken round-robin by key.

A job whose deadline passes is expired by a timer thread whether it is still
waiting or running (stuck in a name lookup, say), so its caller gets an answer
on time even when no worker is free. A finished job leaves the deadline heap
lazily: its entry lets go of the job at once (so its answer is not kept) and
the heap is rebuilt when more than half of it is such empty entries.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Hashable
from typing import Protocol

log = logging.getLogger(__name__)


class Job(Protocol):
    """What the pool runs. ``expire`` and ``drop`` are called from other threads
    and must return at once (settle the job's caller, wake its ``run``)."""

    @property
    def key(self) -> Hashable: ...

    @property
    def deadline(self) -> float:
        """``time.monotonic()`` by which the job must be settled."""
        ...

    def run(self) -> None: ...

    def expire(self) -> None:
        """The deadline passed."""
        ...

    def drop(self) -> None:
        """The pool is closing."""
        ...


class _Slot:
    """A job's place in the deadline heap; ``job`` is None once the job is finished."""

    __slots__ = ("job", "running")

    def __init__(self, job: Job) -> None:
        self.job: Job | None = job
        self.running = False


class WorkerPool:
    """Runs jobs on at most ``workers`` threads (see the module notes)."""

    def __init__(self, *, workers: int, queue_limit: int, per_key: int | None = None, name: str = "upstream"):
        if workers < 1 or queue_limit < 0:
            raise ValueError("a pool needs at least one worker and a queue limit of 0 or more")
        self.workers = workers
        self.queue_limit = queue_limit
        self.per_key = per_key if per_key is not None else max(1, workers - workers // 4)
        self._name = name
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)
        self._timer = threading.Condition(self._lock)
        self._pending: dict[Hashable, deque[Job]] = {}
        self._running: dict[Hashable, int] = {}
        #: every job not yet finished
        self._live: dict[Job, _Slot] = {}
        self._deadlines: list[tuple[float, int, _Slot]] = []
        self._seq = itertools.count()
        self._threads: list[threading.Thread] = []
        self._reaper: threading.Thread | None = None
        self._queued = 0
        self._busy = 0
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def queued(self) -> int:
        return self._queued

    @property
    def busy(self) -> int:
        return self._busy

    @property
    def threads(self) -> int:
        return len(self._threads)

    def submit(self, job: Job) -> bool:
        """Queue ``job``; False (and nothing queued) when the queue is full or the pool closed."""
        with self._lock:
            if self._closed or self._queued >= self.queue_limit:
                return False
            self._pending.setdefault(job.key, deque()).append(job)
            self._queued += 1
            slot = self._live[job] = _Slot(job)
            if not self._deadlines or job.deadline < self._deadlines[0][0]:
                self._timer.notify()
            heapq.heappush(self._deadlines, (job.deadline, next(self._seq), slot))
            if len(self._deadlines) > 2 * len(self._live) + 64:
                self._deadlines = [entry for entry in self._deadlines if entry[2].job is not None]
                heapq.heapify(self._deadlines)
            if self._reaper is None:
                self._reaper = self._start(self._reap, f"{self._name}-deadlines")
            if len(self._threads) - self._busy < self._queued and len(self._threads) < self.workers:
                self._threads.append(self._start(self._serve, f"{self._name}-{len(self._threads) + 1}"))
            else:
                self._work.notify()
        return True

    def withdraw(self, job: Job) -> bool:
        """Take a waiting job out of the queue; False when it is running or done."""
        with self._lock:
            return self._unqueue(job)

    def close(self, timeout: float = 2.0) -> bool:
        """Stop: every unfinished job is dropped, threads end. True when all ended in ``timeout``."""
        with self._lock:
            self._closed = True
            jobs = list(self._live)
            for job in jobs:
                self._unqueue(job)
            self._work.notify_all()
            self._timer.notify_all()
            threads = [*self._threads, *([self._reaper] if self._reaper else [])]
        for job in jobs:
            job.drop()
        end = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, end - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)

    # -- inside ---------------------------------------------------------------

    def _start(self, target: object, name: str) -> threading.Thread:
        thread = threading.Thread(target=target, name=name, daemon=True)  # type: ignore[arg-type]
        thread.start()
        return thread

    def _unqueue(self, job: Job) -> bool:
        """With the lock held: remove a waiting job."""
        slot = self._live.get(job)
        if slot is None or slot.running:
            return False
        jobs = self._pending[job.key]
        jobs.remove(job)
        if not jobs:
            del self._pending[job.key]
        self._queued -= 1
        self._forget(job)
        return True

    def _forget(self, job: Job) -> None:
        """With the lock held: the job is finished."""
        slot = self._live.pop(job, None)
        if slot is not None:
            slot.job = None

    def _take(self) -> Job | None:
        """With the lock held: the next job whose key is under its limit, round-robin by key."""
        for key in self._pending:
            if self._running.get(key, 0) < self.per_key:
                break
        else:
            return None
        jobs = self._pending[key]
        job = jobs.popleft()
        del self._pending[key]
        if jobs:
            self._pending[key] = jobs  # to the back of the round
        self._queued -= 1
        self._running[key] = self._running.get(key, 0) + 1
        self._busy += 1
        self._live[job].running = True
        return job

    def _serve(self) -> None:
        done: Job | None = None
        while True:
            with self._lock:
                if done is not None:
                    self._busy -= 1
                    self._running[done.key] -= 1
                    if not self._running[done.key]:
                        del self._running[done.key]
                    self._forget(done)
                    done = None  # nothing here keeps a finished job alive
                job = self._take()
                while job is None:
                    if self._closed:
                        return
                    self._work.wait()
                    job = self._take()
            try:
                job.run()
            except Exception:  # a job must never end its worker
                log.exception("upstream job failed")
            done = job

    def _reap(self) -> None:
        with self._lock:
            while not self._closed:
                expired = self._expired(time.monotonic())
                if expired:
                    self._lock.release()
                    try:
                        self._expire(expired)
                    finally:
                        self._lock.acquire()
                    continue
                self._timer.wait(self._deadlines[0][0] - time.monotonic() if self._deadlines else None)

    def _expired(self, now: float) -> list[Job]:
        """With the lock held: unfinished jobs whose deadline passed, out of the queue."""
        expired: list[Job] = []
        while self._deadlines and self._deadlines[0][0] <= now:
            job = heapq.heappop(self._deadlines)[2].job
            if job is not None:
                self._unqueue(job)
                expired.append(job)
        return expired

    @staticmethod
    def _expire(jobs: list[Job]) -> None:
        for job in jobs:
            try:
                job.expire()
            except Exception:  # the timer must outlive any one job
                log.exception("expiring an upstream job failed")
