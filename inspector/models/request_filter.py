"""Filtering and sorting the request table (a QSortFilterProxyModel).

The free-text filter matches, case-insensitively, the method, the target and
path, query names and values, header and trailer names and values, and the
body text. Bodies are decoded only when a filter asks, one record at a time,
and only their first :data:`BODY_SEARCH_LIMIT` bytes are searched, so typing in
the filter box never decodes megabytes per row. Stored history rows are matched
by the store's own search (method, target, headers, body), not loaded here:
method, target and headers case-insensitively for ASCII letters, bodies as
typed or case-folded (one SQL statement per change of the text).

Live records the table has turned into history rows once stored
(``RequestTableModel.convert_committed``) keep the live rows' matching: when
the text changes they are matched by :func:`fields_match` on their stored
fields (``converted_search_fields``, one paged scan of this session's rows),
or on the kept record when pinned; while a filter is active, the verdict of
each record being converted is carried over (:attr:`RequestTableModel.converted`).

Sorting is the source model's (:meth:`RequestTableModel.sort_rows`: one query
for the keys, one ``list.sort``); this proxy shows the source order, so it
never compares rows in Python.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt, Slot

from inspector.http.record import CaptureRecord
from inspector.models.columns import Role
from inspector.models.history_source import PairLists, RowData
from inspector.models.request_table import RequestTableModel

#: bytes of each body the text filter looks at
BODY_SEARCH_LIMIT = 64 * 1024


class MethodFilter(Enum):
    ALL = "All"
    GET = "GET"
    POST = "POST"
    PUT = "PUT"
    PATCH = "PATCH"
    DELETE = "DELETE"
    OTHER = "Other"


_NAMED_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


def record_matches(record: CaptureRecord, needle: str) -> bool:
    """Whether ``needle`` (already casefolded, non-empty) occurs in the record."""
    return fields_match(
        needle,
        method=record.method,
        target=record.target,
        path=record.path,
        pair_lists=(record.query, record.headers, record.trailers),
        error=record.error,
        body=record.body,
    )


def fields_match(
    needle: str,
    *,
    method: str,
    target: str,
    path: str,
    pair_lists: tuple[PairLists, ...],
    error: str | None,
    body: bytes,
) -> bool:
    """:func:`record_matches` on the fields themselves (a stored row's too)."""
    if needle in method.casefold() or needle in target.casefold():
        return True
    if needle in path.casefold():
        return True
    for pairs in pair_lists:
        for name, value in pairs:
            if needle in name.casefold() or needle in value.casefold():
                return True
    if error and needle in error.casefold():
        return True
    if body:
        text = body[:BODY_SEARCH_LIMIT].decode("utf-8", "replace")
        if needle in text.casefold():
            return True
    return False


def method_matches(record: RowData, method: MethodFilter) -> bool:
    if method is MethodFilter.ALL:
        return True
    if method is MethodFilter.OTHER:
        return record.method not in _NAMED_METHODS
    return bool(record.method == method.value)


class RequestFilterProxyModel(QSortFilterProxyModel):
    """Filters by text and method; sorting is handed to the source model.

    Stored history rows are filtered without loading their bodies: the text
    filter asks the store (``search_history``) once per change of the text and
    keeps the matching ids, so ``filterAcceptsRow`` is a set lookup for them;
    the method filter reads summaries page by page.

    :meth:`sort` asks the source model to reorder its rows
    (:meth:`RequestTableModel.sort_rows`) and keeps this proxy unsorted (sort
    column -1: source order), so no ``lessThan`` is ever called: 100,000 rows
    sort in one ``list.sort`` instead of ~1.7 million Python comparisons. The
    sort is re-applied to a new source model.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self._raw_text = ""
        self._method = MethodFilter.ALL
        self._model: RequestTableModel | None = None
        #: ids of history rows matching the text filter (None: no history or no text)
        self._history_hits: set[int] | None = None
        #: the sort the view asked for (this proxy itself stays unsorted)
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self.setSortRole(Role.SORT)
        self.setDynamicSortFilter(True)

    def setSourceModel(self, model: RequestTableModel) -> None:  # type: ignore[override]
        if not isinstance(model, RequestTableModel):
            raise TypeError("RequestFilterProxyModel needs a RequestTableModel")
        old = self._model
        if old is not None:
            old.modelReset.disconnect(self._on_source_model_reset)
            old.converted.disconnect(self._on_source_converted)
        self._model = model
        model.modelReset.connect(self._on_source_model_reset)
        model.converted.connect(self._on_source_converted)
        self._history_hits = self._search_history(model)
        if self._sort_column >= 0:
            model.sort_rows(self._sort_column, self._sort_order == Qt.SortOrder.DescendingOrder)
        super().setSourceModel(model)

    def source(self) -> RequestTableModel:
        assert self._model is not None, "no source model set"
        return self._model

    def set_filter_text(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle == self._needle:
            return
        self._needle = needle
        self._raw_text = text.strip()
        if self._model is not None:
            self._history_hits = self._search_history(self._model)
        self._refilter()

    def set_method_filter(self, method: MethodFilter) -> None:
        if method is self._method:
            return
        self._method = method
        self._refilter()

    def _refilter(self) -> None:
        # One layout change, not QSortFilterProxyModel's row-by-row diff: a new
        # filter over 100,000 rows shows or hides thousands of separate ranges,
        # and the view handles each rowsRemoved/rowsInserted in time linear in
        # its rows (seconds in all). invalidate() rebuilds the mapping once and
        # keeps selection and current index through persistent indexes.
        self.invalidate()

    def record(self, proxy_row: int) -> CaptureRecord:
        source_index = self.mapToSource(self.index(proxy_row, 0))
        return self.source().record(source_index.row())

    def source_rows(self) -> list[int]:
        """The source rows shown, in view order."""
        return [self.mapToSource(self.index(row, 0)).row() for row in range(self.rowCount())]

    def _search_history(self, model: RequestTableModel) -> set[int] | None:
        if not self._needle:
            return None
        found = model.search_history(self._raw_text)
        first = model.converted_from
        if first is None:
            return found
        # converted live rows: matched as live records are, not by the store's search
        needle = self._needle
        hits = {record_id for record_id in found or () if record_id < first}
        for record_id, method, target, path, query, headers, trailers, error, body in (
            model.converted_search_fields(BODY_SEARCH_LIMIT)
        ):
            if fields_match(
                needle,
                method=method,
                target=target,
                path=path,
                pair_lists=(query, headers, trailers),
                error=error,
                body=body,
            ):
                hits.add(record_id)
        for record_id, record in model.pinned.items():
            if record_matches(record, needle):
                hits.add(record_id)
            else:
                hits.discard(record_id)
        return hits

    @Slot(object)
    def _on_source_converted(self, records: list[CaptureRecord]) -> None:
        # live records about to become history rows: keep each one's verdict
        needle = self._needle
        if not needle:
            return
        hits = self._history_hits if self._history_hits is not None else set()
        for record in records:
            if record_matches(record, needle):
                hits.add(record.id)
        self._history_hits = hits

    @Slot()
    def _on_source_model_reset(self) -> None:
        # new history rows: search again (the proxy refilters after the reset)
        if self._model is not None:
            self._history_hits = self._search_history(self._model)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self._needle and self._method is MethodFilter.ALL:
            return True
        model = self.source()
        history_id = model.history_id(source_row)  # called once per row: kept to a few lookups
        if history_id is not None:
            if self._needle and (self._history_hits is None or history_id not in self._history_hits):
                return False
            if self._method is MethodFilter.ALL:
                return True
            row = model.row_data(source_row)
            return row is not None and method_matches(row, self._method)
        record = model.record(source_row)
        if not method_matches(record, self._method):
            return False
        return not self._needle or record_matches(record, self._needle)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = column, order
        if self._model is not None:
            self._model.sort_rows(column, order == Qt.SortOrder.DescendingOrder)
        # this proxy shows the source order (re-sorting it would call lessThan)
        super().sort(-1, Qt.SortOrder.AscendingOrder)
