"""Arrivals over time: buckets, rate, nearest record and time ranges, live and from history."""

from __future__ import annotations

import random
from array import array
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.timeline import KINDS, Kind, Timeline, arrival, kind_of
from inspector.timeline import timeline as timeline_module
from inspector.timeline.arrivals import SortedArrivals
from tests.conftest import make_record


@pytest.mark.parametrize(
    ("status", "error", "pending", "kind"),
    [
        (200, False, False, Kind.SUCCESS),
        (101, False, False, Kind.INFORMATIONAL),
        (301, False, False, Kind.REDIRECT),
        (404, False, False, Kind.CLIENT_ERROR),
        (503, False, False, Kind.SERVER_ERROR),
        (400, True, False, Kind.ERROR),
        (None, True, False, Kind.ERROR),
        (None, False, False, Kind.NO_ANSWER),
        (99, False, False, Kind.NO_ANSWER),
        (600, False, False, Kind.NO_ANSWER),
        (200, True, True, Kind.PENDING),
    ],
)
def test_kind_of(status: int | None, error: bool, pending: bool, kind: Kind) -> None:
    assert kind_of(status, error, pending) is kind


def test_arrival_of_a_record() -> None:
    record = make_record(id=7, received_at=12.5)
    assert arrival(record) == (7, 12.5, 200, False, False)
    assert arrival(make_record(id=8, error="bad", response=None))[2:] == (None, True, False)


def known() -> Timeline:
    timeline = Timeline()
    for args in [
        (1, 0.1, 200, False),
        (2, 0.5, 404, False),
        (3, 1.2, 200, False),
        (4, 1.9, 500, False),
        (5, 2.0, 400, True),
        (6, 3.99, None, False),
        (7, 4.0, 200, False),
    ]:
        timeline.append(*args)
    return timeline


def test_buckets_for_known_arrivals() -> None:
    buckets = known().buckets(0.0, 4.0, 4)
    assert buckets.totals == (2, 2, 1, 1)  # 4.0 itself is outside [0, 4)
    assert buckets.counts[Kind.SUCCESS] == (1, 1, 0, 0)
    assert buckets.counts[Kind.CLIENT_ERROR] == (1, 0, 0, 0)
    assert buckets.counts[Kind.SERVER_ERROR] == (0, 1, 0, 0)
    assert buckets.counts[Kind.ERROR] == (0, 0, 1, 0)
    assert buckets.counts[Kind.NO_ANSWER] == (0, 0, 0, 1)
    assert buckets.peak == 2
    hover = buckets.at(1)
    assert (hover.start, hover.end, hover.total) == (1.0, 2.0, 2)
    assert hover.by_kind[Kind.SUCCESS] == 1
    assert len(hover.by_kind) == KINDS
    assert [buckets.index_at(t) for t in (-0.1, 0.0, 1.99, 3.5, 4.0)] == [None, 0, 1, 3, None]
    with pytest.raises(IndexError):
        buckets.at(4)


def test_rebucketing_is_any_zoom() -> None:
    timeline = known()
    assert timeline.buckets(0.0, 8.0, 1).totals == (7,)
    assert timeline.buckets(1.0, 2.0, 10).totals == (0, 0, 1, 0, 0, 0, 0, 0, 0, 1)
    assert Timeline().buckets(0.0, 1.0, 3).totals == (0, 0, 0)
    with pytest.raises(ValueError, match="need count >= 1"):
        timeline.buckets(1.0, 1.0, 3)


def test_rate_counts_the_last_window() -> None:
    timeline = known()
    assert timeline.rate(2.0) == 2.0  # 1.2 and 1.9: [1.0, 2.0)
    assert timeline.rate(2.01) == 3.0  # 1.2, 1.9 and 2.0: [1.01, 2.01)
    assert timeline.rate(4.0, window=4.0) == 1.5
    assert timeline.rate(100.0) == 0.0
    assert timeline.rate(2.0, window=0) == 0.0


