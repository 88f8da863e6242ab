"""Capture history in SQLite: one writer thread, batched commits, lazy reads.

Strategy (DESIGN.md, "History and export" and "Performance notes"):

- ``add`` runs on the listener thread at up to 100k records/s, so it only appends
  to a ``collections.deque`` (atomic under the GIL, no lock, no wake-up). A
  single writer thread drains it at most ``batch_interval`` (250 ms) apart and
  writes each batch with ``executemany`` in one transaction.
- WAL journal, ``synchronous=NORMAL``: a killed process loses at most the batch
  that was not yet committed, and the file is never corrupt. A power cut may
  also lose the last committed batches (NORMAL skips the fsync per commit).
- Readers (the GUI's lazy table, export) use a second connection; WAL lets them
  read the committed state while the writer writes. In-memory history
  (``path=None`` or ``":memory:"``, the ``--no-db`` mode) has a single
  connection shared under a lock, because an in-memory database cannot be
  opened twice with WAL semantics.
- Two tables: ``requests`` holds the scalar fields and small JSON texts (what a
  table row needs, cheap to scan and count), ``payloads`` holds the bodies and
  raw bytes, read only by ``get``/``iter_records``/``search``.
- Bounded: after each batch, in the same transaction, the oldest rows are
  deleted until at most ``max_records`` rows and ``max_bytes`` stored bytes
  remain (``size`` column: bodies, raw bytes and texts of a row).

Failure policy (decided here, see ``CaptureStore``): opening problems raise
:class:`StoreError`; once open, a failed write is reported through ``on_error``
and the batch is kept and retried on the next cycle. Records waiting (queued
plus kept) never exceed ``max_pending``: beyond it the oldest waiting records
are dropped and counted in ``dropped_total``. The writer thread never raises.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import orjson

from inspector.http.record import CaptureRecord, Pairs, SentResponse
from inspector.paths import app_data_dir

try:  # POSIX advisory lock: one writing app per history file
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

SCHEMA_VERSION: Final = 1
DB_FILE_NAME: Final = "history.sqlite3"
#: DESIGN.md: keep the newest 100,000 requests ...
DEFAULT_MAX_RECORDS: Final = 100_000
#: ... or 1 GiB of stored bytes, whichever limit is reached first.
DEFAULT_MAX_BYTES: Final = 1 << 30
#: commits at most this far apart (seconds)
DEFAULT_BATCH_INTERVAL: Final = 0.25
#: records waiting for the writer (queued plus kept after a failed write) before
#: the oldest are dropped; about a few seconds of traffic at full speed
DEFAULT_MAX_PENDING: Final = 500_000
#: a batch larger than this is split into several transactions
_MAX_BATCH: Final = 20_000
#: how long a connection waits for another process's lock before giving up (ms)
_BUSY_TIMEOUT_MS: Final = 2_000
#: page size of keyset pagination in iter_records
_ITER_PAGE: Final = 500

_MEMORY: Final = ":memory:"

# Files this process has open, by (device, inode). A second CaptureStore on the
# same file in this process is refused before it opens a descriptor: closing
# any descriptor of a SQLite file drops the process's POSIX locks on it.
_open_files: set[tuple[int, int]] = set()
_open_files_lock = threading.RLock()


class StoreError(Exception):
    """The history file cannot be used; the message is one line naming the file."""


@dataclass(frozen=True, slots=True)
class Summary:
    """What one row of the request table needs; no bodies."""

    id: int
    received_at: float
    client: str
    method: str
    target: str
    path: str
    query: Pairs
    header_count: int
    body_size: int
    #: status of the response sent; None when nothing was sent
    status: int | None
    duration_ms: float | None
    error: str | None


class _Default:
    """Sentinel type for "the app-data history file"."""


DEFAULT_PATH: Final = _Default()

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS requests (
    id              INTEGER PRIMARY KEY,   -- CaptureRecord.id
    received_at     REAL NOT NULL,         -- POSIX seconds, UTC
    client          TEXT NOT NULL,
    server          TEXT NOT NULL,
    method          TEXT NOT NULL,
    target          TEXT NOT NULL,
    path            TEXT NOT NULL,
    query           TEXT,                  -- JSON [[name, value], ...]; NULL = empty
    http_version    TEXT NOT NULL,
    headers         TEXT,                  -- JSON pairs; NULL = empty
    header_count    INTEGER NOT NULL,
    trailers        TEXT,                  -- JSON pairs; NULL = empty
    body_size       INTEGER NOT NULL,
    body_truncated  INTEGER NOT NULL,
    error           TEXT,
    notes           TEXT,                  -- JSON [str, ...]; NULL = empty
    status          INTEGER,               -- response; all resp_* NULL = no response
    reason          TEXT,
    rule            TEXT,
    resp_bytes      INTEGER,
    duration_ms     REAL,
    resp_error      TEXT,
    resp_headers    TEXT,                  -- JSON pairs
    size            INTEGER NOT NULL       -- stored bytes, for the size cap
);
CREATE TABLE IF NOT EXISTS payloads (
    id        INTEGER PRIMARY KEY,         -- = requests.id
    body      BLOB NOT NULL,
    raw_head  BLOB NOT NULL,
    raw_body  BLOB,                        -- NULL = body was sent as-is
    resp_body BLOB                         -- NULL = no response
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '{SCHEMA_VERSION}');
"""

