"""JsonlOutput on a disk that fills up: whole lines or none, said once, a capped backlog."""

from __future__ import annotations

import contextlib
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
    assert reports == [
        "cannot write JSONL file /dev/full: No space left on device; keeping unwritten lines to try again"
    ]
    assert out.dropped == 6


def sized(record_id: int, size: int) -> list[bytes]:
    """One line of exactly ``size`` bytes with its newline (a write_lines chunk of that size)."""
    bare = len(json.dumps({"id": record_id, "pad": ""}))
    line = json.dumps({"id": record_id, "pad": "x" * (size - 1 - bare)}).encode()
    assert len(line) + 1 == size
    return [line]


def test_a_failed_write_cuts_back_to_what_the_file_held(disk: FullDisk, tmp_path: Path) -> None:
    """A file that already held lines (an earlier run), two good writes, then one that
    fails midway: the cut goes back to the end of the second write, not further."""
    path = tmp_path / "r.jsonl"
    disk.close()
    path.write_bytes(b"".join(line + b"\n" for line in lines(3)))
    with FullDisk(path) as again:
        reports: list[str] = []
        out = make_output(again, reports)
        out.write_lines(lines(2, start=4))
        out.write_lines(lines(1, start=6))
        again.room = 70  # room for one line and a half
        out.write_lines(lines(3, start=7))
        assert read_ids(path) == [1, 2, 3, 4, 5, 6]
        assert reports == [
            "cannot write JSONL file r.jsonl: No space left on device; keeping unwritten lines to try again"
        ]


def test_a_backlog_exactly_at_its_cap_keeps_every_line(tmp_path: Path) -> None:
    """Dropping starts past the cap, not at it: before the first good write and after one."""
    for first_write_works in (False, True):
        path = tmp_path / f"r{first_write_works}.jsonl"
        with FullDisk(path) as disk:
            reports: list[str] = []
            out = make_output(disk, reports, max_backlog_bytes=200)
            if first_write_works:
                out.write_lines(sized(1, 100))
            disk.room = 0
            out.write_lines(sized(2, 100))
            out.write_lines(sized(3, 100))  # 200 bytes waiting: at the cap
            assert out.dropped == 0, first_write_works
            disk.room = None
            out.close()
        assert out.dropped == 0
        assert read_ids(path) == ([1, 2, 3] if first_write_works else [2, 3])
        assert not any("dropped" in r for r in reports)


def test_the_oldest_chunks_go_until_the_backlog_fits(disk: FullDisk, tmp_path: Path) -> None:
    """Each overflow drops as many of the oldest rounds as it takes to fit the cap (and
    counts each), but never the newest round, however large."""
    reports: list[str] = []
    out = make_output(disk, reports, max_backlog_bytes=100, retry=3600.0)
    disk.room = 0
    out.write_lines(sized(1, 30))
    out.write_lines(sized(2, 60))  # 90 bytes waiting
    assert out.dropped == 0
    out.write_lines(sized(3, 30))  # 120: the 30 of round 1 go, 90 are left
    assert out.dropped == 1
    out.write_lines(sized(4, 90))  # 180: rounds 2 and 3 go, 90 are left
    assert out.dropped == 3
    out.write_lines(sized(5, 150))  # alone over the cap: round 4 goes, round 5 stays
    assert out.dropped == 4
    disk.room = None
    out.close()
    assert read_ids(tmp_path / "r.jsonl") == [5]
    assert out.dropped == 4
    assert reports[1:] == [
        "JSONL file r.jsonl: unwritten lines passed 0 MiB; the oldest are dropped until writes work again",
        "JSONL file r.jsonl: writes work again; 4 lines were dropped meanwhile",
    ]


def test_the_cap_is_said_in_mib(disk: FullDisk) -> None:
    reports: list[str] = []
    out = make_output(disk, reports, max_backlog_bytes=2 << 20)
    disk.room = 0
    big = [b"x" * (3 << 19)]  # 1.5 MiB
    out.write_lines(big)
    out.write_lines(big)
    assert out.dropped == 1
    assert reports[1] == (
        "JSONL file r.jsonl: unwritten lines passed 2 MiB; the oldest are dropped until writes work again"
    )


