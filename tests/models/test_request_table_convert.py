"""Live rows become lazy history rows once the store has committed them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from inspector.http.record import CaptureRecord, SentResponse
from inspector.models.columns import Column, Role
from inspector.models.request_filter import MethodFilter, RequestFilterProxyModel
from inspector.models.request_table import RequestTableModel
from inspector.store import CaptureStore

Factory = Callable[..., CaptureRecord]

ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.TextAlignmentRole,
    Role.SORT,
    Role.COPY,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[CaptureStore]:
    with CaptureStore(tmp_path / "h.sqlite3") as s:
        yield s


def varied(factory: Factory, first: int) -> list[CaptureRecord]:
    """A clean GET, a POST with a body, a malformed request, a template failure,
    a request with trailers, a truncated body, odd text."""
    i = first
    return [
        factory(id=i, received_at=1_700_000_000.123456),
        factory(
            id=i + 1, method="POST", target="/api/customers/jack", path="/api/customers/jack", query=(),
            headers=(("Content-Type", "application/json"), ("X-Trace", "ÄBC")),
            body=b'{"Name": "JACK", "city": "Z\xc3\xbcrich"}',
        ),
        factory(
            id=i + 2, method="GET", target="/bad path", path="", query=(), error="400 invalid request line",
            response=SentResponse(status=400, reason="Bad Request", body=b"", bytes=60, duration_ms=0.1),
        ),
        factory(
            id=i + 3, target="/t?q=hello%20world&x=1", path="/t", query=(("q", "hello world"), ("x", "1")),
            response=SentResponse(
                status=500, reason="Internal Server Error", body=b"", rule="tpl", bytes=70,
                duration_ms=1.5, error="template failed: unknown name 'foo'",
            ),
        ),
        factory(
            id=i + 4, method="PUT", target="/upload", path="/upload", query=(),
            headers=(("Transfer-Encoding", "chunked"),), trailers=(("X-Checksum", "abc123"),),
            body=b"chunked data",
        ),
        factory(id=i + 5, method="PATCH", body=b"x" * 10, body_size=5000, body_truncated=True, response=None),
        factory(
            id=i + 6, method="DELETE", target="/caf\u00e9/\u202e", path="/caf\u00e9/\u202e",
            query=(("k", "\u00df"),), headers=(("X-Raw", "ab\udcffcd"),),  # a lone surrogate
        ),
    ]


def snapshot(model: RequestTableModel, first: int = 0) -> list[list[Any]]:
    """Every cell in every role of rows ``first``.. (Role.RECORD aside: reading it
    caches the full record, which restored rows then show)."""
    cells = []
    for row in range(first, model.rowCount()):
        for column in Column:
            index = model.index(row, column)
            for role in ROLES:
                value = model.data(index, role)
                if hasattr(value, "color"):  # QBrush
                    value = value.color().name()
                elif hasattr(value, "cacheKey"):  # QIcon
                    value = "icon"
                cells.append([row, int(column), int(role), value])
    return cells


def committed_model(store: CaptureStore, records: list[CaptureRecord]) -> RequestTableModel:
    model = RequestTableModel(history=store, page_size=4)
    model.load_history()
    store.add_many(records)
    model.append_records(records)
    assert store.flush(10)
    return model


def test_converted_rows_show_the_same_cells(qapp: Any, store: CaptureStore, record_factory: Factory) -> None:
    old = varied(record_factory, 1)
    store.add_many(old)
    assert store.flush(10)
    live = varied(record_factory, 100)
    model = committed_model(store, live)
    assert model.history_count == len(old)
    before = snapshot(model, len(old))
    assert model.convert_committed(store.committed_max_id) == len(live)
    assert model.live_count == 0 and model.history_count == len(old) + len(live)
    assert model.converted_from == 100
    # only what a summary cannot reproduce stays a full record
    assert sorted(model.pinned) == [103, 105]
    assert snapshot(model, len(old)) == before
    for row, record in enumerate(live, start=len(old)):  # the detail pane's record
        assert model.index(row, 0).data(Role.RECORD) == record
    assert snapshot(model, len(old)) == before
    for column in Column:  # sorting by the converted rows' stored keys gives the same order
        for descending in (False, True):
            model.sort_rows(column, descending)
            order = [model.row_id(r) for r in range(model.rowCount())]
            fresh = committed_model_without_convert(store, live)
            fresh.sort_rows(column, descending)
            assert order == [fresh.row_id(r) for r in range(fresh.rowCount())]


class StoreWithout:
    """The store as a window that still holds ``hidden`` as live rows reads it:
    every stored id but those."""

    def __init__(self, store: CaptureStore, hidden: set[int]) -> None:
        self._store = store
        self._hidden = hidden

    def ids(self) -> list[int]:
        return [i for i in self._store.ids() if i not in self._hidden]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def committed_model_without_convert(store: CaptureStore, live: list[CaptureRecord]) -> RequestTableModel:
    # a fresh view of the same rows: restored ids that are not the live ones, then the live ones
    model = RequestTableModel(history=StoreWithout(store, {record.id for record in live}), page_size=4)
    model.load_history()
    model.append_records(live)
    return model


def test_only_committed_stored_records_in_id_order_convert(
    qapp: Any, store: CaptureStore, record_factory: Factory
) -> None:
    model = RequestTableModel(history=store)
    model.load_history()
    stored = [record_factory(id=i) for i in range(1, 6)]
    store.add_many(stored)
    assert store.flush(10)
    dropped = record_factory(id=6, target="/zz-dropped", path="/zz-dropped")  # never reached the store
    later = [record_factory(id=i) for i in range(7, 10)]  # not committed yet
    model.append_records([*stored, dropped, *later])
    assert model.convert_committed(0) == 0
    assert model.convert_committed(store.committed_max_id) == 5
    assert model.live_count == 4 and not model.pinned
    # committed ids say 9, but nothing after 5 is stored yet (a stale id after a clear, say)
    assert model.convert_committed(9) == 0 and not model.pinned
    store.add_many(later)
    assert store.flush(10)
    assert model.convert_committed(store.committed_max_id) == 4
    # the record the store does not have keeps its record, in its place
    assert list(model.pinned) == [6]
    assert model.index(5, Column.PATH).data() == "/zz-dropped"
    assert not model.is_history_row(5) and model.is_history_row(6)
    assert model.record(5) is dropped
    assert [model.index(r, Column.ID).data() for r in range(9)] == [str(i) for i in range(1, 10)]
    # a pinned row sorts by its own record (the store has no key for it)
    model.sort_rows(Column.PATH)
    assert model.row_id(model.rowCount() - 1) == 6
    model.sort_rows(Column.ID)
    # pruning by id removes pinned rows too
    assert model.remove_history_before(7) == 6
    assert not model.pinned and model.rowCount() == 3


def test_no_store_no_conversion(qapp: Any, record_factory: Factory) -> None:
    session = RequestTableModel()  # an imported HAR session: no store behind it
    session.append_records([record_factory(id=i) for i in range(1, 4)])
    assert session.convert_committed(10**9) == 0
    assert session.live_count == 3


def test_in_memory_store_converts(qapp: Any, record_factory: Factory) -> None:
    with CaptureStore(None) as memory:
        records = varied(record_factory, 1)
        model = committed_model(memory, records)
        before = snapshot(model)
        assert model.convert_committed(memory.committed_max_id) == len(records)
        assert snapshot(model) == before


NEEDLES = ["jack", "JACK", "zürich", "hello world", "abc123", "x-checksum", "template", "invalid",
           "ß", "café", "POST", "nothing-matches", "/t", "name", "x-raw", "ab", '","']


def shown(proxy: RequestFilterProxyModel) -> list[int]:
    return [proxy.index(r, 0).data(Role.SORT) for r in range(proxy.rowCount())]


@pytest.mark.parametrize("needle", NEEDLES)
def test_the_text_filter_gives_the_same_rows_after_conversion(
    qapp: Any, store: CaptureStore, record_factory: Factory, needle: str
) -> None:
    live = varied(record_factory, 1)
    model = committed_model(store, live)
    proxy = RequestFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.set_filter_text(needle)
    expected = shown(proxy)
    # converted while the filter is on: the verdicts carry over
    model.convert_committed(store.committed_max_id)
    proxy.invalidate()
    assert shown(proxy) == expected
    # the filter typed again after conversion: the same rows
    proxy.set_filter_text("")
    proxy.set_filter_text(needle)
    assert shown(proxy) == expected
    proxy.set_method_filter(MethodFilter.POST)
    assert shown(proxy) == [i for i in expected if i == 2]


def test_selection_survives_conversion_and_model_tester(
    qapp: Any, qtmodeltester: Any, store: CaptureStore, record_factory: Factory
) -> None:
    old = [record_factory(id=i) for i in range(1, 301)]
    store.add_many(old)
    assert store.flush(10)
    model = RequestTableModel(history=store, page_size=16)
    model.load_history()
    live = [record_factory(id=i, path=f"/live/{i}", target=f"/live/{i}") for i in range(301, 601)]
    store.add_many(live)
    model.append_records(live)
    assert store.flush(10)
    model.sort_rows(Column.PATH, descending=True)
    proxy = RequestFilterProxyModel()
    proxy.setSourceModel(model)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    current = QPersistentModelIndex(model.index(7, Column.PATH))
    text = current.data()
    signals: list[str] = []
    for name in ("layoutChanged", "modelReset", "rowsInserted", "rowsRemoved"):
        getattr(model, name).connect(lambda *_, n=name: signals.append(n))
    assert model.convert_committed(store.committed_max_id) == 300
    assert signals == []  # no row moved
    assert current.isValid() and current.row() == 7 and current.data() == text
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    model.sort_rows(Column.ID)
    assert [model.row_id(r) for r in range(600)] == list(range(1, 601))
    qtmodeltester.check(model)
