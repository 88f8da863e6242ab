"""Opening the history store for the window, and the status-bar note about pruning."""

from __future__ import annotations

from argparse import Namespace

from inspector.store import CaptureStore
from inspector.store.opening import open_history as open_store_for


def open_history(args: Namespace) -> tuple[CaptureStore, str | None]:
    """The store ``--db PATH`` / ``--no-db`` / ``--history-limit N`` ask for.

    Returns:
        The store and, when the file could not be used as it was (moved aside
        as damaged, or history kept in memory instead), one line for the window.
    """
    # the command line's names; a Namespace from elsewhere may lack some
    db: str | None = getattr(args, "db", None)
    no_db = bool(getattr(args, "no_db", False))
    limit: int | None = getattr(args, "history_limit", None)
    opened = open_store_for(db, no_db=no_db, max_records=limit)
    return opened.store, opened.notice


def pruned_note(store: CaptureStore, pruned_total: int) -> str:
    """The status-bar note after the caps deleted old rows."""
    return (
        f"history capped at {store.max_records:,} requests: {pruned_total:,} oldest pruned"
    )
