"""How many bytes of body files are kept (a changed file replaces its old bytes; the cap is
reached, not passed), and what a read says when the file changes under it or cannot be
opened after its stat (paths that answer stat and open as a file that changed would)."""

from __future__ import annotations

import os
import types
from pathlib import Path
from typing import Any

import pytest

from inspector.responses.files import MAX_BODY_FILE, BodyFileError, BodyFiles
from inspector.text import human_size

_PathType: Any = type(Path())


def _write(path: Path, size: int, fill: bytes = b"x") -> Path:
    path.write_bytes(fill * size)
    return path


def test_a_changed_file_replaces_its_old_bytes(tmp_path: Path) -> None:
    files = BodyFiles(max_kept=1000)
    path = _write(tmp_path / "a", 10)
    assert files.read(path) == b"x" * 10 and files.kept_bytes == 10
    _write(path, 20, b"y")
    assert files.read(path) == b"y" * 20
    assert files.kept_bytes == 20
    _write(path, 5, b"z")
    assert files.read(path) == b"z" * 5
    assert files.kept_bytes == 5


def test_files_up_to_the_cap_are_all_kept(tmp_path: Path) -> None:
    files = BodyFiles(max_kept=100)
    first, second = _write(tmp_path / "a", 50), _write(tmp_path / "b", 50)
    kept = files.read(first)
    files.read(second)
    assert files.kept_bytes == 100
    assert files.read(first) is kept  # still kept: the same object
    third = _write(tmp_path / "c", 1)
    files.read(third)
    assert files.kept_bytes == 51  # the least recently read one went
    assert files.read(first) is kept


class _Shrunk(_PathType):  # type: ignore[misc]
    """A file whose stat says it is smaller than what is then read (it grew in between)."""

    size = 0

    def stat(self, *, follow_symlinks: bool = True) -> Any:
        real = os.stat(self)
        return types.SimpleNamespace(
            st_mode=real.st_mode, st_size=self.size, st_mtime_ns=real.st_mtime_ns, st_ino=real.st_ino
        )


def test_a_file_that_grew_past_the_limit_while_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big"
    with path.open("wb") as file:
        file.truncate(MAX_BODY_FILE + 1)  # sparse: no 32 MiB written
    shrunk = _Shrunk(path)
    shrunk.size = 10
    with pytest.raises(BodyFileError) as caught:
        BodyFiles().read(shrunk)
    assert str(caught.value) == f"{path} is larger than the {human_size(MAX_BODY_FILE)} a body file may be"


def test_a_file_changed_while_read_is_sent_as_read_and_read_again_next_time(tmp_path: Path) -> None:
    path = _write(tmp_path / "f", 10)
    shrunk = _Shrunk(path)
    shrunk.size = 4
    files = BodyFiles()
    first = files.read(shrunk)
    assert first == b"x" * 10
    again = files.read(shrunk)
    assert again == first and again is not first  # read afresh, not the kept copy


class _Unreadable(_PathType):  # type: ignore[misc]
    """A file that can be stat'ed but not opened (its permissions changed in between)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")


def test_a_file_that_cannot_be_opened_says_why(tmp_path: Path) -> None:
    path = _write(tmp_path / "f", 3)
    with pytest.raises(BodyFileError) as caught:
        BodyFiles().read(_Unreadable(path))
    assert str(caught.value) == f"cannot read {path}: Permission denied"
    path.unlink()
    with pytest.raises(BodyFileError) as missing:
        BodyFiles().read(path)
    assert str(missing.value) == f"no such file: {path}"


class _ReadMeanwhile(_PathType):  # type: ignore[misc]
    """A file another reader (the warming thread, say) reads and keeps while this read is
    between its stat and its open."""

    files: BodyFiles
    other: bytes | None = None

    def open(self, *args: Any, **kwargs: Any) -> Any:
        if self.other is None:
            self.other = b""  # the nested read opens it too: once is enough
            self.other = self.files.read(Path(self))
        return super().open(*args, **kwargs)


def test_readers_of_one_unchanged_file_at_once_all_get_the_bytes_kept_first(tmp_path: Path) -> None:
    path = _write(tmp_path / "f", 10)
    files = BodyFiles()
    racing = _ReadMeanwhile(path)
    racing.files = files
    first = files.read(racing)
    assert racing.other == b"x" * 10
    assert first is racing.other  # the bytes the other reader kept, not a second copy
    assert files.read(path) is first and files.kept_bytes == 10
