"""JsonlOutput on a disk that fills up: whole lines or none, said once, a capped backlog."""

from __future__ import annotations

import errno
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.capture import JsonlOutput


class FullDisk(io.FileIO):
    """A real file that fails with ENOSPC once ``room`` bytes are used up (a write
    that crosses the limit writes what fits, as a file system does)."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path), "ab")
        self.room: int | None = None

    def write(self, data: bytes | memoryview, /) -> int:  # type: ignore[override]
        if self.room is not None:
            if self.room <= 0:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            data = bytes(data)[: self.room]
            self.room -= len(data)
        return super().write(data)


def lines(n: int, start: int = 1, size: int = 40) -> list[bytes]:
    return [json.dumps({"id": i, "pad": "x" * size}).encode() for i in range(start, start + n)]


def read_ids(path: Path) -> list[int]:
    data = path.read_bytes()
    assert data == b"" or data.endswith(b"\n"), "a torn line was left in the file"
    return [json.loads(line)["id"] for line in data.splitlines()]


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[FullDisk]:
    with FullDisk(tmp_path / "r.jsonl") as stream:
        yield stream


def make_output(disk: FullDisk, reports: list[str], **kwargs: float) -> JsonlOutput:
    out = JsonlOutput(disk, "r.jsonl", retry_interval=kwargs.pop("retry", 0.0), **kwargs)  # type: ignore[arg-type]
    out.report = reports.append
    return out


def test_a_write_that_fails_midway_leaves_whole_lines(disk: FullDisk, tmp_path: Path) -> None:
    reports: list[str] = []
    out = make_output(disk, reports)
    out.write_lines(lines(3))
    disk.room = 70  # room for one line and a half
    out.write_lines(lines(3, start=4))
    assert read_ids(tmp_path / "r.jsonl") == [1, 2, 3]  # the half line (and the whole one) undone
    assert len(reports) == 1 and "No space left on device" in reports[0]
    assert out.failing


def test_failure_said_once_recovery_said_once_nothing_lost(disk: FullDisk, tmp_path: Path) -> None:
    reports: list[str] = []
    out = make_output(disk, reports)
    disk.room = 0
    for start in range(1, 50, 10):
        out.write_lines(lines(10, start=start))
    assert len(reports) == 1 and reports[0].startswith("cannot write JSONL file r.jsonl")
    assert read_ids(tmp_path / "r.jsonl") == []
    disk.room = None  # space again
    out.write_lines(lines(1, start=51))
    assert read_ids(tmp_path / "r.jsonl") == list(range(1, 52))  # the backlog, in order
    assert reports[1:] == ["JSONL file r.jsonl: writes work again"]
    out.close()
    assert out.dropped == 0 and not out.failing


def test_the_backlog_is_capped_and_what_it_drops_is_counted(disk: FullDisk, tmp_path: Path) -> None:
    reports: list[str] = []
    out = make_output(disk, reports, max_backlog_bytes=2000)
    disk.room = 0
    for start in range(1, 201, 10):  # 200 lines of ~60 bytes: 12 KB, six times the cap
        out.write_lines(lines(10, start=start))
    assert out.dropped > 0
    assert sum("dropped" in r for r in reports) == 1  # said once
    disk.room = None
    out.write_lines(lines(1, start=201))
    written = read_ids(tmp_path / "r.jsonl")
    assert written == list(range(201 - len(written) + 1, 202))  # the newest kept, in order
    assert len(written) + out.dropped == 201
    assert reports[-1] == (
        f"JSONL file r.jsonl: writes work again; {out.dropped:,} lines were dropped meanwhile"
    )


def test_while_failing_it_retries_at_its_interval_not_every_round(disk: FullDisk) -> None:
    attempts = 0
    original = disk.write

    def counting(data: bytes | memoryview, /) -> int:
        nonlocal attempts
        attempts += 1
        return original(data)

    disk.write = counting  # type: ignore[method-assign]
    out = make_output(disk, [], retry=3600.0)
    disk.room = 0
    for start in range(1, 100):
        out.write_lines(lines(1, start=start))
    assert attempts == 1  # the first failure; the next try is an hour away


def test_close_counts_the_unwritten_lines(disk: FullDisk, tmp_path: Path) -> None:
    out = make_output(disk, [], retry=3600.0)
    out.write_lines(lines(2))
    disk.room = 0
    out.write_lines(lines(5, start=3))
    out.close()
    assert out.dropped == 5
    assert read_ids(tmp_path / "r.jsonl") == [1, 2]


def test_a_closed_pipe_stops_writing_once_and_is_not_a_loss() -> None:
    read_end, write_end = os.pipe()
    stream = open(write_end, "wb", buffering=0)  # noqa: SIM115 (closed by close())
    reports: list[str] = []
    out = JsonlOutput(stream, "stdout")
    out.report = reports.append
    out.write_lines(lines(2))
    assert os.read(read_end, 1 << 16).count(b"\n") == 2
    os.close(read_end)
    for start in range(3, 30, 3):
        out.write_lines(lines(3, start=start))
    out.close()
    assert reports == ["the JSONL reader closed stdout: no more JSONL lines are written"]
    assert out.dropped == 0 and out.after_reader_closed == 27


def test_dev_full_is_a_full_disk(tmp_path: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    out = JsonlOutput.open("/dev/full")
    reports: list[str] = []
    out.report = reports.append
    out.write_lines(lines(3))
    out.write_lines(lines(3, start=4))
    out.close()
    assert len(reports) == 1 and "No space left on device" in reports[0]
    assert out.dropped == 6
