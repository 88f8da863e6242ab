"""Arrivals sorted by (time, id) in three parallel compact arrays.

A request costs 17 bytes here (an 8-byte time, an 8-byte id and a 1-byte
kind) and no Python object, so 100,000 rows are 1.7 MB that the garbage
collector never walks. Counting is done by bisecting the times and counting
kind bytes in a slice (``bytearray.count``, C speed), never row by row.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence


class SortedArrivals:
    """(time, id, kind) triples in (time, id) order."""

    __slots__ = ("ids", "kinds", "times")

    def __init__(
        self, times: array[float] | None = None, ids: array[int] | None = None, kinds: bytearray | None = None
    ) -> None:
        """Wrap arrays that are already in (time, id) order (empty by default)."""
        self.times: array[float] = times if times is not None else array("d")
        self.ids: array[int] = ids if ids is not None else array("q")
        self.kinds: bytearray = kinds if kinds is not None else bytearray()

    def __len__(self) -> int:
        return len(self.times)

    def is_after_last(self, time: float, record_id: int) -> bool:
        """Whether (time, record_id) sorts after every arrival held."""
        if not self.times:
            return True
        last = self.times[-1]
        return time > last or (time == last and record_id > self.ids[-1])

    def position(self, time: float, record_id: int) -> int:
        """Where (time, record_id) goes: O(log n), also among many equal times."""
        hi = bisect_right(self.times, time)
        lo = bisect_left(self.times, time, 0, hi)
        return bisect_left(self.ids, record_id, lo, hi)

    def append(self, time: float, record_id: int, kind: int) -> None:
        self.times.append(time)
        self.ids.append(record_id)
        self.kinds.append(kind)

    def insert(self, time: float, record_id: int, kind: int) -> None:
        if self.is_after_last(time, record_id):
            self.append(time, record_id, kind)
            return
        at = self.position(time, record_id)
        self.times.insert(at, time)
        self.ids.insert(at, record_id)
        self.kinds.insert(at, kind)

    def find(self, time: float, record_id: int) -> int:
        """Index of the arrival, or -1."""
        at = self.position(time, record_id)
        if at < len(self.ids) and self.ids[at] == record_id and self.times[at] == time:
            return at
        return -1

    def merge(self, other: SortedArrivals) -> None:
        """Take in every arrival of ``other``: one C-speed copy of these arrays,
        with ``other``'s arrivals copied in as slices, one per place they land
        (found by bisection: a clock step back that put them all in one place
        costs a handful of bisections, not one per arrival)."""
        times, ids, kinds = array("d"), array("q"), bytearray()
        start = index = 0
        while index < len(other):
            at = self.position(other.times[index], other.ids[index])
            end = self._before(other, index, at)
            times.extend(self.times[start:at])
            ids.extend(self.ids[start:at])
            kinds.extend(self.kinds[start:at])
            times.extend(other.times[index:end])
            ids.extend(other.ids[index:end])
            kinds.extend(other.kinds[index:end])
            start, index = at, end
        times.extend(self.times[start:])
        ids.extend(self.ids[start:])
        kinds.extend(self.kinds[start:])
        self.times, self.ids, self.kinds = times, ids, kinds

    def _before(self, other: SortedArrivals, start: int, at: int) -> int:
        """The end of the run of ``other``'s arrivals from ``start`` that sort
        before this run's arrival ``at`` (all of them when ``at`` is the end)."""
        if at == len(self.times):
            return len(other)
        limit_time, limit_id = self.times[at], self.ids[at]
        end = bisect_left(other.times, limit_time, start)
        top = bisect_right(other.times, limit_time, end)
        return bisect_left(other.ids, limit_id, end, top)

    def delete(self, positions: Sequence[int]) -> None:
        """Remove the arrivals at ``positions`` (ascending)."""
        if not positions:
            return
        if positions[-1] == len(positions) - 1:  # a prefix: the usual case of trimming old rows
            del self.times[: len(positions)]
            del self.ids[: len(positions)]
            del self.kinds[: len(positions)]
            return
        times, ids, kinds = array("d"), array("q"), bytearray()
        start = 0
        for at in positions:
            times.extend(self.times[start:at])
            ids.extend(self.ids[start:at])
            kinds.extend(self.kinds[start:at])
            start = at + 1
        times.extend(self.times[start:])
        ids.extend(self.ids[start:])
        kinds.extend(self.kinds[start:])
        self.times, self.ids, self.kinds = times, ids, kinds

    def add_counts(self, edges: Sequence[float], kinds: int, counts: list[list[int]]) -> None:
        """Add, for each bucket between consecutive ``edges`` (half-open) and
        each kind below ``kinds``, how many arrivals it holds to ``counts[kind][bucket]``."""
        times, kind_bytes = self.times, self.kinds
        if not times:
            return
        lo = bisect_left(times, edges[0])
        for bucket in range(len(edges) - 1):
            hi = bisect_left(times, edges[bucket + 1], lo)
            if hi - lo == 1:
                counts[kind_bytes[lo]][bucket] += 1
            elif hi > lo:
                for kind in range(kinds):
                    counts[kind][bucket] += kind_bytes.count(kind, lo, hi)
            lo = hi

    def between(self, start: float, end: float) -> tuple[int, int]:
        """(lo, hi) positions of the arrivals with ``start <= time < end``."""
        lo = bisect_left(self.times, start)
        return lo, max(lo, bisect_left(self.times, end, lo))

    def nearest(self, time: float) -> tuple[float, int] | None:
        """(distance, id) of the arrival closest in time (the lower id on a tie)."""
        times = self.times
        at = bisect_left(times, time)
        # The first of each run of equal times holds its lowest id.
        before = bisect_left(times, times[at - 1], 0, at) if at else -1
        candidates = [
            (abs(times[index] - time), self.ids[index]) for index in (before, at) if 0 <= index < len(times)
        ]
        return min(candidates, default=None)