_REQUEST_COLUMNS = (
    "id, received_at, client, server, method, target, path, query, http_version, headers, "
    "header_count, trailers, body_size, body_truncated, error, notes, status, reason, rule, "
    "resp_bytes, duration_ms, resp_error, resp_headers, size"
)
_INSERT_REQUEST = (
    f"INSERT OR REPLACE INTO requests ({_REQUEST_COLUMNS}) "
    f"VALUES ({', '.join('?' * 24)})"
)
_INSERT_PAYLOAD = (
    "INSERT OR REPLACE INTO payloads (id, body, raw_head, raw_body, resp_body) "
    "VALUES (?, ?, ?, ?, ?)"
)
_SELECT_RECORD = (
    "SELECT r.id, received_at, client, server, method, target, path, query, http_version, "
    "headers, trailers, body_size, body_truncated, error, notes, status, reason, rule, "
    "resp_bytes, duration_ms, resp_error, resp_headers, "
    "p.body, p.raw_head, p.raw_body, p.resp_body "
    "FROM requests r JOIN payloads p ON p.id = r.id"
)
_SELECT_SUMMARY = (
    "SELECT id, received_at, client, method, target, path, query, header_count, body_size, "
    "status, duration_ms, error FROM requests"
)


# -- encoding helpers -------------------------------------------------------------------
#
# Request text is hostile and may hold lone surrogates (bytes decoded with
# ``surrogateescape``), which sqlite3 cannot bind as TEXT. Such a value is
# stored as a BLOB of its ``surrogatepass`` UTF-8 and decoded back on read, so
# every str survives unchanged; ordinary text stays TEXT (searchable, readable).


def _text(value: str) -> str | bytes:
    if value.isascii():
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")
    return value


def _opt_text(value: str | None) -> str | bytes | None:
    return None if value is None else _text(value)


def _str(value: str | bytes | None) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogatepass")
    return value or ""


def _opt_str(value: str | bytes | None) -> str | None:
    return None if value is None else _str(value)


def _dump_pairs(pairs: Pairs) -> str | bytes | None:
    if not pairs:
        return None
    try:
        # orjson: the writer thread encodes five pair lists per record, and
        # json.dumps was a tenth of the listener process's time under load
        return orjson.dumps(pairs).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):  # lone surrogates: stored as bytes below
        return _text(json.dumps(pairs, ensure_ascii=False, separators=(",", ":")))


