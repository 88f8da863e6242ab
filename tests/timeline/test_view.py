"""The strip's view: grid buckets, sliding with live traffic, zoom, pan, and partial recounts."""

from __future__ import annotations

from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.timeline import KINDS, Kind, Timeline
from inspector.timeline.view import MIN_FIT_SPAN, WIDTHS, TimelineView

NOW = 1_700_000_000.0


def brute_counts(arrivals: list[tuple[int, float, int]], view: TimelineView) -> list[list[int]]:
    """What the view should hold: each arrival put in the grid bucket whose edges hold it."""
    counts = [[0] * view.count for _ in range(KINDS)]
    for _, at, status in arrivals:
        for index in range(view.count):
            if view.edge(view.first + index) <= at < view.edge(view.first + index + 1):
                counts[Kind.SUCCESS if status == 200 else Kind.SERVER_ERROR][index] += 1
    return counts


def test_buckets_for_known_arrivals() -> None:
    timeline = Timeline()
    view = TimelineView(10, NOW)  # fit: the last 10 s at least, in 1 s buckets; the last holds now
    assert view.width == 1.0 and view.following
    assert (view.start, view.end) == (NOW - 9.0, NOW + 1.0)
    for record_id, at, status in [
        (1, NOW - 8.5, 200),
        (2, NOW - 8.2, 500),
        (3, NOW - 0.5, 200),
        (4, NOW, 404),
    ]:
        timeline.append(record_id, at, status, False)
        view.arrived(at)
    assert view.refresh(timeline)
    buckets = view.buckets()
    assert buckets.totals == (2, 0, 0, 0, 0, 0, 0, 0, 1, 1)
    assert buckets.counts[Kind.SERVER_ERROR][0] == 1
    assert buckets.counts[Kind.CLIENT_ERROR][9] == 1
    assert not view.refresh(timeline)  # nothing new: nothing recounted


def test_following_slides_by_whole_buckets_and_recounts_only_the_new_ones() -> None:
    timeline = Timeline()
    view = TimelineView(10, NOW)
    timeline.append(1, NOW - 5.0, 200, False)
    view.arrived(NOW - 5.0)
    view.refresh(timeline)
    first = view.first
    assert view.index_at(NOW - 5.0) == 4
    view.follow(NOW + 3.0)
    assert view.first == first + 3
    assert view.index_at(NOW - 5.0) == 1
    # before the recount, the count slid with its bucket and the buckets slid in are empty
    assert view.buckets().totals == (0, 1, 0, 0, 0, 0, 0, 0, 0, 0)
    timeline.append(2, NOW + 2.5, 500, False)
    view.arrived(NOW + 2.5)
    with mock.patch.object(timeline, "count_edges", wraps=timeline.count_edges) as counted:
        assert view.refresh(timeline)
    counted.assert_called_once_with([view.edge(n) for n in range(first + 10, first + 14)])  # the 3 new
    assert view.buckets().totals == (0, 1, 0, 0, 0, 0, 0, 0, 1, 0)
    view.follow(NOW + 60.0)  # slid past everything
    view.refresh(timeline)
    assert view.buckets().peak == 0


def test_fit_covers_the_span_and_follows() -> None:
    view = TimelineView(100, NOW)
    view.fit(NOW - 3600.0, NOW)
    assert view.count * view.width >= 3600.0
    assert view.width == min(w for w in WIDTHS if w * 100 >= 3600.0)
    assert view.start <= NOW - 3600.0 + view.width and view.end > NOW
    assert view.following
    view.fit(None, NOW)
    assert view.count * view.width >= MIN_FIT_SPAN


def test_zoom_keeps_the_anchor_under_the_pointer_and_stops_at_the_ends() -> None:
    view = TimelineView(100, NOW)
    view.fit(NOW - 1000.0, NOW)
    anchor = view.time_at(0.25)
    assert view.zoom(-1, anchor, NOW)
    assert not view.following  # zoomed into the past
    assert abs(view.time_at(0.25) - anchor) <= view.width
    view.pan(10_000, NOW)  # panning to now follows again
    assert view.following and view.index_at(NOW) == view.count - 1
    for _ in WIDTHS:
        view.zoom(-1, NOW, NOW)
    assert view.width == WIDTHS[0]
    assert not view.zoom(-1, NOW, NOW)
    for _ in WIDTHS:
        view.zoom(+1, NOW, NOW)
    assert not view.zoom(+1, NOW, NOW)


def test_resize_keeps_the_right_edge() -> None:
    view = TimelineView(100, NOW)
    end = view.end
    view.resize(40, NOW)
    assert view.count == 40 and view.end == end
    view.pan(-30, NOW)
    end = view.end
    view.resize(70, NOW)
    assert view.end == end and not view.following


@settings(max_examples=60, deadline=None)
@given(
    batches=st.lists(
        st.lists(st.tuples(st.floats(-1.0, 1.0), st.sampled_from([200, 500])), max_size=20),
        min_size=1,
        max_size=12,
    ),
    steps=st.lists(st.floats(0.0, 4.0), min_size=12, max_size=12),
    count=st.integers(1, 50),
)
def test_partial_recounts_equal_a_full_count(
    batches: list[list[tuple[float, int]]], steps: list[float], count: int
) -> None:
    timeline = Timeline()
    view = TimelineView(count, NOW)
    view.fit(NOW - 5.0, NOW)
    now = NOW
    arrivals: list[tuple[int, float, int]] = []
    for batch, step in zip(batches, steps, strict=False):
        now += step
        for lag, status in batch:
            at = now - lag * 3.0  # out of time order (slow requests), or ahead of the clock
            arrivals.append((len(arrivals) + 1, at, status))
            timeline.append(len(arrivals), at, status, False)
            view.arrived(at)
        view.follow(now)
        view.refresh(timeline)
        assert [list(row) for row in view.buckets().counts] == brute_counts(arrivals, view)


def test_timeline_ids_between_membership_and_edges() -> None:
    timeline = Timeline.from_arrivals(
        [(5, 1.0, 200, False, False), (2, 3.0, 200, False, False), (9, 2.0, 500, False, False)]
    )
    assert timeline.ids_between(1.0, 3.0) == [5, 9]
    assert timeline.ids_between(0.0, 10.0) == [2, 5, 9]
    assert 9 in timeline and 3 not in timeline and "9" not in timeline
    assert timeline.last_id == 9
    counts = timeline.count_edges([0.0, 2.0, 4.0])
    assert counts[Kind.SUCCESS] == [1, 1] and counts[Kind.SERVER_ERROR] == [0, 1]
    with pytest.raises(ValueError, match="two edges"):
        timeline.count_edges([1.0])


@settings(max_examples=80, deadline=None)
@given(
    batches=st.lists(
        st.lists(st.tuples(st.floats(-2.0, 2.0), st.sampled_from([200, 404, None])), max_size=10), max_size=8
    ),
    steps=st.lists(st.floats(0.0, 3.0), min_size=8, max_size=8),
)
def test_extend_is_append_one_by_one(
    batches: list[list[tuple[float, int | None]]], steps: list[float]
) -> None:
    bulk, single = Timeline(), Timeline()
    now, record_id = NOW, 0
    for batch, step in zip(batches, steps, strict=False):
        now += step
        arrivals = []
        for lag, status in batch:
            record_id += 1
            arrivals.append((record_id, now - lag, status, False, False))
        bulk.extend(arrivals)
        for item in arrivals:
            single.append(*item)
        assert bulk.ids_between(0.0, NOW * 2) == single.ids_between(0.0, NOW * 2)
        assert bulk.buckets(NOW - 5.0, now + 5.0, 7) == single.buckets(NOW - 5.0, now + 5.0, 7)
        assert bulk.span() == single.span() and bulk.nearest(now) == single.nearest(now)
    if record_id:
        with pytest.raises(ValueError, match="already on the timeline"):
            bulk.extend([(1, NOW, 200, False, False)])