def test_nearest_record_to_a_time() -> None:
    timeline = known()
    assert timeline.nearest(-5.0) == 1
    assert timeline.nearest(1.4) == 3
    assert timeline.nearest(1.6) == 4
    assert timeline.nearest(100.0) == 7
    assert Timeline().nearest(1.0) is None
    tie = Timeline()
    tie.append(5, 1.0, 200, False)
    tie.append(9, 3.0, 200, False)
    assert tie.nearest(2.0) == 5


def test_time_range_to_id_range() -> None:
    timeline = known()
    found = timeline.id_range(0.5, 2.0)
    assert found is not None
    assert (found.first, found.last, found.count) == (2, 4, 3)
    assert timeline.id_range(10.0, 20.0) is None
    assert timeline.count_between(0.0, 100.0) == 7
    assert timeline.span() == (0.1, 4.0)
    assert Timeline().span() is None


def test_ids_and_times_need_not_agree() -> None:
    """A slow upload: received first, finished (and numbered) last."""
    timeline = Timeline()
    timeline.append(1, 10.0, 200, False)
    timeline.append(2, 11.0, 200, False)
    timeline.append(3, 9.0, 200, False)
    found = timeline.id_range(9.5, 12.0)
    assert found is not None
    assert (found.first, found.last, found.count) == (1, 2, 2)
    assert timeline.nearest(9.1) == 3
    assert timeline.buckets(9.0, 12.0, 3).totals == (1, 1, 1)


def test_a_pending_arrival_gets_its_answer() -> None:
    timeline = Timeline()
    timeline.append(1, 1.0, None, False, pending=True)
    assert timeline.buckets(0.0, 2.0, 1).counts[Kind.PENDING] == (1,)
    assert timeline.update(1, 201, False)
    buckets = timeline.buckets(0.0, 2.0, 1)
    assert (buckets.counts[Kind.PENDING], buckets.counts[Kind.SUCCESS]) == ((0,), (1,))
    assert not timeline.update(2, 200, False)


def test_an_id_is_added_once() -> None:
    timeline = known()
    with pytest.raises(ValueError, match="id 3 is already on the timeline"):
        timeline.append(3, 5.0, 200, False)
    with pytest.raises(ValueError, match="an id occurs twice"):
        Timeline.from_arrivals(
            [(2, 1.0, 200, False, False), (1, 1.0, 200, False, False), (2, 3.0, 200, False, False)]
        )


def test_discarding_the_oldest_ids() -> None:
    timeline = known()
    assert timeline.discard_before(4) == 3
    assert len(timeline) == 4
    assert timeline.buckets(0.0, 4.0, 4).totals == (0, 1, 1, 1)
    assert timeline.discard_before(4) == 0
    timeline.clear()
    assert len(timeline) == 0
    assert timeline.span() is None


def test_discarding_ids_scattered_in_time() -> None:
    timeline = Timeline()
    for record_id, time in [(1, 5.0), (2, 1.0), (3, 3.0), (4, 2.0), (5, 4.0)]:
        timeline.append(record_id, time, 200, False)
    assert timeline.discard_before(3) == 2
    assert timeline.buckets(0.0, 6.0, 6).totals == (0, 0, 1, 1, 1, 0)


def test_discarding_a_few_of_many() -> None:
    timeline = Timeline()
    for record_id in range(1, 101):
        timeline.append(record_id, float(101 - record_id), 200, False)  # times run backwards
    assert timeline.discard_before(6) == 5
    assert timeline.count_between(96.0, 101.0) == 0
    assert timeline.count_between(0.0, 96.0) == 95
    assert timeline.nearest(100.0) == 6


def test_far_out_of_order_arrivals_go_aside_and_merge() -> None:
    with mock.patch.object(timeline_module, "TAIL", 2), mock.patch.object(timeline_module, "SIDE_MIN", 3):
        timeline = Timeline()
        for record_id in range(1, 11):
            timeline.append(record_id, 100.0 + record_id, 200, False)
        # a clock stepped back: every later arrival is far from the end
        for record_id in range(11, 16):
            timeline.append(record_id, float(record_id), 404, False)
            assert timeline.buckets(0.0, 200.0, 2).totals == (record_id - 10, 10)
        assert len(timeline._side) == 2  # three were merged; two wait
        assert timeline.nearest(12.2) == 12
        found = timeline.id_range(0.0, 50.0)
        assert found is not None
        assert (found.first, found.last, found.count) == (11, 15, 5)
        assert timeline.update(14, None, True)
        assert timeline.update(15, None, True)
        assert timeline.buckets(0.0, 50.0, 1).counts[Kind.ERROR] == (2,)
        assert timeline.discard_before(15) == 14
        assert timeline.count_between(0.0, 200.0) == 1


