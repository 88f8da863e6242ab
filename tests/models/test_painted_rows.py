"""The cells a repaint asks for are computed once per row and dropped when rows change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QIcon

from inspector.http.record import CaptureRecord
from inspector.models import painted_rows
from inspector.models.columns import NUMERIC, Column, Role
from inspector.models.painted_rows import MAX_ROWS, PAINT_ROLES
from inspector.models.request_table import RequestTableModel

Factory = Callable[..., CaptureRecord]


def cell(model: RequestTableModel, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    return model.data(model.index(row, column), role)


@pytest.fixture
def displays(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the display texts computed for kept rows (one entry per cell)."""
    computed: list[int] = []
    original = painted_rows.display

    def counting(row: Any, column: int, limit: int | None) -> str:
        computed.append(column)
        return original(row, column, limit)

    monkeypatch.setattr(painted_rows, "display", counting)
    return computed


def repaint(model: RequestTableModel) -> list[list[Any]]:
    """Every paint role of every cell, as a view's repaint asks."""
    return [
        [cell(model, row, column, role) for column in range(len(Column)) for role in sorted(PAINT_ROLES)]
        for row in range(model.rowCount())
    ]


def test_a_row_is_computed_once_for_every_role_and_repaint(
    qapp: Any, qtmodeltester: Any, record_factory: Factory, displays: list[int]
) -> None:
    model = RequestTableModel()
    model.append_records([record_factory(id=1), record_factory(id=2, error="bad request line")])
    first = repaint(model)
    assert len(displays) == 2 * len(Column)  # one per cell, not one per role asked
    assert repaint(model) == first and len(displays) == 2 * len(Column)
    qtmodeltester.check(model)


def test_kept_answers_are_the_cells(record_factory: Factory, qapp: Any) -> None:
    model = RequestTableModel()
    model.append_records([record_factory(id=7, error="bad request line", method="", response=None)])
    for column in Column:
        assert cell(model, 0, column) == cell(model, 0, column, Role.COPY)  # short texts: not elided
        alignment = cell(model, 0, column, Qt.ItemDataRole.TextAlignmentRole)
        assert (alignment is not None) == (column in NUMERIC)
        assert isinstance(cell(model, 0, column, Qt.ItemDataRole.ForegroundRole), QBrush)
    assert isinstance(cell(model, 0, Column.STATUS, Qt.ItemDataRole.DecorationRole), QIcon)
    assert cell(model, 0, Column.ID, Qt.ItemDataRole.DecorationRole) is None
    clean = RequestTableModel()
    clean.append_records([record_factory(id=8)])
    assert cell(clean, 0, Column.PATH, Qt.ItemDataRole.ForegroundRole) is None
    assert cell(clean, 0, Column.STATUS, Qt.ItemDataRole.DecorationRole) is None
    assert cell(clean, 5, Column.PATH) is None  # no such row


def test_changed_rows_are_computed_again(record_factory: Factory, displays: list[int], qapp: Any) -> None:
    model = RequestTableModel()
    model.append_records([record_factory(id=1, method="GET"), record_factory(id=2, method="DELETE")])
    assert [cell(model, row, Column.METHOD) for row in range(2)] == ["GET", "DELETE"]
    model.sort_rows(Column.METHOD)  # a layout change: DELETE first
    assert [cell(model, row, Column.METHOD) for row in range(2)] == ["DELETE", "GET"]
    model.sort_rows(Column.ID, descending=True)
    assert [cell(model, row, Column.METHOD) for row in range(2)] == ["DELETE", "GET"]
    model.append_records([record_factory(id=3, method="PUT")])  # inserted at the top
    assert [cell(model, row, Column.METHOD) for row in range(3)] == ["PUT", "DELETE", "GET"]
    model.update_record(record_factory(id=2, method="PATCH"))  # a cell changed
    assert cell(model, 1, Column.METHOD) == "PATCH"
    model.clear()
    model.append_records([record_factory(id=9, method="POST")])
    assert cell(model, 0, Column.METHOD) == "POST"


def test_a_waiting_row_is_never_kept(record_factory: Factory, displays: list[int], qapp: Any) -> None:
    model = RequestTableModel()
    model.append_records([record_factory(id=1, response=None)], waiting=[1])
    assert cell(model, 0, Column.STATUS).startswith("waiting ")
    cell(model, 0, Column.STATUS)
    assert displays == []  # computed by the model each time: its time counts up
    model.update_record(record_factory(id=1))
    assert cell(model, 0, Column.STATUS) == "200" and len(displays) == len(Column)


def test_kept_rows_are_bounded(record_factory: Factory, qapp: Any) -> None:
    model = RequestTableModel()
    model.append_records([record_factory(id=i) for i in range(1, MAX_ROWS + 11)])
    for row in range(model.rowCount()):
        assert cell(model, row, Column.ID) == str(row + 1)
    assert len(model._painted) <= MAX_ROWS


def test_a_cell_painted_through_the_proxy_calls_only_index_and_data(
    qapp: Any, record_factory: Factory
) -> None:
    """The proxy makes a source index for every role it is asked: ``index`` says
    it alone, where QAbstractTableModel's would call rowCount and columnCount."""
    from PySide6.QtCore import QModelIndex, QPersistentModelIndex

    from inspector.models.request_filter import RequestFilterProxyModel

    calls: list[str] = []

    class Counting(RequestTableModel):
        def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
            calls.append("columnCount")
            return super().columnCount(parent)

        def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
            calls.append("data")
            return super().data(index, role)

    model = Counting()
    model.append_records([record_factory(id=1)])
    proxy = RequestFilterProxyModel()
    proxy.setSourceModel(model)
    cell_index = proxy.index(0, Column.PATH)
    calls.clear()
    texts = [proxy.data(cell_index, role) for role in sorted(PAINT_ROLES)]
    assert "/index.html" in texts
    assert calls == ["data"] * len(PAINT_ROLES)
