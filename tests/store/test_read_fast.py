"""CaptureStore.search_any and sort_keys: one statement each, same answers as the
per-text search and the table's own cell values."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.http.record import CaptureRecord
from inspector.store import CaptureStore
from inspector.store.queries import SORT_FIELDS, _query_text
from tests.records import make_record, make_response


def _records() -> list[CaptureRecord]:
    bodies = [b"", b"Needle in BODY", b"needle lower", b"\xc3\x89t\xc3\xa9 caf\xc3\xa9", b"\x00POST\x00"]
    queries = [
        (),
        (("a", "b"),),
        (("a", "b"), ("c", "")),
        (('q"uote', "back\\slash"), ("", "=")),
        (("x", "\udcff lone surrogate"),),
        (("ctl", "\x00\x01"), ("sep", '"],["')),
        (("é", "€"),),
    ]
    records = []
    for i in range(1, 61):
        records.append(
            make_record(
                id=i,
                received_at=1_700_000_000.0 + (i * 7919) % 61,
                client=f"10.0.0.{i % 5}:{4000 + i}",
                method=("GET", "POST", "PUT", "M-SEARCH", "")[i % 5],
                target=f"/p{i % 4}?n={i}" if i % 9 else "*",
                path=f"/p{i % 4}" if i % 9 else "",
                query=queries[i % len(queries)],
                headers=(("Host", "h"),) * (i % 4) + ((("X-Tag", "NeedleHeader"),) if i % 11 == 0 else ()),
                body=bodies[i % len(bodies)],
                body_size=len(bodies[i % len(bodies)]),
                response=None
                if i % 6 == 0
                else make_response(status=(200, 404, 500)[i % 3], duration_ms=i % 4 / 3),
            )
        )
    return records


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[tuple[CaptureStore, list[CaptureRecord]]]:
    records = _records()
    with CaptureStore(tmp_path / "h.sqlite3", batch_interval=0.02) as store:
        store.add_many(records)
        assert store.flush(10)
        yield store, records


def _expected_key(record: CaptureRecord, field: str) -> object:
    resp = record.response
    return {
        "id": record.id,
        "received_at": record.received_at,
        "client": record.client,
        "server": record.server,
        "method": record.method,
        "path": record.path or record.target,
        "query": _query_text(record.query),
        "header_count": len(record.headers),
        "body_size": record.body_size,
        "status": -1 if resp is None else resp.status,
        "duration_ms": -1.0 if resp is None or resp.duration_ms is None else resp.duration_ms,
    }[field]


@pytest.mark.parametrize("field", sorted(SORT_FIELDS))
def test_sort_keys_match_the_records(filled: tuple[CaptureStore, list[CaptureRecord]], field: str) -> None:
    store, records = filled
    keys = store.sort_keys(field)
    assert keys == {record.id: _expected_key(record, field) for record in records}


def test_sort_keys_unknown_field(filled: tuple[CaptureStore, list[CaptureRecord]]) -> None:
    with pytest.raises(ValueError):
        filled[0].sort_keys("body; DROP TABLE requests")


@pytest.mark.parametrize(
    "text",
    ["needle", "NEEDLE", "Needle", "needleheader", "POST", "post", "été", "ÉTÉ", "/p1", "%", "_", "nothing"],
)
def test_search_any_is_the_union_of_searches(
    filled: tuple[CaptureStore, list[CaptureRecord]], text: str
) -> None:
    store, _records = filled
    folded = text.casefold()
    expected = sorted(set(store.search(text, 1000)) | set(store.search(folded, 1000)))
    assert store.search_any((text, folded)) == expected
    assert store.search_any((text, folded), 2) == expected[:2]


def test_search_any_edge_cases(filled: tuple[CaptureStore, list[CaptureRecord]]) -> None:
    store, _records = filled
    assert store.search_any(()) == []
    assert store.search_any(("",)) == []
    assert store.search_any(("needle",)) == store.search("needle", 1000)


def test_sort_keys_of_a_pruned_store_cover_what_is_left(tmp_path: Path) -> None:
    with CaptureStore(tmp_path / "p.sqlite3", max_records=3, batch_interval=0.02) as store:
        store.add_many([dataclasses.replace(make_record(), id=i) for i in range(1, 6)])
        assert store.flush(10)
        assert sorted(store.sort_keys("id")) == [3, 4, 5]
