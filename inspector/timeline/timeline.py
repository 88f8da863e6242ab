"""Requests over time, for the strip above the table: Qt-free, live and for history.

Strategy. Every arrival is kept in compact arrays (:mod:`.arrivals`) twice:
in id order (for "this request got its answer" and for trimming the oldest
rows, as the table does) and in (received_at, id) order (for counting a time
range by bisection). Buckets for any zoom are counted from the sorted arrays:
O(buckets x log n) bisections plus C-speed counting of kind bytes, never a
Python loop over rows, so re-bucketing 100,000 arrivals costs what
re-bucketing 1,000 does, give or take a bisection step.

Appending is O(1) amortised: ``received_at`` is when a request's first byte
came, and requests finish (and arrive here) roughly in that order, so an
arrival almost always goes at or near the end. One that would land more than
:data:`TAIL` places from the end (a wall clock stepped back, a request that
trickled in for minutes) goes into a side run instead, merged into the main
arrays once it holds an eighth as many (one bisection per arrival and one copy
of the arrays): no arrival costs a move of the whole history, and after a
clock step back the side run takes the new arrivals at its own end.

Every count below uses half-open ranges: ``start <= received_at < end``.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from itertools import pairwise

from inspector.http.record import CaptureRecord
from inspector.timeline.arrivals import SortedArrivals

#: out-of-order arrivals within this many places of the end are inserted in place
TAIL = 1024
#: arrivals held aside before one merge into the sorted arrays: at least SIDE_MIN,
#: else 1/SIDE_SHARE of those held, so merges stay O(1) amortised per arrival
#: (a merge copies every array once: ~10 ms for 100,000 arrivals)
SIDE_MIN = 512
SIDE_SHARE = 8


class Kind(IntEnum):
    """What the strip colours an arrival by; each arrival has exactly one."""

    PENDING = 0  # waiting for its answer (pauses, deferred answers)
    INFORMATIONAL = 1  # 1xx
    SUCCESS = 2  # 2xx
    REDIRECT = 3  # 3xx
    CLIENT_ERROR = 4  # 4xx
    SERVER_ERROR = 5  # 5xx
    ERROR = 6  # the request was malformed or broke off (record.error), whatever was answered
    NO_ANSWER = 7  # nothing was sent back (a fault, or the client left)


KINDS = len(Kind)
_STATUS_CLASSES = (Kind.NO_ANSWER, *(Kind(n) for n in range(1, 6)))

#: (id, received_at, status or None, error?, pending?)
Arrival = tuple[int, float, int | None, bool, bool]


def kind_of(status: int | None, error: bool, pending: bool = False) -> Kind:
    """The kind of an arrival: pending, then error, then the status class."""
    if pending:
        return Kind.PENDING
    if error:
        return Kind.ERROR
    if status is None or not 100 <= status <= 599:
        return Kind.NO_ANSWER
    return _STATUS_CLASSES[status // 100]


def arrival(record: CaptureRecord) -> Arrival:
    """A finished record as an arrival."""
    status = None if record.response is None else record.response.status
    return record.id, record.received_at, status, record.error is not None, False


@dataclass(frozen=True, slots=True, kw_only=True)
class BucketCounts:
    """One bucket, for a hover: its time range and how many arrivals of each kind."""

    start: float
    end: float
    total: int
    by_kind: tuple[int, ...]  # indexed by Kind


@dataclass(frozen=True, slots=True, kw_only=True)
class Buckets:
    """Arrival counts in ``count`` equal buckets from ``start``, each ``width`` seconds.

    Attributes:
        counts: ``counts[kind][i]``, arrivals of that Kind in bucket i.
        totals: arrivals in bucket i, all kinds.
    """

    start: float
    width: float
    counts: tuple[tuple[int, ...], ...]
    totals: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.totals)

    @property
    def peak(self) -> int:
        """The largest bucket total (0 when empty): the strip's vertical scale."""
        return max(self.totals, default=0)

    def index_at(self, time: float) -> int | None:
        """The bucket holding ``time``, or None outside the range."""
        if self.width <= 0 or time < self.start:
            return None
        index = int((time - self.start) // self.width)
        return index if index < self.count else None

    def at(self, index: int) -> BucketCounts:
        """Bucket ``index`` (0-based). Raises IndexError outside the range."""
        if not 0 <= index < self.count:
            raise IndexError(index)
        start = self.start + index * self.width
        return BucketCounts(
            start=start,
            end=start + self.width,
            total=self.totals[index],
            by_kind=tuple(row[index] for row in self.counts),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class IdRange:
    """The arrivals of a time range: ``count`` of them, ids from ``first`` to ``last``.

    Ids grow with completion, times with the first byte, so a request that
    trickled in may have an id inside the range and a time outside it: a
    filter that must be exact tests ``received_at`` itself.
    """

    first: int
    last: int
    count: int


class Timeline:
    """Arrivals over time; see the module's strategy. Not thread-safe (GUI thread only)."""

    def __init__(self) -> None:
        self._ids: array[int] = array("q")  # ascending
        self._times: array[float] = array("d")  # received_at of _ids[i]
        self._main = SortedArrivals()
        self._side = SortedArrivals()

    def clear(self) -> None:
        """Forget every arrival."""
        self._ids, self._times = array("q"), array("d")
        self._main, self._side = SortedArrivals(), SortedArrivals()

    @classmethod
    def from_arrivals(cls, arrivals: Iterable[Arrival]) -> Timeline:
        """Build from history in one pass (any order; ids must be distinct).

        Raises:
            ValueError: an id occurs twice.
        """
        timeline = cls()
        ids, times, kinds = array("q"), array("d"), bytearray()
        kind_cache: dict[tuple[int | None, bool, bool], int] = {}
        for record_id, received_at, status, error, pending in arrivals:
            ids.append(record_id)
            times.append(received_at)
            key = (status, error, pending)
            kind = kind_cache.get(key)
            if kind is None:
                kind = kind_cache[key] = kind_of(status, error, pending)
            kinds.append(kind)
        if any(ids[i] >= ids[i + 1] for i in range(len(ids) - 1)):
            by_id = sorted(range(len(ids)), key=ids.__getitem__)
            if any(ids[by_id[i]] == ids[by_id[i + 1]] for i in range(len(ids) - 1)):
                raise ValueError("an id occurs twice")
            ids = array("q", map(ids.__getitem__, by_id))
            times = array("d", map(times.__getitem__, by_id))
            kinds = bytearray(map(kinds.__getitem__, by_id))
        timeline._ids, timeline._times = ids, times
        # A stable sort by time keeps id order among equal times: (time, id) order.
        order = sorted(range(len(times)), key=times.__getitem__)
        timeline._main = SortedArrivals(
            array("d", map(times.__getitem__, order)),
            array("q", map(ids.__getitem__, order)),
            bytearray(map(kinds.__getitem__, order)),
        )
        return timeline

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, record_id: object) -> bool:
        if not isinstance(record_id, int):
            return False
        at = bisect_left(self._ids, record_id)
        return at < len(self._ids) and self._ids[at] == record_id

    @property
    def last_id(self) -> int | None:
        """The highest id held, None when empty."""
        return self._ids[-1] if self._ids else None

    def append(
        self, record_id: int, received_at: float, status: int | None, error: bool, pending: bool = False
    ) -> None:
        """Add one arrival (O(1) amortised; see the module's strategy).

        Raises:
            ValueError: ``record_id`` is already on the timeline.
        """
        ids = self._ids
        if not ids or record_id > ids[-1]:
            ids.append(record_id)
            self._times.append(received_at)
        else:
            at = bisect_left(ids, record_id)
            if ids[at] == record_id:
                raise ValueError(f"id {record_id} is already on the timeline")
            ids.insert(at, record_id)
            self._times.insert(at, received_at)
        self._place(received_at, record_id, kind_of(status, error, pending))

    def _place(self, received_at: float, record_id: int, kind: int) -> None:
        """Put an arrival into the (time, id) order: at the end, near it, or aside."""
        main = self._main
        if main.is_after_last(received_at, record_id):
            main.append(received_at, record_id, kind)
        elif len(main) <= TAIL or received_at > main.times[-TAIL]:
            main.insert(received_at, record_id, kind)  # moves fewer than TAIL arrivals
        else:
            self._side.insert(received_at, record_id, kind)
            if len(self._side) >= max(SIDE_MIN, len(main) // SIDE_SHARE):
                main.merge(self._side)
                self._side = SortedArrivals()

    def extend(self, arrivals: Sequence[Arrival]) -> None:
        """Add many arrivals, as :meth:`append` would one by one.

        A live batch has ids above every id held, in order: they are copied
        onto the id arrays at once, and the batch, sorted by time at C speed,
        goes onto the end of the time arrays in one copy from the first
        arrival received no earlier than the latest held; only the ones
        received before that (a slow request that finished late) are placed
        one by one. Any other batch is appended one by one.

        Raises:
            ValueError: an id is already on the timeline (the arrivals before it are added).
        """
        if not arrivals:
            return
        ids, main = self._ids, self._main
        new_ids = [item[0] for item in arrivals]
        if (ids and new_ids[0] <= ids[-1]) or not all(a < b for a, b in pairwise(new_ids)):
            for item in arrivals:
                self.append(*item)
            return
        times = [item[1] for item in arrivals]
        kinds: list[int] = []
        cache: dict[tuple[int | None, bool, bool], int] = {}
        for _, _, status, error, pending in arrivals:
            kind = cache.get((status, error, pending))
            if kind is None:
                kind = cache[status, error, pending] = kind_of(status, error, pending)
            kinds.append(kind)
        ids.extend(new_ids)
        self._times.extend(times)
        # ids increase along the batch, so a stable sort by time is (time, id) order
        order = sorted(range(len(times)), key=times.__getitem__)
        split = bisect_left(order, main.times[-1], key=times.__getitem__) if main.times else 0
        for index in order[:split]:
            self._place(times[index], new_ids[index], kinds[index])
        rest = order[split:]
        main.times.extend(map(times.__getitem__, rest))
        main.ids.extend(map(new_ids.__getitem__, rest))
        main.kinds.extend(map(kinds.__getitem__, rest))

    def _locate(self, record_id: int) -> tuple[SortedArrivals, int] | None:
        at = bisect_left(self._ids, record_id)
        if at == len(self._ids) or self._ids[at] != record_id:
            return None
        time = self._times[at]
        for run in (self._main, self._side):
            index = run.find(time, record_id)
            if index >= 0:
                return run, index
        raise AssertionError(f"id {record_id} is missing from the sorted arrivals")

    def update(self, record_id: int, status: int | None, error: bool, pending: bool = False) -> bool:
        """A pending arrival got its answer (or its kind changed). False when the id is unknown."""
        found = self._locate(record_id)
        if found is None:
            return False
        run, index = found
        run.kinds[index] = kind_of(status, error, pending)
        return True

    def discard_before(self, first_kept_id: int) -> int:
        """Forget every arrival whose id is below ``first_kept_id`` (the table
        trimmed its oldest rows). Returns how many were forgotten."""
        count = bisect_left(self._ids, first_kept_id)
        if not count:
            return 0
        for run in (self._main, self._side):
            if count * 8 > len(self._ids):  # a large share: one pass over the run beats a search each
                ids = run.ids
                positions = [index for index in range(len(run)) if ids[index] < first_kept_id]
            else:
                found = (run.find(self._times[i], self._ids[i]) for i in range(count))
                positions = sorted(index for index in found if index >= 0)
            run.delete(positions)
        del self._ids[:count]
        del self._times[:count]
        return count

    def span(self) -> tuple[float, float] | None:
        """(earliest, latest) received_at, or None when empty."""
        runs = [run for run in (self._main, self._side) if len(run)]
        if not runs:
            return None
        return min(run.times[0] for run in runs), max(run.times[-1] for run in runs)

    def buckets(self, start: float, end: float, count: int) -> Buckets:
        """Count arrivals in ``count`` equal buckets covering ``[start, end)``.

        Raises:
            ValueError: ``count`` < 1 or ``end`` <= ``start``.
        """
        if count < 1 or not end > start:
            raise ValueError(f"need count >= 1 and end > start (got {count}, {start}, {end})")
        width = (end - start) / count
        edges = [start + i * width for i in range(count)]
        edges.append(end)
        counts = self.count_edges(edges)
        totals = tuple(map(sum, zip(*counts, strict=True)))
        return Buckets(start=start, width=width, counts=tuple(map(tuple, counts)), totals=totals)

    def count_edges(self, edges: Sequence[float]) -> list[list[int]]:
        """``counts[kind][i]``: arrivals of each kind with ``edges[i] <= received_at < edges[i + 1]``.

        For a caller that keeps buckets on a grid of its own (the strip
        recounts only the buckets that changed, with edges computed the same
        way each time, so a partial recount agrees with a full one).

        Raises:
            ValueError: fewer than two edges.
        """
        if len(edges) < 2:
            raise ValueError("need at least two edges")
        counts = [[0] * (len(edges) - 1) for _ in range(KINDS)]
        self._main.add_counts(edges, KINDS, counts)
        self._side.add_counts(edges, KINDS, counts)
        return counts

    def count_between(self, start: float, end: float) -> int:
        """Arrivals with ``start <= received_at < end``."""
        total = 0
        for run in (self._main, self._side):
            lo, hi = run.between(start, end)
            total += hi - lo
        return total

    def rate(self, now: float, window: float = 1.0) -> float:
        """Requests per second: arrivals received in the ``window`` seconds before
        ``now`` (``now - window <= received_at < now``), divided by ``window``.

        Not smoothed: with the default window it is "requests in the last second".
        A request is counted once it is on the timeline, i.e. once it finished.
        """
        return self.count_between(now - window, now) / window if window > 0 else 0.0

    def ids_between(self, start: float, end: float) -> list[int]:
        """The ids received in ``[start, end)``, ascending (for an exact time-range filter)."""
        ids: list[int] = []
        for run in (self._main, self._side):
            lo, hi = run.between(start, end)
            ids.extend(run.ids[lo:hi])
        ids.sort()
        return ids

    def nearest(self, time: float) -> int | None:
        """The id of the arrival closest to ``time`` (for click-to-jump; the lower
        id on a tie), None when empty."""
        found = [hit for run in (self._main, self._side) if (hit := run.nearest(time)) is not None]
        return min(found)[1] if found else None

    def id_range(self, start: float, end: float) -> IdRange | None:
        """The ids received in ``[start, end)`` (for drag-to-filter), None when none were."""
        first = last = None
        count = 0
        for run in (self._main, self._side):
            lo, hi = run.between(start, end)
            if hi == lo:
                continue
            ids = run.ids[lo:hi]
            low, high = min(ids), max(ids)
            first = low if first is None else min(first, low)
            last = high if last is None else max(last, high)
            count += hi - lo
        if first is None or last is None:
            return None
        return IdRange(first=first, last=last, count=count)
