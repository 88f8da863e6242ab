"""Where the shipped files are found: installed package first, else the checkout, never a stranger's.

``inspector.resources`` exists when the app is installed (wheel, editable); a source
checkout run with ``python main.py`` has only the top-level ``resources`` folder. Each
test hides one of the two (or puts a foreign one first) and checks what the app finds.
"""

from __future__ import annotations

import importlib.resources
import importlib.util
import zipfile
from pathlib import Path
from typing import Any

import pytest

from inspector import assets
from inspector.assets import APP_ID, desktop_entry_path, icon_path, icon_png_paths, resources_dir

ROOT = Path(__file__).resolve().parents[1]
CHECKOUT = ROOT / "resources"
real_files = importlib.resources.files
real_find_spec = importlib.util.find_spec


def not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    def files(package: Any) -> Any:
        if package == "inspector.resources":
            raise ModuleNotFoundError(package)
        return real_files(package)

    monkeypatch.setattr(importlib.resources, "files", files)


def no_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    def find_spec(name: str, package: str | None = None) -> Any:
        return None if name == "resources" else real_find_spec(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_a_checkout_that_is_not_installed_finds_its_own_resources(monkeypatch: pytest.MonkeyPatch) -> None:
    not_installed(monkeypatch)
    assert resources_dir() == CHECKOUT
    assert icon_path() == CHECKOUT / "icons" / f"{APP_ID}.svg"


def test_an_installed_package_finds_its_resources_without_a_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    installed = real_files("inspector.resources")
    assert isinstance(installed, Path)
    no_checkout(monkeypatch)
    assert resources_dir() == installed


def test_resources_inside_a_zip_are_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Qt and the desktop need files on disk: a zipped package falls back to the checkout."""
    archive = tmp_path / "app.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(f"resources/icons/{APP_ID}.svg", "<svg/>")

    def files(package: Any) -> Any:
        if package == "inspector.resources":
            return zipfile.Path(archive, "resources/")
        return real_files(package)

    monkeypatch.setattr(importlib.resources, "files", files)
    assert resources_dir() == CHECKOUT


def test_a_foreign_resources_package_first_on_the_path_is_not_ours(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    not_installed(monkeypatch)
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "__init__.py").write_text("raise SystemExit('never run')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert resources_dir() is None
    assert icon_path() is None


def test_a_file_missing_from_the_resources_is_reported_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "icons").mkdir()
    (tmp_path / "icons" / f"{APP_ID}.svg").write_text("<svg/>")
    monkeypatch.setattr(assets, "resources_dir", lambda: tmp_path)
    assert icon_path() == tmp_path / "icons" / f"{APP_ID}.svg"
    assert icon_png_paths() == {}
    assert desktop_entry_path() is None


def test_neither_installed_nor_in_a_checkout_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    not_installed(monkeypatch)
    no_checkout(monkeypatch)
    assert resources_dir() is None


def test_a_module_named_resources_is_no_resources_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    not_installed(monkeypatch)
    (tmp_path / "resources.py").write_text("raise SystemExit('never run')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert resources_dir() is None
