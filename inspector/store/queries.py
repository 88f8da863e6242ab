"""Reading the history: table rows, records, search and sort keys (any thread).

Reads see the committed state only. The request table reads lazily: a page of
:class:`~inspector.store.codec.Summary` rows (no bodies) by id range, one
query for a column's sort keys, one statement for a text filter; bodies and raw
bytes (the ``payloads`` table) are read only for a record's detail, export
and body search. Requests seen but not finished yet (``pending``) are left out
of :meth:`HistoryQueries.ids_between`, which says what is stored for good.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from typing import Any, Final

from inspector.http.record import CaptureRecord, Pairs
from inspector.store.codec import (
    SELECT_RECORD,
    SELECT_SUMMARY,
    PairLists,
    Summary,
    fast_pairs,
    load_pairs,
    opt_string,
    record_from_row,
    string,
    summary_from_row,
)
from inspector.store.codec import text as sql_text

#: page size of keyset pagination in iter_records
_ITER_PAGE: Final = 500


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"



def _ascii_lower(text: str) -> str:
    """``text`` with A-Z lowered and nothing else (what SQLite LIKE ignores)."""
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER: Final = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}

#: separator of query pairs in the ``query`` sort key (the table's Query column)
QUERY_KEY_SEPARATOR: Final = " & "


def _query_text(pairs: Pairs) -> str:
    return QUERY_KEY_SEPARATOR.join(f"{name}={value}" for name, value in pairs)


def _query_key(stored: str | bytes | None) -> str:
    """The query sort key from the stored JSON, usually without parsing it: the
    compact JSON ``_dump_pairs`` writes, ``[["n","v"],["n2","v2"]]``, becomes
    ``n=v & n2=v2`` by stripping ``[["``/``"]]`` and replacing ``"],["`` and
    ``","``. That is exact when the text holds no backslash (a quote, backslash
    or control character in a name or value is escaped with one); anything
    else (escapes, BLOBs of lone surrogates) is parsed. 3x faster than parsing.
    """
    if stored is None:
        return ""
    if (
        isinstance(stored, str)
        and "\\" not in stored
        and stored.startswith('[["')
        and stored.endswith('"]]')
        and '", "' not in stored
    ):
        return stored[3:-3].replace('"],["', QUERY_KEY_SEPARATOR).replace('","', "=")
    return _query_text(load_pairs(stored))


_SORT_KEY_SQL: Final = {
    "id": "SELECT id, id FROM requests",
    "received_at": "SELECT id, received_at FROM requests",
    "client": "SELECT id, client FROM requests",
    "server": "SELECT id, server FROM requests",
    "method": "SELECT id, method FROM requests",
    "path": "SELECT id, path, target FROM requests",
    "query": "SELECT id, query FROM requests",
    "header_count": "SELECT id, header_count FROM requests",
    "body_size": "SELECT id, body_size FROM requests",
    "status": "SELECT id, coalesce(status, -1) FROM requests",
    "duration_ms": "SELECT id, coalesce(duration_ms, -1.0) FROM requests",
}
#: the fields :meth:`CaptureStore.sort_keys` knows
SORT_FIELDS: Final = frozenset(_SORT_KEY_SQL)


class HistoryQueries(abc.ABC):
    """The read methods of :class:`~inspector.store.CaptureStore` (a base class)."""

    @abc.abstractmethod
    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Rows of one statement on the read connection, under its lock."""

    def count(self) -> int:
        """Number of committed records."""
        return int(self._read("SELECT count(*) FROM requests")[0][0])

    def max_id(self) -> int:
        """Highest record id stored now, 0 when empty (ids to continue after:
        :attr:`CaptureStore.last_id`)."""
        return int(self._read("SELECT coalesce(max(id), 0) FROM requests")[0][0])

    def ids_between(self, first_id: int, last_id: int) -> list[int]:
        """Ids of the finished records stored from ``first_id`` to ``last_id``
        (inclusive), ascending."""
        rows = self._read(
            "SELECT id FROM requests WHERE id BETWEEN ? AND ? AND pending = 0 ORDER BY id",
            (first_id, last_id),
        )
        return [row[0] for row in rows]

    def summaries_between(self, first_id: int, last_id: int) -> list[Summary]:
        """Table rows with ids from ``first_id`` to ``last_id`` (inclusive), ascending
        (by the primary key: no OFFSET scan, and gaps in the ids do not matter)."""
        rows = self._read(
            f"{SELECT_SUMMARY} WHERE id BETWEEN ? AND ? ORDER BY id", (first_id, last_id)
        )
        return [summary_from_row(row) for row in rows]

    def search_fields(
        self, first_id: int, last_id: int, body_limit: int
    ) -> Iterator[tuple[int, str, str, str, PairLists, PairLists, PairLists, str | None, bytes]]:
        """``(id, method, target, path, query, headers, trailers, error, body[:body_limit])``
        of the stored rows from ``first_id`` to ``last_id``, ascending, a page at a
        time: what the request table's text filter matches a live record on."""
        last = first_id - 1
        while True:
            rows = self._read(
                "SELECT r.id, r.method, r.target, r.path, r.query, r.headers, r.trailers, "
                "r.error, substr(p.body, 1, ?) FROM requests r JOIN payloads p ON p.id = r.id "
                "WHERE r.id > ? AND r.id <= ? ORDER BY r.id LIMIT ?",
                (body_limit, last, last_id, _ITER_PAGE * 4),
            )
            for id_, method, target, path, query, headers, trailers, error, body in rows:
                yield (
                    id_, string(method), string(target), string(path), fast_pairs(query),
                    fast_pairs(headers), fast_pairs(trailers), opt_string(error),
                    bytes(body or b""),
                )  # fmt: skip
            if len(rows) < _ITER_PAGE * 4:
                return
            last = rows[-1][0]

    def ids(self, offset: int = 0, limit: int = -1) -> list[int]:
        """Record ids in ascending order, one page."""
        rows = self._read("SELECT id FROM requests ORDER BY id LIMIT ? OFFSET ?", (limit, offset))
        return [row[0] for row in rows]

    def arrivals(self) -> list[tuple[int, float, int | None, bool, bool]]:
        """``(id, received_at, status, error?, pending?)`` of every stored request, in
        id order, in ONE query without bodies (the window's timeline is built from it)."""
        rows = self._read(
            "SELECT id, received_at, status, error IS NOT NULL, pending FROM requests ORDER BY id"
        )
        return [(id_, at, status, bool(error), bool(pending)) for id_, at, status, error, pending in rows]

    def summaries(self, offset: int = 0, limit: int = 100) -> list[Summary]:
        """Table rows in ascending id order, one page; no bodies are read."""
        rows = self._read(f"{SELECT_SUMMARY} ORDER BY id LIMIT ? OFFSET ?", (limit, offset))
        return [summary_from_row(row) for row in rows]

    def summary(self, record_id: int) -> Summary:
        """One table row. Raises KeyError when the id is not stored."""
        rows = self._read(f"{SELECT_SUMMARY} WHERE id = ?", (record_id,))
        if not rows:
            raise KeyError(record_id)
        return summary_from_row(rows[0])

    def get(self, record_id: int) -> CaptureRecord:
        """The full record. Raises KeyError when the id is not stored (or pruned)."""
        rows = self._read(f"{SELECT_RECORD} WHERE r.id = ?", (record_id,))
        if not rows:
            raise KeyError(record_id)
        return record_from_row(rows[0])

    def iter_records(self, start_id: int | None = None) -> Iterator[CaptureRecord]:
        """Every committed record in id order, read a page at a time (for export).

        No lock or read transaction is held between pages, so the writer keeps
        writing; records committed meanwhile with higher ids are included.
        """
        last = -(1 << 63) if start_id is None else start_id - 1
        while True:
            rows = self._read(
                f"{SELECT_RECORD} WHERE r.id > ? ORDER BY r.id LIMIT ?", (last, _ITER_PAGE)
            )
            for row in rows:
                yield record_from_row(row)
            if len(rows) < _ITER_PAGE:
                return
            last = rows[-1][0]

    def search(self, text: str, limit: int = 1000) -> list[int]:
        """Ids (ascending) of records whose method, target, headers or body contain ``text``.

        Method, target and headers match case-insensitively for ASCII letters
        (SQLite LIKE); bodies match byte for byte (case-sensitive) against the
        UTF-8 of ``text``, NUL bytes and binary bodies included.
        """
        if not text:
            return self.ids(0, limit)
        # a lone surrogate cannot be bound as SQLite text: bytes, as stored
        pattern = sql_text(_like_pattern(text))
        rows = self._read(
            "SELECT r.id FROM requests r JOIN payloads p ON p.id = r.id "
            "WHERE r.method LIKE ?1 ESCAPE '\\' OR r.target LIKE ?1 ESCAPE '\\' "
            "OR r.headers LIKE ?1 ESCAPE '\\' OR instr(p.body, ?3) > 0 "
            "ORDER BY r.id LIMIT ?2",
            (pattern, limit, text.encode("utf-8", "surrogatepass")),
        )
        return [row[0] for row in rows]

    def search_any(self, texts: Sequence[str], limit: int = -1) -> list[int]:
        """Ids (ascending) of records that :meth:`search` finds for any of ``texts``,
        in ONE statement (one scan of the store, however many variants).

        The request table's filter passes the typed text and its case-folded form,
        so that bodies (matched byte for byte) are found in either spelling while
        method, target and headers match case-insensitively for ASCII letters
        (SQLite LIKE). Variants that would give the same condition are dropped.
        Empty texts are ignored; no texts at all find nothing.
        """
        patterns: dict[str, str | bytes] = {}  # ASCII-lowered text -> LIKE pattern
        needles: dict[bytes, None] = {}
        for text in texts:
            if text:
                # a lone surrogate cannot be bound as SQLite text: bytes, as stored
                patterns.setdefault(_ascii_lower(text), sql_text(_like_pattern(text)))
                needles[text.encode("utf-8", "surrogatepass")] = None
        if not needles:
            return []
        terms: list[str] = []
        params: list[Any] = []
        for pattern in patterns.values():
            params.append(pattern)
            n = len(params)
            terms += [f"r.{col} LIKE ?{n} ESCAPE '\\'" for col in ("method", "target", "headers")]
        for needle in needles:
            params.append(needle)
            terms.append(f"instr(p.body, ?{len(params)}) > 0")
        params.append(limit)
        rows = self._read(
            "SELECT r.id FROM requests r JOIN payloads p ON p.id = r.id "
            f"WHERE {' OR '.join(terms)} ORDER BY r.id LIMIT ?{len(params)}",
            params,
        )
        return [row[0] for row in rows]

    def sort_keys(self, field: str) -> dict[int, Any]:
        """Every committed id mapped to the value the request table sorts ``field`` by,
        read in ONE query (no bodies; the table sorts 100,000 rows with one
        ``list.sort`` instead of comparing rows one pair at a time).

        Fields (see :data:`SORT_FIELDS`): ``id``, ``received_at`` (float),
        ``client``, ``server`` (the listener), ``method`` (str), ``path`` (the path, or the target when the
        path is empty), ``query`` (the pairs as ``name=value`` joined by
        ``" & "``, as the table's Query column shows them), ``header_count``,
        ``body_size`` (int), ``status`` (int, -1 when nothing was sent),
        ``duration_ms`` (float, -1.0 when nothing was sent).

        Raises:
            ValueError: an unknown field.
        """
        sql = _SORT_KEY_SQL.get(field)
        if sql is None:
            raise ValueError(f"cannot sort by {field!r}")
        rows = self._read(sql)
        if field in ("client", "server", "method"):
            return {id_: string(value) for id_, value in rows}
        if field == "path":
            return {id_: string(path) or string(target) for id_, path, target in rows}
        if field == "query":
            return {id_: _query_key(raw) for id_, raw in rows}
        return dict(rows)
