"""How far back :func:`inspector.formats.last_id` reads a JSONL file's tail, block by block:
each bound exactly, and each line counted once however the blocks split it."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.formats import jsonl as jsonl_module
from inspector.formats import last_id


def line_of(record_id: int, size: int) -> bytes:
    """A record line of exactly ``size`` bytes, newline included."""
    head, tail = b'{"id":%d,"p":"' % record_id, b'"}\n'
    assert size >= len(head) + len(tail)
    return head + b"x" * (size - len(head) - len(tail)) + tail


def tail_bounds(monkeypatch: pytest.MonkeyPatch, *, lines: int, least: int, most: int) -> None:
    """Blocks of 64 bytes, and the tail's bounds (lines, bytes at least, bytes at most)."""
    monkeypatch.setattr(jsonl_module, "_BLOCK", 64)
    monkeypatch.setattr(jsonl_module, "TAIL_MIN_LINES", lines)
    monkeypatch.setattr(jsonl_module, "TAIL_MIN_BYTES", least)
    monkeypatch.setattr(jsonl_module, "TAIL_MAX_BYTES", most)


def test_last_id_reads_exactly_up_to_its_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tail_bounds(monkeypatch, lines=1000, least=1 << 20, most=128)
    path = tmp_path / "r.jsonl"
    # the last 128 bytes start with the newline that ends the line of id 900
    path.write_bytes(line_of(1000, 100) + line_of(900, 40) + line_of(50, 60) + line_of(3, 67))
    assert last_id(path) == 50


def test_last_id_reads_the_first_byte_of_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tail_bounds(monkeypatch, lines=1000, least=1 << 20, most=1 << 20)
    path = tmp_path / "r.jsonl"
    path.write_bytes(line_of(999, 40) + line_of(5, 89))  # 2 blocks and 1 byte
    assert last_id(path) == 999


def test_last_id_skips_empty_lines(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(b"\n" + line_of(9, 30) + line_of(2, 30))  # one at the very start
    assert last_id(path) == 9
    path.write_bytes(line_of(2, 30) + b"\n" + line_of(9, 30) + line_of(3, 30))  # two newlines in a row
    assert last_id(path) == 9


def stepped(path: Path) -> None:
    """Lines that end 32 bytes into the 64-byte blocks counted from the end."""
    lines = [line_of(2000, 64), line_of(1000, 100), line_of(900, 64), line_of(50, 64), line_of(1, 32)]
    path.write_bytes(b"".join(lines))


def test_last_id_stops_at_the_least_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.jsonl"
    stepped(path)
    tail_bounds(monkeypatch, lines=2, least=1, most=1 << 20)
    assert last_id(path) == 50  # lines 1 and 50 are enough: 900 is not read
    tail_bounds(monkeypatch, lines=3, least=1, most=1 << 20)
    assert last_id(path) == 900  # each line counts once, however the blocks split it


def test_last_id_stops_at_the_least_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.jsonl"
    stepped(path)
    tail_bounds(monkeypatch, lines=1, least=128, most=1 << 20)
    assert last_id(path) == 50
    tail_bounds(monkeypatch, lines=1, least=129, most=1 << 20)
    assert last_id(path) == 900


def test_last_id_counts_each_line_once_however_blocks_split_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.jsonl"
    # the line of id 7 fills the second block from the end and ends early in the first
    path.write_bytes(line_of(900, 60) + line_of(7, 150) + line_of(1, 40))
    tail_bounds(monkeypatch, lines=2, least=1, most=1 << 20)
    assert last_id(path) == 7
    # the last four lines start on block boundaries
    path.write_bytes(line_of(7, 30) + line_of(1000, 64) + line_of(50, 64) + line_of(2, 64) + line_of(1, 64))
    tail_bounds(monkeypatch, lines=3, least=1, most=1 << 20)
    assert last_id(path) == 50
