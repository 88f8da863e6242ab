"""Sorting in the model (RequestTableModel.sort_rows, reached through the proxy's
sort): store-backed history plus live rows, every column, both orders; selection
and current row survive; arrivals while sorted; pruning while sorted."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from inspector.http.record import CaptureRecord, SentResponse
from inspector.models.columns import Column, cell_value
from inspector.models.request_filter import MethodFilter, RequestFilterProxyModel
from inspector.models.request_table import RequestTableModel
from inspector.store import CaptureStore

Factory = Callable[..., CaptureRecord]
HISTORY = 3000
ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


def varied(record_factory: Factory, i: int) -> CaptureRecord:
    methods = ("GET", "POST", "PUT", "DELETE", "M-SEARCH", "get")
    query = (("seq", str(i)), ("page", str(i % 7))) if i % 4 else ()
    return record_factory(
        id=i,
        received_at=1_700_000_000.0 + (i * 7919) % 1000 / 10,  # many ties
        client=f"10.0.{i % 3}.{i % 250}:{40000 + i % 97}",
        method=methods[i % len(methods)],
        target=f"/api/{i % 13}?seq={i}" if i % 10 else "*",
        path=f"/api/{i % 13}" if i % 10 else "",
        query=query,
        headers=(("Host", "h"),) * (1 + i % 5),
        body=b"x" * (i % 9) * 100,
        response=None
        if i % 8 == 0
        else SentResponse(status=(200, 404, 500, 201)[i % 4], reason="", duration_ms=(i % 11) / 4),
    )


@pytest.fixture
def records(record_factory: Factory) -> list[CaptureRecord]:
    return [varied(record_factory, i) for i in range(1, HISTORY + 201)]


@pytest.fixture
def store(tmp_path: Path, records: list[CaptureRecord]) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "s.sqlite3", batch_interval=0.02) as s:
        s.add_many(records[:HISTORY])
        assert s.flush(10)
        yield s


def build(
    store: CaptureStore, records: list[CaptureRecord]
) -> tuple[RequestTableModel, RequestFilterProxyModel]:
    model = RequestTableModel(history=store, page_size=64)
    proxy = RequestFilterProxyModel()
    proxy.setSourceModel(model)
    model.load_history()
    model.append_records(records[HISTORY:])
    return model, proxy


def shown_ids(proxy: RequestFilterProxyModel) -> list[int]:
    model = proxy.source()
    return [model.row_id(row) for row in proxy.source_rows()]


def expected_ids(records: list[CaptureRecord], column: Column, order: Qt.SortOrder) -> list[int]:
    ordered = sorted(records, key=lambda r: (cell_value(r, column), r.id))
    ids = [r.id for r in ordered]
    return ids[::-1] if order == DESC else ids


@pytest.mark.parametrize("column", list(Column))
def test_every_column_sorts_by_value_with_ties_by_id(
    qapp: Any, store: CaptureStore, records: list[CaptureRecord], column: Column
) -> None:
    model, proxy = build(store, records)
    for order in (ASC, DESC):
        proxy.sort(column, order)
        shown = shown_ids(proxy)
        assert shown == expected_ids(records, column, order), (column.name, order)
        # the cells follow: the first row shows the first record's values
        first = next(r for r in records if r.id == shown[0])
        assert proxy.index(0, Column.ID).data() == str(first.id)
        assert proxy.index(0, Column.PATH).data() == (first.path or first.target)
    proxy.sort(Column.ID, ASC)
    assert shown_ids(proxy) == [r.id for r in records]
    # back to storage order: sorting by # ascending again changes no layout
    layouts: list[int] = []
    model.layoutChanged.connect(lambda *_: layouts.append(1))
    model.sort_rows(Column.ID)
    assert layouts == []


def test_selection_and_current_row_survive_a_sort(
    qapp: Any, store: CaptureStore, records: list[CaptureRecord]
) -> None:
    model, proxy = build(store, records)
    selection = QItemSelectionModel(proxy)
    rows = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    picked = [5, 1500, 2999, 3100]  # history and live rows
    for row in picked:
        selection.select(proxy.index(row, 0), rows)
    selection.setCurrentIndex(proxy.index(1500, 3), QItemSelectionModel.SelectionFlag.NoUpdate)
    wanted = {model.row_id(row) for row in picked}
    for column, order in ((Column.METHOD, ASC), (Column.QUERY, DESC), (Column.ID, DESC), (Column.ID, ASC)):
        proxy.sort(column, order)
        selected = {model.row_id(proxy.mapToSource(i).row()) for i in selection.selectedRows()}
        assert selected == wanted, column.name
        current = selection.currentIndex()
        assert model.row_id(proxy.mapToSource(current).row()) == 1501 and current.column() == 3


def test_arrivals_while_sorted(
    qapp: Any, store: CaptureStore, records: list[CaptureRecord], record_factory: Factory
) -> None:
    model, proxy = build(store, records)
    next_id = itertools.count(HISTORY + 201)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))

    proxy.sort(Column.ID, DESC)
    batch = [varied(record_factory, next(next_id)) for _ in range(3)]
    model.append_records(batch)
    assert inserted[-1] == (0, 2)  # one insert, at the top, newest first
    assert shown_ids(proxy)[:4] == [batch[2].id, batch[1].id, batch[0].id, HISTORY + 200]
    assert shown_ids(proxy) == sorted(shown_ids(proxy), reverse=True)

    # every other sort: each new row lands where a new sort would put it
    everything = list(records) + batch
    for column in Column:
        for order in (ASC, DESC):
            proxy.sort(column, order)
            inserted.clear()
            batch = [varied(record_factory, next(next_id)) for _ in range(12)]
            model.append_records(batch)
            everything += batch
            assert shown_ids(proxy) == expected_ids(everything, column, order), (column.name, order)
            assert sum(last - first + 1 for first, last in inserted) == 12
            places = {cell_value(record, column) for record in batch}
            assert len(inserted) <= len(places)  # one insert per place, not per row
    assert model.rowCount() == len(everything)


def test_time_descending_puts_new_rows_at_the_top(
    qapp: Any, store: CaptureStore, records: list[CaptureRecord], record_factory: Factory
) -> None:
    model, proxy = build(store, records)
    proxy.sort(Column.TIME, DESC)
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    newest = max(r.received_at for r in records)
    for n in range(3):
        first = HISTORY + 300 + n * 10
        batch = [record_factory(id=first + i, received_at=newest + 1 + n + i / 100) for i in range(4)]
        model.append_records(batch)
        assert inserted[-1] == (0, 3)  # one insert, at the top
        assert shown_ids(proxy)[:4] == [r.id for r in reversed(batch)]
    # one that was received earlier than the newest (a slow request) goes below them
    late = record_factory(id=HISTORY + 400, received_at=newest + 0.5)
    model.append_records([late])
    assert shown_ids(proxy)[12] == late.id and inserted[-1] == (12, 12)


@pytest.mark.parametrize(
    ("column", "order"), [(Column.ID, DESC), (Column.PATH, ASC), (Column.ID, ASC), (Column.TIME, DESC)]
)
def test_pruning_while_sorted(  # noqa: PLR0917 (fixtures and parameters)
    qapp: Any,
    store: CaptureStore,
    records: list[CaptureRecord],
    record_factory: Factory,
    column: Column,
    order: Qt.SortOrder,
) -> None:
    model, proxy = build(store, records)
    proxy.sort(column, order)
    selection = QItemSelectionModel(proxy)
    keep = next(
        row
        for row in range(proxy.rowCount())
        if model.row_id(proxy.mapToSource(proxy.index(row, 0)).row()) == 2000
    )
    selection.setCurrentIndex(proxy.index(keep, 0), QItemSelectionModel.SelectionFlag.SelectCurrent)
    assert model.remove_oldest_history(1000) == 1000
    remaining = [r for r in records if r.id > 1000]
    assert shown_ids(proxy) == expected_ids(remaining, column, order)
    assert model.row_id(proxy.mapToSource(selection.currentIndex()).row()) == 2000
    assert proxy.index(0, Column.PATH).data() != "(no longer stored)"
    # the order's keys were pruned with the rows: new rows still land in place
    batch = [varied(record_factory, i) for i in range(HISTORY + 201, HISTORY + 231)]
    model.append_records(batch)
    assert shown_ids(proxy) == expected_ids(remaining + batch, column, order)


def test_model_tester_with_history_sorting_filtering(
    qtmodeltester: Any, store: CaptureStore, records: list[CaptureRecord], record_factory: Factory
) -> None:
    model = RequestTableModel(history=store, page_size=64)
    proxy = RequestFilterProxyModel()
    proxy.setSourceModel(model)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    model.load_history()
    model.append_records(records[HISTORY : HISTORY + 50])
    for column in Column:
        proxy.sort(column, DESC if column % 2 else ASC)
    proxy.sort(Column.STATUS, ASC)
    model.append_records(records[HISTORY + 50 : HISTORY + 100])
    proxy.set_filter_text("API/1")
    proxy.set_method_filter(MethodFilter.GET)
    proxy.sort(Column.TIME, DESC)
    model.append_records(records[HISTORY + 100 :])
    model.remove_oldest_history(10)
    proxy.set_filter_text("")
    proxy.set_method_filter(MethodFilter.ALL)
    proxy.sort(Column.ID, DESC)
    model.remove_oldest_history(10)
    model.clear()
    model.append_records([varied(record_factory, 9000), varied(record_factory, 9001)])
    assert shown_ids(proxy) == [9001, 9000]  # the sort outlives a clear


def test_a_new_source_model_gets_the_current_sort(qapp: Any, record_factory: Factory) -> None:
    proxy = RequestFilterProxyModel()
    first = RequestTableModel()
    proxy.setSourceModel(first)
    proxy.sort(Column.BODY_SIZE, DESC)
    second = RequestTableModel()
    second.append_records([record_factory(id=i, body=b"x" * (i * 37 % 10)) for i in range(1, 11)])
    proxy.setSourceModel(second)
    sizes = [proxy.record(row).body_size for row in range(proxy.rowCount())]
    assert sizes == sorted(sizes, reverse=True)


def test_filter_over_sorted_history_matches_unsorted(
    qapp: Any, store: CaptureStore, records: list[CaptureRecord]
) -> None:
    _model, proxy = build(store, records)
    for text in ("api/1", "API/1", "m-search", "seq=2", "nothing"):
        proxy.set_filter_text(text)
        proxy.sort(Column.ID, ASC)
        plain = shown_ids(proxy)
        proxy.sort(Column.CLIENT, DESC)
        assert sorted(shown_ids(proxy)) == plain
        needle = text.casefold()
        assert plain == [
            r.id for r in records if needle in r.method.casefold() or needle in r.target.casefold()
        ]
    proxy.set_filter_text("")
