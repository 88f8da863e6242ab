"""The history file's tables, its settings, and bringing an older file up to date.

Version 2 (this one) adds to version 1 the ``extra`` column (every record field
outside the core set, as JSON: a new field needs no schema change), the
``pending`` flag (a request seen but not finished yet, kept so it survives a
crash), the ``last_id`` meta key (ids are never reused in one file, even after
pruning or clearing) and incremental auto-vacuum (space freed by pruning goes
back to the file system).

Settings, per connection: WAL journal and ``synchronous=NORMAL`` (a killed
process loses only what was not committed, and the file is never corrupt; a
power cut may also lose the last committed batches), a WAL truncated back to
:data:`WAL_SIZE_LIMIT` after checkpoints.
"""

from __future__ import annotations

import sqlite3
from typing import Final

SCHEMA_VERSION: Final = 2
#: how long a connection waits for another process's lock before giving up (ms)
BUSY_TIMEOUT_MS: Final = 2_000
#: the WAL file is cut back to this size after a checkpoint (bytes)
WAL_SIZE_LIMIT: Final = 32 << 20
#: an older file is converted to incremental auto-vacuum (one VACUUM, which
#: copies the live data) when it holds at most this much; a larger one keeps
#: reusing its free pages but does not shrink until it is cleared
CONVERT_LIMIT_BYTES: Final = 256 << 20
#: the error a leftover pending row gets when the file is opened again
UNFINISHED: Final = "unfinished: the app stopped before this request was complete"
#: SQLite's first 16 bytes
MAGIC: Final = b"SQLite format 3\x00"

_TABLES: Final = (
    """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID""",
    """
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
    size            INTEGER NOT NULL,      -- stored bytes, for the size cap
    extra           TEXT,                  -- JSON: fields outside these columns; NULL = defaults
    pending         INTEGER NOT NULL DEFAULT 0  -- 1 = seen, not finished yet
)""",
    """
CREATE TABLE IF NOT EXISTS payloads (
    id        INTEGER PRIMARY KEY,         -- = requests.id
    body      BLOB NOT NULL,
    raw_head  BLOB NOT NULL,
    raw_body  BLOB,                        -- NULL = body was sent as-is
    resp_body BLOB                         -- NULL = no response
)""",
)
_INDEX: Final = "CREATE INDEX IF NOT EXISTS requests_pending ON requests (id) WHERE pending = 1"
_TO_VERSION_2: Final = (
    "ALTER TABLE requests ADD COLUMN extra TEXT",
    "ALTER TABLE requests ADD COLUMN pending INTEGER NOT NULL DEFAULT 0",
)


class SchemaError(Exception):
    """The file is a history of a newer version (the message is one line)."""


def configure(conn: sqlite3.Connection) -> None:
    """Per-connection settings of a file connection (see the module docstring)."""
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        # a new file: set before the first table exists, or it cannot change
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise sqlite3.OperationalError(f"cannot switch to WAL (journal mode {mode})")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")


def prepare(conn: sqlite3.Connection, where: str) -> None:
    """Create the tables, or bring an older file up to this version.

    Raises:
        SchemaError: the file was written by a newer version.
        sqlite3.Error: the file cannot be read or written.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in _TABLES:
            conn.execute(statement)
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is not None and int(row[0]) > SCHEMA_VERSION:
            raise SchemaError(
                f"history file {where} was written by a newer Request Inspector "
                f"(schema {row[0]}, this version reads {SCHEMA_VERSION})"
            )
        columns = {info[1] for info in conn.execute("PRAGMA table_info(requests)")}
        if "extra" not in columns:  # version 1
            for statement in _TO_VERSION_2:
                conn.execute(statement)
        conn.execute(_INDEX)
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )
        # requests seen but not finished when the app stopped: finished now, said so
        conn.execute(
            "UPDATE requests SET pending = 0, error = coalesce(error, ?) WHERE pending = 1",
            (UNFINISHED,),
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def convert_to_incremental_vacuum(conn: sqlite3.Connection) -> bool:
    """Turn an older file's auto-vacuum on (one VACUUM) when its live data is at most
    :data:`CONVERT_LIMIT_BYTES`; True when the file now has it."""
    if conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2:
        return True
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    if (pages - free) * page_size > CONVERT_LIMIT_BYTES:
        return False
    try:
        conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        conn.execute("VACUUM")
    except sqlite3.Error as exc:  # no room for the copy, say: keep the file as it is
        if is_damage(exc):
            raise
        return False
    return bool(conn.execute("PRAGMA auto_vacuum").fetchone()[0] == 2)


def read_state(conn: sqlite3.Connection) -> tuple[int, int, int, int]:
    """``(rows, stored bytes, highest id stored, highest id ever stored)``."""
    count, nbytes, max_id = conn.execute(
        "SELECT count(*), total(size), coalesce(max(id), 0) FROM requests"
    ).fetchone()
    row = conn.execute("SELECT value FROM meta WHERE key = 'last_id'").fetchone()
    last_id = max(int(max_id), int(row[0]) if row else 0)
    return int(count), int(nbytes), int(max_id), last_id


def is_damage(exc: sqlite3.Error) -> bool:
    """True for SQLite's "the file is corrupt" errors (not for locks, I/O or permissions)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