def test_each_failure_episode_is_said_and_counted_on_its_own(disk: FullDisk, tmp_path: Path) -> None:
    reports: list[str] = []
    out = make_output(disk, reports, max_backlog_bytes=100)
    for episode in range(2):
        disk.room = 0
        for record_id in range(1, 6):  # five lines of 40 bytes: the oldest three dropped
            out.write_lines(sized(10 * episode + record_id, 40))
        disk.room = None
        out.write_lines(sized(10 * episode + 6, 40))  # 120 bytes: one more dropped, then written
    assert reports == 2 * [
        "cannot write JSONL file r.jsonl: No space left on device; keeping unwritten lines to try again",
        "JSONL file r.jsonl: unwritten lines passed 0 MiB; the oldest are dropped until writes work again",
        "JSONL file r.jsonl: writes work again; 4 lines were dropped meanwhile",
    ]
    assert read_ids(tmp_path / "r.jsonl") == [5, 6, 15, 16]
    assert out.dropped == 8
    disk.room = 0
    out.write_lines(sized(21, 40))
    out.close()  # the unwritten line adds to what the cap dropped
    assert out.dropped == 9
    out.write_lines(sized(22, 40) + sized(23, 40))  # after close: dropped, not written
    assert out.dropped == 11
    out.close()  # a second close changes nothing
    assert out.dropped == 11
    assert read_ids(tmp_path / "r.jsonl") == [5, 6, 15, 16]


def test_lines_after_close_are_dropped_and_the_stream_left_alone() -> None:
    stream = io.BytesIO()
    out = JsonlOutput(stream, "memory", owns_stream=False)
    out.write_lines(lines(1))
    out.close()
    out.write_lines(lines(2, start=2))
    assert out.dropped == 2
    assert [json.loads(line)["id"] for line in stream.getvalue().splitlines()] == [1]
    assert not stream.closed


def test_a_full_non_blocking_pipe_is_a_failure_tried_again() -> None:
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    os.set_blocking(read_end, False)
    stream = open(write_end, "wb", buffering=0)  # noqa: SIM115 (closed by close())
    try:
        for size in (4096, 1):  # whole pages, then byte by byte: the pipe is full
            with contextlib.suppress(BlockingIOError):
                while True:
                    os.write(write_end, b"." * size)
        reports: list[str] = []
        out = JsonlOutput(stream, "pipe", retry_interval=0.0)
        out.report = reports.append
        out.write_lines(lines(2))
        assert out.failing
        assert reports == [
            "cannot write JSONL file pipe: output would block; keeping unwritten lines to try again"
        ]
        with contextlib.suppress(BlockingIOError):
            while os.read(read_end, 1 << 16):
                pass
        out.write_lines(lines(1, start=3))
        assert not out.failing
        data = os.read(read_end, 1 << 16)
        assert [json.loads(line)["id"] for line in data.splitlines()] == [1, 2, 3]
        assert reports[1:] == ["JSONL file pipe: writes work again"]
        out.close()
    finally:
        os.close(read_end)


def test_an_error_without_a_reason_is_named_by_its_type(tmp_path: Path) -> None:
    """A stream that cannot be written at all (opened for reading) says what it raised."""
    path = tmp_path / "r.jsonl"
    path.write_bytes(b"")
    reports: list[str] = []
    out = JsonlOutput(io.FileIO(str(path), "rb"), "r.jsonl")
    out.report = reports.append
    out.write_lines(lines(1))
    out.close()
    assert reports == [
        "cannot write JSONL file r.jsonl: UnsupportedOperation; keeping unwritten lines to try again"
    ]
    assert out.dropped == 1


class FailingClose(io.FileIO):
    """A file whose close reports an I/O error (as NFS may, for data written before)."""

    def close(self) -> None:
        super().close()
        raise OSError(errno.EIO, os.strerror(errno.EIO))


def test_a_failed_close_is_said(tmp_path: Path) -> None:
    reports: list[str] = []
    out = JsonlOutput(FailingClose(str(tmp_path / "r.jsonl"), "ab"), "r.jsonl")
    out.report = reports.append
    out.write_lines(lines(1))
    out.close()
    assert reports == [f"cannot write JSONL file r.jsonl: {os.strerror(errno.EIO)}"]
    assert read_ids(tmp_path / "r.jsonl") == [1]


def test_nobody_listening_to_its_reports_is_fine() -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    out = JsonlOutput.open("/dev/full")
    out.write_lines(lines(2))
    assert out.failing
    out.close()
    assert out.dropped == 2
