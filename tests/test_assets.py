"""The shipped files (presets, icon, desktop entry) and how they are found and installed."""

from __future__ import annotations

import configparser
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from inspector import assets
from inspector.assets import (
    APP_ID,
    ICON_SIZES,
    PresetNotFound,
    desktop_entry_path,
    icon_path,
    icon_png_paths,
    preset_names,
    preset_path,
    presets_dir,
    resources_dir,
    rules_argument,
)
from inspector.responses import list_presets, load_rules

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_PRESETS = sorted(path.stem for path in (ROOT / "resources" / "rules").glob("*.json"))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    assert data[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_resources_are_found_and_are_the_shipped_ones() -> None:
    folder = resources_dir()
    assert folder is not None
    assert preset_names() == SHIPPED_PRESETS
    assert [name for name, _ in list_presets()] == [name.replace("-", " ") for name in SHIPPED_PRESETS]
    assert presets_dir() == folder / "rules"


def test_every_preset_loads_strictly_by_name() -> None:
    for name in preset_names():
        assert load_rules(preset_path(name), strict=True).rules, name


def test_an_unknown_preset_names_the_ones_there_are() -> None:
    with pytest.raises(PresetNotFound) as caught:
        preset_path("echo")
    assert str(caught.value) == f"no preset named 'echo' (presets: {', '.join(SHIPPED_PRESETS)})"
    with pytest.raises(PresetNotFound):
        preset_path("../rules/echo-json")  # a name, never a path


def test_rules_argument_maps_only_the_preset_prefix(tmp_path: Path) -> None:
    assert rules_argument("preset:echo-json") == str(preset_path("echo-json"))
    for plain in ("rules.json", str(tmp_path / "preset:x.json"), "Preset:echo-json"):
        assert rules_argument(plain) == plain


def test_without_resources_there_are_no_presets_and_no_icon(monkeypatch: pytest.MonkeyPatch) -> None:
    """A copy of the package without its resources says so instead of failing."""
    monkeypatch.setattr(assets, "resources_dir", lambda: None)
    assert preset_names() == []
    assert list_presets() == []
    assert icon_path() is None and icon_png_paths() == {} and desktop_entry_path() is None
    with pytest.raises(PresetNotFound, match=r"presets: none are installed"):
        preset_path("echo-json")


def test_icon_svg_and_every_png_size() -> None:
    svg = icon_path()
    assert svg is not None and svg.name == f"{APP_ID}.svg"
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 256 256"
    pngs = icon_png_paths()
    assert sorted(pngs) == list(ICON_SIZES)
    for size, path in pngs.items():
        assert png_size(path) == (size, size), path


def assert_valid_desktop_entry(path: Path) -> None:
    """desktop-file-validate finds no error, warning or hint (when installed; CI installs it)."""
    validate = shutil.which("desktop-file-validate")
    if validate:
        done = subprocess.run([validate, str(path)], capture_output=True, text=True, check=False)
        assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_desktop_entry_launches_the_app_with_its_icon() -> None:
    path = desktop_entry_path()
    assert path is not None and path.name == f"{APP_ID}.desktop"
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name"] == "Request Inspector"
    assert entry["Exec"] == APP_ID
    assert entry["Icon"] == APP_ID
    assert entry["StartupWMClass"] == APP_ID
    assert entry["Terminal"] == "false"
    assert_valid_desktop_entry(path)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_install_and_uninstall_desktop(tmp_path: Path) -> None:
    data = tmp_path / "share"
    exec_path = tmp_path / "bin" / APP_ID
    make = ["make", "--no-print-directory", "-C", str(ROOT), f"XDG_DATA_HOME={data}", f"EXEC={exec_path}"]
    done = subprocess.run([*make, "install-desktop"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    installed = data / "applications" / f"{APP_ID}.desktop"
    assert f"Exec={exec_path}\n" in installed.read_text("utf-8")
    assert_valid_desktop_entry(installed)
    icons = data / "icons" / "hicolor"
    assert (icons / "scalable" / "apps" / f"{APP_ID}.svg").read_bytes() == icon_path().read_bytes()  # type: ignore[union-attr]
    for size, png in icon_png_paths().items():
        assert (icons / f"{size}x{size}" / "apps" / f"{APP_ID}.png").read_bytes() == png.read_bytes()
    done = subprocess.run([*make, "uninstall-desktop"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert [p for p in data.rglob("*") if p.is_file()] == []
