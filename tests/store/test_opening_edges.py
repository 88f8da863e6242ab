"""Opening the history: the moved-aside file's name, the callbacks handed through, the
app-data file moved aside, and the reason given when a damaged file cannot be replaced."""

from __future__ import annotations

import errno
import time
from pathlib import Path

import pytest

from inspector.store import CaptureStore, StoreDamaged, opening
from inspector.store.opening import move_aside, open_history
from tests.records import make_record
from tests.store.test_failures import fill_disk
from tests.store.test_opening import damage, filled

_FIXED = time.struct_time((2026, 1, 2, 3, 4, 5, 4, 2, 0))


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """time.strftime as at 2026-01-02 03:04:05 (every name below has one stamp)."""
    real = time.strftime

    def strftime(fmt: str, when: time.struct_time = _FIXED) -> str:
        return real(fmt, when)

    monkeypatch.setattr(opening.time, "strftime", strftime)


@pytest.mark.usefixtures("fixed_clock")
def test_move_aside_names_carry_the_time_and_then_a_number(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    names = []
    for i in range(3):
        path.write_bytes(b"db%d" % i)
        names.append(move_aside(path).name)
    stamp = "h.sqlite3.damaged-20260102-030405"
    assert names == [stamp, f"{stamp}-2", f"{stamp}-3"]
    assert (tmp_path / f"{stamp}-2").read_bytes() == b"db1"


def test_open_history_hands_on_error_and_on_pruned_through(tmp_path: Path) -> None:
    errors: list[str] = []
    pruned: list[int] = []
    store, notice = open_history(
        tmp_path / "h.sqlite3", max_records=2, on_error=errors.append, on_pruned=pruned.append
    )
    with store:
        assert notice is None
        store.add_many(make_record(id=i) for i in range(1, 6))
        assert store.flush(10)
        assert sum(pruned) == 3 and store.ids() == [4, 5]
        fill_disk(store)
        store.add_many(make_record(id=i, body=bytes(5000)) for i in range(6, 20))
        assert not store.flush(10)
        assert errors and errors[0].startswith("cannot write history")


def test_a_damaged_app_data_file_is_moved_aside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("REQUEST_INSPECTOR_HOME", str(home))
    home.mkdir()
    path = home / "history.sqlite3"
    filled(path)
    damage(path, keep=100)
    store, notice = open_history(None)
    with store:
        assert store.path == path and store.count() == 0
    assert notice is not None and "new history file" in notice
    assert len(list(home.glob("history.sqlite3.damaged-*"))) == 1


def _damaged(tmp_path: Path) -> tuple[Path, str]:
    """A damaged history file and what opening it says."""
    path = tmp_path / "history.sqlite3"
    filled(path)
    damage(path, keep=100)
    with pytest.raises(StoreDamaged) as failure:
        CaptureStore(path)
    return path, str(failure.value)


def test_a_damaged_file_that_cannot_be_moved_means_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, damaged = _damaged(tmp_path)

    def refuse(where: Path) -> Path:
        raise PermissionError(errno.EACCES, "Permission denied", str(where))

    monkeypatch.setattr(opening, "move_aside", refuse)
    store, notice = open_history(path)
    with store:
        assert store.path is None
        store.add(make_record(id=1))
        assert store.flush(5) and store.count() == 1
    assert notice == (
        f"{damaged}; it could not be replaced (Permission denied); "
        "history is kept in memory only until you quit"
    )


def test_a_damaged_file_whose_replacement_fails_means_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Something else puts a file that is not SQLite in place after the move."""
    path, damaged = _damaged(tmp_path)
    real = opening.move_aside

    def move_and_replace(where: Path) -> Path:
        aside = real(where)
        where.write_bytes(b"not a database, written meanwhile" * 200)
        return aside

    monkeypatch.setattr(opening, "move_aside", move_and_replace)
    store, notice = open_history(path)
    with store:
        assert store.path is None
    assert notice is not None
    assert notice == (
        f"{damaged}; it could not be replaced (cannot use history file {path}: file is not a "
        "database); history is kept in memory only until you quit"
    )
