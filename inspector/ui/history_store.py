"""Opening the history store for the window, and carrying its writer-thread
reports (write failures, pruning) to the GUI thread.

The store calls ``on_error``/``on_pruned`` on its writer thread, which is not a
Qt thread. Rather than emit Qt signals from there, :class:`StoreEvents` only
appends to a ``collections.deque`` (atomic under the GIL, never blocks the
writer) and the window drains it from a GUI timer (:data:`POLL_INTERVAL_MS`).
"""

from __future__ import annotations

from argparse import Namespace
from collections import deque
from dataclasses import dataclass
from typing import Final

from inspector.store import CaptureStore
from inspector.store.opening import open_history as open_store_for

#: how often the window looks for store reports
POLL_INTERVAL_MS: Final = 250


@dataclass(frozen=True, slots=True)
class StoreReport:
    """One report from the writer thread: an error line, or a number of rows pruned."""

    error: str | None = None
    pruned: int = 0


class StoreEvents:
    """Thread-safe mailbox for the store's callbacks (pass its methods to CaptureStore)."""

    def __init__(self) -> None:
        self._queue: deque[StoreReport] = deque()

    def on_error(self, message: str) -> None:
        """The store's ``on_error`` (writer thread): never blocks, never raises."""
        self._queue.append(StoreReport(error=message))

    def on_pruned(self, count: int) -> None:
        """The store's ``on_pruned`` (writer thread)."""
        self._queue.append(StoreReport(pruned=count))

    def drain(self) -> list[StoreReport]:
        """Everything reported since the last call (GUI thread)."""
        reports = []
        while self._queue:
            reports.append(self._queue.popleft())
        return reports


def open_history(args: Namespace, events: StoreEvents) -> tuple[CaptureStore, str | None]:
    """The store ``--db PATH`` / ``--no-db`` / ``--history-limit N`` ask for.

    Returns:
        The store and, when the file could not be used and history is kept in
        memory instead, a one-line message for the window (else None).
    """
    # the command line's names; a Namespace from elsewhere may lack some
    db: str | None = getattr(args, "db", None)
    no_db = bool(getattr(args, "no_db", False))
    limit: int | None = getattr(args, "history_limit", None)
    store, problem = open_store_for(
        db,
        no_db=no_db,
        max_records=limit,
        on_error=events.on_error,
        on_pruned=events.on_pruned,
    )
    if problem:
        problem = f"{problem}. History is kept in memory only until you quit."
    return store, problem


def pruned_note(store: CaptureStore, pruned_total: int) -> str:
    """The status-bar note after the caps deleted old rows."""
    return (
        f"history capped at {store.max_records:,} requests: {pruned_total:,} oldest pruned"
    )
