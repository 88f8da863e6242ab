"""The request table's cells, drawn from one Python call each.

Qt's own delegate asks a cell for seven roles, and through the filter proxy
each role is two calls into Python (the source index, then ``data``): fourteen
per cell, each taking the interpreter lock again, which under live traffic
waits behind the listener and store threads (docs/ARCHITECTURE.md, "Threads").
:class:`RowCellsDelegate` overrides ``initStyleOption`` alone: it reads the
row's kept cells (:meth:`RequestTableModel.painted`) and fills the option as
``QStyledItemDelegate.initStyleOption`` does from the same answers. Painting
itself stays Qt's. A row the model does not keep (a waiting or paused request, a
row no longer stored) and any other model get Qt's own path.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize
from PySide6.QtGui import QIcon, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from inspector.models.columns import NUMERIC, SCHEME_COLUMN, Column
from inspector.models.painted_rows import RIGHT, Painted
from inspector.models.request_filter import RequestFilterProxyModel
from inspector.models.row_style import error_brush, error_icon, lock_icon

_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
_HAS_DECORATION = QStyleOptionViewItem.ViewItemFeature.HasDecoration
_ENABLED = QStyle.StateFlag.State_Enabled
_SELECTED = QStyle.StateFlag.State_Selected
_OPEN = QStyle.StateFlag.State_Open


def kept_cells(index: QModelIndex | QPersistentModelIndex) -> Painted | None:
    """The kept cells of the request table row ``index`` shows (None: not kept)."""
    proxy = index.model()
    if not isinstance(proxy, RequestFilterProxyModel):
        return None
    # nothing filtered: the proxy shows the source rows as they are (it never sorts)
    row = index.row() if proxy.keeps_everything() else proxy.mapToSource(index).row()
    return proxy.source().painted(row)


class RowCellsDelegate(QStyledItemDelegate):
    """Fills each cell's style option from the model's kept row."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        painted = kept_cells(index)
        if painted is None:
            super().initStyleOption(option, index)
            return
        texts, error, secure = painted
        column = index.column()
        if isinstance(index, QModelIndex):  # a view passes one (never a persistent index)
            option.index = index
        if column in NUMERIC:
            option.displayAlignment = RIGHT
        if error:
            palette = QPalette(option.palette)
            palette.setBrush(QPalette.ColorRole.Text, error_brush())
            option.palette = palette
            if column == Column.STATUS:
                _decorate(option, error_icon())
        if secure and column == SCHEME_COLUMN:
            _decorate(option, lock_icon())
        option.features |= _HAS_DISPLAY
        option.text = texts[column]  # escaped: no line break for displayText to replace
        option.styleObject = None  # type: ignore[assignment]  # no style animations, as Qt's


def _decorate(option: QStyleOptionViewItem, icon: QIcon) -> None:
    """The decoration as ``QStyledItemDelegate`` sets an icon's."""
    option.features |= _HAS_DECORATION
    option.icon = icon
    state = option.state
    if not state & _ENABLED:
        mode = QIcon.Mode.Disabled
    elif state & _SELECTED:
        mode = QIcon.Mode.Selected
    else:
        mode = QIcon.Mode.Normal
    size = icon.actualSize(option.decorationSize, mode, QIcon.State.On if state & _OPEN else QIcon.State.Off)
    wanted = option.decorationSize
    option.decorationSize = QSize(min(wanted.width(), size.width()), min(wanted.height(), size.height()))
