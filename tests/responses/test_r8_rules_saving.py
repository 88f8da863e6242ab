"""How a rules file is saved: through a hidden temporary file beside it, synced, renamed over it,
then the folder synced (so the rename survives a power cut); a save removes no file, and one that
fails, however it fails, is one RulesFileError line that leaves the old file as it was and no
temporary file behind."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from inspector.responses import Rule, RuleSet, RulesFileError, dumps, load_rules, save_rules

OLD = RuleSet(rules=(Rule(name="old"),))
NEW = RuleSet(rules=(Rule(name="new", body="saved"),))


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_the_file_and_then_its_folder_are_synced_around_the_rename(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "new" / "folder"  # made as needed
    target = folder / "rules.json"
    events: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace
    target_text = dumps(NEW).encode("utf-8")

    def fsync(fd: int) -> None:
        info = os.fstat(fd)
        kind = "folder" if stat.S_ISDIR(info.st_mode) else f"file of {info.st_size} bytes"
        events.append(("fsync", kind))
        real_fsync(fd)

    def replace(source: str, destination: Path) -> None:
        events.append(("replace", Path(source).name))
        assert Path(source).parent == folder and Path(source).read_bytes() == target_text
        real_replace(source, destination)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    save_rules(target, NEW)
    monkeypatch.undo()
    assert [kind for kind, _ in events] == ["fsync", "replace", "fsync"]
    # every byte written out of Python's buffer before the sync
    assert [what for _, what in events][::2] == [f"file of {len(target_text)} bytes", "folder"]
    temporary = events[1][1]
    # hidden and named after the file it becomes: a save cut short leaves nothing to wonder at
    assert temporary.startswith(".rules.json.") and temporary.endswith(".tmp")
    assert _names(folder) == ["rules.json"]
    assert load_rules(target).rules == NEW.rules


def test_a_folder_that_cannot_be_synced_does_not_fail_the_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Some file systems refuse to sync a folder (EINVAL); the file itself was synced."""
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    save_rules(tmp_path / "rules.json", NEW)
    monkeypatch.undo()
    assert load_rules(tmp_path / "rules.json").rules == NEW.rules
    assert _names(tmp_path) == ["rules.json"]


def test_a_save_removes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "rules.json"
    save_rules(target, OLD)
    (tmp_path / "other.json").write_text("{}", encoding="utf-8")
    removed: list[str] = []
    real_unlink = os.unlink

    def unlink(path: str, *args: object, **kwargs: object) -> None:
        removed.append(os.fspath(path))
        real_unlink(path)

    monkeypatch.setattr(os, "unlink", unlink)
    monkeypatch.chdir(tmp_path)
    save_rules("rules.json", NEW)
    with pytest.raises(RulesFileError, match=r"other\.json/rules\.json: cannot write"):
        save_rules("other.json/rules.json", NEW)  # its folder cannot be made: a file is in the way
    monkeypatch.undo()
    assert removed == []
    assert _names(tmp_path) == ["other.json", "rules.json"]
    assert load_rules(target).rules == NEW.rules


def _vanish_then_replace(real: Callable[[str, Path], None]) -> Callable[[str, Path], None]:
    def replace(source: str, destination: Path) -> None:
        os.remove(source)  # something else cleaned the folder up meanwhile
        real(source, destination)

    return replace


def _refuse(number: int) -> Callable[..., None]:
    def refuse(*args: object) -> None:
        raise OSError(number, os.strerror(number))

    return refuse


@pytest.mark.parametrize(
    ("step", "failing", "why"),
    [
        ("replace", lambda real: _refuse(errno.EACCES), os.strerror(errno.EACCES)),
        ("replace", _vanish_then_replace, os.strerror(errno.ENOENT)),
        ("fsync", lambda real: _refuse(errno.EIO), os.strerror(errno.EIO)),
    ],
)
def test_a_failed_save_is_one_line_and_leaves_the_old_file_alone(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    step: str,
    failing: Callable[[Callable[..., None]], Callable[..., None]],
    why: str,
) -> None:
    target = tmp_path / "rules.json"
    save_rules(target, OLD)
    before = target.read_bytes()
    monkeypatch.setattr(os, step, failing(getattr(os, step)))
    with pytest.raises(RulesFileError) as caught:
        save_rules(target, NEW)
    monkeypatch.undo()
    assert str(caught.value) == f"{target}: cannot write ({why})"
    assert target.read_bytes() == before
    assert _names(tmp_path) == ["rules.json"]
