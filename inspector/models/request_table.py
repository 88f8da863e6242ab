"""The request table: stored history (lazy) followed by live capture records.

History rows cost 8 bytes each (their id, in an ``array('q')``) until the view
paints them: cells come from pages of store summaries (no bodies) kept in a
bounded LRU, and a full record is read from the store only when asked for (the
selected row). With 100,000 stored requests the window opens after reading
100,000 ids, and scrolling reads one page of 256 summaries at a time
(DESIGN.md, "Performance notes": keep old history in SQLite, not in objects).

Live rows are the immutable records themselves in a plain list; every cell is
computed when the view asks for it (no per-row caches of strings).

Live rows arrive in batches (one ``beginInsertRows`` per batch, the caller
decides the cadence); history rows are removed when the store prunes them;
everything is cleared at once.

Sorting is done here, not by QSortFilterProxyModel (which calls a Python
``lessThan`` about 1.7 million times for 100,000 rows and, for a history
column, reads a page of summaries on most of them: two minutes with the window
frozen). :meth:`sort_rows` fetches the sort key of every history row in ONE
store query (``sort_keys``), computes the keys of live rows from the records,
and reorders a permutation (view row -> storage slot, an ``array('q')``) with
one ``list.sort``, inside one layout change that carries persistent indexes
(selection, current row) along. Keys are the underlying values (numbers as
numbers), ties are broken by id, and descending is the exact reverse of
ascending. Storage stays as it was (history ids in id order, live records in
arrival order), so pages of summaries are still read by store offset.

While sorted, live arrivals go where the newest rows are: sorted by # or Time,
descending, at the top (in place: newest first); in every other sort at the
bottom, in arrival order, below the sorted rows, until the next sort places
them (clicking a header again re-sorts everything). "Follow newest" scrolls to
exactly those rows.

Live records become history rows once the store has committed them
(:meth:`convert_committed`, called from the window's store timer): a prefix of
the live records, in id order and verified stored with one indexed query, has
its ids appended to the history ids and the records are dropped. The storage
slots do not change (history positions, then live indexes), so no row moves and
no layout change is needed; persistent indexes stay valid. A converted record
whose summary would not show the same cells (a truncated body, a response error
on a clean request) or that the store did not keep (dropped, pruned before it
was converted) stays a full record, "pinned" in a dict by id, in its history
slot. :attr:`converted` is emitted with the records just before they are
dropped, so that an active text filter keeps its verdicts.

Live records are acyclic (slotted dataclasses of strings, bytes and tuples), so
reference counting frees them; after each batch :meth:`append_records` calls
``gc.freeze()`` so the collector's full passes stop walking every live record
(DESIGN.md, "Performance notes"). Frozen objects are still freed by refcount
when :meth:`clear` drops them.
"""

from __future__ import annotations

import datetime as _dt
import gc
from array import array
from bisect import bisect_left
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
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap

from inspector.http.record import CaptureRecord, Pairs, iso_utc
from inspector.text import CELL_LIMIT, human_size, tooltip, visible

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

#: the roles :meth:`RequestTableModel.data` answers (others get None at once)
_ANSWERED_ROLES: frozenset[int] = frozenset(
    {
        int(Qt.ItemDataRole.DisplayRole),
        int(Qt.ItemDataRole.TextAlignmentRole),
        int(Qt.ItemDataRole.ToolTipRole),
        int(Qt.ItemDataRole.ForegroundRole),
        int(Qt.ItemDataRole.DecorationRole),
        *(int(role) for role in Role),
    }
)

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


#: name/value pairs as any sequences (stored rows read for the text filter)
PairLists = Sequence[Sequence[str]]

#: what a row is built from: a full record (live rows) or a stored summary (history)
RowData = CaptureRecord | Summary


class HistorySource(Protocol):
    """The part of :class:`inspector.store.CaptureStore` the table reads."""

    def ids(self, offset: int = 0, limit: int = -1) -> list[int]: ...
    def summaries(self, offset: int = 0, limit: int = 100) -> Sequence[Summary]: ...
    def summary(self, record_id: int) -> Summary: ...
    def get(self, record_id: int) -> CaptureRecord: ...
    def search(self, text: str, limit: int = 1000) -> list[int]: ...


