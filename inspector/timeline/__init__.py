"""Qt-free traffic over time for the timeline strip (docs/ARCHITECTURE.md, "Layers").

timeline = Timeline.from_arrivals(arrival(r) for r in history)   # or Timeline()
timeline.append(*arrival(record))                                # live, O(1) amortised
strip = timeline.buckets(start, end, width_in_pixels)            # any zoom, from compact arrays
timeline.rate(now), timeline.nearest(t), timeline.id_range(t0, t1)
"""

from inspector.timeline.timeline import (
    KINDS,
    Arrival,
    BucketCounts,
    Buckets,
    IdRange,
    Kind,
    Timeline,
    arrival,
    kind_of,
)

__all__ = [
    "KINDS",
    "Arrival",
    "BucketCounts",
    "Buckets",
    "IdRange",
    "Kind",
    "Timeline",
    "arrival",
    "kind_of",
]
