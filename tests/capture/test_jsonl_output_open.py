"""JsonlOutput.open: a file created private and appended to, or stdout for ``-`` (unbuffered,
never moved, truncated or closed: it is not the output's own)."""

from __future__ import annotations

import gc
import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.capture import JsonlOutput
from tests.capture.test_jsonl_output import lines


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_a_new_file_is_readable_by_its_owner_only(tmp_path: Path, umask_022: None) -> None:
    path = tmp_path / "r.jsonl"
    out = JsonlOutput.open(str(path))
    out.write_lines(lines(1))
    out.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [json.loads(line)["id"] for line in path.read_bytes().splitlines()] == [1]


def test_without_o_cloexec_the_file_still_opens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where ``os`` has no O_CLOEXEC (Windows), open works the same."""
    monkeypatch.delattr(os, "O_CLOEXEC", raising=False)
    path = tmp_path / "r.jsonl"
    path.write_bytes(b"".join(line + b"\n" for line in lines(2)))
    out = JsonlOutput.open(str(path))
    assert out.last_id == 2
    out.write_lines(lines(1, start=3))
    out.close()
    assert [json.loads(line)["id"] for line in path.read_bytes().splitlines()] == [1, 2, 3]


class ShellStdout:
    """``sys.stdout`` as far as ``open("-")`` looks: the descriptor the shell handed over."""

    def __init__(self, fd: int) -> None:
        self._fd = fd

    def fileno(self) -> int:
        return self._fd


def stdout_on(fd: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", ShellStdout(fd))


def test_dash_writes_to_stdout_at_once_and_leaves_it_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    read_end, write_end = os.pipe()
    try:
        os.set_blocking(read_end, False)
        stdout_on(write_end, monkeypatch)
        out = JsonlOutput.open("-")
        assert out.name == "stdout" and out.last_id == 0
        out.write_lines(lines(2))
        # unbuffered: the lines are in the pipe before the output closes
        assert os.read(read_end, 1 << 16) == b"".join(line + b"\n" for line in lines(2))
        out.close()
        del out
        gc.collect()
        os.write(write_end, b"still open\n")  # the shell's stdout is not closed
        assert os.read(read_end, 1 << 16) == b"still open\n"
        assert os.listdir(tmp_path) == []  # no file named "-"
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_closed_stdout_reader_is_said_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    read_end, write_end = os.pipe()
    try:
        stdout_on(write_end, monkeypatch)
        out = JsonlOutput.open("-")
        reports: list[str] = []
        out.report = reports.append
        os.close(read_end)
        out.write_lines(lines(1))
        out.close()
        assert reports == ["the JSONL reader closed stdout: no more JSONL lines are written"]
        assert out.after_reader_closed == 1 and out.dropped == 0
    finally:
        os.close(write_end)


def test_stdout_is_written_where_it_stands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stdout on a file (``1<>file``: at its start, nothing truncated) is not moved to
    the end: the output is not its own to seek, cut back or close."""
    path = tmp_path / "shared"
    path.write_bytes(b"." * 999 + b"\n")
    fd = os.open(path, os.O_WRONLY)
    try:
        stdout_on(fd, monkeypatch)
        out = JsonlOutput.open("-")
        out.write_lines(lines(1))
        out.close()
        os.write(fd, b"after")  # the shell's stdout goes on from there
    finally:
        os.close(fd)
    written = lines(1)[0] + b"\n"
    assert path.read_bytes() == written + b"after" + b"." * (999 - len(written) - 5) + b"\n"
