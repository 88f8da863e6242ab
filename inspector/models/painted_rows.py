"""What a repaint asks of the request table, computed once per row.

A repaint asks every visible cell for its text, alignment, colour and icon,
one Python call per role, and under live traffic each call waits for the
interpreter lock behind the listener and store threads (docs/ARCHITECTURE.md,
"Threads"). The first of those calls for a row computes the display text of
every column and whether the row shows an error; the others are answered from
that tuple. The table model forgets every kept row whenever its rows change
(inserted, removed, moved, re-sorted, reset, or a cell changed), so a flush of
new rows costs one computation per visible row. The caller does not keep rows
that change on their own (a request still waiting: its Status counts up).

Only text and two flags are kept (an error row, a row that came over HTTPS);
the error colour and the icons are asked for when answered, so a palette
change shows at the next repaint.
"""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import QAbstractItemModel, Qt

from inspector.models.columns import NUMERIC, SCHEME_COLUMN, Column, display, error_of
from inspector.models.history_source import RowData
from inspector.models.row_style import error_brush, error_icon, lock_icon
from inspector.text import CELL_LIMIT

#: the roles answered from a kept row (the ones a repaint asks for)
PAINT_ROLES: Final[frozenset[int]] = frozenset(
    {
        int(Qt.ItemDataRole.DisplayRole),
        int(Qt.ItemDataRole.TextAlignmentRole),
        int(Qt.ItemDataRole.ForegroundRole),
        int(Qt.ItemDataRole.DecorationRole),
    }
)
#: rows kept at most (a few screens); beyond, all are dropped and computed again
MAX_ROWS: Final = 512

_DISPLAY: Final = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT: Final = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND: Final = int(Qt.ItemDataRole.ForegroundRole)
_DECORATION: Final = int(Qt.ItemDataRole.DecorationRole)
RIGHT: Final = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_COLUMNS: Final = tuple(Column)

#: a row's cells: the display text of each column, whether it shows an error, and
#: whether it came over HTTPS (its scheme column has the lock)
Painted = tuple[tuple[str, ...], bool, bool]


class PaintedRows:
    """Kept rows of ``model`` by view row, dropped on any change of its rows."""

    def __init__(self, model: QAbstractItemModel) -> None:
        self._rows: dict[int, Painted] = {}
        for changed in (model.rowsInserted, model.rowsRemoved, model.rowsMoved, model.layoutChanged):
            changed.connect(self.clear)
        model.modelReset.connect(self.clear)
        model.dataChanged.connect(self.clear)

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, row: int) -> Painted | None:
        return self._rows.get(row)

    def keep(self, row: int, data: RowData) -> Painted:
        """Compute ``data``'s cells once and keep them as view row ``row``'s."""
        texts = tuple(display(data, column, CELL_LIMIT) for column in _COLUMNS)
        painted = (texts, bool(error_of(data)), data.scheme == "https")
        if len(self._rows) >= MAX_ROWS:
            self._rows.clear()
        self._rows[row] = painted
        return painted

    def clear(self, *_signal_args: object) -> None:
        """Forget every row (a slot for any of the model's change signals)."""
        self._rows.clear()


def paint_answer(painted: Painted, column: int, role: int) -> Any:
    """A kept row's answer for one of :data:`PAINT_ROLES`."""
    if role == _DISPLAY:
        return painted[0][column]
    if role == _ALIGNMENT:
        return RIGHT if column in NUMERIC else None
    if role == _DECORATION and column == SCHEME_COLUMN and painted[2]:
        return lock_icon()
    if painted[1]:
        if role == _FOREGROUND:
            return error_brush()
        if role == _DECORATION and column == Column.STATUS:
            return error_icon()  # beside the reason, so the # column keeps its number
    return None
