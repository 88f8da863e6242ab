"""CaptureStore.arrivals: what the window's timeline is built from, in one query."""

from __future__ import annotations

from pathlib import Path

from inspector.store import CaptureStore
from inspector.timeline import Kind, Timeline
from tests.records import make_record, make_response


def test_arrivals_are_every_stored_request_in_id_order(tmp_path: Path) -> None:
    with CaptureStore(tmp_path / "h.sqlite3") as store:
        store.add_many(
            [
                make_record(id=3, received_at=30.5, response=make_response(status=404)),
                make_record(id=1, received_at=10.25, response=None),
                make_record(id=2, received_at=20.0, error="bad request", response=make_response(status=400)),
            ]
        )
        store.add_pending(make_record(id=4, received_at=40.0, response=None))
        assert store.flush(10)
        assert store.arrivals() == [
            (1, 10.25, None, False, False),
            (2, 20.0, 400, True, False),
            (3, 30.5, 404, False, False),
            (4, 40.0, None, False, True),
        ]
        timeline = Timeline.from_arrivals(store.arrivals())
    buckets = timeline.buckets(0.0, 50.0, 5)
    assert buckets.totals == (0, 1, 1, 1, 1)
    assert buckets.counts[Kind.NO_ANSWER][1] == 1
    assert buckets.counts[Kind.ERROR][2] == 1
    assert buckets.counts[Kind.CLIENT_ERROR][3] == 1
    assert buckets.counts[Kind.PENDING][4] == 1
