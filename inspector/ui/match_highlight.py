"""Why a row matched the filter, shown: the cells of the fields that matched are tinted.

While the filter is in force the request table draws its cells through
:class:`MatchDelegate`: each row's reasons (:func:`inspector.filter_query.reasons`:
the fields holding the free text, and those a term is about) are worked out
once per row and filter, and the cells of those fields are drawn on a tint of
the palette's highlight colour. A match in the body tints the Body column; one
in a stored row's body (not read for the table) too. Without a filter the table
uses :class:`RowCellsDelegate` alone, so an unfiltered repaint costs nothing more.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtWidgets import QStyleOptionViewItem

from inspector.filter_query import Field, FilterQuery, reasons
from inspector.http.record import CaptureRecord, Pairs
from inspector.models.columns import Column, Role
from inspector.models.history_source import RowData
from inspector.models.row_style import match_brush
from inspector.ui.table_delegate import RowCellsDelegate

#: the column that shows each field
FIELD_COLUMNS: Final[dict[Field, Column]] = {
    Field.METHOD: Column.METHOD,
    Field.PATH: Column.PATH,
    Field.QUERY: Column.QUERY,
    Field.HEADERS: Column.HEADERS,
    Field.BODY: Column.BODY_SIZE,
    Field.STATUS: Column.STATUS,
    Field.LISTENER: Column.LISTENER,
}
#: rows whose reasons are remembered (the rows on screen, many times over)
_CACHE_ROWS: Final = 4096


def row_reasons(query: FilterQuery, row: RowData) -> frozenset[Field]:
    """The fields that made ``row`` (a live record or a stored row) match ``query``."""
    headers: Pairs | None
    if isinstance(row, CaptureRecord):
        headers, trailers, body = row.headers, row.trailers, row.body
    else:  # a stored row: its headers, no body read
        headers, trailers, body = row.headers, (), None
    return reasons(
        query,
        method=row.method,
        target=row.target,
        path=row.path,
        query_pairs=row.query,
        headers=headers,
        trailers=trailers,
        error=row.error,
        body=body,
    )


class MatchDelegate(RowCellsDelegate):
    """Tints the cells of the fields that made each row match :attr:`query`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.query = FilterQuery()
        self._reasons: dict[int, frozenset[Column]] = {}
        self._brush = match_brush()

    def set_query(self, query: FilterQuery) -> None:
        self.query = query
        self._reasons.clear()
        self._brush = match_brush()

    def matched_columns(self, index: QModelIndex | QPersistentModelIndex) -> frozenset[Column]:
        row = index.data(Role.ROW)
        if row is None or self.query.is_empty():
            return frozenset()
        known = self._reasons.get(row.id)
        if known is None:
            known = frozenset(FIELD_COLUMNS[field] for field in row_reasons(self.query, row))
            if len(self._reasons) >= _CACHE_ROWS:
                self._reasons.clear()
            self._reasons[row.id] = known
        return known

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if index.column() in self.matched_columns(index):
            option.backgroundBrush = self._brush
