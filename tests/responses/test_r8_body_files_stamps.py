"""When kept body-file bytes are reused and when the file is read again: any one of its
modification time, size and inode changing is a new file (each changed alone here, the other two
forced back); the size limits at their exact edges (a file of exactly the largest size is sent
whole, one byte more is refused; one file of exactly the cap on kept bytes is kept, a larger one
is sent but not kept and takes its old bytes out of the count)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from inspector.responses import files as body_files
from inspector.responses.files import BodyFileError, BodyFiles


def _same_size_new_inode(path: Path) -> None:
    before = path.stat()
    fresh = path.with_name("fresh")
    fresh.write_bytes(b"B" * before.st_size)
    os.utime(fresh, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(fresh, path)


def _same_size_and_inode_new_time(path: Path) -> None:
    before = path.stat()
    with path.open("r+b") as file:
        file.write(b"B" * before.st_size)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))


def _same_time_and_inode_new_size(path: Path) -> None:
    before = path.stat()
    with path.open("r+b") as file:
        file.write(b"B" * (before.st_size + 3))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.mark.parametrize(
    "change", [_same_size_new_inode, _same_size_and_inode_new_time, _same_time_and_inode_new_size]
)
def test_a_file_changed_in_any_one_way_is_read_again(tmp_path: Path, change: Callable[[Path], None]) -> None:
    path = tmp_path / "body.bin"
    path.write_bytes(b"A" * 8)
    files = BodyFiles()
    first = files.read(path)
    assert files.read(path) is first  # unchanged: the kept bytes
    change(path)
    again = files.read(path)
    assert again == path.read_bytes() and again.startswith(b"B" * 8)
    assert files.kept_bytes == len(again)
    assert files.read(path) is again


def test_a_file_of_exactly_the_largest_size_is_sent_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(body_files, "MAX_BODY_FILE", 10)
    path = tmp_path / "ten.bin"
    path.write_bytes(b"0123456789")
    files = BodyFiles()
    assert files.read(path) == b"0123456789"
    assert files.kept_bytes == 10
    path.write_bytes(b"0123456789A")
    with pytest.raises(BodyFileError) as caught:
        files.read(path)
    assert str(caught.value) == f"{path} is 11 B, larger than the 10 B a body file may be"


def test_one_file_of_exactly_the_cap_is_kept_and_a_larger_one_is_not(tmp_path: Path) -> None:
    files = BodyFiles(max_kept=10)
    small, path = tmp_path / "small", tmp_path / "f"
    small.write_bytes(b"s" * 4)
    path.write_bytes(b"x" * 10)
    files.read(small)
    kept = files.read(path)
    assert files.kept_bytes == 10  # the small one made room
    assert files.read(path) is kept
    path.write_bytes(b"y" * 11)
    assert files.read(path) == b"y" * 11
    assert files.kept_bytes == 0  # sent, not kept; its old bytes left the count too
    again = files.read(path)
    assert again == b"y" * 11 and again is not files.read(path)
    files.read(small)
    assert files.kept_bytes == 4
