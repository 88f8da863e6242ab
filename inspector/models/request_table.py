"""The request table: stored history (lazy) followed by live capture records.

History rows cost 8 bytes each (their id, in an ``array('q')``) until the view
paints them: cells come from pages of store summaries (no bodies) kept in a
bounded LRU, and a full record is read from the store only when asked for (the
selected row). With 100,000 stored requests the window opens after reading
100,000 ids, and scrolling reads one page of 256 summaries at a time
(DESIGN.md, "Performance notes": keep old history in SQLite, not in objects).

Live rows are the immutable records themselves in a plain list; every cell is
computed when the view asks for it (no per-row caches of strings).

Live rows are only ever appended (in batches: one ``beginInsertRows`` per batch,
the caller decides the cadence); history rows are removed from the top when the
store prunes them; everything is cleared at once.
"""

from __future__ import annotations

import datetime as _dt
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from enum import IntEnum
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap

from inspector.http.record import CaptureRecord, Pairs, iso_utc
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
#: what a history row shows when the store no longer has it
_GONE: dict[int, str] = {Column.PATH: "(no longer stored)"}
_NUMERIC = frozenset({Column.ID, Column.HEADERS, Column.BODY_SIZE, Column.DURATION})

#: separator between query pairs in the Query column
QUERY_SEPARATOR = " & "
#: history rows read from the store per page
DEFAULT_PAGE_SIZE = 256
#: pages of history summaries kept (an LRU): 64 x 256 rows, a few screens either way
DEFAULT_CACHE_PAGES = 64
#: full history records kept after a read (the selected row, its neighbours)
FULL_RECORD_CACHE = 16


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


