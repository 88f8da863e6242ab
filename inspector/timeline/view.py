"""What the timeline strip shows: a window of time in equal buckets, kept current cheaply.

Strategy. The strip shows :attr:`TimelineView.count` buckets of
:attr:`TimelineView.width` seconds. Bucket ``n`` covers ``[n * width,
(n + 1) * width)``: edges sit on a grid fixed by the width alone and are
computed the same way every time, so counts already known stay right when
the view slides. Following live traffic, the view slides by whole buckets
(the newest bucket holds "now"); :meth:`TimelineView.refresh` then recounts
only the buckets that can have changed: those newly slid in and those from
the earliest arrival time seen since the last refresh. A zoom, a resize or a
changed history (trimmed, cleared, reloaded) recounts everything, which is
O(buckets x log n) bisections (bench/timeline.py). Nothing here is per row.

Widths come from :data:`WIDTHS` (10 ms to a day), so hover times read well
and a wheel step is one step of the ladder.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from typing import Final

from inspector.timeline.timeline import KINDS, Buckets, Timeline

#: seconds per bucket, the zoom ladder (1, 2, 3, 5 steps: a fit wastes at most 40 %)
WIDTHS: Final = (
    0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 15.0, 20.0, 30.0,
    60.0, 120.0, 180.0, 300.0, 600.0, 900.0, 1200.0, 1800.0, 3600.0, 7200.0, 10800.0, 21600.0,
    43200.0, 86400.0,
)  # fmt: skip
#: the shortest span "fit" shows (a fresh start shows the last ten seconds)
MIN_FIT_SPAN: Final = 10.0


class TimelineView:
    """Which buckets the strip shows, and their counts.

    Args:
        count: how many buckets (the strip's width in bars).
        now: the current time (``received_at``'s clock: POSIX seconds).
    """

    def __init__(self, count: int, now: float) -> None:
        self.count = max(1, count)
        self.width = WIDTHS[0]
        #: the grid number of the first bucket shown
        self.first = 0
        #: the newest bucket holds "now", and the view slides with it
        self.following = True
        self._counts: list[list[int]] = [[0] * self.count for _ in range(KINDS)]
        self._stale = True  # recount everything at the next refresh
        self._dirty_from: float | None = None  # recount from this time at the next refresh
        self.fit(None, now)

    # -- geometry --------------------------------------------------------------

    @property
    def start(self) -> float:
        return self.first * self.width

    @property
    def end(self) -> float:
        return (self.first + self.count) * self.width

    def edge(self, n: int) -> float:
        """The start of grid bucket ``n`` (the one formula every count uses)."""
        return n * self.width

    def time_at(self, fraction: float) -> float:
        """The time at ``fraction`` (0 = left edge, 1 = right edge) of the view."""
        return self.start + fraction * self.count * self.width

    def index_at(self, time: float) -> int | None:
        """The shown bucket holding ``time`` (0-based), None outside the view."""
        n = math.floor(time / self.width) - self.first
        return n if 0 <= n < self.count else None

    def _newest_first(self, now: float) -> int:
        return math.floor(now / self.width) - self.count + 1

    def _set(self, width: float, first: int, following: bool) -> None:
        if (width, first) != (self.width, self.first):
            self._stale = True
        self.width, self.first, self.following = width, first, following

    def fit(self, earliest: float | None, now: float) -> None:
        """Show everything from ``earliest`` (None: the last minute) to now, following."""
        span = MIN_FIT_SPAN if earliest is None else max(MIN_FIT_SPAN, now - earliest)
        step = min(bisect_left(WIDTHS, span / self.count), len(WIDTHS) - 1)
        width = WIDTHS[step]
        self._set(width, math.floor(now / width) - self.count + 1, True)

    def resize(self, count: int, now: float) -> None:
        """Show ``count`` buckets (the strip was resized); the right edge stays put."""
        count = max(1, count)
        if count == self.count:
            return
        last = self.first + self.count
        self.count = count
        self._counts = [[0] * count for _ in range(KINDS)]
        self._stale = True
        self._set(self.width, self._newest_first(now) if self.following else last - count, self.following)

    def zoom(self, steps: int, anchor: float, now: float) -> bool:
        """Zoom in (``steps`` < 0: narrower buckets) or out, keeping ``anchor`` under
        the pointer; False when already at the end of the ladder."""
        step = WIDTHS.index(self.width) if self.width in WIDTHS else bisect_left(WIDTHS, self.width)
        new = max(0, min(len(WIDTHS) - 1, step + steps))
        if new == step:
            return False
        width = WIDTHS[new]
        fraction = (anchor - self.start) / (self.count * self.width)
        first = math.floor((anchor - fraction * self.count * width) / width)
        newest = math.floor(now / width) - self.count + 1
        following = first >= newest
        self._set(width, newest if following else first, following)
        return True

    def pan(self, buckets: int, now: float) -> None:
        """Move the view ``buckets`` later (negative: earlier); it follows again
        once it reaches now."""
        newest = self._newest_first(now)
        first = min(self.first + buckets, newest)
        self._set(self.width, first, first >= newest)

    def follow(self, now: float) -> None:
        """While following, slide so the newest bucket holds ``now``."""
        if not self.following:
            return
        first = self._newest_first(now)
        shift = first - self.first
        if shift <= 0:
            return
        if shift < self.count and not self._stale:
            for row in self._counts:
                del row[:shift]
                row.extend([0] * shift)
            self._mark(self.edge(self.first + self.count))
        else:
            self._stale = True
        self.first = first

    # -- counts ----------------------------------------------------------------

    def _mark(self, time: float) -> None:
        if self._dirty_from is None or time < self._dirty_from:
            self._dirty_from = time

    def arrived(self, received_at: float) -> None:
        """An arrival was added (or changed kind) at ``received_at``."""
        self._mark(received_at)

    def invalidate(self) -> None:
        """The history changed under the view (trimmed, cleared, reloaded): recount all."""
        self._stale = True

    @property
    def needs_refresh(self) -> bool:
        return self._stale or (self._dirty_from is not None and self._dirty_from < self.end)

    def refresh(self, timeline: Timeline) -> bool:
        """Recount what may have changed; True when any count was recounted."""
        if self._stale:
            low = 0
        elif self._dirty_from is not None and self._dirty_from < self.end:
            low = max(0, math.floor(self._dirty_from / self.width) - self.first)
        else:
            self._dirty_from = None
            return False
        self._stale = False
        self._dirty_from = None
        edges = [self.edge(n) for n in range(self.first + low, self.first + self.count + 1)]
        fresh = timeline.count_edges(edges)
        for row, new in zip(self._counts, fresh, strict=True):
            row[low:] = new
        return True

    def buckets(self) -> Buckets:
        """The counts shown (as of the last :meth:`refresh`)."""
        counts = tuple(map(tuple, self._counts))
        totals = tuple(map(sum, zip(*counts, strict=True)))
        return Buckets(start=self.start, width=self.width, counts=counts, totals=totals)
