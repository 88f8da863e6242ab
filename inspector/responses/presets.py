"""Preset rules shipped in ``resources/rules/*.json`` (each a rules file).

``resources/`` sits at the repository root beside ``inspector/``.
"""

from __future__ import annotations

from pathlib import Path

PRESETS_DIR = Path(__file__).resolve().parents[2] / "resources" / "rules"


def list_presets() -> list[tuple[str, Path]]:
    """(display name, path) of every preset, sorted by file name.

    The display name is the file stem with ``-``/``_`` as spaces (``echo-json`` ->
    ``echo json``). Load one with :func:`inspector.responses.load_rules`.
    """
    if not PRESETS_DIR.is_dir():
        return []
    return [
        (path.stem.replace("-", " ").replace("_", " "), path)
        for path in sorted(PRESETS_DIR.glob("*.json"))
    ]
