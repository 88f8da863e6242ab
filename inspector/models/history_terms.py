"""Which stored requests the filter's terms keep (Qt-free), read from the store.

The request table matches a live record's terms itself
(:func:`inspector.filter_query.accepts`); for the stored rows it asks the store,
once per change of the filter, with the reads :class:`HistorySource` has:

- methods: one query for every row's method (``sort_keys("method")``);
- listeners: one query for every row's listener (``sort_keys("server")``);
- statuses and the quick filters: one query for every row's status
  (``sort_keys("status")``), and the summaries' errors when errors or pending
  are asked for;
- header terms: the rows whose stored text contains every name
  (``search_any``, one statement each) are candidates; their header fields are
  read (``search_fields``) in runs of nearby ids and checked exactly.

(One SQL statement per filter would be faster still; see docs/ARCHITECTURE.md,
"The capture path": the store would answer the terms itself.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from inspector.filter_query import (
    FilterQuery,
    Quick,
    headers_match,
    listener_matches,
    quick_matches,
)
from inspector.models.history_source import HistorySource

#: candidate ids this far apart or closer are read with one query
_RUN_GAP: Final = 256


def _runs(ids: Sequence[int]) -> list[tuple[int, int]]:
    """Sorted ``ids`` as ``(first, last)`` runs of ids no more than :data:`_RUN_GAP` apart."""
    runs: list[tuple[int, int]] = []
    for record_id in ids:
        if runs and record_id - runs[-1][1] <= _RUN_GAP:
            runs[-1] = (runs[-1][0], record_id)
        else:
            runs.append((record_id, record_id))
    return runs


def term_ids(source: HistorySource, query: FilterQuery, first_id: int, last_id: int) -> set[int]:
    """Ids of the stored rows from ``first_id`` to ``last_id`` that the terms and
    quick filters of ``query`` keep (its free text is not looked at)."""
    keep: set[int] | None = None
    if query.methods:
        methods = source.sort_keys("method")
        keep = {i for i, method in methods.items() if str(method).upper() in query.methods}
    if query.listeners:
        servers = source.sort_keys("server")
        found_servers = {i for i, server in servers.items() if listener_matches(query.listeners, str(server))}
        keep = found_servers if keep is None else keep & found_servers
    if query.statuses or query.quick:
        statuses = source.sort_keys("status")  # -1: nothing was sent
        errors: dict[int, str | None] = {}
        if query.quick & {Quick.ERRORS, Quick.PENDING}:
            errors = {row.id: row.error for row in source.summaries_between(first_id, last_id)}
        found = set()
        for record_id, value in statuses.items():
            status = None if value == -1 else int(value)
            if query.statuses and (
                status is None or not any(low <= status <= high for low, high in query.statuses)
            ):
                continue
            if quick_matches(query.quick, status, errors.get(record_id)):
                found.add(record_id)
        keep = found if keep is None else keep & found
    if query.headers:
        candidates: set[int] | None = keep
        for name, _value in query.headers:
            named = set(source.search_any((name,)))
            candidates = named if candidates is None else candidates & named
        assert candidates is not None  # there is a header term
        checked = set()
        for first, last in _runs(sorted(candidates)):
            for fields in source.search_fields(first, last, 0):
                if fields[0] in candidates and headers_match(query.headers, fields[5]):
                    checked.add(fields[0])
        keep = checked
    return {i for i in keep if first_id <= i <= last_id} if keep is not None else set()