class FastHistorySource(HistorySource, Protocol):
    """Optional one-query reads of :class:`inspector.store.CaptureStore`; sources
    without them fall back to :meth:`HistorySource.summaries` and ``search``."""

    def search_any(self, texts: Sequence[str], limit: int = -1) -> list[int]: ...
    def sort_keys(self, field: str) -> dict[int, Any]: ...


#: the store field each column sorts by (``CaptureStore.sort_keys``)
_SORT_FIELDS: dict[int, str] = {
    Column.ID: "id",
    Column.TIME: "received_at",
    Column.CLIENT: "client",
    Column.METHOD: "method",
    Column.PATH: "path",
    Column.QUERY: "query",
    Column.HEADERS: "header_count",
    Column.BODY_SIZE: "body_size",
    Column.STATUS: "status",
    Column.DURATION: "duration_ms",
}
#: the key of a history row the store no longer has (same type as the others)
_MISSING_KEY: dict[int, str | int | float] = {
    Column.ID: 0,
    Column.TIME: 0.0,
    Column.CLIENT: "",
    Column.METHOD: "",
    Column.PATH: "",
    Column.QUERY: "",
    Column.HEADERS: 0,
    Column.BODY_SIZE: 0,
    Column.STATUS: -1,
    Column.DURATION: -1.0,
}
#: columns whose newest rows are the last (ascending) or first (descending)
_ARRIVAL_ORDERED = frozenset({Column.ID, Column.TIME})
#: persistent indexes moved by a linear search each; beyond, an inverse map is built
_FEW_PERSISTENT = 64


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


def _summary_differs(record: CaptureRecord) -> bool:
    """Whether a stored summary of ``record`` would show different cells: the
    summary has no ``body_truncated``, and its ``error`` is the request's only."""
    response = record.response
    return record.body_truncated or (
        not record.error and response is not None and bool(response.error)
    )