class Summary(Protocol):
    """A stored row without bodies (``inspector.store.Summary``, typed structurally so
    that models do not import the store layer: DESIGN.md, "Layers")."""

    @property
    def id(self) -> int: ...
    @property
    def received_at(self) -> float: ...
    @property
    def client(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def query(self) -> Pairs: ...
    @property
    def header_count(self) -> int: ...
    @property
    def body_size(self) -> int: ...
    @property
    def status(self) -> int | None: ...
    @property
    def duration_ms(self) -> float | None: ...
    @property
    def error(self) -> str | None: ...


#: what a row is built from: a full record (live rows) or a stored summary (history)
RowData = CaptureRecord | Summary


class HistorySource(Protocol):
    """The part of :class:`inspector.store.CaptureStore` the table reads."""

    def ids(self, offset: int = 0, limit: int = -1) -> list[int]: ...
    def summaries(self, offset: int = 0, limit: int = 100) -> Sequence[Summary]: ...
    def summary(self, record_id: int) -> Summary: ...
    def get(self, record_id: int) -> CaptureRecord: ...
    def search(self, text: str, limit: int = 1000) -> list[int]: ...


def query_text(record: RowData) -> str:
    """The query pairs as ``name=value & name=value`` (unescaped, not elided)."""
    return QUERY_SEPARATOR.join(f"{name}={value}" for name, value in record.query)


def _status(row: RowData) -> int | None:
    if not isinstance(row, CaptureRecord):
        return row.status
    return None if row.response is None else row.response.status


def _duration(row: RowData) -> float | None:
    if not isinstance(row, CaptureRecord):
        return row.duration_ms
    return None if row.response is None else row.response.duration_ms


def _error(row: RowData) -> str | None:
    if not isinstance(row, CaptureRecord):
        return row.error
    return row.error or (row.response.error if row.response is not None else None)


def _header_count(row: RowData) -> int:
    return len(row.headers) if isinstance(row, CaptureRecord) else row.header_count


def status_text(record: RowData) -> str:
    """What the Status column shows: the status sent, and the error if any."""
    code = _status(record)
    status = "" if code is None else str(code)
    error = _error(record)
    if error:
        # the listener's errors may already start with the status ("400 invalid …")
        return error if not status or error.startswith(status) else f"{status} {error}"
    return status or "—"


def _cell_value(record: RowData, column: int) -> str | int | float:
    """The underlying value of a cell (sorting and the raw source of display)."""
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
            return _header_count(record)
        case Column.BODY_SIZE:
            return record.body_size
        case Column.STATUS:
            status = _status(record)
            return -1 if status is None else status
        case Column.DURATION:
            duration = _duration(record)
            return -1.0 if duration is None else duration
    return ""


def _display(record: RowData, column: int, limit: int | None) -> str:
    match column:
        case Column.ID:
            return str(record.id)
        case Column.TIME:
            return local_time(record.received_at)
        case Column.HEADERS:
            return str(_header_count(record))
        case Column.BODY_SIZE:
            text = human_size(record.body_size)
            truncated = isinstance(record, CaptureRecord) and record.body_truncated
            return text + " (truncated)" if truncated else text
        case Column.STATUS:
            return visible(status_text(record), limit)
        case Column.DURATION:
            duration = _duration(record)
            return "—" if duration is None else f"{duration:.2f} ms"
    return visible(str(_cell_value(record, column)), limit)


class RequestTableModel(QAbstractTableModel):
    """A flat table: stored history rows (lazy) followed by live records.

    History rows are only ids until the view paints them; their cells come from
    :class:`Summary` pages read with ``summaries(offset, limit)`` and kept in a
    small LRU, and the full record is read with ``get(id)`` only when someone asks
    for it (:meth:`record`, :attr:`Role.RECORD`: the selected row, an export).
    Live rows are the captured records themselves, appended in batches.
    """

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        cache_pages: int = DEFAULT_CACHE_PAGES,
    ) -> None:
        super().__init__(parent)
        self._records: list[CaptureRecord] = []
        self._history_ids = array("q")
        self._source: HistorySource | None = None
        self._page_size = page_size
        self._cache_pages = cache_pages
        self._pages: OrderedDict[int, list[Summary | None]] = OrderedDict()
        self._full: OrderedDict[int, CaptureRecord] = OrderedDict()

    # -- reading ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._history_ids) + len(self._records)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    @property
    def history_count(self) -> int:
        """Rows that come from the store (the first rows of the table)."""
        return len(self._history_ids)

    @property
    def history_ids(self) -> Sequence[int]:
        """The record ids of the history rows, in row order (do not modify)."""
        return self._history_ids

    @property
    def live_count(self) -> int:
        return len(self._records)

    def is_history_row(self, row: int) -> bool:
        return 0 <= row < len(self._history_ids)

    def row_id(self, row: int) -> int:
        """The record id of ``row`` (never reads the store)."""
        n = len(self._history_ids)
        return self._history_ids[row] if row < n else self._records[row - n].id

    def max_id(self) -> int:
        """The highest record id in the table, 0 when empty."""
        if self._records:
            return max(self._records[-1].id, self._history_ids[-1] if self._history_ids else 0)
        return self._history_ids[-1] if self._history_ids else 0

    def row_data(self, row: int) -> RowData | None:
        """What the cells of ``row`` show: a live record or a history summary
        (None when the stored row has gone: pruned or cleared meanwhile)."""
        n = len(self._history_ids)
        if row >= n:
            return self._records[row - n]
        full = self._full.get(self._history_ids[row])
        if full is not None:
            return full
        return self._summary(row)

    def record(self, row: int) -> CaptureRecord:
        """The full record of ``row``; reads a history row from the store.

        Raises:
            KeyError: a history row whose record is no longer stored.
        """
        n = len(self._history_ids)
        if row >= n:
            return self._records[row - n]
        record_id = self._history_ids[row]
        full = self._full.get(record_id)
        if full is not None:
            self._full.move_to_end(record_id)
            return full
        assert self._source is not None
        full = self._source.get(record_id)
        self._full[record_id] = full
        if len(self._full) > FULL_RECORD_CACHE:
            self._full.popitem(last=False)
        return full

    def try_record(self, row: int) -> CaptureRecord | None:
        """The full record of ``row``, or None when the store no longer has it
        (pruned, cleared) or cannot be read."""
        try:
            return self.record(row)
        except Exception:  # KeyError, StoreError, sqlite3.Error: the row shows no details
            return None

    def records(self) -> Sequence[CaptureRecord]:
        """The live records in arrival order (do not modify)."""
        return self._records

    def iter_records(self, rows: Iterable[int] | None = None) -> Iterator[CaptureRecord]:
        """Full records of ``rows`` (every row by default), history rows read one
        at a time from the store; rows no longer stored are skipped. Safe to call
        from another thread only with explicit ``rows`` of live records."""
        for row in range(self.rowCount()) if rows is None else rows:
            record = self.try_record(row)
            if record is not None:
                yield record

    def search_history(self, text: str) -> set[int] | None:
        """Ids of history rows whose stored request contains ``text``, or None
        without a history (the store searches; no bodies are loaded here)."""
        if self._source is None or not self._history_ids:
            return None
        limit = len(self._history_ids)
        found = set(self._source.search(text, limit))
        folded = text.casefold()
        if folded != text:  # bodies are matched byte for byte: try the folded form too
            found.update(self._source.search(folded, limit))
        return found

    def _summary(self, row: int) -> Summary | None:
        page_no, slot = divmod(row, self._page_size)
        page = self._pages.get(page_no)
        if page is None:
            page = self._load_page(page_no)
            self._pages[page_no] = page
            if len(self._pages) > self._cache_pages:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page[slot]

    def _load_page(self, page_no: int) -> list[Summary | None]:
        start = page_no * self._page_size
        wanted = self._history_ids[start : start + self._page_size]
        source = self._source
        if source is None:
            return [None] * len(wanted)
        try:
            # The history rows are the oldest stored rows, in id order, so the
            # store offset equals the row; check the ids in case rows were pruned
            # meanwhile, and fall back to one lookup per id.
            page = source.summaries(start, len(wanted))
            if [summary.id for summary in page] == list(wanted):
                return list(page)
            result: list[Summary | None] = []
            for record_id in wanted:
                try:
                    result.append(source.summary(record_id))
                except KeyError:
                    result.append(None)
            return result
        except Exception:  # the store failed (closed, I/O): show empty rows, not a traceback
            return [None] * len(wanted)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if row >= self.rowCount():
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column in _NUMERIC else None
        if role == Role.SORT and column == Column.ID:
            return self.row_id(row)  # no store read to sort by id
        if role == Role.RECORD:
            return self.try_record(row)
        record = self.row_data(row)
        if record is None:  # pruned or cleared under us
            if role in (Qt.ItemDataRole.DisplayRole, Role.COPY):
                return _GONE.get(column, "") if column != Column.ID else str(self.row_id(row))
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _display(record, column, CELL_LIMIT)
        if role == Role.SORT:
            return _cell_value(record, column)
        if role == Role.COPY:
            return _display(record, column, None)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(record, column)
        if _error(record):
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(error_color())
            if role == Qt.ItemDataRole.DecorationRole and column == Column.ID:
                return error_icon()
        return None

    def _tooltip(self, record: RowData, column: int) -> str | None:
        error = _error(record)
        if error and column in (Column.ID, Column.STATUS):
            return tooltip(f"Error: {error}")
        match column:
            case Column.TIME:
                iso = iso_utc(record.received_at)
                return tooltip(f"{local_datetime(record.received_at)}\n{iso}")
            case Column.PATH:
                return tooltip(record.target)
            case Column.QUERY if record.query:
                return tooltip("\n".join(f"{n}={v}" for n, v in record.query))
            case Column.METHOD | Column.CLIENT:
                return tooltip(str(_cell_value(record, column)))
            case Column.BODY_SIZE if isinstance(record, CaptureRecord) and record.body_truncated:
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

    def set_history(self, source: HistorySource | None) -> None:
        """Show the rows stored in ``source`` (ids only, read now) before the live rows."""
        ids = array("q", source.ids() if source is not None else ())
        self.beginResetModel()
        self._source = source
        self._history_ids = ids
        self._pages.clear()
        self._full.clear()
        self.endResetModel()

    def remove_oldest_history(self, count: int) -> int:
        """Drop the first ``count`` history rows (the store pruned them); returns how many."""
        count = min(count, len(self._history_ids))
        if count <= 0:
            return 0
        self.beginRemoveRows(QModelIndex(), 0, count - 1)
        gone = set(self._history_ids[:count])
        del self._history_ids[:count]
        self._pages.clear()  # pages are keyed by row, and every row moved
        for record_id in gone & self._full.keys():
            del self._full[record_id]
        self.endRemoveRows()
        return count

    def append_records(self, records: Sequence[CaptureRecord]) -> None:
        """Append a batch of records with one ``beginInsertRows``."""
        if not records:
            return
        first = self.rowCount()
        self.beginInsertRows(QModelIndex(), first, first + len(records) - 1)
        self._records.extend(records)
        self.endInsertRows()

    def clear(self) -> None:
        """Forget every row (history and live); the store itself is not touched."""
        if not self._records and not self._history_ids:
            return
        self.beginResetModel()
        self._records = []
        self._history_ids = array("q")
        self._pages.clear()
        self._full.clear()
        self.endResetModel()
