"""Preset rules shipped in ``resources/rules/*.json`` (each a rules file).

:mod:`inspector.assets` finds the folder, in an installed package or a checkout.
"""

from __future__ import annotations

from pathlib import Path

from inspector.assets import presets_dir


def list_presets() -> list[tuple[str, Path]]:
    """(display name, path) of every preset, sorted by file name.

    The display name is the file stem with ``-``/``_`` as spaces (``echo-json`` ->
    ``echo json``). Load one with :func:`inspector.responses.load_rules`.
    """
    folder = presets_dir()
    if folder is None:
        return []
    return [
        (path.stem.replace("-", " ").replace("_", " "), path) for path in sorted(folder.glob("*.json"))
    ]
