"""RequestTableModel: cells, sort values, error rows, batches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QBrush, QIcon

from inspector.http.record import CaptureRecord, SentResponse
from inspector.models.columns import Column, Role
from inspector.models.request_table import RequestTableModel

Factory = Callable[..., CaptureRecord]


def cell(model: RequestTableModel, row: int, column: Column, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    return model.data(model.index(row, column), role)


def test_model_tester_with_streaming_rows(qtmodeltester: Any, record_factory: Factory) -> None:
    model = RequestTableModel()
    qtmodeltester.check(model)
    model.append_records([record_factory(id=i) for i in range(1, 6)])
    model.append_records([record_factory(id=6, error="bad request line", method="", response=None)])
    model.clear()
    model.append_records([record_factory(id=7)])
    assert model.rowCount() == 1


def test_cells(qapp: Any, record_factory: Factory) -> None:
    model = RequestTableModel()
    model.append_records([record_factory(id=42, received_at=1_700_000_000.123456)])
    assert cell(model, 0, Column.ID) == "42"
    assert cell(model, 0, Column.TIME).endswith(".123")
    assert cell(model, 0, Column.CLIENT) == "127.0.0.1:50000"
    assert cell(model, 0, Column.METHOD) == "GET"
    assert cell(model, 0, Column.PATH) == "/index.html"
    assert cell(model, 0, Column.QUERY) == "name=jack & age=18"
    assert cell(model, 0, Column.HEADERS) == "Host: 127.0.0.1:8090 · User-Agent: test"
    assert cell(model, 0, Column.BODY_SIZE) == "0 B"
    assert cell(model, 0, Column.STATUS) == "200"
    assert cell(model, 0, Column.DURATION) == "0.25 ms"
    assert cell(model, 0, Column.ID, Role.RECORD).id == 42
    assert cell(model, 0, Column.ID, Qt.ItemDataRole.ForegroundRole) is None
    assert cell(model, 0, Column.ID, Qt.ItemDataRole.CheckStateRole) is None
    assert model.data(QModelIndex()) is None


def test_sort_role_gives_underlying_values(qapp: Any, record_factory: Factory) -> None:
    model = RequestTableModel()
    model.append_records([record_factory(id=9, body=b"x" * 2048)])
    assert cell(model, 0, Column.ID, Role.SORT) == 9
    assert cell(model, 0, Column.BODY_SIZE, Role.SORT) == 2048
    assert cell(model, 0, Column.BODY_SIZE) == "2.0 KiB"
    assert cell(model, 0, Column.STATUS, Role.SORT) == 200
    assert cell(model, 0, Column.DURATION, Role.SORT) == 0.25


def test_error_rows_are_marked(qapp: Any, record_factory: Factory) -> None:
    model = RequestTableModel()
    bad = record_factory(
        method="",
        target="",
        path="",
        query=(),
        error="invalid request line <b>x</b>",
        response=SentResponse(status=400, reason="Bad Request"),
    )
    model.append_records([bad])
    assert cell(model, 0, Column.STATUS) == "400 invalid request line <b>x</b>"
    assert isinstance(cell(model, 0, Column.PATH, Qt.ItemDataRole.ForegroundRole), QBrush)
    assert isinstance(cell(model, 0, Column.STATUS, Qt.ItemDataRole.DecorationRole), QIcon)
    assert cell(model, 0, Column.ID, Qt.ItemDataRole.DecorationRole) is None  # the number has the room
    assert cell(model, 0, Column.ID) == "1"
    tip = cell(model, 0, Column.STATUS, Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;x&lt;/b&gt;" in tip and "<b>x" not in tip


def test_hostile_values_are_escaped_and_elided(qapp: Any, record_factory: Factory) -> None:
    model = RequestTableModel()
    model.append_records([record_factory(path="/\x1b[2J\u202eevil" + "a" * 1000)])
    shown = cell(model, 0, Column.PATH)
    assert shown.startswith("/\\x1b[2J\\u202eevil")
    assert shown.endswith("…") and len(shown) < 340
    assert len(cell(model, 0, Column.PATH, Role.COPY)) > 1000


def test_batch_is_one_insert(qapp: Any, record_factory: Factory) -> None:
    model = RequestTableModel()
    inserts: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _parent, first, last: inserts.append((first, last)))
    model.append_records([record_factory(id=i) for i in range(1000)])
    model.append_records([])
    model.append_records([record_factory(id=i) for i in range(1000, 1500)])
    assert inserts == [(0, 999), (1000, 1499)]
