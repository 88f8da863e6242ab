"""Preset display names: the file stem with ``-`` and ``_`` as spaces, sorted by file name."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.responses import list_presets, presets


def test_dashes_and_underscores_read_as_spaces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("b_side.json", "a-team.json", "mixed_up-name.json", "notes.txt"):
        (tmp_path / name).write_text("{}")
    monkeypatch.setattr(presets, "presets_dir", lambda: tmp_path)
    assert list_presets() == [
        ("a team", tmp_path / "a-team.json"),
        ("b side", tmp_path / "b_side.json"),
        ("mixed up name", tmp_path / "mixed_up-name.json"),
    ]


def test_no_presets_folder_means_no_presets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(presets, "presets_dir", lambda: None)
    assert list_presets() == []
