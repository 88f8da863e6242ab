"""Waiting rows: a request shown before its answer, completed in place, also
after the rows around it became history rows."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from inspector.http.record import CaptureRecord, SentResponse
from inspector.models.columns import Column, Role, waiting_text
from inspector.models.request_table import RequestTableModel
from inspector.store import CaptureStore

Factory = Callable[..., CaptureRecord]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "h.sqlite3") as s:
        yield s


def status(model: RequestTableModel, row: int) -> str:
    value = model.index(row, Column.STATUS).data(Qt.ItemDataRole.DisplayRole)
    assert isinstance(value, str)
    return value


def answered(record: CaptureRecord, code: int = 201) -> CaptureRecord:
    sent = SentResponse(status=code, reason="Created", body=b"", bytes=40, duration_ms=2000.0)
    return record.with_response(sent)


def test_waiting_text_counts_whole_seconds(record_factory: Factory) -> None:
    record = record_factory(received_at=100.0)
    assert waiting_text(record, 100.4) == "waiting 0 s"
    assert waiting_text(record, 103.9) == "waiting 3 s"
    assert waiting_text(record, 99.0) == "waiting 0 s"  # a clock stepped back


def test_a_waiting_live_row_is_completed_in_place(
    qapp: Any, qtmodeltester: Any, record_factory: Factory
) -> None:
    model = RequestTableModel()
    qtmodeltester.check(model)
    pending = record_factory(id=1, response=None)
    model.append_records([pending, record_factory(id=2)], waiting=[1])
    assert status(model, 0).startswith("waiting ") and model.waiting == {1}
    changed: list[tuple[int, int, int]] = []
    model.dataChanged.connect(lambda a, b, _r=None: changed.append((a.row(), a.column(), b.column())))
    done = answered(pending)
    assert model.update_record(done)
    assert changed == [(0, 0, len(Column) - 1)]
    assert status(model, 0) == "201" and not model.waiting and model.rowCount() == 2
    assert model.index(0, 0).data(Role.RECORD) is done
    assert not model.update_record(record_factory(id=99))  # no such row
    qtmodeltester.check(model)


def test_a_waiting_row_among_converted_rows_stays_pinned_and_is_completed(
    qapp: Any, store: CaptureStore, record_factory: Factory
) -> None:
    model = RequestTableModel(history=store)
    model.load_history()
    pending = record_factory(id=2, response=None)
    others = [record_factory(id=1), record_factory(id=3)]
    store.add_pending(pending)
    store.add_many(others)
    assert store.flush(10)
    model.append_records([others[0], pending, others[1]], waiting=[2])
    assert model.convert_committed(store.committed_max_id) == 3
    assert model.live_count == 0 and list(model.pinned) == [2]  # the store has it only as pending
    assert status(model, 1).startswith("waiting ")
    refreshed: list[int] = []
    model.dataChanged.connect(lambda a, _b, _r=None: refreshed.append(a.row()))
    model.refresh_waiting()
    assert refreshed == [1]
    done = answered(pending, 204)
    assert model.update_record(done)
    assert status(model, 1) == "204" and model.index(1, 0).data(Role.RECORD) is done


def test_waiting_rows_follow_a_sort(qapp: Any, record_factory: Factory) -> None:
    model = RequestTableModel()
    model.append_records([record_factory(id=i) for i in (1, 2)])
    model.sort_rows(Column.ID, descending=True)
    pending = record_factory(id=3, response=None)
    model.append_records([pending], waiting=[3])
    assert model.row_id(0) == 3 and status(model, 0).startswith("waiting ")
    assert model.update_record(answered(pending))
    assert model.row_id(0) == 3 and status(model, 0) == "201"


def test_clear_forgets_waiting_rows(qapp: Any, record_factory: Factory) -> None:
    model = RequestTableModel()
    model.append_records([record_factory(id=1, response=None)], waiting=[1])
    model.clear()
    assert not model.waiting and model.rowCount() == 0
