"""Answers that come later, brought back to the loop thread (docs/ARCHITECTURE.md, "Answers").

A parked request waits on a :class:`~inspector.http.deferred.Deferred`. Whoever
resolves it (a delay's timer on the loop thread; a worker or the GUI on theirs)
puts it on a queue here; from another thread it also wakes the loop through
its socket pair. The loop takes the resolved answers each round, in order.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import heapq
import itertools
import threading
from collections.abc import Callable, Iterator

from inspector.http.deferred import Deferred
from inspector.http.response import Response, error_response
from inspector.server.connection import Connection, Parked

_CANCELLED = error_response(500, "the answer was cancelled by its responder")


class Waiting:
    """Delay timers and parked requests of one loop.

    Args:
        wake: makes the loop's ``select`` return (safe from any thread).
    """

    def __init__(self, wake: Callable[[], object]) -> None:
        self._wake = wake
        self._timers: list[tuple[float, int, Deferred, Response]] = []
        self._seq = itertools.count()
        self._resolved: collections.deque[tuple[Connection, Deferred]] = collections.deque()
        self._loop_thread: int | None = None

    def run_on_this_thread(self) -> None:
        """The loop runs on the calling thread from now on."""
        self._loop_thread = threading.get_ident()

    def next_due(self) -> float | None:
        """When the earliest timer fires; None without timers, and 0 when answers wait to be taken."""
        if self._resolved:
            return 0.0
        return self._timers[0][0] if self._timers else None

    def delay(self, due: float, response: Response) -> Deferred:
        """A handle that a timer resolves with ``response`` (its delay spent) at ``due``."""
        deferred = Deferred()
        undelayed = dataclasses.replace(response, delay_ms=0)
        heapq.heappush(self._timers, (due, next(self._seq), deferred, undelayed))
        return deferred

    def park(self, conn: Connection, parked: Parked) -> None:
        """``conn`` waits for ``parked``'s answer; later requests wait behind it."""
        conn.waiting = parked
        deferred = parked.deferred
        ready = deferred.attach(functools.partial(self._on_resolved, conn))
        if ready is not None or deferred.cancelled:
            self._resolved.append((conn, deferred))  # taken later this round

    def _on_resolved(self, conn: Connection, deferred: Deferred) -> None:
        self._resolved.append((conn, deferred))  # deque.append: safe from any thread
        if threading.get_ident() != self._loop_thread:
            self._wake()

    def fire(self, now: float) -> None:
        """Resolve the delays that are due (a cancelled one just says False)."""
        timers = self._timers
        while timers and timers[0][0] <= now:
            _, _, deferred, response = heapq.heappop(timers)
            deferred.resolve(response)

    def take(self) -> Iterator[tuple[Connection, Parked, Response]]:
        """The answers resolved since the last call, for connections still waiting on them."""
        resolved = self._resolved
        while resolved:
            conn, deferred = resolved.popleft()
            parked = conn.waiting
            if parked is None or parked.deferred is not deferred or not conn.open:
                continue  # the client left, or the server is stopping
            conn.waiting = None
            response = deferred.response
            yield conn, parked, _CANCELLED if response is None else response

    def clear(self) -> None:
        self._timers.clear()
        self._resolved.clear()
