"""The stored rows of the request table, read lazily from a history store.

A history row costs 8 bytes (its id, in an ``array('q')``) until the view
paints it: cells come from pages of store summaries (no bodies) kept in a
bounded LRU, and a full record is read only when asked for (the selected row).
With 100,000 stored requests the window opens after reading 100,000 ids and
scrolling reads one page of 256 summaries at a time (docs/ARCHITECTURE.md,
"The capture path": old history lives in SQLite, not in Python objects).

Live records the store has committed join the history rows (:meth:`adopt`);
one whose summary would not show the same cells, or that the store did not
keep, stays a full record, "pinned" by id in its history position.

Nothing here knows Qt: :class:`inspector.models.request_table.RequestTableModel`
wraps every change in the right model signals.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterator, Sequence

from inspector.filter_query import FilterQuery
from inspector.http.record import CaptureRecord
from inspector.models.columns import MISSING_KEY, SORT_FIELDS, cell_value, summary_differs
from inspector.models.history_source import (
    HistorySource,
    RowData,
    SearchFields,
    SortKey,
    Summary,
)
from inspector.models.history_terms import term_ids

#: history rows read from the store per page
DEFAULT_PAGE_SIZE = 256
#: pages of history summaries kept (an LRU): 64 x 256 rows, a few screens either way
DEFAULT_CACHE_PAGES = 64
#: full history records kept after a read (the selected row, its neighbours)
FULL_RECORD_CACHE = 16


class HistoryRows:
    """Stored rows by position (ascending ids), with their caches."""

    def __init__(
        self,
        source: HistorySource | None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        cache_pages: int = DEFAULT_CACHE_PAGES,
    ) -> None:
        self.source = source
        #: the record ids, in position order (do not modify)
        self.ids = array("q")
        self._page_size = page_size
        self._cache_pages = cache_pages
        self._pages: OrderedDict[int, list[Summary | None]] = OrderedDict()
        self._full: OrderedDict[int, CaptureRecord] = OrderedDict()
        #: adopted rows kept as full records, by id (do not modify)
        self.pinned: dict[int, CaptureRecord] = {}
        #: the id of the first adopted live record (None: none); ids below it were
        #: read from the store
        self.converted_from: int | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def read_ids(self) -> array[int]:
        """Every id the source holds (raises when it cannot be read)."""
        return array("q", self.source.ids() if self.source is not None else ())

    def reset(self, ids: array[int]) -> None:
        """Show exactly ``ids`` (from :meth:`read_ids`, or empty), caches dropped."""
        self.ids = ids
        self._pages.clear()
        self._full.clear()
        self.pinned.clear()
        self.converted_from = None

    # -- reading ---------------------------------------------------------------

    def is_stored(self, position: int) -> bool:
        """Whether the row is read from the store (a pinned row is not)."""
        return self.ids[position] not in self.pinned

    def row(self, position: int) -> RowData | None:
        """What the row's cells show (None when the store no longer has it)."""
        record_id = self.ids[position]
        full = self.pinned.get(record_id) or self._full.get(record_id)
        if full is not None:
            return full
        return self._summary(position)

    def record(self, position: int) -> CaptureRecord:
        """The full record of the row, read from the store when not kept.

        Raises:
            KeyError: it is no longer stored (or any error of the store).
        """
        record_id = self.ids[position]
        pinned = self.pinned.get(record_id)
        if pinned is not None:
            return pinned
        full = self._full.get(record_id)
        if full is not None:
            self._full.move_to_end(record_id)
            return full
        if self.source is None:
            raise KeyError(record_id)
        full = self.source.get(record_id)
        self._full[record_id] = full
        if len(self._full) > FULL_RECORD_CACHE:
            self._full.popitem(last=False)
        return full

    def _summary(self, position: int) -> Summary | None:
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
        wanted = self.ids[start : start + self._page_size]
        if self.source is None or not wanted:
            return [None] * len(wanted)
        first, last = wanted[0], wanted[-1]
        try:
            # by id range (the primary key): right where the ids have gaps (pinned
            # rows the store does not have, rows pruned meanwhile)
            found = {summary.id: summary for summary in self.source.summaries_between(first, last)}
        except Exception:  # the store failed (closed, I/O): empty rows, not a traceback
            return [None] * len(wanted)
        return [found.get(record_id) for record_id in wanted]

    def search(self, text: str) -> set[int] | None:
        """Ids of stored rows containing ``text`` (the store searches, as typed
        and case-folded, in one statement), or None without a history."""
        if self.source is None or not self.ids:
            return None
        return set(self.source.search_any((text, text.casefold()), -1))

    def term_ids(self, query: FilterQuery) -> set[int]:
        """Ids of stored rows that the terms and quick filters of ``query`` keep
        (the store is asked; none when it cannot be read)."""
        if self.source is None or not self.ids:
            return set()
        try:
            return term_ids(self.source, query, self.ids[0], self.ids[-1])
        except Exception:  # the store failed: no stored row matches rather than a traceback
            return set()

    def search_fields(self, body_limit: int) -> Iterator[SearchFields]:
        """What the text filter matches a live record on, for the adopted rows."""
        first = self.converted_from
        if self.source is None or first is None or not self.ids:
            return iter(())
        return self.source.search_fields(first, self.ids[-1], body_limit)

    def sort_keys(self, column: int) -> list[SortKey]:
        """The sort key of every row, in position order (one store query)."""
        ids = self.ids
        if not ids or self.source is None:
            return []
        missing = MISSING_KEY[column]
        try:
            found = self.source.sort_keys(SORT_FIELDS[column])
        except Exception:  # the store failed: keep the rows, in id order
            found = {}
        get = found.get
        keys = [get(record_id, missing) for record_id in ids]
        for record_id, record in self.pinned.items():  # their own values: the store may not have them
            position = bisect_left(ids, record_id)
            if position < len(ids) and ids[position] == record_id:
                keys[position] = cell_value(record, column)
        return keys

    # -- changing --------------------------------------------------------------

    def drop_oldest(self, count: int) -> None:
        """Forget the first ``count`` rows (the store pruned them)."""
        gone = set(self.ids[:count])
        del self.ids[:count]
        self._pages.clear()  # pages are keyed by position, and every one moved
        for record_id in gone & self._full.keys():
            del self._full[record_id]
        for record_id in gone & self.pinned.keys():
            del self.pinned[record_id]
        first = self.converted_from
        if first is not None and (not self.ids or self.ids[-1] < first):
            self.converted_from = None  # every adopted row is gone

    def count_before(self, first_kept_id: int) -> int:
        """How many rows have ids below ``first_kept_id``."""
        return bisect_left(self.ids, first_kept_id)

    def stored_between(self, first_id: int, last_id: int) -> set[int]:
        """The ids the store holds in that range (raises when it cannot say)."""
        if self.source is None:
            return set()
        return set(self.source.ids_between(first_id, last_id))

    def convertible(self, records: Sequence[CaptureRecord], committed_max_id: int) -> tuple[int, set[int]]:
        """How many of the live ``records`` (a prefix) may become history rows now
        that the store has committed every id up to ``committed_max_id``, and which
        of them it holds (one store query, for ``RequestTableModel.convert_committed``).

        Only a prefix of the records whose ids increase past the last history id,
        and only up to the last of them that is stored; one missing before that
        (dropped, pruned) is then kept as a full record (:attr:`pinned`)."""
        if not records or self.source is None or records[0].id > committed_max_id:
            return 0, set()
        previous = self.ids[-1] if self.ids else None
        count = 0
        for record in records:
            record_id = record.id
            if record_id > committed_max_id or (previous is not None and record_id <= previous):
                break
            previous = record_id
            count += 1
        if not count:
            return 0, set()
        try:
            stored = self.stored_between(records[0].id, records[count - 1].id)
        except Exception:  # the store failed: keep the records as they are
            return 0, set()
        # Up to the last one stored: the writer writes in arrival (= id) order, so
        # one missing before it was dropped or already pruned and will never be
        # stored (it is pinned). Missing ones after it may still be on their way
        # (or the committed id is stale after a clear): they stay live for now.
        while count and records[count - 1].id not in stored:
            count -= 1
        return count, stored

    def adopt(self, records: Sequence[CaptureRecord], stored: set[int]) -> None:
        """Append live ``records`` (ids above every row's) as history rows; those
        not in ``stored`` or whose summary would differ stay pinned."""
        old_n = len(self.ids)
        for record in records:
            if record.id not in stored or summary_differs(record):
                self.pinned[record.id] = record
        self.ids.extend(record.id for record in records)
        if self.converted_from is None and records:
            self.converted_from = records[0].id
        # the page holding the old end may be a short page: read it again
        self._pages.pop(old_n // self._page_size, None)
