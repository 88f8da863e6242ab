"""RequestTableModel over a stored history: lazy pages, pruning, filtering, sorting."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from inspector.http.record import CaptureRecord
from inspector.models.columns import Column, Role
from inspector.models.request_filter import MethodFilter, RequestFilterProxyModel
from inspector.models.request_table import RequestTableModel
from inspector.store import CaptureStore, Summary

Factory = Callable[..., CaptureRecord]


class CountingStore:
    """Delegates to a CaptureStore and counts the reads the table makes."""

    def __init__(self, store: CaptureStore) -> None:
        self._store = store
        self.summary_rows = 0
        self.summaries_calls = 0
        self.get_calls = 0
        self.search_calls = 0
        self.searched: list[tuple[str, ...]] = []
        self.sort_key_calls = 0

    def ids(self, offset: int = 0, limit: int = -1) -> list[int]:
        return self._store.ids(offset, limit)

    def summaries(self, offset: int = 0, limit: int = 100) -> list[Summary]:
        self.summaries_calls += 1
        rows = self._store.summaries(offset, limit)
        self.summary_rows += len(rows)
        return rows

    def summaries_between(self, first_id: int, last_id: int) -> list[Summary]:
        self.summaries_calls += 1
        rows = self._store.summaries_between(first_id, last_id)
        self.summary_rows += len(rows)
        return rows

    def summary(self, record_id: int) -> Summary:
        self.summary_rows += 1
        return self._store.summary(record_id)

    def get(self, record_id: int) -> CaptureRecord:
        self.get_calls += 1
        return self._store.get(record_id)

    def search(self, text: str, limit: int = 1000) -> list[int]:
        self.search_calls += 1
        return self._store.search(text, limit)

    def search_any(self, texts: Sequence[str], limit: int = -1) -> list[int]:
        self.search_calls += 1
        self.searched.append(tuple(texts))
        return self._store.search_any(texts, limit)

    def sort_keys(self, field: str) -> dict[int, Any]:
        self.sort_key_calls += 1
        return self._store.sort_keys(field)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


@pytest.fixture
def store(tmp_path: Path, record_factory: Factory) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "h.sqlite3") as s:
        records = [
            record_factory(
                id=i,
                server="[::1]:8091" if i % 2 else "127.0.0.1:8090",
                method="POST" if i % 3 == 0 else "GET",
                target=f"/item/{i}?n={i}",
                path=f"/item/{i}",
                query=(("n", str(i)),),
                body=b"needle body" if i == 7 else b"",
            )
            for i in range(1, 1001)
        ]
        s.add_many(records)
        assert s.flush(10)
        yield s


def cell(model: Any, row: int, column: Column, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    return model.data(model.index(row, column), role)


def test_model_tester_history_then_live(
    qtmodeltester: Any, store: CaptureStore, record_factory: Factory
) -> None:
    model = RequestTableModel(history=store, page_size=64)
    qtmodeltester.check(model)
    model.load_history()
    assert model.rowCount() == 1000 and model.history_count == 1000
    model.append_records([record_factory(id=1001), record_factory(id=1002)])
    assert model.remove_oldest_history(10) == 10
    assert model.rowCount() == 992 and model.row_id(0) == 11
    assert model.row_id(991) == 1002  # the live rows follow the history rows
    model.clear()
    assert model.rowCount() == 0


def test_cells_come_from_pages_not_records(qapp: Any, store: CaptureStore) -> None:
    counting = CountingStore(store)
    model = RequestTableModel(history=counting, page_size=100, cache_pages=4)
    model.load_history()
    assert counting.summaries_calls == 0  # ids only until someone looks
    assert cell(model, 0, Column.PATH) == "/item/1"
    assert cell(model, 99, Column.QUERY) == "n=100"
    assert cell(model, 2, Column.METHOD) == "POST"
    assert cell(model, 0, Column.STATUS) == "200"
    assert counting.summaries_calls == 1 and counting.summary_rows == 100
    assert cell(model, 999, Column.ID) == "1000"
    assert counting.summaries_calls == 2
    assert counting.get_calls == 0
    # sorting by id never reads the store
    assert cell(model, 500, Column.ID, Role.SORT) == 501
    assert counting.summaries_calls == 2
    # the full record only on request
    record = cell(model, 6, Column.ID, Role.RECORD)
    assert isinstance(record, CaptureRecord) and record.body == b"needle body"
    assert counting.get_calls == 1
    # the page LRU is bounded: after ten pages, the last four are kept, the first is not
    # (Role.ROW reads the row's page each time; painted cells are kept above the pages)
    for row in range(0, 1000, 100):
        cell(model, row, Column.PATH, Role.ROW)
    calls = counting.summaries_calls
    for row in range(600, 1000, 100):
        cell(model, row, Column.PATH, Role.ROW)
    assert counting.summaries_calls == calls
    cell(model, 0, Column.PATH, Role.ROW)
    assert counting.summaries_calls == calls + 1


def test_stored_rows_show_their_listener_and_headers_from_one_read(qapp: Any, store: CaptureStore) -> None:
    counting = CountingStore(store)
    fields_calls: list[int] = []
    counting.search_fields = lambda *args: fields_calls.append(1) or store.search_fields(*args)
    model = RequestTableModel(history=counting, page_size=100)
    model.load_history()
    assert cell(model, 0, Column.LISTENER) == "[::1]:8091"
    assert cell(model, 1, Column.LISTENER) == "127.0.0.1:8090"
    live = store.get(2)
    assert "Host: " in cell(model, 1, Column.HEADERS) and cell(model, 1, Column.HEADERS) != "1 headers"
    assert counting.summaries_calls == 1 and not fields_calls  # the summary holds the headers
    live_model = RequestTableModel()
    live_model.append_records([live])
    assert cell(live_model, 0, Column.HEADERS) == cell(model, 1, Column.HEADERS)
    assert cell(live_model, 0, Column.LISTENER) == cell(model, 1, Column.LISTENER)
    model.sort_rows(Column.LISTENER, descending=False)
    assert cell(model, 0, Column.LISTENER) == "127.0.0.1:8090"
    assert cell(model, 999, Column.LISTENER) == "[::1]:8091"


def test_rows_pruned_under_the_model_show_as_gone(qapp: Any, tmp_path: Path, record_factory: Factory) -> None:
    with CaptureStore(tmp_path / "p.sqlite3", max_records=5) as store:
        store.add_many([record_factory(id=i) for i in range(1, 6)])
        assert store.flush(5)
        model = RequestTableModel(history=store, page_size=2)
        model.load_history()
        store.add_many([record_factory(id=i) for i in range(6, 9)])  # prunes 1..3
        assert store.flush(5)
        assert cell(model, 0, Column.ID) == "1"
        assert cell(model, 0, Column.PATH) == "(no longer stored)"
        assert cell(model, 0, Column.ID, Role.RECORD) is None
        assert cell(model, 4, Column.PATH) == "/index.html"  # still stored, found by id
        model.remove_oldest_history(3)
        assert cell(model, 0, Column.ID) == "4"
        assert cell(model, 0, Column.PATH) == "/index.html"


def test_filter_over_history_uses_store_search(
    qapp: Any, store: CaptureStore, record_factory: Factory
) -> None:
    counting = CountingStore(store)
    model = RequestTableModel(history=counting)
    proxy = RequestFilterProxyModel()
    proxy.setSourceModel(model)
    model.load_history()
    model.append_records([record_factory(id=1001, target="/live?x=needle", path="/live")])
    proxy.set_filter_text("NEEDLE")
    ids = [model.row_id(row) for row in proxy.source_rows()]
    assert ids == [7, 1001]  # body match in history (no body loaded here), target match live
    assert counting.get_calls == 0  # no record read: the store matched the body
    assert counting.searched == [("NEEDLE", "needle")]  # one statement, both spellings
    proxy.set_filter_text("")
    proxy.set_method_filter(MethodFilter.POST)
    assert proxy.rowCount() == 333
    proxy.set_method_filter(MethodFilter.ALL)
    assert proxy.rowCount() == 1001


def test_history_body_search_is_asked_for_the_text_as_typed_and_casefolded(
    qapp: Any, tmp_path: Path, record_factory: Factory
) -> None:
    # stored bodies match byte for byte: "Token" is found only if the text as
    # typed reaches the store, "token" only if its case-folded form does
    bodies = {1: b"Authorization: Bearer Token", 2: b"a token here", 3: b"nothing"}
    with CaptureStore(tmp_path / "h.sqlite3") as s:
        s.add_many([record_factory(id=i, target="/", path="/", query=(), body=b) for i, b in bodies.items()])
        assert s.flush(10)
        model = RequestTableModel(history=s)
        proxy = RequestFilterProxyModel()
        proxy.setSourceModel(model)
        model.load_history()
        proxy.set_filter_text("Token")
        assert [model.row_id(row) for row in proxy.source_rows()] == [1, 2]


def test_sorting_by_id_keeps_source_order_and_reverses(qapp: Any, store: CaptureStore) -> None:
    counting = CountingStore(store)
    model = RequestTableModel(history=counting)
    model.load_history()
    proxy = RequestFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.sort(Column.ID, Qt.SortOrder.AscendingOrder)
    assert proxy.index(0, Column.ID).data(Role.SORT) == 1
    proxy.sort(Column.ID, Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, Column.ID).data(Role.SORT) == 1000
    assert counting.summaries_calls == 0  # neither order read a summary
