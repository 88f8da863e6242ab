"""The timeline at its edges: status classes at their limits, buckets away from zero,
pending arrivals from history, ids out of order or repeated, trimming the oldest of many.

Each case is one the strip would show wrong: a colour, a hover, a bar, a count.
"""

from __future__ import annotations

import pytest

from inspector.timeline import Buckets, Kind, Timeline, kind_of


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (100, Kind.INFORMATIONAL),
        (199, Kind.INFORMATIONAL),
        (599, Kind.SERVER_ERROR),
        (500, Kind.SERVER_ERROR),
    ],
)
def test_the_first_and_last_status_of_the_range_have_their_class(status: int, kind: Kind) -> None:
    assert kind_of(status, False) is kind


def test_hovering_the_first_and_last_bucket_of_a_range_away_from_zero() -> None:
    timeline = Timeline()
    for record_id, time in enumerate((100.0, 104.0, 139.0), start=1):
        timeline.append(record_id, time, 200, False)
    buckets = timeline.buckets(100.0, 140.0, 4)  # 10 s each

    first, last = buckets.at(0), buckets.at(3)
    assert (first.start, first.end, first.total) == (100.0, 110.0, 2)
    assert (last.start, last.end, last.total) == (130.0, 140.0, 1)
    with pytest.raises(IndexError):
        buckets.at(4)
    with pytest.raises(IndexError):
        buckets.at(-1)
    assert [buckets.index_at(t) for t in (99.9, 100.0, 105.0, 119.0, 139.9, 140.0)] == [
        None,
        0,
        0,
        1,
        3,
        None,
    ]


def test_buckets_of_no_width_hold_no_time() -> None:
    empty = Buckets(start=5.0, width=0.0, counts=((),), totals=())
    assert empty.index_at(5.0) is None
    assert empty.index_at(6.0) is None


def test_pending_arrivals_from_history_and_updates_to_pending_are_pending() -> None:
    timeline = Timeline.from_arrivals([(1, 1.0, None, False, True), (2, 1.5, 200, False, False)])
    assert timeline.buckets(0.0, 2.0, 1).counts[Kind.PENDING] == (1,)

    assert timeline.update(2, None, False, pending=True)
    assert timeline.buckets(0.0, 2.0, 1).counts[Kind.PENDING] == (2,)


def test_history_in_any_id_order_can_be_answered_and_trimmed_by_id() -> None:
    timeline = Timeline.from_arrivals(
        [(2, 2.0, None, False, True), (1, 1.0, None, False, True), (3, 3.0, None, False, True)]
    )
    assert all(timeline.update(record_id, 200, False) for record_id in (1, 2, 3))
    assert timeline.buckets(0.0, 4.0, 1).counts[Kind.SUCCESS] == (3,)
    assert timeline.discard_before(2) == 1
    assert timeline.span() == (2.0, 3.0)


def test_the_same_id_twice_in_a_row_is_refused() -> None:
    with pytest.raises(ValueError, match="occurs twice"):
        Timeline.from_arrivals([(1, 1.0, 200, False, False), (1, 2.0, 200, False, False)])
    timeline = Timeline()
    timeline.append(1, 1.0, 200, False)
    with pytest.raises(ValueError, match="already on the timeline"):
        timeline.append(1, 2.0, 200, False)
    assert timeline.count_between(0.0, 10.0) == 1


def test_trimming_the_two_oldest_of_many_in_time_order() -> None:
    timeline = Timeline()
    for record_id in range(1, 101):
        timeline.append(record_id, float(record_id), 200, False)
    assert timeline.discard_before(3) == 2
    assert timeline.count_between(0.0, 3.0) == 0
    assert timeline.nearest(0.0) == 3
    assert timeline.span() == (3.0, 100.0)
