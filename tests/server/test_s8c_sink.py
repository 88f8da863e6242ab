"""The simplest capture sink (inspector/server/sink.py): ids from 1 unless told otherwise."""

from __future__ import annotations

from inspector.http.record import CaptureRecord
from inspector.server.sink import CallbackSink


def test_a_callback_sink_numbers_records_from_one_by_default() -> None:
    finished: list[CaptureRecord] = []
    sink = CallbackSink(finished.append)
    assert [sink.next_id() for _ in range(3)] == [1, 2, 3]
    record = CaptureRecord(id=1, received_at=0.0, client="c", server="s")
    sink.finished(record)
    sink.end_round()
    assert finished == [record]
