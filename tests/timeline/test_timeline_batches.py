"""Arrivals in batches and out of order: a batch is what the same arrivals one by one
would be, a late arrival goes in place or aside by the rule the strategy states, and
membership and the edge-count errors hold at their limits.
"""

from __future__ import annotations

from unittest import mock

import pytest

from inspector.timeline import Arrival, Kind, Timeline
from inspector.timeline import timeline as timeline_module


def one_by_one(arrivals: list[Arrival], before: list[Arrival] | None = None) -> Timeline:
    timeline = Timeline()
    for item in [*(before or []), *arrivals]:
        timeline.append(*item)
    return timeline


def assert_same(bulk: Timeline, single: Timeline, ids: range) -> None:
    """Both timelines answer every query alike (membership, counts, ranges, trimming)."""
    assert [i in bulk for i in ids] == [i in single for i in ids]
    for start, end, count in ((0.0, 1.0, 10), (0.0, 8.0, 4), (-1.0, 100.0, 1)):
        assert bulk.buckets(start, end, count) == single.buckets(start, end, count)
    assert bulk.ids_between(0.15, 0.3) == single.ids_between(0.15, 0.3)
    assert bulk.span() == single.span() and bulk.nearest(0.19) == single.nearest(0.19)
    assert bulk.discard_before(3) == single.discard_before(3)
    assert bulk.buckets(0.0, 8.0, 8) == single.buckets(0.0, 8.0, 8)


def test_a_batch_with_ids_out_of_order_is_added_one_by_one() -> None:
    arrivals: list[Arrival] = [
        (4, 0.2, 200, False, False),
        (2, 0.4, 404, False, False),
        (3, 0.1, 500, False, False),
    ]
    bulk = Timeline()
    bulk.extend(arrivals)
    assert_same(bulk, one_by_one(arrivals), range(6))
    held: list[Arrival] = [(1, 0.5, 200, False, False)]
    bulk = one_by_one(held)
    bulk.extend(arrivals)  # ids above the held one, out of order among themselves
    assert [i in bulk for i in range(6)] == [False, True, True, True, True, False]
    assert_same(bulk, one_by_one(arrivals, held), range(6))


def test_a_batch_holding_an_id_twice_is_refused() -> None:
    bulk = Timeline()
    with pytest.raises(ValueError, match=r"^id 5 is already on the timeline$"):
        bulk.extend([(5, 1.0, 200, False, False), (5, 2.0, 200, False, False)])
    assert len(bulk) == 1 and bulk.count_between(0.0, 10.0) == 1


def test_a_batch_colours_each_arrival_by_its_answer_error_and_pending() -> None:
    arrivals: list[Arrival] = [
        (1, 0.5, 200, True, False),  # answered, then broke off: an error
        (2, 1.5, None, False, True),  # waiting: pending
        (3, 2.5, 200, False, True),  # pending wins over the status
        (4, 3.5, None, True, True),  # and over the error
        (5, 4.5, 200, False, False),
        (6, 5.5, None, False, False),
    ]
    bulk = Timeline()
    bulk.extend(arrivals)
    counts = bulk.buckets(0.0, 6.0, 6).counts
    assert counts[Kind.ERROR] == (1, 0, 0, 0, 0, 0)
    assert counts[Kind.PENDING] == (0, 1, 1, 1, 0, 0)
    assert counts[Kind.SUCCESS] == (0, 0, 0, 0, 1, 0)
    assert counts[Kind.NO_ANSWER] == (0, 0, 0, 0, 0, 1)
    assert bulk.buckets(0.0, 6.0, 6) == one_by_one(arrivals).buckets(0.0, 6.0, 6)


def test_a_batch_received_partly_before_the_latest_held_arrival() -> None:
    # the first two of the batch were received before the held arrival (slow requests
    # that finished late), the others after it
    held: list[Arrival] = [(1, 0.5, 200, False, False)]
    arrivals: list[Arrival] = [
        (2, 0.1, 404, False, False),
        (3, 0.2, 500, False, False),
        (4, 5.0, 200, False, False),
        (5, 6.0, 200, False, False),
    ]
    bulk = one_by_one(held)
    bulk.extend(arrivals)
    assert bulk.buckets(0.0, 1.0, 10).totals == (0, 1, 1, 0, 0, 1, 0, 0, 0, 0)
    assert bulk.ids_between(0.15, 0.3) == [3]
    assert_same(bulk, one_by_one(arrivals, held), range(7))


def test_membership_of_ids_beyond_the_ends() -> None:
    assert 1 not in Timeline()
    timeline = one_by_one([(2, 1.0, 200, False, False), (4, 2.0, 200, False, False)])
    assert [i in timeline for i in range(6)] == [False, False, True, False, True, False]


def test_counting_needs_two_edges() -> None:
    with pytest.raises(ValueError, match=r"^need at least two edges$"):
        Timeline().count_edges([1.0])


def test_a_late_arrival_goes_in_place_while_the_arrays_are_no_longer_than_the_tail() -> None:
    with mock.patch.object(timeline_module, "TAIL", 2):
        timeline = one_by_one([(1, 10.0, 200, False, False), (2, 20.0, 200, False, False)])
        timeline.append(3, 5.0, 404, False)  # before both: moves TAIL arrivals, still in place
        assert len(timeline._side) == 0
        assert timeline.buckets(0.0, 30.0, 3).totals == (1, 1, 1)


def test_a_late_arrival_at_the_time_tail_places_from_the_end_goes_aside() -> None:
    with mock.patch.object(timeline_module, "TAIL", 2):
        timeline = one_by_one([(i, 10.0 * i, 200, False, False) for i in (1, 2, 3)])
        timeline.append(4, 20.0, 404, False)  # after (20.0, 2) but not after the tail's first time
        assert len(timeline._side) == 1
        timeline.append(5, 25.0, 404, False)  # after it: in place
        assert len(timeline._side) == 1
        assert timeline.buckets(0.0, 40.0, 4).totals == (0, 1, 3, 1)
        assert timeline.nearest(21.0) == 2


def test_the_side_run_merges_at_a_whole_eighth_of_the_arrays() -> None:
    with mock.patch.object(timeline_module, "TAIL", 2), mock.patch.object(timeline_module, "SIDE_MIN", 1):
        timeline = one_by_one([(i, 100.0 + i, 200, False, False) for i in range(1, 18)])  # 17: an eighth is 2
        timeline.append(18, 1.0, 404, False)
        assert len(timeline._side) == 1
        timeline.append(19, 2.0, 404, False)
        assert len(timeline._side) == 0  # merged at 2 = 17 // 8
        assert timeline.buckets(0.0, 200.0, 2).totals == (2, 17)
