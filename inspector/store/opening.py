"""Opening the history the command line asks for, the same way in every mode.

``--db PATH`` a file, ``--no-db`` memory only, neither the app-data file;
``--history-limit N`` the newest N requests kept. The app always starts:

- a history file whose pages are damaged (its header says SQLite, reading it
  fails with "malformed" or "not a database") is moved aside to
  ``<name>.damaged-<time>`` (its WAL and shared-memory files with it) and a
  fresh file takes its place;
- a file that cannot be used otherwise (locked by another Request Inspector,
  read-only, not a SQLite file at all, a newer schema) and an app-data folder
  that cannot be created mean history in memory; the file is left as it is.

Either way the caller gets one line to show the user, once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from inspector.store.db import (
    DEFAULT_MAX_RECORDS,
    DEFAULT_PATH,
    CaptureStore,
    StoreDamaged,
    StoreError,
    StorePath,
    default_path,
)

#: the files SQLite keeps beside a WAL database
_SIDE_FILES = ("-wal", "-shm")


class OpenedHistory(NamedTuple):
    """The store, and a one-line notice for the user (None when all went as asked)."""

    store: CaptureStore
    notice: str | None


def open_history(
    db: str | os.PathLike[str] | None,
    *,
    no_db: bool = False,
    max_records: int | None = None,
    on_error: Callable[[str], None] | None = None,
    on_pruned: Callable[[int], None] | None = None,
) -> OpenedHistory:
    """The store asked for; a damaged file replaced by a fresh one, memory when the
    file cannot be used. ``notice`` says which, in one complete line."""
    limit = max_records or DEFAULT_MAX_RECORDS

    def open_store(path: StorePath) -> CaptureStore:
        return CaptureStore(path, max_records=limit, on_error=on_error, on_pruned=on_pruned)

    if no_db:
        return OpenedHistory(open_store(None), None)
    path = db if db else DEFAULT_PATH
    try:
        return OpenedHistory(open_store(path), None)
    except StoreDamaged as exc:
        damaged = exc
    except StoreError as exc:
        return OpenedHistory(open_store(None), f"{exc}; history is kept in memory only until you quit")
    where = Path(db) if db else default_path()
    try:
        aside = move_aside(where)
        store = open_store(path)
    except (OSError, StoreError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        return OpenedHistory(
            open_store(None),
            f"{damaged}; it could not be replaced ({reason}); "
            "history is kept in memory only until you quit",
        )
    return OpenedHistory(
        store, f"{damaged}; it was moved to {aside.name} and a new history file started"
    )


def move_aside(path: Path) -> Path:
    """Rename a damaged history file (and its side files) to ``<name>.damaged-<time>``.

    Returns:
        The new path of the file.

    Raises:
        OSError: it could not be renamed.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{number}")
    os.replace(path, aside)
    for suffix in _SIDE_FILES:
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, aside.with_name(aside.name + suffix))
    return aside
