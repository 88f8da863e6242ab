"""Edge cases of the history's caps (inspector.store.pruning), on a bare schema."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from inspector.store import schema
from inspector.store.pruning import Caps, give_back_space, prune, replaced


@pytest.fixture(name="conn")
def _conn() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
    schema.prepare(conn, ":memory:")
    yield conn
    conn.close()


def _fill(conn: sqlite3.Connection, sizes: list[int]) -> None:
    for row_id, size in enumerate(sizes, start=1):
        conn.execute(
            "INSERT INTO requests (id, received_at, client, server, method, target, path,"
            " http_version, header_count, body_size, body_truncated, size)"
            " VALUES (?, 0, 'c', 's', 'GET', '/', '/', 'HTTP/1.1', 0, 0, 0, ?)",
            (row_id, size),
        )
        conn.execute(
            "INSERT INTO payloads (id, body, raw_head) VALUES (?, ?, x'')",
            (row_id, b"x" * size),
        )


def _ids(conn: sqlite3.Connection) -> list[int]:
    return [row[0] for row in conn.execute("SELECT id FROM requests ORDER BY id")]


@pytest.mark.parametrize(
    ("sizes", "caps", "kept"),
    [
        ([10, 10, 10], Caps(3, 30), [1, 2, 3]),  # exactly at both caps
        ([10, 10, 10], Caps(2, 30), [2, 3]),  # one row too many
        ([10, 10, 10], Caps(3, 29), [2, 3]),  # one byte too many
        ([10, 10, 10], Caps(3, 20), [2, 3]),  # the first row frees exactly the excess
        ([10, 10, 10], Caps(3, 19), [3]),  # one byte more than the first row frees
        ([10, 10, 10, 10, 10], Caps(2, 45), [4, 5]),  # rows cut further than bytes
        ([10, 10, 10, 10, 10], Caps(4, 15), [5]),  # bytes cut further than rows
    ],
)
def test_prune_keeps_the_newest_rows_within_both_caps(
    conn: sqlite3.Connection, sizes: list[int], caps: Caps, kept: list[int]
) -> None:
    _fill(conn, sizes)
    count, nbytes, pruned = prune(conn, caps, len(sizes), sum(sizes))
    assert _ids(conn) == kept
    assert [r[0] for r in conn.execute("SELECT id FROM payloads ORDER BY id")] == kept
    assert (count, nbytes, pruned) == (len(kept), 10 * len(kept), len(sizes) - len(kept))


def test_prune_given_totals_the_table_does_not_hold_deletes_nothing(
    conn: sqlite3.Connection,
) -> None:
    _fill(conn, [5])
    assert prune(conn, Caps(10, 10), 1, 100) == (1, 100, 0)
    assert _ids(conn) == [1]


@pytest.mark.parametrize("stored", [2, 501, 1001])
def test_replaced_subtracts_each_stored_row_once(conn: sqlite3.Connection, stored: int) -> None:
    _fill(conn, [3] * stored)
    ids = [*range(1, stored + 1), 1, stored + 5]  # a repeat and one not stored
    assert replaced(conn, ids, 2000, 9000) == (2000 - stored, 9000 - 3 * stored)


def test_give_back_space_returns_free_pages_from_the_minimum_up(
    conn: sqlite3.Connection,
) -> None:
    _fill(conn, [20_000])
    conn.execute("DELETE FROM payloads")
    free = conn.execute("PRAGMA freelist_count").fetchone()[0]
    assert free > 2
    give_back_space(conn, free + 1, free)
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == free
    give_back_space(conn, free, 2)
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == free - 2
    give_back_space(conn, free - 2, free)
    assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
