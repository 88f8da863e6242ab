"""Filter text that cannot be SQLite text (a lone surrogate, e.g. pasted) still searches."""

from __future__ import annotations

from pathlib import Path

from inspector.store import CaptureStore


def test_search_any_takes_text_with_a_lone_surrogate(tmp_path: Path) -> None:
    with CaptureStore(tmp_path / "h.sqlite3") as store:
        assert store.search_any(["\udcff", "x\ud800y"]) == []
