"""The caps exactly at their edges: one row or one byte over, a byte cap met exactly
by the oldest rows, both caps at once, and ids written again (not counted twice)."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.http.record import CaptureRecord
from inspector.store import CaptureStore
from inspector.store.codec import record_rows
from tests.records import make_record

_BIG = 1 << 40


def _record(i: int, body_size: int = 100) -> CaptureRecord:
    return make_record(id=i, body=b"x" * body_size, raw_body=None, response=None)


#: bodies of different sizes, so a byte cap points at one row
_SIZES = {i: record_rows(_record(i, 100 * i))[1] for i in range(1, 6)}
_TOTAL = sum(_SIZES.values())


@pytest.mark.parametrize(
    ("max_records", "max_bytes", "kept"),
    [
        (5, _TOTAL, [1, 2, 3, 4, 5]),
        (4, _BIG, [2, 3, 4, 5]),
        (_BIG, _TOTAL - 1, [2, 3, 4, 5]),
        (_BIG, _TOTAL - _SIZES[1], [2, 3, 4, 5]),
        (_BIG, _TOTAL - _SIZES[1] - 1, [3, 4, 5]),
        (3, _TOTAL - 1, [3, 4, 5]),
        (4, _TOTAL - _SIZES[1] - _SIZES[2] - 1, [4, 5]),
    ],
    ids=["at-both", "one-row-over", "one-byte-over", "bytes-of-the-first", "a-byte-more",
         "rows-cut-further", "bytes-cut-further"],
)
def test_caps_at_their_edges(tmp_path: Path, max_records: int, max_bytes: int, kept: list[int]) -> None:
    with CaptureStore(tmp_path / "h.sqlite3", max_records=max_records, max_bytes=max_bytes) as store:
        store.add_many(_record(i, 100 * i) for i in range(1, 6))
        assert store.flush(10)
        assert store.ids() == kept
        assert store.pruned_total == 5 - len(kept)


@pytest.mark.parametrize(
    ("first", "again"),
    [(4, [2, 3]), (4, [4]), (502, list(range(1, 502)))],
    ids=["two", "the-highest", "over-500"],
)
@pytest.mark.parametrize("cap", ["records", "bytes"])
def test_ids_written_again_are_not_counted_twice(
    tmp_path: Path, first: int, again: list[int], cap: str
) -> None:
    size = record_rows(_record(1))[1]
    limits = {"max_records": first} if cap == "records" else {"max_bytes": first * size}
    with CaptureStore(tmp_path / "h.sqlite3", **limits) as store:  # type: ignore[arg-type]
        store.add_many(_record(i) for i in range(1, first + 1))
        assert store.flush(10)
        store.add_many(_record(i) for i in again)
        assert store.flush(10)
        assert store.count() == first and store.pruned_total == 0
        store.add(_record(first + 1))
        assert store.flush(10)
        assert store.ids() == list(range(2, first + 2)) and store.pruned_total == 1