def _load_pairs(value: str | bytes | None) -> Pairs:
    if value is None:
        return ()
    return tuple((str(name), str(val)) for name, val in json.loads(_str(value)))


#: name/value pairs as lists (what :meth:`CaptureStore.search_fields` yields)
PairLists = Sequence[Sequence[str]]


def _fast_pairs(value: str | bytes | None) -> PairLists:
    """:func:`_load_pairs` as lists, with orjson (3-4x faster); texts stored as
    bytes (lone surrogates) go the slow way."""
    if value is None:
        return ()
    if isinstance(value, str):
        loaded: PairLists = orjson.loads(value)
        return loaded
    return _load_pairs(value)


def _row_values(record: CaptureRecord) -> tuple[tuple[Any, ...], tuple[Any, ...], int]:
    """The ``requests`` row, the ``payloads`` row and the stored size of one record."""
    query = _dump_pairs(record.query)
    headers = _dump_pairs(record.headers)
    trailers = _dump_pairs(record.trailers)
    notes = (
        _text(json.dumps(record.notes, ensure_ascii=False, separators=(",", ":")))
        if record.notes
        else None
    )
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
        + sum(len(x) for x in (query, headers, trailers, notes, resp_headers) if x is not None)
        + (0 if resp is None else len(resp.body) + len(resp.reason) + len(resp.rule or ""))
        + 64  # fixed columns
    )
    request_row = (
        record.id,
        record.received_at,
        _text(record.client),
        _text(record.server),
        _text(record.method),
        _text(record.target),
        _text(record.path),
        query,
        _text(record.http_version),
        headers,
        len(record.headers),
        trailers,
        record.body_size,
        int(record.body_truncated),
        _opt_text(record.error),
        notes,
        None if resp is None else resp.status,
        None if resp is None else _text(resp.reason),
        None if resp is None else _opt_text(resp.rule),
        None if resp is None else resp.bytes,
        None if resp is None else resp.duration_ms,
        None if resp is None else _opt_text(resp.error),
        resp_headers,
        size,
    )
    payload_row = (
        record.id,
        record.body,
        record.raw_head,
        record.raw_body,
        None if resp is None else resp.body,
    )
    return request_row, payload_row, size


def _record_from_row(row: Sequence[Any]) -> CaptureRecord:
    (
        id_, received_at, client, server, method, target, path, query, http_version,
        headers, trailers, body_size, body_truncated, error, notes, status, reason, rule,
        resp_bytes, duration_ms, resp_error, resp_headers, body, raw_head, raw_body, resp_body,
    ) = row  # fmt: skip
    response = None
    if status is not None:
        response = SentResponse(
            status=status,
            reason=_str(reason),
            headers=_load_pairs(resp_headers),
            body=bytes(resp_body or b""),
            rule=_opt_str(rule),
            bytes=resp_bytes,
            duration_ms=duration_ms,
            error=_opt_str(resp_error),
        )
    return CaptureRecord(
        id=id_,
        received_at=received_at,
        client=_str(client),
        server=_str(server),
        method=_str(method),
        target=_str(target),
        path=_str(path),
        query=_load_pairs(query),
        http_version=_str(http_version),
        headers=_load_pairs(headers),
        trailers=_load_pairs(trailers),
        body=bytes(body),
        body_size=body_size,
        body_truncated=bool(body_truncated),
        error=_opt_str(error),
        notes=() if notes is None else tuple(str(n) for n in json.loads(_str(notes))),
        raw_head=bytes(raw_head),
        raw_body=None if raw_body is None else bytes(raw_body),
        response=response,
    )


def _summary_from_row(row: Sequence[Any]) -> Summary:
    id_, received_at, client, method, target, path, query, hcount, bsize, status, dur, err = row
    return Summary(
        id=id_,
        received_at=received_at,
        client=_str(client),
        method=_str(method),
        target=_str(target),
        path=_str(path),
        query=_load_pairs(query),
        header_count=hcount,
        body_size=bsize,
        status=status,
        duration_ms=dur,
        error=_opt_str(err),
    )


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
    return _query_text(_load_pairs(stored))


