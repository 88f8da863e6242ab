"""RequestFilterProxyModel: a filter change is one layout change (not a row-by-row
diff, which costs the view seconds over 100,000 rows) that keeps the selection."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel

from inspector.http.record import CaptureRecord
from inspector.models.request_filter import MethodFilter, RequestFilterProxyModel
from inspector.models.request_table import RequestTableModel

Factory = Callable[..., CaptureRecord]


def build(record_factory: Factory, count: int = 200) -> tuple[RequestTableModel, RequestFilterProxyModel]:
    model = RequestTableModel()
    proxy = RequestFilterProxyModel()
    proxy.setSourceModel(model)
    methods = ("GET", "POST", "PUT", "DELETE")
    model.append_records(
        [
            record_factory(id=n, method=methods[n % 4], path=f"/p{n % 8}", target=f"/p{n % 8}", query=())
            for n in range(1, count + 1)
        ]
    )
    return model, proxy


def shown(proxy: RequestFilterProxyModel) -> list[int]:
    return [proxy.record(row).id for row in range(proxy.rowCount())]


def test_text_filter_is_one_layout_change_without_row_signals(record_factory: Factory) -> None:
    _model, proxy = build(record_factory)
    signals: list[str] = []
    proxy.rowsRemoved.connect(lambda *_: signals.append("removed"))
    proxy.rowsInserted.connect(lambda *_: signals.append("inserted"))
    proxy.layoutChanged.connect(lambda *_: signals.append("layout"))
    proxy.set_filter_text("/p3")
    assert shown(proxy) == [n for n in range(1, 201) if n % 8 == 3]
    proxy.set_filter_text("")
    assert shown(proxy) == list(range(1, 201))
    assert signals == ["layout", "layout"]


def test_method_filter_refilters_and_combines_with_text(record_factory: Factory) -> None:
    _model, proxy = build(record_factory)
    proxy.set_method_filter(MethodFilter.POST)
    assert shown(proxy) == [n for n in range(1, 201) if n % 4 == 1]
    proxy.set_filter_text("/p5")
    assert shown(proxy) == [n for n in range(1, 201) if n % 8 == 5]
    proxy.set_method_filter(MethodFilter.GET)
    assert shown(proxy) == []


def test_selection_and_current_survive_a_filter_that_keeps_the_row(record_factory: Factory) -> None:
    _model, proxy = build(record_factory)
    selection = QItemSelectionModel(proxy)
    index = proxy.index(18, 0)  # id 19 = /p3
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    selection.setCurrentIndex(index, flags)
    proxy.set_filter_text("/p3")
    current = selection.currentIndex()
    assert current.isValid() and proxy.record(current.row()).id == 19
    assert [proxy.record(i.row()).id for i in selection.selectedRows()] == [19]
    proxy.set_filter_text("/p4")  # the row goes: the selection goes with it
    assert selection.selectedRows() == []


def test_new_rows_are_filtered_as_they_arrive(record_factory: Factory) -> None:
    model, proxy = build(record_factory, 8)
    proxy.set_filter_text("/p1")
    model.append_records([record_factory(id=9, path="/p1", target="/p1"), record_factory(id=10, path="/x")])
    assert shown(proxy) == [1, 9]
