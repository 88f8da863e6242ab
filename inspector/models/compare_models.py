"""Table models for the compare view: fields, paired fields and JSON changes.

One small model (:class:`DiffRowsModel`) shows rows built by
:func:`field_rows`, :func:`pair_rows` or :func:`json_rows` from a
:class:`~inspector.diff.Comparison`'s sections. Rows that are the same on both
sides are listed only while "show identical" is on. Every cell goes through
:func:`inspector.text.visible` (tooltips through :func:`inspector.text.tooltip`);
:attr:`DiffRole.ITEM` gives the difference itself (for "Make rule condition").
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from inspector.diff import Change, FieldDiff, JsonChange, PairRow
from inspector.models.pairs_table import titled_header
from inspector.text import CELL_LIMIT, tooltip, visible

AnyIndex = QModelIndex | QPersistentModelIndex

#: characters of a JSON value rendered for a cell (the tooltip shows more)
JSON_TEXT_LIMIT: Final = 4000


class DiffRole(IntEnum):
    #: the full cell text (escaped, not elided), for copying (the table views' copy role)
    COPY = Qt.ItemDataRole.UserRole + 3
    #: the difference the row shows: a FieldDiff, PairRow or JsonChange
    ITEM = Qt.ItemDataRole.UserRole + 5


#: how each kind of row is marked: a translucent tint that reads on light and dark themes
TINTS: Final[dict[str, QColor]] = {
    "added": QColor(67, 160, 71, 70),
    "removed": QColor(229, 57, 53, 70),
    "changed": QColor(251, 192, 45, 80),
    "moved": QColor(30, 136, 229, 55),
}


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One row: its cells (unescaped request data), its tint, and what it shows."""

    cells: tuple[str, ...]
    tint: str  # a TINTS key, or "" for a row that is the same on both sides
    item: object

    @property
    def same(self) -> bool:
        return not self.tint


FIELD_TITLES: Final = ("Field", "Left", "Right")
PAIR_TITLES: Final = ("Change", "Name", "Left", "Right")
JSON_TITLES: Final = ("Change", "Path", "Left", "Right")


def field_rows(fields: Sequence[FieldDiff]) -> list[DiffRow]:
    """Rows for a section's named fields (method, target, status, …)."""
    return [
        DiffRow((field.name, field.left, field.right), "changed" if field.differs else "", field)
        for field in fields
    ]


def _pair_change(row: PairRow) -> tuple[str, str]:
    """(what the Change column says, the tint)."""
    words: list[str] = []
    tint = ""
    if row.change is not Change.SAME:
        words.append(row.change.value)
        tint = row.change.value
    if row.moved:
        words.append("moved")
        tint = tint or "moved"
    if row.case_only:
        words.append("case")
        tint = tint or "moved"
    return (", ".join(words) or "same"), tint


def pair_rows(rows: Sequence[PairRow]) -> list[DiffRow]:
    """Rows for headers, trailers, query pairs or form fields, in received order."""
    out = []
    for row in rows:
        change, tint = _pair_change(row)
        name = row.name
        if row.case_only and row.right_name is not None:
            name = f"{row.left_name} / {row.right_name}"
        left = "" if row.left_value is None else row.left_value
        right = "" if row.right_value is None else row.right_value
        out.append(DiffRow((change, name, left, right), tint, row))
    return out


def json_text(value: Any) -> str:
    """A JSON value as compact JSON (NaN and infinities as Python's reader wrote them)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= JSON_TEXT_LIMIT else text[:JSON_TEXT_LIMIT]


def json_rows(changes: Sequence[JsonChange]) -> list[DiffRow]:
    """Rows for the JSON values that differ, in document order."""
    out = []
    for change in changes:
        kind = change.change
        if kind is Change.LENGTH:
            left, right, word = f"{change.left} items", f"{change.right} items", "length"
        else:
            left = "" if kind is Change.ADDED else json_text(change.left)
            right = "" if kind is Change.REMOVED else json_text(change.right)
            word = "type differs" if kind is Change.TYPE else kind.value
        if change.note:
            word += f" ({change.note})"
        tint = kind.value if kind in (Change.ADDED, Change.REMOVED) else "changed"
        out.append(DiffRow((word, change.path, left, right), tint, change))
    return out


class DiffRowsModel(QAbstractTableModel):
    """Rows of one part of a comparison; same-on-both-sides rows only while shown."""

    def __init__(self, titles: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._titles = tuple(titles)
        self._all: list[DiffRow] = []
        self._rows: list[DiffRow] = []
        self._show_same = False

    @property
    def show_same(self) -> bool:
        return self._show_same

    def set_rows(self, rows: Sequence[DiffRow]) -> None:
        self.beginResetModel()
        self._all = list(rows)
        self._rows = self._visible()
        self.endResetModel()

    def set_show_same(self, show: bool) -> None:
        """List the rows that are the same on both sides too (or not)."""
        if show == self._show_same:
            return
        self.beginResetModel()
        self._show_same = show
        self._rows = self._visible()
        self.endResetModel()

    def _visible(self) -> list[DiffRow]:
        return list(self._all) if self._show_same else [row for row in self._all if not row.same]

    @property
    def hidden_count(self) -> int:
        """Rows not listed because they are the same on both sides."""
        return len(self._all) - len(self._rows)

    def row_at(self, row: int) -> DiffRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._titles)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self._titles):
            return None
        row = self._rows[index.row()]
        text = row.cells[index.column()] if index.column() < len(row.cells) else ""
        if role == Qt.ItemDataRole.DisplayRole:
            return visible(text, CELL_LIMIT)
        if role == DiffRole.COPY:
            return visible(text, None)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip(text) if text else None
        if role == Qt.ItemDataRole.BackgroundRole and row.tint:
            return QBrush(TINTS[row.tint])
        if role == DiffRole.ITEM:
            return row.item
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return titled_header(self._titles, len(self._rows), section, orientation, role)
