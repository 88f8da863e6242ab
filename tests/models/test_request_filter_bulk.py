"""A refilter works each source row's verdict out in bulk (RequestFilterProxyModel
._row_verdicts): the rows shown are exactly those of filterAcceptsRow's own path,
through sorting, arrivals at the top or bottom, conversion and pruning."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from inspector.http.record import CaptureRecord
from inspector.models.columns import Column
from inspector.models.request_filter import RequestFilterProxyModel, TimeRange
from inspector.models.request_table import RequestTableModel
from inspector.store import CaptureStore

Factory = Callable[..., CaptureRecord]
T0 = 1_700_000_000.0
FILTERS = ("item/1", "POST", "needle", "method:GET", "status:404", "zzz-none", "ITEM/2")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "h.sqlite3") as s:
        yield s


def make(factory: Factory, n: int) -> CaptureRecord:
    return factory(
        id=n,
        received_at=T0 + n,
        method=("GET", "POST", "PUT")[n % 3],
        target=f"/item/{n}",
        path=f"/item/{n}",
        query=(),
        body=b"needle" if n % 5 == 0 else b"",
    )


class PerRowProxy(RequestFilterProxyModel):
    """The reference: every row through filterAcceptsRow's own path."""

    def _row_verdicts(self) -> bytes | None:
        return None


def shown(proxy: RequestFilterProxyModel) -> list[int]:
    model = proxy.source()
    return [model.row_id(row) for row in proxy.source_rows()]


def check_same(model: RequestTableModel, bulk: RequestFilterProxyModel, per_row: PerRowProxy) -> None:
    for text in FILTERS:
        bulk.set_filter_text(text)
        per_row.set_filter_text(text)
        assert shown(bulk) == shown(per_row), text
    for start, end in ((5, 20), (30, 70)):
        time_range = TimeRange(T0 + start, T0 + end, frozenset(range(start, end)))
        bulk.set_time_range(time_range)
        per_row.set_time_range(time_range)
        assert shown(bulk) == shown(per_row)
        bulk.set_filter_text("item/1")  # a range and a text
        per_row.set_filter_text("item/1")
        assert shown(bulk) == shown(per_row)
    bulk.set_time_range(None)
    per_row.set_time_range(None)


def test_bulk_verdicts_show_the_rows_the_per_row_path_shows(
    qtmodeltester: Any, store: CaptureStore, record_factory: Factory
) -> None:
    store.add_many([make(record_factory, n) for n in range(1, 41)])
    assert store.flush(10)
    model = RequestTableModel(history=store)
    model.load_history()
    model.append_records([make(record_factory, n) for n in range(41, 61)])
    bulk, per_row = RequestFilterProxyModel(), PerRowProxy()
    bulk.setSourceModel(model)
    per_row.setSourceModel(model)
    qtmodeltester.check(bulk)
    check_same(model, bulk, per_row)
    for column, descending in ((Column.ID, True), (Column.METHOD, False), (Column.ID, False)):
        bulk.sort(column, descending)  # the model's own order: both proxies see it
        bulk.set_filter_text("item/1")
        per_row.set_filter_text("item/1")
        model.append_records([make(record_factory, model.rowCount() + 1)])  # at the top, in place, or last
        assert shown(bulk) == shown(per_row)
        check_same(model, bulk, per_row)
    store.add_many([make(record_factory, n) for n in range(41, 45)])
    assert store.flush(10)
    bulk.set_filter_text("item/4")
    per_row.set_filter_text("item/4")
    assert model.convert_committed(store.committed_max_id) == 4  # live rows become history rows
    assert shown(bulk) == shown(per_row)
    check_same(model, bulk, per_row)
    model.remove_oldest_history(7)  # pruned while filtered
    assert shown(bulk) == shown(per_row)
    check_same(model, bulk, per_row)


def test_a_refilter_reads_no_history_row_one_by_one(store: CaptureStore, record_factory: Factory) -> None:
    store.add_many([make(record_factory, n) for n in range(1, 41)])
    assert store.flush(10)
    model = RequestTableModel(history=store)
    model.load_history()
    asked: list[int] = []
    history_id = model.history_id
    model.history_id = lambda row: asked.append(row) or history_id(row)  # type: ignore[method-assign]
    proxy = RequestFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.set_filter_text("item/1")
    assert shown(proxy) == [1, *range(10, 20)]
    assert asked == []
    reference = PerRowProxy()
    reference.setSourceModel(model)
    reference.set_filter_text("item/1")
    assert shown(reference) == [1, *range(10, 20)]
    assert len(asked) == 40  # the path the bulk verdicts replace
