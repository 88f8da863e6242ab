"""A small read-only table of strings for the detail pane.

Used for query pairs, header and trailer fields, form fields and response
headers: rows keep the order (and for headers the case and duplicates) they
were received in. Cells show :func:`visible` text elided to
:data:`CELL_LIMIT`; the tooltip and :attr:`PairsRole.COPY` give the whole value.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from inspector.models.row_style import match_brush
from inspector.text import CELL_LIMIT, tooltip, visible

AnyIndex = QModelIndex | QPersistentModelIndex


class PairsRole(IntEnum):
    #: the full cell text (escaped, not elided), for copying
    COPY = Qt.ItemDataRole.UserRole + 3
    #: the value exactly as received (not escaped)
    RAW = Qt.ItemDataRole.UserRole + 4


class PairsTableModel(QAbstractTableModel):
    """Rows of strings under fixed column titles.

    A row may carry a marker (for example "trailer"); marked rows are shown in
    italics and the marker is the text of the last column when ``marker_title``
    is given.
    """

    def __init__(
        self,
        titles: Sequence[str] = ("Name", "Value"),
        marker_title: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._titles = tuple(titles) + ((marker_title,) if marker_title is not None else ())
        self._has_marker = marker_title is not None
        self._rows: list[tuple[tuple[str, ...], str]] = []
        self._needle = ""
        self._names: frozenset[str] = frozenset()

    def set_rows(self, rows: Iterable[Sequence[str]], marker: str = "") -> None:
        """Replace every row (all with the same marker)."""
        self.beginResetModel()
        self._rows = [(tuple(row), marker) for row in rows]
        self.endResetModel()

    def add_rows(self, rows: Iterable[Sequence[str]], marker: str = "") -> None:
        """Append rows after the current ones."""
        new = [(tuple(row), marker) for row in rows]
        if not new:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        self._rows.extend(new)
        self.endInsertRows()

    def clear(self) -> None:
        self.set_rows(())

    def set_highlight(self, needle: str = "", names: frozenset[str] = frozenset()) -> None:
        """Tint the cells holding ``needle`` (casefolded) and the names in ``names``
        (casefolded): the filter's matches."""
        if (needle, names) == (self._needle, self._names):
            return
        self._needle, self._names = needle, names
        if self._rows:
            last = self.index(len(self._rows) - 1, len(self._titles) - 1)
            self.dataChanged.emit(self.index(0, 0), last, [Qt.ItemDataRole.BackgroundRole])

    def is_highlighted(self, row: int, column: int) -> bool:
        raw = self._raw(row, column).casefold()
        if self._needle and self._needle in raw:
            return True
        return column == 0 and raw in self._names

    def rows(self) -> list[tuple[str, ...]]:
        return [row for row, _marker in self._rows]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._titles)

    def _raw(self, row: int, column: int) -> str:
        cells, marker = self._rows[row]
        if self._has_marker and column == len(self._titles) - 1:
            return marker
        return cells[column] if column < len(cells) else ""

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        raw = self._raw(index.row(), index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return visible(raw, CELL_LIMIT)
        if role == PairsRole.COPY:
            return visible(raw, None)
        if role == PairsRole.RAW:
            return raw
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(raw) if raw else None
        if role == Qt.ItemDataRole.BackgroundRole:
            if (self._needle or self._names) and self.is_highlighted(index.row(), index.column()):
                return match_brush()
            return None
        if role == Qt.ItemDataRole.FontRole and self._rows[index.row()][1]:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return titled_header(self._titles, len(self._rows), section, orientation, role)


def titled_header(
    titles: Sequence[str], rows: int, section: int, orientation: Qt.Orientation, role: int
) -> str | None:
    """``headerData`` of a flat table: its column titles, and rows numbered from 1."""
    if role != Qt.ItemDataRole.DisplayRole:
        return None
    if orientation == Qt.Orientation.Horizontal and 0 <= section < len(titles):
        return titles[section]
    if orientation == Qt.Orientation.Vertical and 0 <= section < rows:
        return str(section + 1)
    return None
