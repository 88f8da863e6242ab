"""The request table's filter, Qt-free: what the filter box says, and which requests it keeps.

The filter box takes free text and terms, in any order, separated by spaces::

    status:404   status:4xx   status:500-599   status:404,500
    method:POST  method:get,put
    header:x-sig   header:content-type=json   (header:NAME:VALUE too)
    listener:8091   listener:[::1]   listener:127.0.0.1:8090   (the listener that took it)
    /api/orders  (free text: method, target, query, headers, trailers, error, body)

A term is ``field:value`` with a field this module knows and a value it can
read; anything else, ``foo:bar`` or ``status:abc`` included, is free text, so
typing never fails. Terms of one kind are alternatives (``status:404
status:500``, ``listener:8090,8091``), header terms must all hold, and every kind must hold, with the
free text, and with the quick filters (:class:`Quick`: errors, 2xx to 5xx,
pending; alternatives among themselves) chosen beside the box.

Parsing reads the text once, word by word; matching is linear in the request's
fields, bodies read only up to :data:`BODY_SEARCH_LIMIT`. :func:`reasons` says
which fields made a request match (the table highlights those cells).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Final

from inspector.addresses import normalise_address
from inspector.http.record import CaptureRecord, Pairs

#: bytes of each body the free text looks at
BODY_SEARCH_LIMIT: Final = 64 * 1024
#: the most characters of filter text read (the rest is ignored)
MAX_FILTER_TEXT: Final = 4096

#: a method or header name: an HTTP token (RFC 9110 §5.6.2)
_TOKEN: Final = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,256}")
_STATUS_PART: Final = re.compile(r"([1-5])xx|(\d{3})(?:-(\d{3}))?", re.IGNORECASE)
_WORD: Final = re.compile(r"\S+")

#: name/value pairs as stored rows give them (lists) or records (tuples)
PairLists = Iterable[Sequence[str]]


class Quick(Enum):
    """The quick filters beside the box (alternatives among themselves)."""

    ERRORS = "Errors"
    S2XX = "2xx"
    S3XX = "3xx"
    S4XX = "4xx"
    S5XX = "5xx"
    PENDING = "Pending"

    @property
    def status_range(self) -> tuple[int, int] | None:
        """The statuses it keeps (None: it is not about the status)."""
        if self.value.endswith("xx"):
            first = int(self.value[0]) * 100
            return first, first + 99
        return None


class Field(Enum):
    """Where a request matched the filter (each shown in one table column)."""

    METHOD = "method"
    PATH = "path"
    QUERY = "query"
    HEADERS = "headers"
    BODY = "body"
    STATUS = "status"
    LISTENER = "listener"


@dataclass(frozen=True, slots=True)
class FilterQuery:
    """A parsed filter.

    Attributes:
        text: the free text, as typed (words between terms joined by one space).
        statuses: inclusive status ranges, any of which keeps a request.
        methods: upper-case methods, any of which keeps a request.
        headers: ``(name, value)`` casefolded; each must be present (a field with
            that name whose value contains ``value``, when given).
        quick: the quick filters chosen, any of which keeps a request.
        listeners: casefolded listener names, hosts or ports (``127.0.0.1:8090``,
            ``::1``, ``8091``), any of which keeps a request taken by a matching listener.
    """

    text: str = ""
    statuses: tuple[tuple[int, int], ...] = ()
    methods: frozenset[str] = field(default_factory=frozenset)
    headers: tuple[tuple[str, str | None], ...] = ()
    quick: frozenset[Quick] = field(default_factory=frozenset)
    listeners: tuple[str, ...] = ()

    @property
    def needle(self) -> str:
        """The free text, casefolded ("" for none)."""
        return self.text.casefold()

    @property
    def has_terms(self) -> bool:
        return bool(self.statuses or self.methods or self.headers or self.quick or self.listeners)

    def is_empty(self) -> bool:
        return not self.text and not self.has_terms

    def with_quick(self, quick: Iterable[Quick]) -> FilterQuery:
        return replace(self, quick=frozenset(quick))


def _status_term(value: str) -> tuple[tuple[int, int], ...] | None:
    ranges = []
    for part in value.split(","):
        match = _STATUS_PART.fullmatch(part)
        if match is None:
            return None
        if match.group(1):
            first = int(match.group(1)) * 100
            ranges.append((first, first + 99))
        else:
            low = int(match.group(2))
            high = int(match.group(3) or low)
            if not 100 <= low <= high <= 599:  # RFC 9110 §15: three digits, 1xx to 5xx
                return None
            ranges.append((low, high))
    return tuple(ranges)


def _method_term(value: str) -> frozenset[str] | None:
    methods = value.split(",")
    if not all(_TOKEN.fullmatch(method) for method in methods):
        return None
    return frozenset(method.upper() for method in methods)


def _header_term(value: str) -> tuple[str, str | None] | None:
    cut = min((i for i in (value.find("="), value.find(":")) if i >= 0), default=-1)
    name, wanted = (value, None) if cut < 0 else (value[:cut], value[cut + 1 :])
    if not _TOKEN.fullmatch(name):
        return None
    return name.casefold(), (wanted.casefold() if wanted else None)


def _listener_term(value: str) -> tuple[str, ...] | None:
    parts = tuple(part.casefold() for part in value.split(","))
    return parts if all(parts) else None


def parse_filter(text: str, quick: Iterable[Quick] = ()) -> FilterQuery:
    """Read the filter box (see the module docstring); never fails."""
    text = text[:MAX_FILTER_TEXT]
    free: list[str] = []
    statuses: list[tuple[int, int]] = []
    methods: set[str] = set()
    headers: list[tuple[str, str | None]] = []
    listeners: list[str] = []
    for word in _WORD.findall(text):
        name, colon, value = word.partition(":")
        kind = name.lower() if colon and value else ""
        if kind == "status" and (ranges := _status_term(value)) is not None:
            statuses.extend(ranges)
        elif kind == "method" and (names := _method_term(value)) is not None:
            methods |= names
        elif kind == "header" and (header := _header_term(value)) is not None:
            headers.append(header)
        elif kind == "listener" and (wanted := _listener_term(value)) is not None:
            listeners.extend(wanted)
        else:
            free.append(word)
    has_terms = statuses or methods or headers or listeners
    return FilterQuery(
        text=" ".join(free) if has_terms else text.strip(),
        statuses=tuple(statuses),
        methods=frozenset(methods),
        headers=tuple(headers),
        quick=frozenset(quick),
        listeners=tuple(listeners),
    )


# -- matching ----------------------------------------------------------------


def status_of(record: CaptureRecord) -> int | None:
    return None if record.response is None else record.response.status


def error_of(record: CaptureRecord) -> str | None:
    return record.error or (record.response.error if record.response is not None else None)


def quick_matches(quick: frozenset[Quick], status: int | None, error: str | None) -> bool:
    """Whether a request with ``status`` and ``error`` passes the quick filters."""
    if not quick:
        return True
    for choice in quick:
        if choice is Quick.ERRORS and error:
            return True
        if choice is Quick.PENDING and status is None and not error:
            return True
        span = choice.status_range
        if span is not None and status is not None and span[0] <= status <= span[1]:
            return True
    return False


def _in_ranges(status: int | None, ranges: tuple[tuple[int, int], ...]) -> bool:
    return status is not None and any(low <= status <= high for low, high in ranges)


def headers_match(wanted: tuple[tuple[str, str | None], ...], headers: PairLists) -> bool:
    """Whether every header term holds for ``headers``."""
    if not wanted:
        return True
    fields = [(name.casefold(), value) for name, value in headers]
    for name, value in wanted:
        if not any(n == name and (value is None or value in v.casefold()) for n, v in fields):
            return False
    return True


def text_fields(
    needle: str,
    *,
    method: str,
    target: str,
    path: str,
    pair_lists: tuple[PairLists, PairLists, PairLists],
    error: str | None,
    body: bytes | None,
    every: bool = False,
) -> frozenset[Field]:
    """The fields holding ``needle`` (casefolded, non-empty): the first found, or
    with ``every`` all of them. ``pair_lists`` are the query, the headers and the
    trailers; ``body`` None is a body not at hand (not searched)."""
    found: list[Field] = []
    if needle in method.casefold():
        found.append(Field.METHOD)
    if (every or not found) and (needle in target.casefold() or needle in path.casefold()):
        found.append(Field.PATH)
    if (every or not found) and _pairs_hold(needle, pair_lists[0]):
        found.append(Field.QUERY)
    if (every or not found) and (_pairs_hold(needle, pair_lists[1]) or _pairs_hold(needle, pair_lists[2])):
        found.append(Field.HEADERS)
    if (every or not found) and error and needle in error.casefold():
        found.append(Field.STATUS)
    if (every or not found) and body is not None and _body_holds(needle, body):
        found.append(Field.BODY)
    return frozenset(found)


def _pairs_hold(needle: str, pairs: PairLists) -> bool:
    return any(needle in name.casefold() or needle in value.casefold() for name, value in pairs)


def _body_holds(needle: str, body: bytes) -> bool:
    return bool(body) and needle in body[:BODY_SEARCH_LIMIT].decode("utf-8", "replace").casefold()


def record_text_fields(needle: str, record: CaptureRecord, *, every: bool = False) -> frozenset[Field]:
    """:func:`text_fields` of a full record."""
    return text_fields(
        needle,
        method=record.method,
        target=record.target,
        path=record.path,
        pair_lists=(record.query, record.headers, record.trailers),
        error=record.error,
        body=record.body,
        every=every,
    )


def listener_matches(wanted: Iterable[str], server: str) -> bool:
    """Whether a request taken by the listener ``server`` (``127.0.0.1:8090``,
    ``[::1]:8091``) is one of ``wanted`` (casefolded): its whole name, its host
    (with or without brackets) or its port (``8091`` or ``:8091``)."""
    host, _, port = server.casefold().rpartition(":")
    forms = {server.casefold(), host, normalise_address(host), port, f":{port}"} - {"", ":"}
    return any(name in forms for name in wanted)


def terms_hold(
    query: FilterQuery,
    *,
    method: str,
    status: int | None,
    error: str | None,
    headers: Pairs,
    server: str = "",
) -> bool:
    """Whether the terms and quick filters of ``query`` keep a request with these fields."""
    if query.methods and method.upper() not in query.methods:
        return False
    if query.listeners and not listener_matches(query.listeners, server):
        return False
    if query.statuses and not _in_ranges(status, query.statuses):
        return False
    return quick_matches(query.quick, status, error) and headers_match(query.headers, headers)


def accepts(query: FilterQuery, record: CaptureRecord) -> bool:
    """Whether ``query`` keeps ``record``."""
    if query.has_terms and not terms_hold(
        query,
        method=record.method,
        status=status_of(record),
        error=error_of(record),
        headers=record.headers,
        server=record.server,
    ):
        return False
    return not query.text or bool(record_text_fields(query.needle, record))


def reasons(
    query: FilterQuery,
    *,
    method: str,
    target: str,
    path: str,
    query_pairs: Pairs,
    headers: Pairs | None,
    trailers: Pairs,
    error: str | None,
    body: bytes | None,
) -> frozenset[Field]:
    """Every field that made a request match ``query``: those holding the free
    text, and those a term is about. A request whose text match is in nothing
    at hand (a stored row: no body, perhaps no headers) matched in what is not."""
    found: set[Field] = set()
    if query.methods:
        found.add(Field.METHOD)
    if query.statuses or query.quick:
        found.add(Field.STATUS)
    if query.headers:
        found.add(Field.HEADERS)
    if query.listeners:
        found.add(Field.LISTENER)
    if query.text:
        held = text_fields(
            query.needle,
            method=method,
            target=target,
            path=path,
            pair_lists=(query_pairs, headers or (), trailers),
            error=error,
            body=body,
            every=True,
        )
        if not held:
            held = frozenset({Field.BODY} if headers is not None else {Field.HEADERS, Field.BODY})
        found |= held
    return frozenset(found)
