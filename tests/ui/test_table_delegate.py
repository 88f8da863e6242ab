"""RowCellsDelegate draws the request table exactly as Qt's delegate does, from
the model's kept rows instead of seven data() calls per cell."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QStyledItemDelegate, QTableView

from inspector.http.record import CaptureRecord
from inspector.models.request_filter import RequestFilterProxyModel
from inspector.models.request_table import RequestTableModel
from inspector.ui.match_highlight import MatchDelegate
from inspector.ui.table_delegate import RowCellsDelegate

Factory = Callable[..., CaptureRecord]


class AskedModel(RequestTableModel):
    """Records which rows were asked for their display text."""

    def __init__(self) -> None:
        super().__init__()
        self.display_rows: set[int] = set()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            self.display_rows.add(index.row())
        return super().data(index, role)


@pytest.fixture
def table(qtbot: Any, record_factory: Factory) -> tuple[QTableView, AskedModel, RequestFilterProxyModel]:
    model = AskedModel()
    model.append_records(
        [
            record_factory(id=1),
            record_factory(id=2, error="bad request line", method="", response=None),
            record_factory(id=3, method="POST", target="/a\nb", path="/a\nb", body=b"x" * 5000),
            record_factory(id=4, response=None),
            record_factory(id=5, scheme="https"),  # the lock in its Method cell
        ],
        waiting=[4],
    )
    proxy = RequestFilterProxyModel()
    proxy.setSourceModel(model)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    view.resize(1400, 220)
    view.show()
    return view, model, proxy


def picture(view: QTableView, delegate: QStyledItemDelegate) -> QImage:
    view.setItemDelegate(delegate)
    view.viewport().update()
    return view.viewport().grab().toImage()


def test_cells_look_the_same_as_with_qts_delegate(
    table: tuple[QTableView, AskedModel, RequestFilterProxyModel],
) -> None:
    view, _model, proxy = table
    plain, fast = QStyledItemDelegate(view), RowCellsDelegate(view)
    assert picture(view, fast) == picture(view, plain)
    view.selectionModel().select(
        proxy.index(1, 0), QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    )  # a selected error row: the icon is drawn in its selected mode
    assert picture(view, fast) == picture(view, plain)
    proxy.set_filter_text("post")  # rows mapped through the filter
    assert proxy.rowCount() == 1
    assert picture(view, fast) == picture(view, plain)


def test_only_rows_not_kept_are_asked_for_their_text(
    table: tuple[QTableView, AskedModel, RequestFilterProxyModel],
) -> None:
    view, model, _proxy = table
    picture(view, RowCellsDelegate(view))
    model.display_rows.clear()
    picture(view, RowCellsDelegate(view))
    assert model.display_rows == {3}  # the waiting row: its Status counts up (HTTPS rows are kept)


def test_the_match_delegate_tints_on_top(
    table: tuple[QTableView, AskedModel, RequestFilterProxyModel],
) -> None:
    view, _model, proxy = table
    proxy.set_filter_text("post")
    untinted = picture(view, RowCellsDelegate(view))
    match = MatchDelegate(view)
    match.set_query(proxy.query)
    assert picture(view, match) != untinted
