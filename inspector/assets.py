"""The files shipped with the app: rules presets, the icon, the desktop entry.

They live in the repository's top-level ``resources/`` folder, which the build
installs as the package ``inspector.resources`` (pyproject.toml's
``package-dir``), so :mod:`importlib.resources` finds them in a wheel and in an
editable install alike. A source checkout run without installing (the
repository root on ``sys.path``: ``python main.py``, ``PYTHONPATH=.``) finds the
same folder as the top-level package ``resources``, located without running it.

Imports no Qt: headless mode lists and loads presets through this module.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
from pathlib import Path

#: file names shared with the desktop (the icon theme name, the desktop entry)
APP_ID = "request-inspector"
#: the PNG sizes rendered from the SVG (``tools/render_icons.py``)
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: ``--rules preset:NAME`` picks a preset by name
PRESET_PREFIX = "preset:"


class PresetNotFound(LookupError):
    """``preset:NAME`` names no shipped preset; the message lists the ones there are."""


def icon_png_name(size: int) -> str:
    """The file name of the PNG icon of ``size`` pixels."""
    return f"{APP_ID}-{size}.png"


def _is_ours(folder: Path) -> bool:
    return (folder / "icons" / f"{APP_ID}.svg").is_file()


def _installed() -> Path | None:
    try:
        root = importlib.resources.files("inspector.resources")
    except ModuleNotFoundError:
        return None
    return root if isinstance(root, Path) else None  # not a Path: not unpacked on disk (a zip)


def _checkout() -> Path | None:
    # located, not imported: a foreign ``resources`` package on sys.path never runs
    spec = importlib.util.find_spec("resources")
    locations = spec.submodule_search_locations if spec else None
    return Path(locations[0]) if locations else None


def resources_dir() -> Path | None:
    """The resources folder, or None when this copy of the package has none."""
    for find in (_installed, _checkout):
        folder = find()
        if folder is not None and _is_ours(folder):
            return folder
    return None


def _resource(*parts: str) -> Path | None:
    root = resources_dir()
    if root is None:
        return None
    path = root.joinpath(*parts)
    return path if path.exists() else None


def presets_dir() -> Path | None:
    """The folder of preset rules files (``rules/*.json``), or None."""
    return _resource("rules")


def preset_names() -> list[str]:
    """The name of every preset (its file stem, ``echo-json``), sorted."""
    folder = presets_dir()
    return sorted(path.stem for path in folder.glob("*.json")) if folder else []


def preset_path(name: str) -> Path:
    """The rules file of the preset ``name``.

    Raises:
        PresetNotFound: no such preset (the message lists the names there are).
    """
    folder = presets_dir()
    names = preset_names()
    if folder is None or name not in names:
        known = ", ".join(names) or "none are installed"
        raise PresetNotFound(f"no preset named {name!r} (presets: {known})")
    return folder / f"{name}.json"


def rules_argument(value: str) -> str:
    """A ``--rules`` value as a file path: ``preset:NAME`` becomes the preset's file.

    Raises:
        PresetNotFound: ``preset:NAME`` names no preset.
    """
    if value.startswith(PRESET_PREFIX):
        return str(preset_path(value[len(PRESET_PREFIX) :]))
    return value


def icon_path() -> Path | None:
    """The application icon as SVG (scales to any size), or None."""
    return _resource("icons", f"{APP_ID}.svg")


def icon_png_paths() -> dict[int, Path]:
    """The PNG renderings of the icon by size, for Qt builds without the SVG plugin."""
    found = {size: _resource("icons", icon_png_name(size)) for size in ICON_SIZES}
    return {size: path for size, path in found.items() if path is not None}


def desktop_entry_path() -> Path | None:
    """The freedesktop ``.desktop`` file (``make install-desktop`` installs it)."""
    return _resource(f"{APP_ID}.desktop")
