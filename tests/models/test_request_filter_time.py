"""The table's time range (the timeline's drag) and finding a request's row by id."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from inspector.http.record import CaptureRecord
from inspector.models.columns import Column
from inspector.models.request_filter import MethodFilter, RequestFilterProxyModel, TimeRange
from inspector.models.request_table import RequestTableModel
from inspector.store import CaptureStore
from inspector.timeline import Timeline, arrival

Factory = Callable[..., CaptureRecord]
T0 = 1_700_000_000.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "h.sqlite3") as s:
        yield s


def at(factory: Factory, record_id: int, seconds: float, method: str = "GET") -> CaptureRecord:
    return factory(id=record_id, received_at=T0 + seconds, method=method)


def shown_ids(proxy: RequestFilterProxyModel) -> list[int]:
    model = proxy.source()
    return [model.row_id(row) for row in proxy.source_rows()]


def time_range(records: list[CaptureRecord], start: float, end: float) -> TimeRange:
    timeline = Timeline.from_arrivals(map(arrival, records))
    return TimeRange(T0 + start, T0 + end, frozenset(timeline.ids_between(T0 + start, T0 + end)))


def test_range_filters_live_and_stored_rows(
    qtmodeltester: Any, store: CaptureStore, record_factory: Factory
) -> None:
    stored = [at(record_factory, i, i) for i in range(1, 6)]
    store.add_many(stored)
    assert store.flush(10)
    model = RequestTableModel(history=store)
    model.load_history()
    proxy = RequestFilterProxyModel()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    live = [at(record_factory, 6, 6.5, "POST"), at(record_factory, 7, 2.5), at(record_factory, 8, 9)]
    model.append_records(live)
    assert model.history_count == 5 and model.live_count == 3
    chosen = time_range(stored + live, 2.0, 7.0)  # [T0+2, T0+7): stored 2..5, live 6 (6.5) and 7 (2.5)
    proxy.set_time_range(chosen)
    assert proxy.time_range is chosen
    assert not proxy.keeps_everything()  # a time range alone is a filter in force
    assert shown_ids(proxy) == [2, 3, 4, 5, 6, 7]
    proxy.set_filter_text("method:GET")  # terms and the range both hold
    assert shown_ids(proxy) == [2, 3, 4, 5, 7]
    proxy.set_filter_text("")
    proxy.set_method_filter(MethodFilter.POST)  # both filters hold
    assert shown_ids(proxy) == [6]
    proxy.set_method_filter(MethodFilter.ALL)
    # a slow request received inside the range but finished later: shown while live, by its time
    model.append_records([at(record_factory, 9, 3.0)])
    assert shown_ids(proxy) == [2, 3, 4, 5, 6, 7, 9]
    # stored and converted, it keeps its place through a refilter
    store.add_many([*live, at(record_factory, 9, 3.0)])
    assert store.flush(10)
    model.convert_committed(store.committed_max_id)
    proxy.set_filter_text("GET")
    proxy.set_filter_text("")
    assert shown_ids(proxy) == [2, 3, 4, 5, 6, 7, 9]
    assert proxy.accepts_record(at(record_factory, 10, 4.0))
    assert not proxy.accepts_record(at(record_factory, 10, 7.0))
    proxy.set_filter_text("method:POST")
    assert proxy.accepts_record(at(record_factory, 10, 4.0, "POST"))
    assert not proxy.accepts_record(at(record_factory, 10, 4.0))
    proxy.set_filter_text("")
    proxy.set_time_range(None)
    assert proxy.keeps_everything()
    assert shown_ids(proxy) == [1, 2, 3, 4, 5, 6, 7, 8, 9]


def test_row_of_id_follows_sorting_and_sessions(
    qapp: Any, store: CaptureStore, record_factory: Factory
) -> None:
    store.add_many([at(record_factory, i, i) for i in (1, 2, 3)])
    assert store.flush(10)
    model = RequestTableModel(history=store)
    model.load_history()
    model.append_records([at(record_factory, 4, 4), at(record_factory, 5, 5)])
    assert [model.row_of_id(i) for i in (1, 3, 4, 5, 6)] == [0, 2, 3, 4, None]
    model.sort(int(Column.ID), Qt.SortOrder.DescendingOrder)
    assert [model.row_of_id(i) for i in (1, 3, 4, 5)] == [4, 2, 1, 0]
    session = RequestTableModel()  # an imported session's ids need not be in order
    session.append_records([at(record_factory, 30, 1), at(record_factory, 10, 2), at(record_factory, 20, 3)])
    assert [session.row_of_id(i) for i in (10, 20, 30, 40)] == [1, 2, 0, None]
