"""The history's caps: the oldest rows deleted past them, their space given back.

Run by the writer thread inside its write transaction (docs/ARCHITECTURE.md,
"Limits and deadlines"): after each batch at most ``max_records`` rows and
``max_bytes`` stored bytes remain (``size`` column: bodies, raw bytes and texts
of a row). Pages freed by pruning go back to the file system a bounded step at
a time (incremental vacuum), so the file stays near its cap.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Caps:
    """How much history is kept: the newest ``max_records`` rows, ``max_bytes`` stored."""

    max_records: int
    max_bytes: int


def replaced(conn: sqlite3.Connection, ids: list[int], count: int, nbytes: int) -> tuple[int, int]:
    """``(count, nbytes)`` less the rows with these ids that are stored (an insert
    replaces them: a pending row, or an id written twice)."""
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


def prune(conn: sqlite3.Connection, caps: Caps, count: int, nbytes: int) -> tuple[int, int, int]:
    """Delete the oldest rows beyond the caps; return the new count, bytes, pruned."""
    if count <= caps.max_records and nbytes <= caps.max_bytes:
        return count, nbytes, 0
    cutoff: int | None = None
    excess_rows = count - caps.max_records
    if excess_rows > 0:
        row = conn.execute(
            "SELECT id FROM requests ORDER BY id LIMIT 1 OFFSET ?", (excess_rows - 1,)
        ).fetchone()
        cutoff = row[0]
    excess_bytes = nbytes - caps.max_bytes
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


def give_back_space(conn: sqlite3.Connection, min_pages: int, step_pages: int) -> None:
    """Return free pages to the file system (at least ``min_pages`` free, at most
    ``step_pages`` at a time). Outside a transaction."""
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    if free >= min_pages:
        # one page per step, and sqlite3's execute() steps a statement without
        # result columns only once: executescript() runs it to the end
        conn.executescript(f"PRAGMA incremental_vacuum({min(free, step_pages)});")
