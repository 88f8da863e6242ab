"""Writing an export file (inspector.formats.files): its bytes, and what a failed export leaves."""

from __future__ import annotations

import errno
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from inspector.formats import export_file, to_har
from inspector.formats import files as files_module
from inspector.http.record import CaptureRecord
from tests.records import make_record, record_variants


def test_har_export_is_indented_by_one_space(tmp_path: Path) -> None:
    records = record_variants()
    out = tmp_path / "out.HAR"  # the suffix in any case
    assert export_file(out, records) == len(records)
    text = out.read_text(encoding="utf-8")
    assert text == json.dumps(to_har(records), indent=1) + "\n"
    assert text.startswith('{\n "log": {\n  "version": "1.2",\n')
    assert [p.name for p in tmp_path.iterdir()] == ["out.HAR"]


def test_an_unknown_suffix_is_refused_before_writing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^cannot export to out\.json: use a \.har or \.jsonl file name$"):
        export_file(tmp_path / "out.json", [make_record(id=1)])
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_keeps_the_old_file_and_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"old\n")

    def records() -> Iterator[CaptureRecord]:
        yield make_record(id=1)
        raise OSError(errno.EIO, "the source broke")

    with pytest.raises(OSError, match="the source broke"):
        export_file(out, records())
    assert out.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]


def test_a_file_that_cannot_be_created_reports_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The error of the open itself, not one of cleaning up a file that never was."""

    def full_disk(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files_module, "open", full_disk, raising=False)
    with pytest.raises(OSError) as caught:
        export_file(tmp_path / "out.har", [make_record(id=1)])
    assert caught.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []
