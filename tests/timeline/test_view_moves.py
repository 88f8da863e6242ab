"""The strip's view as the user moves it: where the buckets sit, what follows now, and
which counts a move, a slide or a changed history makes the next refresh recount.

Each case is one the strip would show wrong: a bar in the wrong place, a view that stops
following, a count left over from before a move, or a recount of bars that did not change.
"""

from __future__ import annotations

from inspector.timeline import Timeline
from inspector.timeline.view import WIDTHS, TimelineView
from tests.timeline.test_view import brute_counts

NOW = 1_700_000_000.0


def counted(*times: float) -> tuple[Timeline, TimelineView]:
    """A timeline of one answered request at each time, and a view of ten 1 s buckets
    (the newest holding NOW) that has counted them."""
    timeline = Timeline()
    view = TimelineView(10, NOW)
    for record_id, at in enumerate(times, start=1):
        timeline.append(record_id, at, 200, False)
        view.arrived(at)
    view.refresh(timeline)
    return timeline, view


def ten_second_buckets() -> TimelineView:
    """Ten buckets of 10 s, the newest holding NOW (a width other than 1 s)."""
    view = TimelineView(10, NOW)
    view.fit(NOW - 100.0, NOW)
    assert view.width == 10.0
    return view


def test_a_view_has_at_least_one_bucket_and_shows_nothing_before_its_first_count() -> None:
    for count in (0, 1):
        view = TimelineView(count, NOW)
        assert view.count == 1
        assert view.buckets().count == 1
    view = TimelineView(10, NOW)
    shown = view.buckets()  # what the strip draws before its first refresh
    assert shown.totals == (0,) * 10 and shown.peak == 0
    assert (shown.start, shown.width) == (view.start, view.width)


def test_a_new_view_counts_everything_even_when_its_fit_lands_where_it_started() -> None:
    # 1000 buckets of 10 ms with now in bucket 999: the fit puts the first bucket at grid 0
    timeline = Timeline()
    timeline.append(1, 5.005, 200, False)
    view = TimelineView(1000, 9.995)
    assert (view.width, view.first) == (WIDTHS[0], 0)
    assert view.needs_refresh
    assert view.refresh(timeline)
    index = view.index_at(5.005)
    assert index == 500
    assert view.buckets().totals[index] == 1 and sum(view.buckets().totals) == 1


def test_times_and_buckets_of_a_view_of_ten_second_buckets() -> None:
    view = ten_second_buckets()
    assert (view.start, view.end) == (NOW - 90.0, NOW + 10.0)
    assert [view.time_at(f) for f in (0.0, 0.5, 1.0)] == [NOW - 90.0, NOW - 40.0, NOW + 10.0]
    assert view.edge(view.first + 3) == NOW - 60.0
    times = (NOW - 90.01, NOW - 90.0, NOW - 80.01, NOW - 80.0, NOW + 9.99, NOW + 10.0)
    assert [view.index_at(t) for t in times] == [None, 0, 0, 1, 9, None]
    timeline = Timeline()
    for record_id, at in enumerate((NOW - 85.0, NOW - 55.0, NOW - 52.0, NOW + 5.0), start=1):
        timeline.append(record_id, at, 200, False)
        view.arrived(at)
    assert view.refresh(timeline)
    shown = view.buckets()
    assert shown.totals == (1, 0, 0, 2, 0, 0, 0, 0, 0, 1)
    assert (shown.start, shown.width) == (NOW - 90.0, 10.0)
    assert shown.index_at(NOW - 52.0) == 3


def test_fitting_a_span_longer_than_the_ladder_uses_its_widest_bucket() -> None:
    view = TimelineView(10, NOW)
    view.fit(NOW - 10 * 86400.0, NOW)  # exactly a day a bucket
    assert view.width == WIDTHS[-1] == 86400.0
    view = TimelineView(1, NOW)
    view.fit(NOW - 30 * 86400.0, NOW)  # a month in one bucket: as wide as the ladder goes
    assert view.width == WIDTHS[-1]
    assert view.index_at(NOW) == 0 and view.following


def test_zooming_out_at_the_widest_bucket_does_nothing() -> None:
    view = TimelineView(10, NOW)
    view.fit(NOW - 10 * 86400.0, NOW)
    assert not view.zoom(+1, NOW, NOW)
    assert view.width == WIDTHS[-1]
    for _ in WIDTHS:
        view.zoom(-1, NOW, NOW)
    for _ in WIDTHS:
        view.zoom(+1, NOW, NOW)
    assert view.width == WIDTHS[-1]


def test_zooming_out_near_the_left_edge_while_following_keeps_following() -> None:
    # the anchor would put the view's end in the future: the newest bucket holds now instead
    view = TimelineView(10, NOW)
    assert view.width == 1.0
    assert view.zoom(+1, view.time_at(0.0), NOW)
    assert view.width == 2.0
    assert view.following is True
    assert view.index_at(NOW) == view.count - 1


def test_a_zoom_that_lands_on_the_newest_buckets_follows() -> None:
    view = TimelineView(10, NOW)
    assert view.zoom(+1, view.time_at(0.9), NOW)  # the anchor's place gives exactly the newest buckets
    assert view.following is True
    assert view.index_at(NOW) == view.count - 1
    view = TimelineView(10, NOW)
    assert view.zoom(+1, view.time_at(0.99), NOW)  # one bucket short of now: the view stays put
    assert view.following is False
    assert view.index_at(NOW) is None


def test_a_zoom_or_a_pan_recounts_the_buckets_it_shows() -> None:
    timeline = Timeline()
    arrivals = [(1, NOW - 7.3, 200), (2, NOW - 2.6, 500), (3, NOW - 0.4, 200), (4, NOW - 33.0, 500)]
    view = TimelineView(10, NOW)
    for record_id, at, status in arrivals:
        timeline.append(record_id, at, status, False)
        view.arrived(at)
    view.refresh(timeline)
    assert view.buckets().counts == tuple(map(tuple, brute_counts(arrivals, view)))
    for move in (
        lambda: view.zoom(-1, NOW - 2.0, NOW),
        lambda: view.zoom(+3, NOW - 2.0, NOW),
        lambda: view.pan(-2, NOW),
        lambda: view.pan(+5, NOW),
    ):
        move()
        assert view.needs_refresh
        assert view.refresh(timeline)
        assert [list(row) for row in view.buckets().counts] == brute_counts(arrivals, view)


def test_following_slides_by_a_single_bucket() -> None:
    view = TimelineView(10, NOW)
    first = view.first
    view.follow(NOW + 1.0)
    assert view.first == first + 1
    assert view.index_at(NOW + 1.0) == 9


def test_following_near_time_zero_slides_too() -> None:
    view = TimelineView(10, 0.0)  # grid numbers below zero
    assert view.first == -9
    view.follow(3.0)
    assert view.first == -6
    assert view.index_at(3.0) == 9


def test_following_past_the_whole_view_keeps_its_bar_count_and_recounts_all() -> None:
    timeline, view = counted(NOW - 5.0)
    view.follow(NOW + 25.0)
    assert view.buckets().count == view.count
    timeline.append(2, NOW + 20.0, 200, False)
    view.arrived(NOW + 20.0)
    assert view.refresh(timeline)
    assert view.buckets().totals == (0, 0, 0, 0, 1, 0, 0, 0, 0, 0)


def test_an_arrival_at_the_views_end_needs_no_recount() -> None:
    timeline, view = counted()
    timeline.append(1, view.end, 200, False)
    view.arrived(view.end)
    assert not view.needs_refresh
    assert not view.refresh(timeline)
    assert view.buckets().peak == 0


def test_a_changed_history_is_recounted_after_invalidate() -> None:
    timeline, view = counted(NOW - 6.0, NOW - 3.0)
    assert sum(view.buckets().totals) == 2
    timeline.discard_before(2)  # the table trimmed its oldest row
    view.invalidate()
    assert view.needs_refresh
    assert view.refresh(timeline)
    assert view.buckets().totals == (0, 0, 0, 0, 0, 0, 1, 0, 0, 0)


def test_resizing_to_one_bucket() -> None:
    view = TimelineView(10, NOW)
    view.resize(1, NOW)
    assert view.count == 1 and view.index_at(NOW) == 0
    view.resize(0, NOW)
    assert view.count == 1 and view.buckets().count == 1


def test_resizing_while_following_follows_now() -> None:
    view = TimelineView(100, NOW)
    view.resize(40, NOW + 50.0)
    assert view.following is True
    assert view.index_at(NOW + 50.0) == 39


def test_resizing_recounts_even_when_the_first_bucket_stays() -> None:
    timeline, view = counted(NOW - 3.0)
    first = view.first
    view.resize(20, NOW + 10.0)  # twice as wide, ten seconds later: the same first bucket
    assert view.first == first
    assert view.buckets().totals == (0,) * 20  # the old counts are gone until the recount
    assert view.needs_refresh
    assert view.refresh(timeline)
    assert view.buckets().totals[6] == 1 and sum(view.buckets().totals) == 1