_SORT_KEY_SQL: Final = {
    "id": "SELECT id, id FROM requests",
    "received_at": "SELECT id, received_at FROM requests",
    "client": "SELECT id, client FROM requests",
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

# -- queue commands ---------------------------------------------------------------------


class _Barrier:
    """Queued by flush/clear/close: done once everything queued before it is handled."""

    __slots__ = ("clear", "done", "ok")

    def __init__(self, *, clear: bool = False) -> None:
        self.clear = clear
        self.done = threading.Event()
        self.ok = True


def default_path() -> Path:
    """The history file in the app-data folder."""
    return app_data_dir() / DB_FILE_NAME


class CaptureStore:
    """Persistent (or in-memory) capture history with a background writer.

    Args:
        path: the SQLite file; by default ``app_data_dir()/history.sqlite3``.
            ``None`` or ``":memory:"`` keeps history in memory only.
        max_records: keep at most this many rows (the newest).
        max_bytes: keep at most this many stored bytes (bodies, raw bytes, texts).
        batch_interval: the writer commits at most this many seconds apart.
        max_pending: records waiting for the writer before the oldest are dropped.
        on_error: called with a one-line message when a write fails or records
            are dropped. Runs on the writer thread; must not block.
        on_pruned: called with the number of rows pruned by the caps (writer thread).
        on_commit: called with ``(max_id, n)`` after each committed batch of
            ``n`` records whose highest id is ``max_id`` (writer thread).

    Raises:
        StoreError: the file cannot be created, is not a database, is read-only,
            is locked by another process, or has a newer schema.

    Failure policy: a failed write (disk full, I/O error) is reported through
    ``on_error`` and the batch is kept and retried on the next cycle; waiting
    records beyond ``max_pending`` are dropped oldest first and counted in
    ``dropped_total``. ``add`` after ``close`` drops the record and counts it.
    An id already stored is replaced by the newer record: seed the listener's
    ids from ``max_id() + 1`` to keep the old history.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | _Default | None = DEFAULT_PATH,
        *,
        max_records: int = DEFAULT_MAX_RECORDS,
        max_bytes: int = DEFAULT_MAX_BYTES,
        batch_interval: float = DEFAULT_BATCH_INTERVAL,
        max_pending: int = DEFAULT_MAX_PENDING,
        on_error: Callable[[str], None] | None = None,
        on_pruned: Callable[[int], None] | None = None,
        on_commit: Callable[[int, int], None] | None = None,
    ) -> None:
        if max_records < 1 or max_bytes < 1 or max_pending < 1:
            raise ValueError("max_records, max_bytes and max_pending must be positive")
        if isinstance(path, _Default):
            path = default_path()
        self.path: Path | None = None if path is None or str(path) == _MEMORY else Path(path)
        self.max_records = max_records
        self.max_bytes = max_bytes
        self._interval = batch_interval
        self._max_pending = max_pending
        self._on_error = on_error
        self._on_pruned = on_pruned
        self._on_commit = on_commit

        #: rows deleted by the caps since opening
        self.pruned_total = 0
        #: records dropped (queue overflow, add after close) since opening
        self.dropped_total = 0
        #: records committed since opening
        self.committed_total = 0

        self._queue: deque[CaptureRecord | _Barrier] = deque()
        self._retry: list[CaptureRecord] = []
        self._wake = threading.Event()
        self._closed = False
        self._lock_fd: int | None = None
        self._file_key: tuple[int, int] | None = None
        self._read_lock = threading.Lock()
        self._failing: str | None = None

        if self.path is None:
            self._writer_conn = sqlite3.connect(
                _MEMORY, check_same_thread=False, isolation_level=None
            )
            self._reader = self._writer_conn
            self._write_lock: threading.Lock | contextlib.nullcontext[None] = self._read_lock
            self._init_schema(self._writer_conn, "memory")
        else:
            self._writer_conn, self._reader = self._open_file(self.path)
            self._write_lock = contextlib.nullcontext()
        self._count, self._bytes, self._max_id = self._writer_conn.execute(
            "SELECT count(*), total(size), coalesce(max(id), 0) FROM requests"
        ).fetchone()
        self._bytes = int(self._bytes)
        self._thread = threading.Thread(target=self._run, name="capture-store-writer", daemon=True)
        self._thread.start()

    # -- opening ------------------------------------------------------------------------

    def _open_file(self, path: Path) -> tuple[sqlite3.Connection, sqlite3.Connection]:
        where = str(path)
        with _open_files_lock:
            with contextlib.suppress(OSError):
                st = os.stat(where)
                if (st.st_dev, st.st_ino) in _open_files:
                    raise StoreError(f"history file {where} is already open in this process")
            try:
                self._file_key = self._open_locked(path)
            except BaseException:
                self._release_lock()
                raise
            _open_files.add(self._file_key)
        try:
            return self._open_sqlite(where)
        except BaseException:
            self._release_lock()
            raise

    def _open_locked(self, path: Path) -> tuple[int, int]:
        """Create/open the file 0600 and take the advisory writer lock on it."""
        where = str(path)
        try:
            # Create (or open) the file ourselves so a new history is 0600 from its
            # first byte; sqlite would create it with the umask's mode.
            fd = os.open(where, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError as exc:
            raise StoreError(f"cannot open history file {where}: {exc.strerror}") from None
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise StoreError(
                    f"history file {where} is in use by another Request Inspector"
                ) from None
            self._lock_fd = fd
            st = os.fstat(fd)
        else:  # pragma: no cover - Windows
            st = os.fstat(fd)
            os.close(fd)
        return st.st_dev, st.st_ino

    def _open_sqlite(self, where: str) -> tuple[sqlite3.Connection, sqlite3.Connection]:
        writer = reader = None
        try:
            writer = sqlite3.connect(
                where, timeout=_BUSY_TIMEOUT_MS / 1000,
                check_same_thread=False,
                isolation_level=None,
            )
            writer.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            mode = writer.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"cannot switch to WAL (journal mode {mode})")
            writer.execute("PRAGMA synchronous = NORMAL")
            self._init_schema(writer, where)
            reader = sqlite3.connect(
                where, timeout=_BUSY_TIMEOUT_MS / 1000,
                check_same_thread=False,
                isolation_level=None,
            )
            reader.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            reader.execute("PRAGMA query_only = ON")
            reader.execute("SELECT count(*) FROM meta").fetchone()
        except sqlite3.Error as exc:
            for conn in (reader, writer):
                if conn is not None:
                    conn.close()
            raise StoreError(f"cannot use history file {where}: {_one_line(exc)}") from None
        except StoreError:
            for conn in (reader, writer):
                if conn is not None:
                    conn.close()
            raise
        return writer, reader

    @staticmethod
    def _init_schema(conn: sqlite3.Connection, where: str) -> None:
        conn.executescript("BEGIN IMMEDIATE;" + _SCHEMA + "COMMIT;")
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"history file {where} was written by a newer Request Inspector "
                f"(schema {version}, this version reads {SCHEMA_VERSION})"
            )

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = None
        if self._file_key is not None:
            with _open_files_lock:
                _open_files.discard(self._file_key)
            self._file_key = None

    # -- writing (any thread) -----------------------------------------------------------

    def add(self, record: CaptureRecord) -> None:
        """Queue a record for writing; never blocks, never raises."""
        if self._closed:
            self.dropped_total += 1
            return
        self._queue.append(record)

    def add_many(self, records: Iterable[CaptureRecord]) -> None:
        """Queue several records (an import, say)."""
        if self._closed:
            self.dropped_total += sum(1 for _ in records)
            return
        self._queue.extend(records)

    @property
    def pending(self) -> int:
        """Records queued or kept for retry, not yet committed."""
        return len(self._queue) + len(self._retry)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued before this call is committed.

        Returns:
            True when it was committed; False on timeout, after close, or when the
            write failed (the records are kept for retry, see ``on_error``).
        """
        if self._closed:
            return not self.pending
        barrier = _Barrier()
        self._queue.append(barrier)
        self._wake.set()
        return barrier.done.wait(timeout) and barrier.ok

    def clear(self) -> None:
        """Delete every stored and queued record and shrink the file (VACUUM).

        Raises:
            StoreError: the store is closed, or the deletion failed.
        """
        if self._closed:
            raise StoreError("the history is closed")
        barrier = _Barrier(clear=True)
        self._queue.append(barrier)
        self._wake.set()
        barrier.done.wait()
        if not barrier.ok:
            raise StoreError(f"clearing the history failed: {self._failing}")

    def close(self) -> None:
        """Commit what is queued, stop the writer and close the file. Idempotent."""
        if self._closed:
            return
        barrier = _Barrier()
        self._queue.append(barrier)
        self._closed = True
        self._wake.set()
        self._thread.join()
        with self._read_lock:
            if self._reader is not self._writer_conn:
                self._reader.close()
            self._writer_conn.close()
        self._release_lock()

    def __enter__(self) -> CaptureStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the writer thread --------------------------------------------------------------

    def _run(self) -> None:
        next_commit = time.monotonic()
        while True:
            delay = next_commit - time.monotonic()
            if delay > 0:
                self._wake.wait(delay)
            self._wake.clear()
            next_commit = time.monotonic() + self._interval
            stopping = self._closed
            try:
                self._drain()
            except Exception as exc:  # never let the writer die
                self._report(f"history writer error: {_one_line(exc)}")
            if stopping and not self._queue:
                return

    def _drain(self) -> None:
        batch = self._retry
        self._retry = []
        barriers: list[_Barrier] = []
        queue = self._queue
        # Take only what is there now: records keep arriving while we write.
        for _ in range(len(queue)):
            item = queue.popleft()
            if isinstance(item, _Barrier):
                if item.clear:
                    batch = []  # a clear drops what was queued before it
                    item.ok = self._write_all(barriers, []) and self._clear()
                    item.done.set()
                else:
                    barriers.append(item)
            else:
                batch.append(item)
        # Writer far behind (or failing): drop the oldest waiting records.
        excess = len(batch) - self._max_pending
        if excess > 0:
            del batch[:excess]
            self.dropped_total += excess
            self._report(f"history: {excess} records dropped ({self.dropped_total} in all)")
        self._write_all(barriers, batch)
        if queue:
            self._wake.set()  # more arrived meanwhile: go round again without waiting

    def _write_all(self, barriers: list[_Barrier], batch: list[CaptureRecord]) -> bool:
        """Write ``batch`` in chunks, keep it on failure, then release ``barriers``."""
        ok = True
        for start in range(0, len(batch), _MAX_BATCH):
            if not self._write(batch[start : start + _MAX_BATCH]):
                self._retry = batch[start:]
                ok = False
                break
        for barrier in barriers:
            barrier.ok = ok
            barrier.done.set()
        barriers.clear()
        return ok

    def _write(self, records: list[CaptureRecord]) -> bool:
        if not records:
            return True
        request_rows = []
        payload_rows = []
        added_bytes = 0
        for record in records:
            request_row, payload_row, size = _row_values(record)
            request_rows.append(request_row)
            payload_rows.append(payload_row)
            added_bytes += size
        ids = [record.id for record in records]
        max_id = max(ids)
        conn = self._writer_conn
        try:
            with self._write_lock:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    count, nbytes = self._count, self._bytes
                    if min(ids) <= self._max_id or len(set(ids)) != len(ids):
                        count, nbytes = self._replaced(conn, ids, count, nbytes)
                    conn.executemany(_INSERT_REQUEST, request_rows)
                    conn.executemany(_INSERT_PAYLOAD, payload_rows)
                    count, nbytes, pruned = self._prune(conn, count + len(ids), nbytes + added_bytes)
                    if len(set(ids)) != len(ids):
                        count, nbytes = conn.execute(
                            "SELECT count(*), total(size) FROM requests"
                        ).fetchone()
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
        except sqlite3.Error as exc:
            message = f"cannot write history: {_one_line(exc)}"
            if message != self._failing:
                self._report(message)
            self._failing = message
            return False
        if self._failing is not None:
            self._failing = None
            self._report("history writes work again")
        self._count, self._bytes = count, int(nbytes)
        self._max_id = max(self._max_id, max_id)
        self.committed_total += len(records)
        if pruned:
            self.pruned_total += pruned
            if self._on_pruned is not None:
                self._call(self._on_pruned, pruned)
        if self._on_commit is not None:
            self._call(self._on_commit, max_id, len(records))
        return True

    @staticmethod
    def _replaced(
        conn: sqlite3.Connection, ids: list[int], count: int, nbytes: int
    ) -> tuple[int, int]:
        """Account for rows an insert will replace (ids already stored)."""
        unique = sorted(set(ids))
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            marks = ",".join("?" * len(part))
            n, size = conn.execute(
                f"SELECT count(*), total(size) FROM requests WHERE id IN ({marks})", part
            ).fetchone()
            count -= n
            nbytes -= int(size)
        return count, nbytes

    def _prune(self, conn: sqlite3.Connection, count: int, nbytes: int) -> tuple[int, int, int]:
        """Delete the oldest rows beyond the caps; return the new count, bytes, pruned."""
        if count <= self.max_records and nbytes <= self.max_bytes:
            return count, nbytes, 0
        cutoff: int | None = None
        excess_rows = count - self.max_records
        if excess_rows > 0:
            row = conn.execute(
                "SELECT id FROM requests ORDER BY id LIMIT 1 OFFSET ?", (excess_rows - 1,)
            ).fetchone()
            cutoff = row[0]
        excess_bytes = nbytes - self.max_bytes
        if excess_bytes > 0:
            freed = 0
            for row_id, size in conn.execute("SELECT id, size FROM requests ORDER BY id"):
                freed += size
                if freed >= excess_bytes:
                    cutoff = row_id if cutoff is None else max(cutoff, row_id)
                    break
        if cutoff is None:
            return count, nbytes, 0
        pruned, freed_bytes = conn.execute(
            "SELECT count(*), total(size) FROM requests WHERE id <= ?", (cutoff,)
        ).fetchone()
        conn.execute("DELETE FROM requests WHERE id <= ?", (cutoff,))
        conn.execute("DELETE FROM payloads WHERE id <= ?", (cutoff,))
        return count - pruned, nbytes - int(freed_bytes), pruned

    def _clear(self) -> bool:
        conn = self._writer_conn
        try:
            with self._write_lock:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.execute("DELETE FROM requests")
                    conn.execute("DELETE FROM payloads")
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                self._count, self._bytes = 0, 0
                conn.execute("VACUUM")
                if self.path is not None:
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            self._failing = _one_line(exc)
            self._report(f"cannot clear history: {self._failing}")
            return False
        return True

    def _report(self, message: str) -> None:
        if self._on_error is not None:
            self._call(self._on_error, message)

    @staticmethod
    def _call(callback: Callable[..., None], *args: Any) -> None:
        # A callback's bug must not kill the writer: swallow and carry on.
        with contextlib.suppress(Exception):
            callback(*args)

    # -- reading (any thread; committed state only) -------------------------------------

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._read_lock:
            if self._closed and not self._thread.is_alive():
                raise StoreError("the history is closed")
            return self._reader.execute(sql, params).fetchall()

    def count(self) -> int:
        """Number of committed records."""
        return int(self._read("SELECT count(*) FROM requests")[0][0])

    def max_id(self) -> int:
        """Highest committed record id, 0 when empty (seed the listener with it + 1)."""
        return int(self._read("SELECT coalesce(max(id), 0) FROM requests")[0][0])

    @property
    def committed_max_id(self) -> int:
        """Highest id committed (or stored when opened); a plain attribute read, no
        query, safe from any thread. Not lowered by pruning or :meth:`clear`."""
        return int(self._max_id)

    def ids_between(self, first_id: int, last_id: int) -> list[int]:
        """Stored ids from ``first_id`` to ``last_id`` (inclusive), ascending."""
        rows = self._read(
            "SELECT id FROM requests WHERE id BETWEEN ? AND ? ORDER BY id", (first_id, last_id)
        )
        return [row[0] for row in rows]

    def summaries_between(self, first_id: int, last_id: int) -> list[Summary]:
        """Table rows with ids from ``first_id`` to ``last_id`` (inclusive), ascending
        (by the primary key: no OFFSET scan, and gaps in the ids do not matter)."""
        rows = self._read(
            f"{_SELECT_SUMMARY} WHERE id BETWEEN ? AND ? ORDER BY id", (first_id, last_id)
        )
        return [_summary_from_row(row) for row in rows]

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
                    id_, _str(method), _str(target), _str(path), _fast_pairs(query),
                    _fast_pairs(headers), _fast_pairs(trailers), _opt_str(error),
                    bytes(body or b""),
                )  # fmt: skip
            if len(rows) < _ITER_PAGE * 4:
                return
            last = rows[-1][0]

    def ids(self, offset: int = 0, limit: int = -1) -> list[int]:
        """Record ids in ascending order, one page."""
        rows = self._read("SELECT id FROM requests ORDER BY id LIMIT ? OFFSET ?", (limit, offset))
        return [row[0] for row in rows]

    def summaries(self, offset: int = 0, limit: int = 100) -> list[Summary]:
        """Table rows in ascending id order, one page; no bodies are read."""
        rows = self._read(f"{_SELECT_SUMMARY} ORDER BY id LIMIT ? OFFSET ?", (limit, offset))
        return [_summary_from_row(row) for row in rows]

    def summary(self, record_id: int) -> Summary:
        """One table row. Raises KeyError when the id is not stored."""
        rows = self._read(f"{_SELECT_SUMMARY} WHERE id = ?", (record_id,))
        if not rows:
            raise KeyError(record_id)
        return _summary_from_row(rows[0])

    def get(self, record_id: int) -> CaptureRecord:
        """The full record. Raises KeyError when the id is not stored (or pruned)."""
        rows = self._read(f"{_SELECT_RECORD} WHERE r.id = ?", (record_id,))
        if not rows:
            raise KeyError(record_id)
        return _record_from_row(rows[0])

    def iter_records(self, start_id: int | None = None) -> Iterator[CaptureRecord]:
        """Every committed record in id order, read a page at a time (for export).

        No lock or read transaction is held between pages, so the writer keeps
        writing; records committed meanwhile with higher ids are included.
        """
        last = -(1 << 63) if start_id is None else start_id - 1
        while True:
            rows = self._read(
                f"{_SELECT_RECORD} WHERE r.id > ? ORDER BY r.id LIMIT ?", (last, _ITER_PAGE)
            )
            for row in rows:
                yield _record_from_row(row)
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
        pattern = _like_pattern(text)
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
                patterns.setdefault(_ascii_lower(text), _text(_like_pattern(text)))
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
        ``client``, ``method`` (str), ``path`` (the path, or the target when the
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
        if field in ("client", "method"):
            return {id_: _str(value) for id_, value in rows}
        if field == "path":
            return {id_: _str(path) or _str(target) for id_, path, target in rows}
        if field == "query":
            return {id_: _query_key(raw) for id_, raw in rows}
        return dict(rows)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
