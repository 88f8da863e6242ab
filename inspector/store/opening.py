"""Opening the history the command line asks for, the same way in every mode.

``--db PATH`` a file, ``--no-db`` memory only, neither the app-data file;
``--history-limit N`` the newest N requests kept. A file that cannot be used
(locked, corrupt, read-only, newer schema) does not stop anyone: history goes
to memory and the caller shows the one-line reason.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from inspector.store.db import DEFAULT_MAX_RECORDS, DEFAULT_PATH, CaptureStore, StoreError


def open_history(
    db: str | os.PathLike[str] | None,
    *,
    no_db: bool = False,
    max_records: int | None = None,
    on_error: Callable[[str], None] | None = None,
    on_pruned: Callable[[int], None] | None = None,
) -> tuple[CaptureStore, str | None]:
    """The store asked for, and a message when it fell back to memory.

    Returns:
        (store, None), or (an in-memory store, "why the file could not be used").
    """
    limit = max_records or DEFAULT_MAX_RECORDS

    def memory() -> CaptureStore:
        return CaptureStore(None, max_records=limit, on_error=on_error, on_pruned=on_pruned)

    if no_db:
        return memory(), None
    try:
        store = CaptureStore(
            db if db else DEFAULT_PATH, max_records=limit, on_error=on_error, on_pruned=on_pruned
        )
    except StoreError as exc:
        return memory(), str(exc)
    return store, None
