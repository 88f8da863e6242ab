"""JSON Lines: one encoder for every writer, and the highest id in a file's tail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.formats import export_file, jsonl_line, last_id
from inspector.formats import jsonl as jsonl_module
from inspector.http.record import CaptureRecord
from tests.records import make_record, record_variants


def test_line_is_compact_utf8_and_reads_back() -> None:
    record = make_record(id=5, headers=(("X-Name", "café €"),))
    line = jsonl_line(record)
    assert line.startswith(b'{"id":5,"received_at":')
    assert "café €".encode() in line  # UTF-8, not \\u escapes
    assert b"\n" not in line
    assert CaptureRecord.from_json(json.loads(line)).to_json() == record.to_json()


def test_a_lone_surrogate_is_escaped_and_survives() -> None:
    record = make_record(id=6, target="/x\udcff", path="/x\udcff")
    line = jsonl_line(record)
    line.decode("ascii")  # the stdlib's escapes: plain ASCII
    assert line.startswith(b'{"id":6,"received_at":')
    assert CaptureRecord.from_json(json.loads(line)).target == "/x\udcff"


def test_export_writes_the_same_bytes_as_the_encoder(tmp_path: Path) -> None:
    records = record_variants()
    out = tmp_path / "out.jsonl"
    assert export_file(out, records) == len(records)
    assert out.read_bytes() == b"".join(jsonl_line(r) + b"\n" for r in records)


def write(path: Path, ids: list[int], pad: int = 10) -> None:
    with open(path, "ab") as handle:
        for i in ids:
            handle.write(jsonl_line(make_record(id=i, body=b"p" * pad, raw_body=None)) + b"\n")


def test_last_id_missing_empty_and_plain(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    assert last_id(path) == 0
    path.write_bytes(b"")
    assert last_id(path) == 0
    write(path, [1, 2, 3])
    assert last_id(path) == 3


def test_last_id_takes_the_highest_of_the_tail_not_the_last_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    write(path, [*range(1, 50), 70, *range(50, 60), 12])  # a slow request written last
    assert last_id(path) == 70


def test_last_id_counts_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    write(path, [1, 2])
    with open(path, "ab") as handle:
        handle.write(jsonl_line(make_record(id=3))[:30])  # killed while writing
    assert last_id(path) == 3


def test_last_id_reads_older_spacing_and_skips_garbage(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"id": 41, "received_at": "x"}\nnot json at all\n{"id":"7"}\n\n')
    assert last_id(path) == 41


def test_last_id_reads_only_the_tail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl_module, "TAIL_MIN_BYTES", 4096)
    monkeypatch.setattr(jsonl_module, "TAIL_MIN_LINES", 8)
    monkeypatch.setattr(jsonl_module, "_BLOCK", 1024)
    path = tmp_path / "r.jsonl"
    write(path, [10**6])  # the highest id, far from the end
    write(path, list(range(1, 400)))
    assert path.stat().st_size > 20 * 4096
    assert last_id(path) == 399  # the tail (4 KiB and more) does not reach the start


def test_last_id_reads_past_one_long_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl_module, "TAIL_MIN_BYTES", 1024)
    monkeypatch.setattr(jsonl_module, "TAIL_MIN_LINES", 4)
    monkeypatch.setattr(jsonl_module, "_BLOCK", 512)
    path = tmp_path / "r.jsonl"
    write(path, [100, 2, 3])  # beyond the four lines read
    write(path, [5, 80, 6])
    write(path, [7], pad=50_000)  # one line much longer than the tail and the block
    assert last_id(path) == 80


def test_last_id_stops_at_its_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl_module, "TAIL_MAX_BYTES", 2048)
    monkeypatch.setattr(jsonl_module, "_BLOCK", 512)
    path = tmp_path / "r.jsonl"
    write(path, [99])
    write(path, [3], pad=50_000)  # a line longer than the cap: its start is never reached
    assert last_id(path) == 0
