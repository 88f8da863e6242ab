"""Capture history in SQLite: a file (or memory), one writer thread, lazy reads.

:class:`CaptureStore` joins the parts, each in its own module: the tables and
file settings (:mod:`~inspector.store.schema`), records as rows
(:mod:`~inspector.store.codec`), the writer thread with its batching,
backpressure, caps and failure policy (:mod:`~inspector.store.writer`), and the
reads (:mod:`~inspector.store.queries`).

Readers (the window's lazy table, export) use a second connection; WAL lets
them read the committed state while the writer writes. In-memory history
(``path=None`` or ``":memory:"``, the ``--no-db`` mode) has a single connection
shared under a lock, because an in-memory database cannot be opened twice.

One writing app per file: an advisory lock (``flock``) on the file, and a
second store on the same file in this process is refused before it opens a
descriptor (closing any descriptor of a SQLite file drops the process's POSIX
locks on it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Final

from inspector.http.record import CaptureRecord
from inspector.paths import app_data_dir
from inspector.store import schema
from inspector.store.pruning import Caps
from inspector.store.queries import HistoryQueries
from inspector.store.writer import BatchPolicy, StoreObserver, Writer

try:  # POSIX advisory lock: one writing app per history file
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

DB_FILE_NAME: Final = "history.sqlite3"
#: keep the newest 100,000 requests ...
DEFAULT_MAX_RECORDS: Final = 100_000
#: ... or 1 GiB of stored bytes, whichever limit is reached first.
DEFAULT_MAX_BYTES: Final = 1 << 30

_MEMORY: Final = ":memory:"

_open_files: set[tuple[int, int]] = set()
_open_files_lock = threading.RLock()


class StoreError(Exception):
    """The history file cannot be used; the message is one line naming the file."""


class StoreDamaged(StoreError):
    """The file is a SQLite database whose pages are damaged (it can be moved aside)."""


class _Default:
    """Sentinel type for "the app-data history file"."""


DEFAULT_PATH: Final = _Default()
#: where a history lives: a file, :data:`DEFAULT_PATH`, or None for memory
StorePath = str | os.PathLike[str] | _Default | None


def default_path() -> Path:
    """The history file in the app-data folder (created when missing).

    Raises:
        OSError: the folder cannot be created.
    """
    return app_data_dir() / DB_FILE_NAME


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


class _Callbacks:
    """The ``on_*`` arguments of :class:`CaptureStore` as one observer."""

    def __init__(
        self,
        on_error: Callable[[str], None] | None,
        on_pruned: Callable[[int], None] | None,
        on_commit: Callable[[int, int], None] | None,
    ) -> None:
        self._on_error, self._on_pruned, self._on_commit = on_error, on_pruned, on_commit

    def history_committed(self, max_id: int, count: int) -> None:
        if self._on_commit is not None:
            self._on_commit(max_id, count)

    def history_pruned(self, count: int) -> None:
        if self._on_pruned is not None:
            self._on_pruned(count)

    def problem(self, message: str) -> None:
        if self._on_error is not None:
            self._on_error(message)


class CaptureStore(HistoryQueries):
    """Persistent (or in-memory) capture history with a background writer.

    Args:
        path: the SQLite file; by default ``app_data_dir()/history.sqlite3``.
            ``None`` or ``":memory:"`` keeps history in memory only.
        max_records: keep at most this many rows (the newest).
        max_bytes: keep at most this many stored bytes (bodies, raw bytes, texts).
        batch_interval: the writer commits at most this many seconds apart
            (short for ``policy=BatchPolicy(interval=...)``).
        max_pending: records waiting while writes fail before the oldest are
            dropped (short for ``policy=BatchPolicy(max_pending=...)``).
        policy: the writer's batching and backpressure (see :class:`BatchPolicy`).
        on_error, on_pruned, on_commit: called (on the writer thread) with a
            one-line message, a number of pruned rows, ``(max_id, n)`` after a
            commit; the same as an observer added with :meth:`add_observer`.

    Raises:
        StoreDamaged: the file's pages are damaged (its header is SQLite's).
        StoreError: the file or its folder cannot be created, is not a
            database, is read-only, is locked by another process, or has a
            newer schema.

    An id already stored is replaced by the newer record; ids continue after
    :attr:`last_id`, which pruning and :meth:`clear` never lower.
    """

    def __init__(
        self,
        path: StorePath = DEFAULT_PATH,
        *,
        max_records: int = DEFAULT_MAX_RECORDS,
        max_bytes: int = DEFAULT_MAX_BYTES,
        batch_interval: float | None = None,
        max_pending: int | None = None,
        policy: BatchPolicy | None = None,
        on_error: Callable[[str], None] | None = None,
        on_pruned: Callable[[int], None] | None = None,
        on_commit: Callable[[int, int], None] | None = None,
    ) -> None:
        policy = policy or BatchPolicy()
        if batch_interval is not None:
            policy = dataclasses.replace(policy, interval=batch_interval)
        if max_pending is not None:
            policy = dataclasses.replace(policy, max_pending=max_pending)
        if max_records < 1 or max_bytes < 1 or policy.max_pending < 1:
            raise ValueError("max_records, max_bytes and max_pending must be positive")
        if isinstance(path, _Default):
            try:
                path = default_path()
            except OSError as exc:
                raise StoreError(
                    f"cannot create the app-data folder {exc.filename or app_data_dir(create=False)}: "
                    f"{exc.strerror or exc}"
                ) from None
        self.path: Path | None = None if path is None or str(path) == _MEMORY else Path(path)
        self.max_records = max_records
        self.max_bytes = max_bytes
        self._lock_fd: int | None = None
        self._file_key: tuple[int, int] | None = None
        self._read_lock = threading.Lock()
        self._closed = False
        if self.path is None:
            conn = sqlite3.connect(_MEMORY, check_same_thread=False, isolation_level=None)
            schema.prepare(conn, "memory")
            self._reader = conn
            write_lock: threading.Lock | contextlib.nullcontext[None] = self._read_lock
            state = schema.read_state(conn)
            vacuum = False
        else:
            conn, self._reader, state, vacuum = self._open_file(self.path)
            write_lock = contextlib.nullcontext()
        self._writer = Writer(
            conn,
            write_lock,
            Caps(max_records, max_bytes),
            policy,
            state,
            vacuum=vacuum,
            checkpoint=self.path is not None,
        )
        if on_error or on_pruned or on_commit:
            self.add_observer(_Callbacks(on_error, on_pruned, on_commit))

    # -- opening ------------------------------------------------------------------------

    def _open_file(
        self, path: Path
    ) -> tuple[sqlite3.Connection, sqlite3.Connection, tuple[int, int, int, int], bool]:
        where = str(path)
        with _open_files_lock:
            with contextlib.suppress(OSError):
                st = os.stat(where)
                if (st.st_dev, st.st_ino) in _open_files:
                    raise StoreError(f"history file {where} is already open in this process")
            self._file_key = self._open_locked(where)
            _open_files.add(self._file_key)
        try:
            return self._open_sqlite(where)
        except BaseException:
            self._release_lock()
            raise

    def _open_locked(self, where: str) -> tuple[int, int]:
        """Create/open the file 0600 and take the advisory writer lock on it."""
        try:
            # Create (or open) the file ourselves so a new history is 0600 from its
            # first byte; sqlite would create it with the umask's mode.
            fd = os.open(where, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError as exc:
            raise StoreError(f"cannot open history file {where}: {exc.strerror}") from None
        if fcntl is None:  # pragma: no cover - Windows
            st = os.fstat(fd)
            os.close(fd)
            return st.st_dev, st.st_ino
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise StoreError(f"history file {where} is in use by another Request Inspector") from None
        self._lock_fd = fd
        st = os.fstat(fd)
        return st.st_dev, st.st_ino

    def _open_sqlite(
        self, where: str
    ) -> tuple[sqlite3.Connection, sqlite3.Connection, tuple[int, int, int, int], bool]:
        writer = reader = None
        try:
            writer = _connect(where)
            schema.configure(writer)
            schema.prepare(writer, where)
            vacuum = schema.convert_to_incremental_vacuum(writer)
            state = schema.read_state(writer)
            reader = _connect(where)
            reader.execute("PRAGMA query_only = ON")
            reader.execute("SELECT count(*) FROM meta").fetchone()
        except (sqlite3.Error, schema.SchemaError) as exc:
            for conn in (reader, writer):
                if conn is not None:
                    conn.close()
            if isinstance(exc, schema.SchemaError):
                raise StoreError(str(exc)) from None
            message = f"cannot use history file {where}: {_one_line(exc)}"
            if schema.is_damage(exc) and _has_sqlite_header(where):
                raise StoreDamaged(message) from None
            raise StoreError(message) from None
        return writer, reader, state, vacuum

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
        """Queue a finished record for writing; never blocks, never raises."""
        self._writer.add(record)

    def add_pending(self, record: CaptureRecord) -> None:
        """Queue a record that is not finished yet: stored with its ``pending`` flag
        until :meth:`add` brings the finished one (same id). Never blocks."""
        self._writer.add_pending(record)

    def add_many(self, records: Iterable[CaptureRecord]) -> None:
        """Queue several finished records (an import, say)."""
        self._writer.add_many(records)

    def hold_back(self) -> None:
        """Wait while records older than the policy's ``max_lag`` are uncommitted
        (backpressure: call it from the thread that adds, between batches)."""
        self._writer.hold_back()

    def add_observer(self, observer: StoreObserver) -> None:
        """Report commits, pruning and problems to ``observer`` (on the writer thread)."""
        self._writer.observers = (*self._writer.observers, observer)

    def remove_observer(self, observer: StoreObserver) -> None:
        self._writer.observers = tuple(o for o in self._writer.observers if o is not observer)

    @property
    def policy(self) -> BatchPolicy:
        return self._writer.policy

    @property
    def pending(self) -> int:
        """Records queued or kept for retry, not yet committed."""
        return self._writer.pending

    @property
    def failing(self) -> bool:
        """True while writes fail (since the last failed write, until one works)."""
        return self._writer.failing

    @property
    def pruned_total(self) -> int:
        """Rows deleted by the caps since opening."""
        return self._writer.pruned_total

    @property
    def dropped_total(self) -> int:
        """Records lost since opening: over the backlog's cap while writes failed,
        added after :meth:`close`, or still unwritten when it closed."""
        return self._writer.dropped_total

    @property
    def committed_total(self) -> int:
        """Records committed since opening."""
        return self._writer.committed_total

    @property
    def committed_max_id(self) -> int:
        """Highest id committed (or stored when opened); a plain attribute read, no
        query, safe from any thread. Not lowered by pruning or :meth:`clear`."""
        return self._writer.max_id

    @property
    def last_id(self) -> int:
        """The highest id this file ever held (pruned or cleared ones too): new ids
        start after it, so none is reused."""
        return self._writer.last_id

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything queued before this call is committed.

        Returns:
            True when it was committed; False on timeout, after close, or when the
            write failed (the records are kept for retry, see ``on_error``).
        """
        if self._closed:
            return not self.pending
        barrier = self._writer.barrier()
        return barrier.done.wait(timeout) and barrier.ok

    def clear(self) -> None:
        """Delete every stored and queued record and shrink the file (VACUUM).

        Raises:
            StoreError: the store is closed, or the deletion failed.
        """
        if self._closed:
            raise StoreError("the history is closed")
        barrier = self._writer.barrier(clear=True)
        barrier.done.wait()
        if not barrier.ok:
            raise StoreError("clearing the history failed")

    def close(self) -> None:
        """Commit what is queued, stop the writer and close the file. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._writer.close()
        with self._read_lock:
            if self._reader is not self._writer.connection:
                self._reader.close()
            self._writer.connection.close()
        self._release_lock()

    def __enter__(self) -> CaptureStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading (any thread; committed state only) -------------------------------------

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._read_lock:
            if self._closed:
                raise StoreError("the history is closed")
            return self._reader.execute(sql, params).fetchall()


def _connect(where: str) -> sqlite3.Connection:
    return sqlite3.connect(
        where,
        timeout=schema.BUSY_TIMEOUT_MS / 1000,
        check_same_thread=False,
        isolation_level=None,
    )


def _has_sqlite_header(where: str) -> bool:
    try:
        with open(where, "rb") as handle:
            return handle.read(len(schema.MAGIC)) == schema.MAGIC
    except OSError:
        return False
