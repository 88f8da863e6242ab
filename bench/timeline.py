"""Timeline benchmark: building, appending and re-bucketing 100,000 arrivals.

    .venv/bin/python bench/timeline.py [--count 100000] [--buckets 800] [--repeat 5]

What it measures (issue 18, "Timeline"), all in this process, Qt-free:

- build: ``Timeline.from_arrivals`` over ``--count`` (id, received_at, status,
  error, pending) tuples, as a window opening a history would; the arrivals
  are in id order with received_at jittered so that ~5% are out of time order
  (ids follow completion, times the first byte).
- append: the same arrivals one by one: mean cost per append; extend: in
  batches of 200, as the live strip gets them from the live feed; then the worst case, a wall clock stepped back an hour so
  that every arrival lands far from the end (side run and merges): mean and
  the slowest single append (a merge).
- re-bucket: ``buckets(start, end, --buckets)`` over the whole span, a zoom
  to a tenth of it, and the last 60 s (the live view), plus rate, nearest
  and id_range.
- baseline, same run: bucketing the same arrivals with a Python loop over a
  list of per-row tuples (what "per row" drawing would cost on every zoom).
- memory: tracemalloc's view of a built timeline.

Figures are CPU time of this thread (``time.thread_time``), printed, not
checked; the load average is printed first: compare runs made in the same sitting.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from inspector.timeline import KINDS, Arrival, Timeline, kind_of

STATUSES = (200, 200, 200, 200, 201, 204, 301, 304, 400, 404, 404, 500, 503, None)


def make_arrivals(count: int, seed: int = 18) -> list[Arrival]:
    """~1,000 requests a second for ``count`` requests, 5% finished out of time order."""
    rng = random.Random(seed)
    start = 1_700_000_000.0
    rows: list[Arrival] = []
    for record_id in range(1, count + 1):
        time_at = start + record_id / 1000.0
        if rng.random() < 0.05:
            time_at -= rng.random() * 0.5  # a slow request: received up to 0.5 s before its id says
        status = rng.choice(STATUSES)
        rows.append((record_id, time_at, status, rng.random() < 0.01, False))
    return rows


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """The best CPU time of ``repeat`` runs (this thread's CPU time: on a machine
    shared with other work, wall time mostly measures the other work)."""
    times = []
    for _ in range(repeat):
        begin = time.thread_time()
        run()
        times.append(time.thread_time() - begin)
    return min(times)


def per_row_baseline(
    rows: list[tuple[float, int]], start: float, end: float, buckets: int
) -> list[list[int]]:
    width = (end - start) / buckets
    counts = [[0] * buckets for _ in range(KINDS)]
    for time_at, kind in rows:
        if start <= time_at < end:
            counts[kind][min(int((time_at - start) / width), buckets - 1)] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--buckets", type=int, default=800)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    arrivals = make_arrivals(args.count)

    build = best_of(args.repeat, lambda: Timeline.from_arrivals(arrivals))
    print(
        f"build from {args.count:,} arrivals: {build * 1000:.1f} ms ({build / args.count * 1e6:.2f} µs each)"
    )

    def live() -> Timeline:
        timeline = Timeline()
        for row in arrivals:
            timeline.append(*row)
        return timeline

    appending = best_of(args.repeat, live)
    print(f"append, live order: {appending / args.count * 1e6:.2f} µs per arrival")

    def batches() -> Timeline:
        timeline = Timeline()
        for start in range(0, len(arrivals), 200):
            timeline.extend(arrivals[start : start + 200])
        return timeline

    extending = best_of(args.repeat, batches)
    print(f"extend, live batches of 200: {extending / args.count * 1e6:.2f} µs per arrival")

    # A clock stepped back an hour after the first half: every later arrival lands far from the end.
    half = args.count // 2
    stepped = arrivals[:half] + [(i, t - 3600.0, s, e, p) for i, t, s, e, p in arrivals[half:]]
    timeline = Timeline()
    for row in stepped[:half]:
        timeline.append(*row)
    costs = []
    for row in stepped[half:]:
        begin = time.thread_time()
        timeline.append(*row)
        costs.append(time.thread_time() - begin)
    print(
        f"append, clock stepped back: {statistics.fmean(costs) * 1e6:.2f} µs mean, "
        f"slowest {max(costs) * 1000:.2f} ms (a merge of the side run)"
    )

    timeline = Timeline.from_arrivals(arrivals)
    span = timeline.span()
    assert span is not None
    first, last = span
    per_row = [(t, int(kind_of(s, e, p))) for _, t, s, e, p in arrivals]
    views = {
        "whole span": (first, last + 1e-6),
        "a tenth": (first + (last - first) * 0.45, first + (last - first) * 0.55),
        "last 60 s (live)": (last - 60.0, last + 1e-6),
    }
    for name, (start, end) in views.items():
        ours = best_of(args.repeat, lambda s=start, e=end: timeline.buckets(s, e, args.buckets))
        base = best_of(args.repeat, lambda s=start, e=end: per_row_baseline(per_row, s, e, args.buckets))
        check = timeline.buckets(start, end, args.buckets)
        assert sum(check.totals) == sum(map(sum, per_row_baseline(per_row, start, end, args.buckets)))
        print(
            f"re-bucket {name} into {args.buckets}: {ours * 1000:.2f} ms "
            f"(per-row Python loop baseline: {base * 1000:.2f} ms)"
        )
    middle = (first + last) / 2
    whole = timeline.buckets(first, last + 1e-6, args.buckets)
    for name, call in {
        "rate(now)": lambda: timeline.rate(last),
        "nearest(t)": lambda: timeline.nearest(middle),
        "id_range(10 s)": lambda: timeline.id_range(middle, middle + 10.0),
        "hover at(i)": lambda: whole.at(args.buckets // 2),
    }.items():
        cost = best_of(args.repeat, call)
        print(f"{name}: {cost * 1e6:.1f} µs")

    tracemalloc.start()
    kept = Timeline.from_arrivals(arrivals)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"memory of a {len(kept):,}-arrival timeline: {current / 1e6:.2f} MB ({current / len(kept):.0f} B each)"
    )


if __name__ == "__main__":
    main()
