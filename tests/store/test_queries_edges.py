"""The read methods at their edges: inclusive id ranges, paging exactly at and past a
page, default arguments, LIKE escaping, text stored as bytes, errors naming their input."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.http.record import CaptureRecord
from inspector.store import CaptureStore, queries
from tests.records import make_record

#: rows of one page of search_fields (iter_records' page is _ITER_PAGE)
_FIELDS_PAGE = queries._ITER_PAGE * 4


def _small(id_: int, **overrides: object) -> CaptureRecord:
    fields: dict[str, object] = {
        "id": id_,
        "method": "GET",
        "target": f"/n{id_}",
        "path": f"/n{id_}",
        "query": (),
        "headers": (("Host", "h"),),
        "trailers": (),
        "body": b"",
        "body_size": 0,
        "raw_head": b"",
        "raw_body": None,
        "response": None,
        "notes": (),
    }
    fields.update(overrides)
    return make_record(**fields)


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaptureStore]:
    """One more row than a page of search_fields (and several pages of iter_records)."""
    path = tmp_path_factory.mktemp("many") / "h.sqlite3"
    with CaptureStore(path, batch_interval=0.02) as store:
        store.add_many(_small(i) for i in range(1, _FIELDS_PAGE + 2))
        assert store.flush(30)
        yield store


def _store_with(path: Path, records: list[CaptureRecord]) -> CaptureStore:
    store = CaptureStore(path, batch_interval=0.02)
    store.add_many(records)
    assert store.flush(10)
    return store


# -- id ranges --------------------------------------------------------------------------


def test_ids_between_is_inclusive_and_leaves_pending_out(tmp_path: Path) -> None:
    with _store_with(tmp_path / "h.sqlite3", [_small(i) for i in (2, 3, 5, 8, 9)]) as store:
        store.add_pending(_small(6))
        assert store.flush(10)
        assert store.ids_between(3, 8) == [3, 5, 8]
        assert store.ids_between(1, 100) == [2, 3, 5, 8, 9]
        assert store.ids_between(4, 4) == []
        assert store.ids_between(6, 6) == []  # stored, but not finished yet
        assert 6 in store.ids()


def test_summaries_between_is_inclusive(tmp_path: Path) -> None:
    with _store_with(tmp_path / "h.sqlite3", [_small(i) for i in (2, 3, 5, 8)]) as store:
        rows = store.summaries_between(3, 8)
        assert [row.id for row in rows] == [3, 5, 8]
        assert rows == [store.summary(i) for i in (3, 5, 8)]
        assert rows[1].target == "/n5"
        assert store.summaries_between(9, 20) == []


def test_summaries_defaults_start_at_the_first_row_and_take_a_hundred(
    many: CaptureStore,
) -> None:
    rows = many.summaries()
    assert [row.id for row in rows] == list(range(1, 101))


# -- paging -----------------------------------------------------------------------------


def test_iter_records_crosses_pages(many: CaptureStore) -> None:
    ids = [record.id for record in many.iter_records()]
    assert ids == list(range(1, _FIELDS_PAGE + 2))


@pytest.mark.parametrize("start", [1, 2, queries._ITER_PAGE, queries._ITER_PAGE + 1, _FIELDS_PAGE + 1])
def test_iter_records_from_a_start_id(many: CaptureStore, start: int) -> None:
    ids = [record.id for record in many.iter_records(start)]
    assert ids == list(range(start, _FIELDS_PAGE + 2))


@pytest.mark.parametrize("count", [queries._ITER_PAGE, queries._ITER_PAGE + 1])
def test_iter_records_at_the_page_boundary(tmp_path: Path, count: int) -> None:
    with _store_with(tmp_path / "h.sqlite3", [_small(i) for i in range(1, count + 1)]) as store:
        assert [record.id for record in store.iter_records()] == list(range(1, count + 1))
        assert [record.id for record in store.iter_records(count)] == [count]


def test_iter_records_reads_ids_below_one(tmp_path: Path) -> None:
    with _store_with(tmp_path / "h.sqlite3", [_small(i) for i in (-5, 0, 1)]) as store:
        assert [record.id for record in store.iter_records()] == [-5, 0, 1]
        assert [record.id for record in store.iter_records(0)] == [0, 1]


def test_search_fields_crosses_a_page(many: CaptureStore) -> None:
    rows = list(many.search_fields(1, _FIELDS_PAGE + 1, 10))
    assert [row[0] for row in rows] == list(range(1, _FIELDS_PAGE + 2))


@pytest.mark.parametrize(("first", "last"), [(2, 2), (2, 5), (_FIELDS_PAGE, _FIELDS_PAGE + 1)])
def test_search_fields_range_is_inclusive(many: CaptureStore, first: int, last: int) -> None:
    assert [row[0] for row in many.search_fields(first, last, 10)] == list(range(first, last + 1))


def test_search_fields_yields_what_the_filter_matches(tmp_path: Path) -> None:
    full = make_record(
        id=1,
        method="PUT",
        target="/t?a=b",
        path="/t",
        query=(("a", "b"),),
        headers=(("Host", "h"), ("X-Sur", "v\udcff")),
        trailers=(("T", "1"),),
        error="bad \udcfe",
        body=b"0123456789",
    )
    bare = _small(2, method="", target="*", path="", headers=(), error=None)
    with _store_with(tmp_path / "h.sqlite3", [full, bare]) as store:
        rows = list(store.search_fields(1, 2, 4))
    assert rows[0] == (
        1, "PUT", "/t?a=b", "/t", [["a", "b"]], (("Host", "h"), ("X-Sur", "v\udcff")),
        [["T", "1"]], "bad \udcfe", b"0123",
    )  # fmt: skip
    assert rows[1] == (2, "", "*", "", (), (), (), None, b"")
    assert [tuple(pair) for pair in rows[0][5]] == [("Host", "h"), ("X-Sur", "v\udcff")]


# -- search -----------------------------------------------------------------------------


def test_search_of_nothing_lists_ids_from_the_first(many: CaptureStore) -> None:
    assert many.search("", 3) == [1, 2, 3]
    assert many.search("") == list(range(1, 1001))
    assert many.search("GET") == list(range(1, 1001))


def test_search_escapes_backslash_percent_and_underscore(tmp_path: Path) -> None:
    targets = ["/a\\b", "/ab", "/a%b", "/axb", "/a_b", "/ayb"]
    records = [_small(i, target=t, path=t) for i, t in enumerate(targets, 1)]
    with _store_with(tmp_path / "h.sqlite3", records) as store:
        for i, text in enumerate(["a\\b", "a%b", "a_b"]):
            expected = [2 * i + 1]
            assert store.search(text) == expected, text
            assert store.search_any([text]) == expected, text


def test_search_any_keeps_every_pattern(tmp_path: Path) -> None:
    records = [
        _small(1, method="PATCH"),
        _small(2, target="/only-target", path="/only-target"),
        _small(3, headers=(("X-Only", "header"),)),
        _small(4, body=b"in the body"),
    ]
    with _store_with(tmp_path / "h.sqlite3", records) as store:
        assert store.search_any(["patch", "zzz"]) == [1]
        assert store.search_any(["zzz", "PATCH"]) == [1]
        assert store.search_any(["zzz", "ONLY-TARGET"]) == [2]
        assert store.search_any(["zzz", "x-only"]) == [3]
        assert store.search_any(["x-only", "patch", "zzz"]) == [1, 3]
        assert store.search_any(["zzz", "the body"]) == [4]


# -- sort keys and errors ---------------------------------------------------------------


def test_sort_keys_read_text_stored_as_bytes(tmp_path: Path) -> None:
    odd = "x\udcff"
    record = _small(1, client=odd, server=odd, method=odd, path=odd, target=odd)
    with _store_with(tmp_path / "h.sqlite3", [record]) as store:
        for field in ("client", "server", "method", "path"):
            assert store.sort_keys(field) == {1: odd}, field
        with pytest.raises(ValueError, match="cannot sort by 'nope'"):
            store.sort_keys("nope")


def test_query_key_of_json_with_spaces(tmp_path: Path) -> None:
    """A query stored as JSON with spaces after commas (not what this version writes,
    but valid JSON) reads as name=value pairs too."""
    path = tmp_path / "h.sqlite3"
    with _store_with(path, [_small(1, query=(("a", "b"),)), _small(2, query=(("c", "d"),))]):
        pass
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("""UPDATE requests SET query = '[["a", "b"], ["c", "d"]]' WHERE id = 1""")
    conn.close()
    with CaptureStore(path) as store:
        assert store.sort_keys("query") == {1: "a=b & c=d", 2: "c=d"}


def test_missing_ids_raise_key_error_naming_the_id(tmp_path: Path) -> None:
    with _store_with(tmp_path / "h.sqlite3", [_small(1)]) as store:
        with pytest.raises(KeyError) as summary_error:
            store.summary(7)
        assert summary_error.value.args == (7,)
        with pytest.raises(KeyError) as get_error:
            store.get(8)
        assert get_error.value.args == (8,)
