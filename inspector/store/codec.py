"""A capture record as rows of the history tables, and back.

The ``requests`` row holds the scalar fields and small JSON texts (what a table
row needs, cheap to scan and count); the ``payloads`` row holds the bodies and
raw bytes. Fields outside the core set (``scheme``, and any field added to the
record later) go into the ``extra`` JSON column through the generic codec of
:mod:`inspector.formats.extensions`, so a new record field needs no schema
change.

Request text is hostile and may hold lone surrogates (bytes decoded with
``surrogateescape``), which sqlite3 cannot bind as TEXT. Such a value is stored
as a BLOB of its ``surrogatepass`` UTF-8 and decoded back on read, so every str
survives unchanged; ordinary text stays TEXT (searchable, readable).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import orjson

from inspector.formats.extensions import record_extensions, record_fields, response_fields
from inspector.http.record import CaptureRecord, Pairs, SentResponse

REQUEST_COLUMNS: Final = (
    "id, received_at, client, server, method, target, path, query, http_version, headers, "
    "header_count, trailers, body_size, body_truncated, error, notes, status, reason, rule, "
    "resp_bytes, duration_ms, resp_error, resp_headers, size, extra, pending"
)
INSERT_REQUEST: Final = (
    f"INSERT OR REPLACE INTO requests ({REQUEST_COLUMNS}) VALUES ({', '.join('?' * 26)})"
)
INSERT_PAYLOAD: Final = (
    "INSERT OR REPLACE INTO payloads (id, body, raw_head, raw_body, resp_body) VALUES (?, ?, ?, ?, ?)"
)
SELECT_RECORD: Final = (
    "SELECT r.id, received_at, client, server, method, target, path, query, http_version, "
    "headers, trailers, body_size, body_truncated, error, notes, status, reason, rule, "
    "resp_bytes, duration_ms, resp_error, resp_headers, extra, "
    "p.body, p.raw_head, p.raw_body, p.resp_body "
    "FROM requests r JOIN payloads p ON p.id = r.id"
)
#: a record's ``extra`` JSON starts with its scheme when that is not plain http: the fields
#: outside the core set are written in the record's field order, ``scheme`` first
#: (tests/store/test_db.py checks it with TLS and upstream facts present)
HTTPS_EXTRA: Final = '{"scheme":"https"'
SELECT_SUMMARY: Final = (
    "SELECT id, received_at, client, server, method, target, path, query, headers, "
    "header_count, body_size, status, duration_ms, error, "
    f"substr(extra, 1, {len(HTTPS_EXTRA)}) = '{HTTPS_EXTRA}' FROM requests"
)

#: name/value pairs as lists (what :meth:`CaptureStore.search_fields` yields)
PairLists = Sequence[Sequence[str]]
#: one ``requests`` row and one ``payloads`` row, ready for ``executemany``
Rows = tuple[tuple[Any, ...], tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class Summary:
    """What one row of the request table needs: no bodies, but the header
    fields (the table's Headers column shows them)."""

    id: int
    received_at: float
    client: str
    #: the listener that took the request (``127.0.0.1:8090``)
    server: str
    method: str
    target: str
    path: str
    query: Pairs
    headers: Pairs
    header_count: int
    body_size: int
    #: status of the response sent; None when nothing was sent
    status: int | None
    duration_ms: float | None
    error: str | None
    #: ``https`` or ``http``
    scheme: str = "http"


def text(value: str) -> str | bytes:
    """``value`` as SQLite can bind it: TEXT, or the BLOB of a string with lone surrogates."""
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")
    return value


def _opt_text(value: str | None) -> str | bytes | None:
    return None if value is None else text(value)


def string(value: str | bytes | None) -> str:
    """Inverse of :func:`text` (NULL reads as "")."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogatepass")
    return value or ""


def opt_string(value: str | bytes | None) -> str | None:
    return None if value is None else string(value)


def _dump_json(value: Any) -> str | bytes:
    try:
        # orjson: the writer thread encodes several JSON texts per record, and
        # json.dumps was a tenth of the listener process's time under load
        return orjson.dumps(value).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):  # lone surrogates: stored as bytes below
        return text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _dump_pairs(pairs: Pairs) -> str | bytes | None:
    return _dump_json(pairs) if pairs else None


def load_pairs(value: str | bytes | None) -> Pairs:
    if value is None:
        return ()
    return tuple((str(name), str(val)) for name, val in json.loads(string(value)))


def fast_pairs(value: str | bytes | None) -> PairLists:
    """:func:`load_pairs` as lists, with orjson (3-4x faster); texts stored as
    bytes (lone surrogates) go the slow way."""
    if value is None:
        return ()
    if isinstance(value, str):
        loaded: PairLists = orjson.loads(value)
        return loaded
    return load_pairs(value)


def _dump_extra(record: CaptureRecord) -> str | None:
    extensions = record_extensions(record)
    if extensions is None:
        return None
    # the stdlib keeps NaN and escapes lone surrogates: always ASCII, always TEXT
    return json.dumps(extensions, separators=(",", ":"))


def record_rows(record: CaptureRecord, *, pending: bool = False) -> tuple[Rows, int]:
    """The rows of one record and its stored size (for the byte cap)."""
    query = _dump_pairs(record.query)
    headers = _dump_pairs(record.headers)
    trailers = _dump_pairs(record.trailers)
    notes = _dump_json(record.notes) if record.notes else None
    extra = _dump_extra(record)
    resp = record.response
    resp_headers = None if resp is None else _dump_pairs(resp.headers)
    size = (
        len(record.body)
        + len(record.raw_head)
        + (0 if record.raw_body is None else len(record.raw_body))
        + len(record.target)
        + len(record.path)
        + len(record.client)
        + len(record.server)
        + len(record.method)
        + len(record.error or "")
        + sum(len(x) for x in (query, headers, trailers, notes, resp_headers, extra) if x is not None)
        + (0 if resp is None else len(resp.body) + len(resp.reason) + len(resp.rule or ""))
        + 64  # fixed columns
    )
    request_row = (
        record.id,
        record.received_at,
        text(record.client),
        text(record.server),
        text(record.method),
        text(record.target),
        text(record.path),
        query,
        text(record.http_version),
        headers,
        len(record.headers),
        trailers,
        record.body_size,
        int(record.body_truncated),
        _opt_text(record.error),
        notes,
        None if resp is None else resp.status,
        None if resp is None else text(resp.reason),
        None if resp is None else _opt_text(resp.rule),
        None if resp is None else resp.bytes,
        None if resp is None else resp.duration_ms,
        None if resp is None else _opt_text(resp.error),
        resp_headers,
        size,
        extra,
        int(pending),
    )
    payload_row = (
        record.id,
        record.body,
        record.raw_head,
        record.raw_body,
        None if resp is None else resp.body,
    )
    return (request_row, payload_row), size


def record_from_row(row: Sequence[Any]) -> CaptureRecord:
    """A record from a row of :data:`SELECT_RECORD`."""
    (
        id_, received_at, client, server, method, target, path, query, http_version,
        headers, trailers, body_size, body_truncated, error, notes, status, reason, rule,
        resp_bytes, duration_ms, resp_error, resp_headers, extra, body, raw_head, raw_body,
        resp_body,
    ) = row  # fmt: skip
    extensions = None if extra is None else json.loads(string(extra))
    response = None
    if status is not None:
        response = SentResponse(
            status=status,
            reason=string(reason),
            headers=load_pairs(resp_headers),
            body=bytes(resp_body or b""),
            rule=opt_string(rule),
            bytes=resp_bytes,
            duration_ms=duration_ms,
            error=opt_string(resp_error),
            **response_fields(extensions),
        )
    return CaptureRecord(
        id=id_,
        received_at=received_at,
        client=string(client),
        server=string(server),
        method=string(method),
        target=string(target),
        path=string(path),
        query=load_pairs(query),
        http_version=string(http_version),
        headers=load_pairs(headers),
        trailers=load_pairs(trailers),
        body=bytes(body),
        body_size=body_size,
        body_truncated=bool(body_truncated),
        error=opt_string(error),
        notes=() if notes is None else tuple(str(n) for n in json.loads(string(notes))),
        raw_head=bytes(raw_head),
        raw_body=None if raw_body is None else bytes(raw_body),
        response=response,
        **record_fields(extensions),
    )


def summary_from_row(row: Sequence[Any]) -> Summary:
    """A table row from a row of :data:`SELECT_SUMMARY`."""
    (
        id_, received_at, client, server, method, target, path, query, headers, hcount, bsize,
        status, dur, err, https,
    ) = row  # fmt: skip
    return Summary(
        id=id_,
        received_at=received_at,
        client=string(client),
        server=string(server),
        method=string(method),
        target=string(target),
        path=string(path),
        query=load_pairs(query),
        headers=load_pairs(headers),
        header_count=hcount,
        body_size=bsize,
        status=status,
        duration_ms=dur,
        error=opt_string(err),
        scheme="https" if https else "http",
    )
