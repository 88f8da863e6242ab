"""Filtering and sorting the request table (a QSortFilterProxyModel).

What the filter box says is parsed by :func:`inspector.filter_query.parse_filter`:
free text and terms (``status:404``, ``method:POST``, ``header:x-sig``), with
the quick filters (errors, 2xx to 5xx, pending) chosen beside the box. The free
text matches, case-insensitively, the method, the target and path, query names
and values, header and trailer names and values, and the body text. Bodies are
decoded only when a filter asks, one record at a time, and only their first
:data:`BODY_SEARCH_LIMIT` bytes are searched, so typing in the filter box never
decodes megabytes per row. Stored history rows are matched by the store's own
search (method, target, headers, body), not loaded here: method, target and
headers case-insensitively for ASCII letters, bodies as typed or case-folded
(one SQL statement per change of the text); their terms by
:func:`inspector.models.history_terms.term_ids`.

Live records the table has turned into history rows once stored
(``RequestTableModel.convert_committed``) keep the live rows' matching: when
the text changes they are matched by :func:`text_fields` on their stored
fields (``HistoryRows.search_fields``, one paged scan of this session's rows),
or on the kept record when pinned; while a filter is active, the verdict of
each record being converted is carried over (:attr:`RequestTableModel.converted`).

A time range (the timeline strip's drag, :class:`TimeRange`) keeps the rows
received in it: live records by their ``received_at``, stored rows by id
(the ids the timeline holds for the range, so no stored row is read).

Sorting is the source model's (:meth:`RequestTableModel.sort_rows`: one query
for the keys, one ``list.sort``); this proxy shows the source order, so it
never compares rows in Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from itertools import repeat

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
    Slot,
)

from inspector.filter_query import (
    BODY_SEARCH_LIMIT,
    FilterQuery,
    Quick,
    accepts,
    parse_filter,
    text_fields,
)
from inspector.http.record import CaptureRecord
from inspector.models.columns import Role
from inspector.models.history_source import RowData
from inspector.models.request_table import RequestTableModel

__all__ = ["BODY_SEARCH_LIMIT", "MethodFilter", "RequestFilterProxyModel", "TimeRange"]


class MethodFilter(Enum):
    ALL = "All"
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"
    OTHER = "Other"


_NAMED_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, slots=True)
class TimeRange:
    """Requests received in ``[start, end)``.

    Attributes:
        start, end: POSIX seconds, as ``received_at``.
        ids: the ids received in the range when it was chosen (how stored
            rows are judged without reading them).
    """

    start: float
    end: float
    ids: frozenset[int]

    def holds(self, received_at: float) -> bool:
        return self.start <= received_at < self.end


def method_matches(record: RowData, method: MethodFilter) -> bool:
    if method is MethodFilter.ALL:
        return True
    if method is MethodFilter.OTHER:
        return record.method not in _NAMED_METHODS
    return bool(record.method == method.value)


class RequestFilterProxyModel(QSortFilterProxyModel):
    """Filters by text, terms, method and time; sorting is handed to the source model.

    Stored history rows are filtered without loading their bodies: the text
    filter asks the store (``HistoryRows.search``) once per change of the text and
    keeps the matching ids, so ``filterAcceptsRow`` is a set lookup for them;
    the method filter reads summaries page by page.

    :meth:`sort` asks the source model to reorder its rows
    (:meth:`RequestTableModel.sort_rows`) and keeps this proxy unsorted (sort
    column -1: source order), so no ``lessThan`` is ever called: 100,000 rows
    sort in one ``list.sort`` instead of ~1.7 million Python comparisons. The
    sort is re-applied to a new source model.
    """

    #: the filter in force changed (the new :class:`FilterQuery`)
    query_changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._query = FilterQuery()
        self._method = MethodFilter.ALL
        self._everything = True
        self._model: RequestTableModel | None = None
        #: ids of history rows matching the text filter (None: no history or no text)
        self._history_hits: set[int] | None = None
        self._time_range: TimeRange | None = None
        #: ids of history rows in the time range (the range's, and converted rows in it)
        self._range_ids: set[int] = set()
        #: the sort the view asked for (this proxy itself stays unsorted)
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        #: each source row's verdict, worked out in bulk for a refilter (_row_verdicts)
        self._verdicts: bytes | None = None
        self.setSortRole(Role.SORT)
        self.setDynamicSortFilter(True)

    def setSourceModel(self, model: RequestTableModel) -> None:  # type: ignore[override]
        if not isinstance(model, RequestTableModel):
            raise TypeError("RequestFilterProxyModel needs a RequestTableModel")
        old = self._model
        if old is not None:
            old.modelReset.disconnect(self._on_source_model_reset)
            old.converted.disconnect(self._on_source_converted)
            for signal in (old.rowsAboutToBeInserted, old.rowsAboutToBeRemoved, old.layoutAboutToBeChanged):
                signal.disconnect(self._on_source_rows_changing)
        self._model = model
        model.modelReset.connect(self._on_source_model_reset)
        model.converted.connect(self._on_source_converted)
        for signal in (model.rowsAboutToBeInserted, model.rowsAboutToBeRemoved, model.layoutAboutToBeChanged):
            signal.connect(self._on_source_rows_changing)
        self._history_hits = self._search_history(model)
        self._verdicts = None
        if self._sort_column >= 0:
            model.sort_rows(self._sort_column, self._sort_order == Qt.SortOrder.DescendingOrder)
        super().setSourceModel(model)

    def source(self) -> RequestTableModel:
        assert self._model is not None, "no source model set"
        return self._model

    @property
    def query(self) -> FilterQuery:
        """The filter in force (the box's text and the quick filters)."""
        return self._query

    def keeps_everything(self) -> bool:
        """Whether no filter is in force (every source row is shown)."""
        return self._everything

    def set_filter_text(self, text: str) -> None:
        """What the filter box says (free text and terms)."""
        self._set_query(parse_filter(text, self._query.quick))

    def set_quick_filters(self, quick: Iterable[Quick]) -> None:
        """The quick filters chosen (none: every request)."""
        self._set_query(self._query.with_quick(quick))

    def _set_query(self, query: FilterQuery) -> None:
        if query == self._query:
            return
        self._query = query
        self._update_everything()
        if self._model is not None:
            self._history_hits = self._search_history(self._model)
        self._refilter()
        self.query_changed.emit(query)

    def set_method_filter(self, method: MethodFilter) -> None:
        if method is self._method:
            return
        self._method = method
        self._update_everything()
        self._refilter()

    def _update_everything(self) -> None:
        self._everything = (
            self._query.is_empty() and self._method is MethodFilter.ALL and self._time_range is None
        )

    @property
    def time_range(self) -> TimeRange | None:
        return self._time_range

    def set_time_range(self, time_range: TimeRange | None) -> None:
        """Show only the requests received in ``time_range`` (None: any time)."""
        if time_range == self._time_range:
            return
        self._time_range = time_range
        self._range_ids = set(time_range.ids) if time_range is not None else set()
        self._update_everything()
        self._refilter()

    def accepts_record(self, record: CaptureRecord) -> bool:
        """Whether the filters as set now show ``record`` (a live record)."""
        if self._time_range is not None and not self._time_range.holds(record.received_at):
            return False
        if not method_matches(record, self._method):
            return False
        return accepts(self._query, record)

    def _refilter(self) -> None:
        # One layout change, not QSortFilterProxyModel's row-by-row diff: a new
        # filter over 100,000 rows shows or hides thousands of separate ranges,
        # and the view handles each rowsRemoved/rowsInserted in time linear in
        # its rows (seconds in all). invalidate() rebuilds the mapping once and
        # keeps selection and current index through persistent indexes.
        self._verdicts = self._row_verdicts()
        self.invalidate()

    def _row_verdicts(self) -> bytes | None:
        """Per source row: 1 shown, 0 hidden, 2 a live row (asked of its record);
        None when the method filter needs the rows' summaries. Built with
        C-level operations, so ``filterAcceptsRow`` is one lookup per history row."""
        model = self._model
        if model is None or self._everything or self._method is not MethodFilter.ALL:
            return None
        keep = self._history_hits
        if self._time_range is not None:
            keep = self._range_ids if keep is None else keep & self._range_ids
        if keep is None:
            return None
        verdict = dict.fromkeys(keep, 1)
        verdict[-1] = 2  # the id of every live row in row_history_ids
        return bytes(map(verdict.get, model.row_history_ids(), repeat(0)))

    def record(self, proxy_row: int) -> CaptureRecord:
        source_index = self.mapToSource(self.index(proxy_row, 0))
        return self.source().record(source_index.row())

    def source_rows(self) -> list[int]:
        """The source rows shown, in view order."""
        return [self.mapToSource(self.index(row, 0)).row() for row in range(self.rowCount())]

    def _search_history(self, model: RequestTableModel) -> set[int] | None:
        """Ids of the history rows the query keeps (None: it is empty)."""
        query = self._query
        if query.is_empty():
            return None
        hits = self._history_text_hits(model) if query.text else None
        if query.has_terms:
            terms = model.history.term_ids(query)
            hits = terms if hits is None else hits & terms
        assert hits is not None  # the query has text or terms
        for record_id, record in model.pinned.items():  # kept records: matched as live ones
            if accepts(query, record):
                hits.add(record_id)
            else:
                hits.discard(record_id)
        return hits

    def _history_text_hits(self, model: RequestTableModel) -> set[int]:
        found = model.history.search(self._query.text)
        first = model.converted_from
        if first is None:
            return set(found or ())
        # converted live rows: matched as live records are, not by the store's search
        needle = self._query.needle
        hits = {record_id for record_id in found or () if record_id < first}
        for record_id, method, target, path, query, headers, trailers, error, body in (
            model.history.search_fields(BODY_SEARCH_LIMIT)
        ):
            if text_fields(
                needle,
                method=method,
                target=target,
                path=path,
                pair_lists=(query, headers, trailers),
                error=error,
                body=body,
            ):
                hits.add(record_id)
        return hits

    @Slot(object)
    def _on_source_converted(self, records: list[CaptureRecord]) -> None:
        # live records about to become history rows: keep each one's verdict
        time_range = self._time_range
        if time_range is not None:
            self._range_ids.update(r.id for r in records if time_range.holds(r.received_at))
        query = self._query
        if query.is_empty():
            return
        hits = self._history_hits if self._history_hits is not None else set()
        for record in records:
            if accepts(query, record):
                hits.add(record.id)
        self._history_hits = hits

    @Slot()
    def _on_source_model_reset(self) -> None:
        # new history rows: search again (the proxy refilters after the reset)
        if self._model is not None:
            self._history_hits = self._search_history(self._model)
            self._verdicts = self._row_verdicts()

    def _on_source_rows_changing(self, *_signal_args: object) -> None:
        # rows are about to move: the verdicts by row stay right only for rows
        # added after every one of them (new rows ask filterAcceptsRow's own path)
        verdicts = self._verdicts
        if verdicts is None:
            return
        inserting_at = _signal_args[1] if len(_signal_args) == 3 else None
        if not (isinstance(inserting_at, int) and inserting_at >= len(verdicts)):
            self._verdicts = None

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if self._everything:  # an attribute: this runs once per row, 100,000 times a filter
            return True
        verdicts = self._verdicts
        if verdicts is not None and source_row < len(verdicts) and verdicts[source_row] < 2:
            return verdicts[source_row] == 1
        model = self.source()
        history_id = model.history_id(source_row)  # called once per row: kept to a few lookups
        if history_id is not None:
            if self._time_range is not None and history_id not in self._range_ids:
                return False
            if self._history_hits is not None and history_id not in self._history_hits:
                return False
            if self._method is MethodFilter.ALL:
                return True
            row = model.row_data(source_row)
            return row is not None and method_matches(row, self._method)
        return self.accepts_record(model.record(source_row))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = column, order
        if self._model is not None:
            self._model.sort_rows(column, order == Qt.SortOrder.DescendingOrder)
        # this proxy shows the source order (re-sorting it would call lessThan)
        super().sort(-1, Qt.SortOrder.AscendingOrder)
