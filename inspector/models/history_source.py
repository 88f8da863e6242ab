"""What the request table needs from a history store, declared as Protocols.

The table reads stored requests through :class:`HistorySource` and never
probes for optional methods: :class:`inspector.store.CaptureStore` satisfies it
structurally, and mypy checks that where the window hands the store to the
model. Typing it here keeps ``models`` from importing the store layer
(docs/ARCHITECTURE.md, "Layers").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Protocol

from inspector.http.record import CaptureRecord, Pairs

#: what a column sorts by: numbers as numbers, text as text
SortKey = str | int | float

#: name/value pairs as any sequences (stored rows read for the text filter)
PairLists = Sequence[Sequence[str]]

#: ``(id, method, target, path, query, headers, trailers, error, body prefix)``:
#: what the text filter matches a stored request on
SearchFields = tuple[int, str, str, str, PairLists, PairLists, PairLists, str | None, bytes]


class Summary(Protocol):
    """A stored row without bodies, with its header fields (``inspector.store.Summary``)."""

    @property
    def id(self) -> int: ...
    @property
    def received_at(self) -> float: ...
    @property
    def client(self) -> str: ...
    @property
    def server(self) -> str: ...
    @property
    def scheme(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def target(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def query(self) -> Pairs: ...
    @property
    def headers(self) -> Pairs: ...
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
    """The reads the request table makes of a history store (all thread-safe there).

    Every method may raise (a closed or failing store); the table catches that
    and shows the rows as gone rather than a traceback.
    """

    def ids(self) -> list[int]:
        """Every stored id, ascending."""
        ...

    def ids_between(self, first_id: int, last_id: int) -> list[int]:
        """Stored ids from ``first_id`` to ``last_id`` (inclusive), ascending."""
        ...

    def summaries_between(self, first_id: int, last_id: int) -> Sequence[Summary]:
        """Stored rows with ids from ``first_id`` to ``last_id``, ascending."""
        ...

    def get(self, record_id: int) -> CaptureRecord:
        """The full record; KeyError when it is not stored."""
        ...

    def search_any(self, texts: Sequence[str], limit: int = -1) -> list[int]:
        """Ids of the stored requests whose method, target, headers or body
        contain any of ``texts`` (one scan)."""
        ...

    def sort_keys(self, field: str) -> Mapping[int, SortKey]:
        """Every stored id mapped to its sort key for ``field`` (one query)."""
        ...

    def search_fields(self, first_id: int, last_id: int, body_limit: int) -> Iterator[SearchFields]:
        """:data:`SearchFields` of the stored rows from ``first_id`` to ``last_id``."""
        ...