def _brute_counts(
    rows: dict[int, tuple[float, int]], start: float, end: float, count: int
) -> list[list[int]]:
    width = (end - start) / count
    edges = [start + i * width for i in range(count)] + [end]
    counts = [[0] * count for _ in range(KINDS)]
    for time, kind in rows.values():
        for i in range(count):
            if edges[i] <= time < edges[i + 1]:
                counts[kind][i] += 1
    return counts


arrival_lists = st.lists(
    st.tuples(
        st.sampled_from([0.0, 0.5, 1.0, 1.25, 2.0, 3.0, 3.5, 7.0]),
        st.sampled_from([200, 302, 404, 500, None]),
        st.booleans(),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(arrival_lists, st.randoms(use_true_random=False), st.integers(0, 45))
def test_live_history_and_brute_force_agree(
    rows: list[tuple[float, int | None, bool]], rng: random.Random, cut: int
) -> None:
    expected = {i + 1: (time, kind_of(status, error)) for i, (time, status, error) in enumerate(rows)}
    order = list(expected)
    rng.shuffle(order)
    with mock.patch.object(timeline_module, "TAIL", 2), mock.patch.object(timeline_module, "SIDE_MIN", 4):
        live = Timeline()
        for record_id in order:
            time, status, error = rows[record_id - 1]
            live.append(record_id, time, status, error)
        history = Timeline.from_arrivals((i, *rows[i - 1], False) for i in order)
        for timeline in (live, history):
            assert len(timeline) == len(rows)
            for start, end, count in ((0.0, 8.0, 8), (0.5, 3.5, 5), (-1.0, 10.0, 1)):
                buckets = timeline.buckets(start, end, count)
                assert [list(row) for row in buckets.counts] == _brute_counts(expected, start, end, count)
            if expected:
                best = min(abs(t - 1.1) for t, _ in expected.values())
                nearest = timeline.nearest(1.1)
                assert nearest == min(i for i, (t, _) in expected.items() if abs(t - 1.1) == best)
            inside = [i for i, (t, _) in expected.items() if 0.5 <= t < 3.0]
            found = timeline.id_range(0.5, 3.0)
            assert (None if not inside else (min(inside), max(inside), len(inside))) == (
                None if found is None else (found.first, found.last, found.count)
            )
            timeline.discard_before(cut)
        kept = {i: v for i, v in expected.items() if i >= cut}
        for timeline in (live, history):
            assert [list(r) for r in timeline.buckets(0.0, 8.0, 4).counts] == _brute_counts(kept, 0.0, 8.0, 4)


@given(
    st.lists(
        st.tuples(st.sampled_from([0.0, 1.0, 2.0, 3.0]), st.integers(0, 60)),
        unique_by=lambda r: r[1],
        max_size=30,
    ),
    st.data(),
)
def test_merging_sorted_arrivals_gives_the_sorted_union(
    rows: list[tuple[float, int]], data: st.DataObject
) -> None:
    aside = data.draw(st.sets(st.sampled_from(range(len(rows))))) if rows else set()

    def run(picked: list[tuple[float, int]]) -> SortedArrivals:
        picked = sorted(picked)
        return SortedArrivals(
            array("d", [t for t, _ in picked]),
            array("q", [i for _, i in picked]),
            bytearray(i % 8 for _, i in picked),
        )

    main = run([row for n, row in enumerate(rows) if n not in aside])
    main.merge(run([row for n, row in enumerate(rows) if n in aside]))
    assert list(zip(main.times, main.ids, main.kinds, strict=True)) == [
        (t, i, i % 8) for t, i in sorted(rows)
    ]
