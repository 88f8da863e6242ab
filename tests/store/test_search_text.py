"""Filter text that cannot be SQLite text (a lone surrogate, e.g. pasted) still searches."""

from __future__ import annotations

from pathlib import Path

from inspector.store import CaptureStore
from tests.records import make_record


def test_search_any_takes_text_with_a_lone_surrogate(tmp_path: Path) -> None:
    with CaptureStore(tmp_path / "h.sqlite3") as store:
        assert store.search_any(["\udcff", "x\ud800y"]) == []


def test_search_takes_text_with_a_lone_surrogate(tmp_path: Path) -> None:
    # the body holds the surrogatepass UTF-8 of "\udcff", as a decoded request stores it
    with CaptureStore(tmp_path / "h.sqlite3") as store:
        store.add(make_record(id=1, body=b"a\xed\xb3\xbfb", headers=()))
        store.add(make_record(id=2, body=b"ab", headers=()))
        assert store.flush(10)
        assert store.search("a\udcffb") == [1]
        assert store.search("x\ud800y") == []
