"""The request table: stored history (lazy) followed by live capture records.

History rows are :class:`HistoryRows` (ids until painted; pages of summaries; the full
record only when asked for) read from a :class:`HistorySource`. Live rows are the
immutable records in a plain list, added in batches (one ``beginInsertRows`` each);
history rows go when the store prunes them. Cells are computed when a view asks
(:mod:`inspector.models.columns`), a repaint's once per row until the rows change
(:mod:`inspector.models.painted_rows`).

Sorting is done here, not by QSortFilterProxyModel (~1.7 million Python ``lessThan``
calls for 100,000 rows): :meth:`sort_rows` reorders a :class:`RowOrder` in one layout
change; while sorted, live arrivals go where the sort puts them.

Live records become history rows once the store has committed them
(:meth:`convert_committed`) without any row moving; :attr:`converted` is emitted
with them first, so that an active text filter keeps its verdicts. A request
still waiting for its answer is a row too (:meth:`append_records` ``waiting``;
:meth:`set_paused` for one held for a person to answer), completed in place.
Live records are acyclic, so refcounting frees them; after each batch
``gc.freeze()`` keeps the collector's full passes from walking them all.
"""

from __future__ import annotations

import gc
import time
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from operator import attrgetter
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from inspector.http.record import CaptureRecord
from inspector.models.columns import (
    ANSWERED_ROLES,
    GONE,
    HEADER_TIPS,
    HEADERS,
    NUMERIC,
    SCHEME_COLUMN,
    Column,
    Role,
    cell_value,
    display,
    waiting_text,
)
from inspector.models.history_rows import DEFAULT_CACHE_PAGES, DEFAULT_PAGE_SIZE, HistoryRows
from inspector.models.history_source import HistorySource, RowData, SortKey
from inspector.models.painted_rows import PAINT_ROLES, RIGHT, Painted, PaintedRows, paint_answer
from inspector.models.row_order import RowOrder, sorted_order
from inspector.models.row_style import LOCK_ROLES, cell_style
from inspector.text import CELL_LIMIT

AnyIndex = QModelIndex | QPersistentModelIndex

_COLUMNS = len(Column)

