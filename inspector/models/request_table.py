"""The live request table: one row per capture record.

Storage is a plain list of the immutable records; every cell is computed when
the view asks for it, so a row costs one list slot and nothing else (no
per-row caches of strings: DESIGN.md, "Performance notes").

Rows are only ever appended (in batches: one ``beginInsertRows`` per batch, the
caller decides the cadence) or all cleared at once.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap

from inspector.http.record import CaptureRecord
from inspector.models.text import CELL_LIMIT, human_size, tooltip, visible

AnyIndex = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    ID = 0
    TIME = 1
    CLIENT = 2
    METHOD = 3
    PATH = 4
    QUERY = 5
    HEADERS = 6
    BODY_SIZE = 7
    STATUS = 8
    DURATION = 9


class Role(IntEnum):
    #: the underlying value to sort by (int, float or str), never the display text
    SORT = Qt.ItemDataRole.UserRole + 1
    #: the CaptureRecord of the row
    RECORD = Qt.ItemDataRole.UserRole + 2
    #: the full cell text (escaped, not elided), for copying
    COPY = Qt.ItemDataRole.UserRole + 3


HEADERS: dict[Column, str] = {
    Column.ID: "#",
    Column.TIME: "Time",
    Column.CLIENT: "Client",
    Column.METHOD: "Method",
    Column.PATH: "Path",
    Column.QUERY: "Query",
    Column.HEADERS: "Headers",
    Column.BODY_SIZE: "Body",
    Column.STATUS: "Status",
    Column.DURATION: "Duration",
}

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_NUMERIC = frozenset({Column.ID, Column.HEADERS, Column.BODY_SIZE, Column.DURATION})

#: separator between query pairs in the Query column
QUERY_SEPARATOR = " & "


def error_color() -> QColor:
    """A mid red that reads on the current palette's base colour (light or dark)."""
    base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
    return QColor(0xFF, 0x6B, 0x6B) if base.lightness() < 128 else QColor(0xC6, 0x28, 0x28)


_error_icon: QIcon | None = None


def error_icon() -> QIcon:
    """A small red disc with "!" (drawn, so it exists without an icon theme)."""
    global _error_icon
    if _error_icon is None:
        pixmap = QPixmap(16, 16)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0xD3, 0x2F, 0x2F))
        painter.drawEllipse(1, 1, 14, 14)
        painter.setPen(QColor(Qt.GlobalColor.white))
        font = painter.font()
        font.setBold(True)
        font.setPixelSize(11)
        painter.setFont(font)
        painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, "!")
        painter.end()
        _error_icon = QIcon(pixmap)
    return _error_icon


def local_time(timestamp: float) -> str:
    """HH:MM:SS.mmm in local time."""
    moment = _dt.datetime.fromtimestamp(timestamp)
    return moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def local_datetime(timestamp: float) -> str:
    """YYYY-MM-DD HH:MM:SS.mmm in local time, with the UTC offset."""
    moment = _dt.datetime.fromtimestamp(timestamp).astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d} {moment:%z}"


def query_text(record: CaptureRecord) -> str:
    """The query pairs as ``name=value & name=value`` (unescaped, not elided)."""
    return QUERY_SEPARATOR.join(f"{name}={value}" for name, value in record.query)


def status_text(record: CaptureRecord) -> str:
    """What the Status column shows: the status sent, and the error if any."""
    response = record.response
    status = "" if response is None else str(response.status)
    error = record.error or (response.error if response is not None else None)
    if error:
        # the listener's errors may already start with the status ("400 invalid …")
        return error if not status or error.startswith(status) else f"{status} {error}"
    return status or "—"


def _cell_value(record: CaptureRecord, column: int) -> str | int | float:
    """The underlying value of a cell (sorting and the raw source of display)."""
    response = record.response
    match column:
        case Column.ID:
            return record.id
        case Column.TIME:
            return record.received_at
        case Column.CLIENT:
            return record.client
        case Column.METHOD:
            return record.method
        case Column.PATH:
            return record.path or record.target
        case Column.QUERY:
            return query_text(record)
        case Column.HEADERS:
            return len(record.headers)
        case Column.BODY_SIZE:
            return record.body_size
        case Column.STATUS:
            return -1 if response is None else response.status
        case Column.DURATION:
            return -1.0 if response is None else response.duration_ms
    return ""


def _display(record: CaptureRecord, column: int, limit: int | None) -> str:
    match column:
        case Column.ID:
            return str(record.id)
        case Column.TIME:
            return local_time(record.received_at)
        case Column.HEADERS:
            return str(len(record.headers))
        case Column.BODY_SIZE:
            text = human_size(record.body_size)
            return text + " (truncated)" if record.body_truncated else text
        case Column.STATUS:
            return visible(status_text(record), limit)
        case Column.DURATION:
            if record.response is None:
                return "—"
            return f"{record.response.duration_ms:.2f} ms"
    return visible(str(_cell_value(record, column)), limit)


class RequestTableModel(QAbstractTableModel):
    """A flat, append-only table of capture records."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._records: list[CaptureRecord] = []

    # -- reading ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def record(self, row: int) -> CaptureRecord:
        return self._records[row]

    def records(self) -> Sequence[CaptureRecord]:
        """The records in arrival order (do not modify)."""
        return self._records

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._records):
            return None
        record = self._records[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(record, column, CELL_LIMIT)
        if role == Role.SORT:
            return _cell_value(record, column)
        if role == Role.RECORD:
            return record
        if role == Role.COPY:
            return _display(record, column, None)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _NUMERIC:
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(record, column)
        if record.error or (record.response is not None and record.response.error):
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(error_color())
            if role == Qt.ItemDataRole.DecorationRole and column == Column.ID:
                return error_icon()
        return None

    def _tooltip(self, record: CaptureRecord, column: int) -> str | None:
        error = record.error or (record.response.error if record.response else None)
        if error and column in (Column.ID, Column.STATUS):
            return tooltip(f"Error: {error}")
        match column:
            case Column.TIME:
                return tooltip(f"{local_datetime(record.received_at)}\n{record.received_at_iso}")
            case Column.PATH:
                return tooltip(record.target)
            case Column.QUERY if record.query:
                return tooltip("\n".join(f"{n}={v}" for n, v in record.query))
            case Column.METHOD | Column.CLIENT:
                return tooltip(str(_cell_value(record, column)))
            case Column.BODY_SIZE if record.body_truncated:
                return tooltip("The body exceeded the capture limit and was cut off.")
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)]
        return None

    # -- changing --------------------------------------------------------------

    def append_records(self, records: Sequence[CaptureRecord]) -> None:
        """Append a batch of records with one ``beginInsertRows``."""
        if not records:
            return
        first = len(self._records)
        self.beginInsertRows(QModelIndex(), first, first + len(records) - 1)
        self._records.extend(records)
        self.endInsertRows()

    def clear(self) -> None:
        """Forget every record."""
        if not self._records:
            return
        self.beginResetModel()
        self._records = []
        self.endResetModel()