class RequestTableModel(QAbstractTableModel):
    """A flat table: stored history rows (lazy) followed by live records.

    History rows are only ids until the view paints them; their cells come from
    :class:`Summary` pages read with ``summaries(offset, limit)`` and kept in a
    small LRU, and the full record is read with ``get(id)`` only when someone asks
    for it (:meth:`record`, :attr:`Role.RECORD`: the selected row, an export).
    Live rows are the captured records themselves, appended in batches.
    """

    #: the live records about to become history rows (:meth:`convert_committed`)
    converted = Signal(object)

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
        #: converted history rows kept as full records (see the module docstring)
        self._pinned: dict[int, CaptureRecord] = {}
        #: the id of the first live record converted to a history row (None: none)
        self._converted_from: int | None = None
        #: view row -> storage slot (history position, then len(history) + live
        #: index); None while rows are in storage order (sorted by # ascending)
        self._order: array[int] | None = None
        self._sort_column = int(Column.ID)
        self._descending = False

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

    @property
    def sort_column(self) -> int:
        """The column rows are sorted by (:meth:`sort_rows`)."""
        return self._sort_column

    @property
    def sort_descending(self) -> bool:
        return self._descending

    def _slot(self, row: int) -> int:
        """The storage slot of view row ``row``: a history position below
        ``len(history_ids)``, else ``len(history_ids)`` + the live index."""
        order = self._order
        return row if order is None else order[row]

    def is_history_row(self, row: int) -> bool:
        """Whether ``row`` is read from the store (a pinned converted row is not:
        its record is kept here and the store may not have it)."""
        if not 0 <= row < self.rowCount():
            return False
        slot = self._slot(row)
        return slot < len(self._history_ids) and self._history_ids[slot] not in self._pinned

    @property
    def converted_from(self) -> int | None:
        """The id of the first live record converted to a history row, if any;
        history ids below it were restored from the store."""
        return self._converted_from

    @property
    def pinned(self) -> dict[int, CaptureRecord]:
        """Converted history rows kept as full records, by id (do not modify)."""
        return self._pinned

    def converted_search_fields(
        self, body_limit: int
    ) -> Iterator[tuple[int, str, str, str, PairLists, PairLists, PairLists, str | None, bytes]]:
        """What the text filter matches a live record on, for the stored converted
        rows (``CaptureStore.search_fields``); nothing without converted rows."""
        source = self._source
        first = self._converted_from
        if source is None or first is None or not self._history_ids:
            return iter(())
        search_fields = getattr(source, "search_fields", None)
        if search_fields is None:
            return iter(())
        fields: Iterator[tuple[int, str, str, str, PairLists, PairLists, PairLists, str | None, bytes]]
        fields = search_fields(first, self._history_ids[-1], body_limit)
        return fields

    def history_id(self, row: int) -> int | None:
        """The record id of ``row`` if it is a history row, else None."""
        order = self._order
        slot = row if order is None else order[row]
        return self._history_ids[slot] if slot < len(self._history_ids) else None

    def row_id(self, row: int) -> int:
        """The record id of ``row`` (never reads the store)."""
        slot = self._slot(row)
        n = len(self._history_ids)
        return self._history_ids[slot] if slot < n else self._records[slot - n].id

    def max_id(self) -> int:
        """The highest record id in the table, 0 when empty."""
        if self._records:
            return max(self._records[-1].id, self._history_ids[-1] if self._history_ids else 0)
        return self._history_ids[-1] if self._history_ids else 0

    def row_data(self, row: int) -> RowData | None:
        """What the cells of ``row`` show: a live record or a history summary
        (None when the stored row has gone: pruned or cleared meanwhile)."""
        slot = self._slot(row)
        n = len(self._history_ids)
        if slot >= n:
            return self._records[slot - n]
        record_id = self._history_ids[slot]
        full = self._pinned.get(record_id) or self._full.get(record_id)
        if full is not None:
            return full
        return self._summary(slot)

    def record(self, row: int) -> CaptureRecord:
        """The full record of ``row``; reads a history row from the store.

        Raises:
            KeyError: a history row whose record is no longer stored.
        """
        slot = self._slot(row)
        n = len(self._history_ids)
        if slot >= n:
            return self._records[slot - n]
        record_id = self._history_ids[slot]
        pinned = self._pinned.get(record_id)
        if pinned is not None:
            return pinned
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
        without a history (the store searches; no bodies are loaded here).

        Method, target and headers match case-insensitively (ASCII letters);
        bodies are matched byte for byte, so the text is looked for as typed and
        case-folded: one statement with ``search_any``, two searches otherwise.
        """
        source = self._source
        if source is None or not self._history_ids:
            return None
        limit = len(self._history_ids)
        folded = text.casefold()
        search_any = getattr(source, "search_any", None)
        if search_any is not None:
            return set(search_any((text, folded), -1))
        found = set(source.search(text, limit))
        if folded != text:
            found.update(source.search(folded, limit))
        return found

    def _summary(self, position: int) -> Summary | None:
        """The summary of the history row at storage ``position``."""
        page_no, slot = divmod(position, self._page_size)
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
            between = getattr(source, "summaries_between", None)
            if between is not None and wanted:
                # by id range (the primary key): right even where the ids have gaps
                # (pinned rows the store does not have)
                found = {summary.id: summary for summary in between(wanted[0], wanted[-1])}
                return [found.get(record_id) for record_id in wanted]
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
        # A repaint asks every visible cell for about seven roles; most have
        # no answer here. Saying so before any other work halves the Python
        # time a repaint spends under load (the window's worst stalls).
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if row >= self.rowCount():
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column in _NUMERIC else None
        if role == Role.SORT and column == Column.ID:
            return self.row_id(row)  # no store read for the id
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
        """Show the rows stored in ``source`` (ids only, read now) with the live rows
        (history first while sorted by # ascending; in the current sort otherwise)."""
        ids = array("q", source.ids() if source is not None else ())
        self.beginResetModel()
        self._source = source
        self._history_ids = ids
        self._pages.clear()
        self._full.clear()
        self._pinned.clear()
        self._converted_from = None
        self._order = self._sorted_order(self._sort_column, self._descending)
        self.endResetModel()

    def remove_oldest_history(self, count: int) -> int:
        """Drop the oldest ``count`` history rows (the store pruned them); returns how many."""
        count = min(count, len(self._history_ids))
        if count <= 0:
            return 0
        order = self._order
        total = self.rowCount()
        if order is None:
            first, last = 0, count - 1  # in storage order they are the first rows
        elif order[total - count :] == array("q", range(count - 1, -1, -1)):
            first, last = total - count, total - 1  # # descending: the last rows
        else:
            self._remove_scattered(count)
            return count
        self.beginRemoveRows(QModelIndex(), first, last)
        self._drop_history(count)
        if order is not None:
            self._order = array("q", [slot - count for slot in order[:first]])
        self.endRemoveRows()
        return count

    def _drop_history(self, count: int) -> None:
        gone = set(self._history_ids[:count])
        del self._history_ids[:count]
        self._pages.clear()  # pages are keyed by storage position, and every one moved
        for record_id in gone & self._full.keys():
            del self._full[record_id]
        for record_id in gone & self._pinned.keys():
            del self._pinned[record_id]
        first = self._converted_from
        if first is not None and (not self._history_ids or self._history_ids[-1] < first):
            self._converted_from = None  # every converted row is gone

    def remove_history_before(self, first_kept_id: int) -> int:
        """Drop the history rows whose ids are below ``first_kept_id`` (the store's
        oldest id after pruning); returns how many."""
        return self.remove_oldest_history(bisect_left(self._history_ids, first_kept_id))

    def convert_committed(self, committed_max_id: int) -> int:
        """Turn the live records the store has committed (ids up to
        ``committed_max_id``) into history rows; returns how many.

        Only a prefix of the live records whose ids increase past the last history
        id is converted, after one store query confirms which of them are stored,
        and only up to the last of them that is stored; one missing before that
        (dropped, pruned) is kept as a full record (:attr:`pinned`).
        No row moves (storage slots stay the same), so there is no layout change.
        Nothing happens without a store that can answer ``ids_between``.
        """
        records = self._records
        source = self._source
        ids_between = getattr(source, "ids_between", None)
        if not records or ids_between is None or records[0].id > committed_max_id:
            return 0
        previous = self._history_ids[-1] if self._history_ids else None
        count = 0
        for record in records:
            record_id = record.id
            if record_id > committed_max_id or (previous is not None and record_id <= previous):
                break
            previous = record_id
            count += 1
        if not count:
            return 0
        try:
            stored = set(ids_between(records[0].id, records[count - 1].id))
        except Exception:  # the store failed: keep the records as they are
            return 0
        # Up to the last one stored: the writer writes in arrival (= id) order, so
        # one missing before it was dropped or already pruned and will never be
        # stored (it is pinned). Missing ones after it may still be on their way
        # (or the committed id is stale after a clear): they stay live for now.
        while count and records[count - 1].id not in stored:
            count -= 1
        if not count:
            return 0
        batch = records[:count]
        self.converted.emit(batch)
        old_n = len(self._history_ids)
        pinned = self._pinned
        for record in batch:
            if record.id not in stored or _summary_differs(record):
                pinned[record.id] = record
        self._history_ids.extend(record.id for record in batch)
        del records[:count]
        if self._converted_from is None:
            self._converted_from = batch[0].id
        # the page holding the old end may be a short page: read it again
        self._pages.pop(old_n // self._page_size, None)
        return count

    def _remove_scattered(self, count: int) -> None:
        """Pruning while sorted by another column: the pruned rows are spread
        over the view, so this is one layout change, not thousands of removals."""
        assert self._order is not None
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_slots = [self._slot(index.row()) for index in old]
        self._drop_history(count)
        self._order = array("q", [slot - count for slot in self._order if slot >= count])
        self._move_persistent(old, [slot - count for slot in old_slots])
        self.layoutChanged.emit()

    def _move_persistent(self, old: list[QModelIndex], slots: list[int]) -> None:
        """Point the persistent indexes ``old`` at the view rows now holding
        ``slots`` (a negative slot: the row is gone, the index becomes invalid)."""
        if not old:
            return
        order = self._order
        if order is None:
            rows = slots
        elif len(old) <= _FEW_PERSISTENT:
            rows = [order.index(slot) if slot >= 0 else -1 for slot in slots]
        else:
            where = {slot: row for row, slot in enumerate(order)}
            rows = [where.get(slot, -1) for slot in slots]
        new = [
            self.index(row, index.column()) if row >= 0 else QModelIndex()
            for index, row in zip(old, rows, strict=True)
        ]
        self.changePersistentIndexList(old, new)

    def append_records(self, records: Sequence[CaptureRecord]) -> None:
        """Add a batch of records with one ``beginInsertRows``: at the end, or at
        the top while sorted by # or Time descending (newest first)."""
        if not records:
            return
        order = self._order
        first_slot = len(self._history_ids) + len(self._records)
        at_top = (
            order is not None and self._descending and self._sort_column in _ARRIVAL_ORDERED
        )
        first = 0 if at_top else self.rowCount()
        self.beginInsertRows(QModelIndex(), first, first + len(records) - 1)
        self._records.extend(records)
        if order is not None:
            slots = range(first_slot, first_slot + len(records))
            if at_top:
                order[0:0] = array("q", reversed(slots))
            else:
                order.extend(slots)
        self.endInsertRows()
        # Move what is tracked now (these records among it) out of the collector's
        # generations: full passes no longer walk every live record. Safe because
        # records hold no cycles, so refcounting frees them (clear() included);
        # the young generations are collected first so that little cyclic garbage
        # is frozen with them.
        gc.collect(1)
        gc.freeze()

    def clear(self) -> None:
        """Forget every row (history and live); the store itself is not touched.
        The sort stays as it is, for the rows that come next."""
        if not self._records and not self._history_ids:
            return
        self.beginResetModel()
        self._records = []
        self._history_ids = array("q")
        self._pages.clear()
        self._full.clear()
        self._pinned.clear()
        self._converted_from = None
        self._order = None if self._order is None else array("q")
        self.endResetModel()

    # -- sorting ---------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_rows(column, order == Qt.SortOrder.DescendingOrder)

    def sort_rows(self, column: int, descending: bool = False) -> None:
        """Reorder the rows by ``column`` (-1: storage order, as # ascending) in one
        layout change; selection and current row follow their rows."""
        if not 0 <= column < len(Column):
            column, descending = int(Column.ID), False
        order = self._sorted_order(int(column), descending)
        self._sort_column, self._descending = int(column), descending
        if order is None and self._order is None:
            return  # storage order already: no layout change, no proxy rebuild
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_slots = [self._slot(index.row()) for index in old]
        self._order = order
        self._move_persistent(old, old_slots)
        self.layoutChanged.emit()

    def _sorted_order(self, column: int, descending: bool) -> array[int] | None:
        """The permutation for a sort (None: storage order)."""
        n_history = len(self._history_ids)
        total = n_history + len(self._records)
        ids_ascending = self._live_ids_ascending()
        if column == Column.ID and ids_ascending:
            # storage order is id order: no keys, no comparisons
            return None if not descending else array("q", range(total - 1, -1, -1))
        keys = self._history_keys(column)
        keys.extend(_cell_value(record, column) for record in self._records)
        slots = list(range(total))
        if not ids_ascending:  # ties by id: sort by id first (sorts are stable)
            slots.sort(key=self._slot_id)
        slots.sort(key=keys.__getitem__)
        if descending:
            slots.reverse()
        return array("q", slots)

    def _slot_id(self, slot: int) -> int:
        n = len(self._history_ids)
        return self._history_ids[slot] if slot < n else self._records[slot - n].id

    def _live_ids_ascending(self) -> bool:
        """Whether storage order is id order (live records always arrive so; an
        imported session may not)."""
        records = self._records
        last = self._history_ids[-1] if self._history_ids else None
        if records and last is not None and records[0].id <= last:
            return False
        return all(records[i].id < records[i + 1].id for i in range(len(records) - 1))

    def _history_keys(self, column: int) -> list[Any]:
        """The sort key of every history row, in storage order (one store query)."""
        ids = self._history_ids
        source = self._source
        if not ids or source is None:
            return []
        missing = _MISSING_KEY[column]
        try:
            sort_keys = getattr(source, "sort_keys", None)
            if sort_keys is not None:
                found: dict[int, Any] = sort_keys(_SORT_FIELDS[column])
            else:
                found = {
                    summary.id: _cell_value(summary, column)
                    for summary in source.summaries(0, -1)
                }
        except Exception:  # the store failed: keep the rows, in id order
            found = {}
        get = found.get
        keys = [get(record_id, missing) for record_id in ids]
        if self._pinned:  # kept records: their own values (the store may not have them)
            for record_id, record in self._pinned.items():
                position = bisect_left(ids, record_id)
                if position < len(ids) and ids[position] == record_id:
                    keys[position] = _cell_value(record, column)
        return keys
