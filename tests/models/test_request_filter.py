"""RequestFilterProxyModel: text and method filters, sorting by value."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt

from inspector.http.record import CaptureRecord
from inspector.models.columns import Column
from inspector.models.request_filter import (
    BODY_SEARCH_LIMIT,
    MethodFilter,
    RequestFilterProxyModel,
)
from inspector.models.request_table import RequestTableModel

Factory = Callable[..., CaptureRecord]


def ids(proxy: RequestFilterProxyModel) -> list[int]:
    return [proxy.record(row).id for row in range(proxy.rowCount())]


def build(record_factory: Factory, qtmodeltester: Any | None = None) -> RequestFilterProxyModel:
    model = RequestTableModel()
    proxy = RequestFilterProxyModel()
    proxy.setSourceModel(model)
    if qtmodeltester is not None:
        qtmodeltester.check(proxy)
    model.append_records(
        [
            record_factory(id=1, method="GET", path="/a", target="/a?name=jack", query=(("name", "jack"),)),
            record_factory(
                id=2, target="/b", query=(), method="POST", path="/b", body=b'{"needle": "in body"}'
            ),
            record_factory(
                id=3, target="/c", query=(), method="PUT", path="/c", headers=(("X-Trace", "Secret-Value"),)
            ),
            record_factory(id=4, target="/d", query=(), method="OPTIONS", path="/d"),
            record_factory(
                id=5,
                target="/e",
                query=(),
                method="DELETE",
                path="/e",
                body=b"x" * BODY_SEARCH_LIMIT + b"late",
            ),
            record_factory(id=6, method="", path="", target="", query=(), error="garbage received"),
        ]
    )
    proxy.sort(Column.ID, Qt.SortOrder.AscendingOrder)
    return proxy


def test_model_tester(qtmodeltester: Any, record_factory: Factory) -> None:
    proxy = build(record_factory, qtmodeltester)
    proxy.set_filter_text("jack")
    proxy.set_method_filter(MethodFilter.POST)
    proxy.set_filter_text("")
    proxy.source().clear()
    assert proxy.rowCount() == 0


def test_text_filter_fields(qapp: Any, record_factory: Factory) -> None:
    proxy = build(record_factory)
    assert ids(proxy) == [1, 2, 3, 4, 5, 6]
    cases = {
        "JACK": [1],  # query value, case-insensitive
        "name": [1],  # query name (and no header called name)
        "x-trace": [3],  # header name
        "secret-value": [3],  # header value
        "in body": [2],  # body text
        "options": [4],  # method
        "/d": [4],  # path
        "garbage": [6],  # error text
        "late": [],  # beyond the body search limit
        "": [1, 2, 3, 4, 5, 6],
    }
    for needle, expected in cases.items():
        proxy.set_filter_text(needle)
        assert ids(proxy) == expected, needle


def test_method_filter(qapp: Any, record_factory: Factory) -> None:
    proxy = build(record_factory)
    proxy.set_method_filter(MethodFilter.POST)
    assert ids(proxy) == [2]
    proxy.set_method_filter(MethodFilter.OTHER)
    assert ids(proxy) == [4, 6]
    proxy.set_filter_text("opt")
    assert ids(proxy) == [4]
    proxy.set_method_filter(MethodFilter.ALL)
    proxy.set_filter_text("")
    assert len(ids(proxy)) == 6


def test_sorts_by_value_not_text(qapp: Any, record_factory: Factory) -> None:
    model = RequestTableModel()
    proxy = RequestFilterProxyModel()
    proxy.setSourceModel(model)
    sizes = [9, 1024, 100, 2 * 1024 * 1024]
    model.append_records([record_factory(id=i, body=b"x" * s) for i, s in enumerate(sizes)])
    proxy.sort(Column.BODY_SIZE, Qt.SortOrder.AscendingOrder)
    assert [proxy.record(r).body_size for r in range(4)] == sorted(sizes)
    model.append_records([record_factory(id=10 + i) for i in range(9)])
    proxy.sort(Column.ID, Qt.SortOrder.DescendingOrder)
    assert ids(proxy)[:3] == [18, 17, 16]  # 18 > 9 numerically, "9" > "18" as text