class RequestTableModel(QAbstractTableModel):
    """A flat table: stored history rows (lazy) followed by live records.

    Args:
        history: the store whose rows come first (read by :meth:`load_history`);
            None for a table of records only (an imported session).
        page_size: history rows read per page of summaries.
        cache_pages: pages of summaries kept.
    """

    #: the live records about to become history rows (:meth:`convert_committed`)
    converted = Signal(object)
    #: a batch of records is about to be inserted (:meth:`append_records`)
    appending = Signal()
    #: that batch is in (one or more ``rowsInserted`` came between)
    appended = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        history: HistorySource | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        cache_pages: int = DEFAULT_CACHE_PAGES,
    ) -> None:
        super().__init__(parent)
        self._history = HistoryRows(history, page_size=page_size, cache_pages=cache_pages)
        self._records: list[CaptureRecord] = []
        self._order = RowOrder()
        self._sort_column = int(Column.ID)
        self._descending = False
        #: records of a batch being inserted whose rows are not announced yet
        self._not_shown = 0
        #: ids of rows whose request is not answered yet (their Status says how long)
        self._waiting: set[int] = set()
        #: those of them paused for a person to answer
        self._paused: frozenset[int] = frozenset()
        #: the cells of rows painted since the rows last changed
        self._painted = PaintedRows(self)

    # -- reading ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return len(self._history.ids) + len(self._records) - self._not_shown

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else _COLUMNS

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        # one Python call per index (the proxy makes one per role painted), not two
        if 0 <= row < self.rowCount() and 0 <= column < _COLUMNS and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    @property
    def history(self) -> HistoryRows:
        """The stored rows (their searches: ``search``, ``search_fields``, ``term_ids``)."""
        return self._history

    @property
    def history_count(self) -> int:
        """Rows that come from the store (the first rows in storage order)."""
        return len(self._history.ids)

    @property
    def live_count(self) -> int:
        return len(self._records)

    @property
    def converted_from(self) -> int | None:
        """The first live record's id converted to a history row (below: restored ones)."""
        return self._history.converted_from

    @property
    def pinned(self) -> dict[int, CaptureRecord]:
        """Converted history rows kept as full records, by id (do not modify)."""
        return self._history.pinned

    def is_history_row(self, row: int) -> bool:
        """Whether ``row`` is read from the store (a pinned converted row is not)."""
        if not 0 <= row < self.rowCount():
            return False
        slot = self._order.slot(row)
        return slot < len(self._history.ids) and self._history.is_stored(slot)

    def history_id(self, row: int) -> int | None:
        """The record id of ``row`` if it is a history row, else None."""
        slot, ids = self._order.slot(row), self._history.ids
        return ids[slot] if slot < len(ids) else None

    def row_id(self, row: int) -> int:
        """The record id of ``row`` (never reads the store)."""
        return self._slot_id(self._order.slot(row))

    def row_of_id(self, record_id: int) -> int | None:
        """The row showing record ``record_id`` (None when no row does)."""
        slot = self._slot_of_id(record_id)
        row = -1 if slot is None else self._order.rows_of([slot])[0]
        return row if row >= 0 else None

    def _slot_of_id(self, record_id: int) -> int | None:
        """A bisection (an imported session whose ids do not ascend: row by row)."""
        ids = self._history.ids
        at = bisect_left(ids, record_id)
        if at < len(ids) and ids[at] == record_id:
            return at
        records = self._records
        at = bisect_left(records, record_id, key=attrgetter("id"))
        if not (at < len(records) and records[at].id == record_id):
            at = next((i for i, record in enumerate(records) if record.id == record_id), -1)
        return None if at < 0 else len(ids) + at

    def _slot_id(self, slot: int) -> int:
        ids = self._history.ids
        n = len(ids)
        return ids[slot] if slot < n else self._records[slot - n].id

    def newest_row(self) -> int | None:
        """The view row of the last record stored (the newest arrival), None when empty."""
        total = self.rowCount()
        if not total:
            return None
        return self._order.rows_of([len(self._history.ids) + len(self._records) - 1])[0]

    def row_data(self, row: int) -> RowData | None:
        """What the cells of ``row`` show: a live record or a history summary
        (None when the stored row has gone: pruned or cleared meanwhile)."""
        slot = self._order.slot(row)
        n = len(self._history.ids)
        return self._records[slot - n] if slot >= n else self._history.row(slot)

    def record(self, row: int) -> CaptureRecord:
        """The full record of ``row``; reads a history row from the store.

        Raises:
            KeyError: a history row whose record is no longer stored.
        """
        slot = self._order.slot(row)
        n = len(self._history.ids)
        return self._records[slot - n] if slot >= n else self._history.record(slot)

    def try_record(self, row: int) -> CaptureRecord | None:
        """The full record of ``row``, or None when the store no longer has it
        (pruned, cleared) or cannot be read."""
        try:
            return self.record(row)
        except Exception:  # KeyError, StoreError, sqlite3.Error: the row shows no details
            return None

    def arrival_key(self, row: int) -> int:
        """Where ``row`` stands in arrival order (its storage slot; an import: the file's order)."""
        return self._order.slot(row)

    def row_history_ids(self) -> array[int]:
        """Every row's history id (-1: a live row), in row order, without a Python call per row."""
        by_slot = self._history.ids + array("q", [-1]) * len(self._records)
        slots = self._order.slots
        return by_slot if slots is None else array("q", map(by_slot.__getitem__, slots))

    def records(self) -> Sequence[CaptureRecord]:
        """The live records in arrival order (do not modify)."""
        return self._records

    def iter_records(self, rows: Iterable[int] | None = None) -> Iterator[CaptureRecord]:
        """Full records of ``rows`` (every row by default), history rows read one
        at a time from the store; rows no longer stored are skipped."""
        for row in range(self.rowCount()) if rows is None else rows:
            record = self.try_record(row)
            if record is not None:
                yield record

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # a repaint asks each visible cell for ~7 roles, most unanswered: say so first
        if role not in ANSWERED_ROLES or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role in PAINT_ROLES:  # a repaint: the row's cells are computed once (painted_rows)
            painted = self.painted(row)
            if painted is not None:
                return paint_answer(painted, column, role)
        if row >= self.rowCount():
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if column in NUMERIC else None
        if role == Role.SORT and column == Column.ID:
            return self.row_id(row)  # no store read for the id
        if role == Role.RECORD:
            return self.try_record(row)
        record = self.row_data(row)
        if role == Role.ROW:
            return record
        if record is None:  # pruned or cleared under us
            if role in (Qt.ItemDataRole.DisplayRole, Role.COPY):
                return GONE.get(column, "") if column != Column.ID else str(self.row_id(row))
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == Column.STATUS and self._waiting and (row_id := self.row_id(row)) in self._waiting:
                return waiting_text(record, time.time(), row_id in self._paused)
            return display(record, column, CELL_LIMIT)
        if role == Role.SORT:
            return cell_value(record, column)
        if role == Role.COPY:
            return display(record, column, None)
        secure = column == SCHEME_COLUMN and role in LOCK_ROLES and record.scheme == "https"
        return cell_style(record, column, role, secure=secure, paused=record.id in self._paused)

    def painted(self, row: int) -> Painted | None:
        """A repaint's cells of ``row``, computed once (None: no row, gone, waiting or paused)."""
        kept = self._painted.get(row)
        if kept is None and 0 <= row < self.rowCount():
            data = self.row_data(row)
            if data is not None and data.id not in self._waiting and data.id not in self._paused:
                kept = self._painted.keep(row, data)
        return kept

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(Column(section))
        return None

    # -- changing --------------------------------------------------------------

    def load_history(self) -> None:
        """(Re)read the history's ids and show them with the live rows (history
        first while sorted by # ascending; in the current sort otherwise).

        Raises:
            Exception: whatever the store raises when it cannot be read; the
                table is then unchanged.
        """
        ids = self._history.read_ids()
        self.beginResetModel()
        self._history.reset(ids)
        self._order.set(*self._sorted_order(self._sort_column, self._descending), descending=self._descending)
        self.endResetModel()

    def remove_oldest_history(self, count: int) -> int:
        """Drop the oldest ``count`` history rows (the store pruned them); returns how many."""
        count = min(count, len(self._history.ids))
        if count <= 0:
            return 0
        block = self._order.oldest_rows(count, self.rowCount())
        if block is None:
            self._remove_scattered(count)
            return count
        first, last = block
        self.beginRemoveRows(QModelIndex(), first, last)
        self._history.drop_oldest(count)
        self._order.drop_block(first, count)
        self.endRemoveRows()
        return count

    def remove_history_before(self, first_kept_id: int) -> int:
        """Drop the history rows whose ids are below ``first_kept_id`` (the store's
        oldest id after pruning); returns how many."""
        return self.remove_oldest_history(self._history.count_before(first_kept_id))

    def _remove_scattered(self, count: int) -> None:
        """Pruning while sorted by another column: the pruned rows are spread
        over the view, so this is one layout change, not thousands of removals."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_slots = [self._order.slot(index.row()) for index in old]
        self._history.drop_oldest(count)
        self._order.drop_oldest_scattered(count)
        self._move_persistent(old, [slot - count for slot in old_slots])
        self.layoutChanged.emit()

    def _move_persistent(self, old: list[QModelIndex], slots: list[int]) -> None:
        """Point the persistent indexes ``old`` at the view rows now holding
        ``slots`` (a negative slot: the row is gone, the index becomes invalid)."""
        if not old:
            return
        rows = self._order.rows_of(slots)
        new = [
            self.index(row, index.column()) if row >= 0 else QModelIndex()
            for index, row in zip(old, rows, strict=True)
        ]
        self.changePersistentIndexList(old, new)

    def convert_committed(self, committed_max_id: int) -> int:
        """Turn the live records the store has committed (ids up to
        ``committed_max_id``) into history rows; returns how many. No row moves
        (no layout change); see :meth:`HistoryRows.convertible` for which ones."""
        records = self._records
        history = self._history
        count, stored = history.convertible(records, committed_max_id)
        if not count:
            return 0
        batch = records[:count]
        self.converted.emit(batch)
        history.adopt(batch, stored)
        del records[:count]
        return count

    def append_records(self, records: Sequence[CaptureRecord], waiting: Iterable[int] = ()) -> None:
        """Add a batch of records where the sort puts them: by #, with one
        ``beginInsertRows`` at the end (at the top in descending order); by any
        other column, one per place the batch's rows go to (a few for a column
        of few values, such as Method; at the top for Time descending).

        ``waiting``: ids among them not answered yet (docs/ARCHITECTURE.md, "The
        capture path"): the Status says how long; :meth:`update_record` completes them.
        """
        if not records:
            return
        self._waiting.update(waiting)
        first_slot = len(self._history.ids) + len(self._records)
        order = self._order
        self.appending.emit()
        if order.keyed:
            self._insert_sorted(first_slot, records)
        else:
            at_top = order.slots is not None and self._descending
            first = 0 if at_top else self.rowCount()
            self.beginInsertRows(QModelIndex(), first, first + len(records) - 1)
            self._records.extend(records)
            order.add(first_slot, len(records), at_top=at_top)
            self.endInsertRows()
        self.appended.emit()
        # records hold no cycles: young garbage collected, the rest frozen out of full passes
        gc.collect(1)
        gc.freeze()

    @property
    def waiting(self) -> frozenset[int]:  # ids of the rows whose request is not answered yet
        return frozenset(self._waiting)

    def update_record(self, record: CaptureRecord) -> bool:
        """Put ``record`` (answered, given up) in its id's row; False when no row has it."""
        self._waiting.discard(record.id)
        slot = self._slot_of_id(record.id)
        if slot is None:
            return False
        n = len(self._history.ids)
        if slot >= n:
            self._records[slot - n] = record
        else:
            self._history.pinned[record.id] = record
        self._repaint_slots([slot], 0, len(Column) - 1)
        return True

    def set_paused(self, ids: frozenset[int]) -> None:
        """The requests held for a person to answer (their waiting rows say "paused")."""
        changed, self._paused = self._paused ^ ids, ids
        self._repaint_status(changed & self._waiting)

    def _repaint_status(self, ids: Iterable[int]) -> None:
        slots = [slot for slot in map(self._slot_of_id, ids) if slot is not None]
        self._repaint_slots(slots, Column.STATUS, Column.STATUS)

    def refresh_waiting(self) -> None:
        """Repaint the Status cells of the waiting rows (their time moved on)."""
        self._repaint_status(self._waiting)

    def _repaint_slots(self, slots: Sequence[int], first_column: int, last_column: int) -> None:
        for row in self._order.rows_of(slots):
            if row >= 0:
                self.dataChanged.emit(self.index(row, first_column), self.index(row, last_column))

    def _insert_sorted(self, first_slot: int, records: Sequence[CaptureRecord]) -> None:
        column = self._sort_column
        runs = self._order.plan(first_slot, [cell_value(record, column) for record in records])
        # every record is stored at once; rowCount() counts only those inserted so
        # far, so each run's signals see the table as it is
        self._records.extend(records)
        self._not_shown = len(records)
        inserted = 0
        try:
            for where, slots, keys in runs:
                row = where + inserted
                self.beginInsertRows(QModelIndex(), row, row + len(slots) - 1)
                self._order.insert_run(row, slots, keys)
                self._not_shown -= len(slots)
                inserted += len(slots)
                self.endInsertRows()
        finally:
            self._not_shown = 0

    def clear(self) -> None:
        """Forget every row (history and live); the store itself is not touched.
        The sort stays as it is, for the rows that come next."""
        if not self._records and not self._history.ids:
            return
        self.beginResetModel()
        self._records = []
        self._waiting.clear()
        self._history.reset(self._history.ids[:0])
        self._order.clear()
        self.endResetModel()

    # -- sorting ---------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_rows(column, order == Qt.SortOrder.DescendingOrder)

    def sort_rows(self, column: int, descending: bool = False) -> None:
        """Reorder the rows by ``column`` (-1: storage order, as # ascending) in one
        layout change; selection and current row follow their rows."""
        if not 0 <= column < len(Column):
            column, descending = int(Column.ID), False
        order, keys = self._sorted_order(int(column), descending)
        self._sort_column, self._descending = int(column), descending
        if order is None and self._order.slots is None:
            return  # storage order already: no layout change, no proxy rebuild
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_slots = [self._order.slot(index.row()) for index in old]
        self._order.set(order, keys, descending=descending)
        self._move_persistent(old, old_slots)
        self.layoutChanged.emit()

    def _sorted_order(self, column: int, descending: bool) -> tuple[array[int] | None, list[SortKey] | None]:
        """The permutation for a sort (None: storage order) and its keys (see :func:`sorted_order`)."""
        return sorted_order(self._history.ids, self._history.sort_keys, self._records, column,
                            descending=descending, slot_id=self._slot_id)  # fmt: skip
