"""inspector.paths: the app-data folder on each platform, as QStandardPaths names it, and
created private (0700) with its parents only when asked."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from inspector.paths import APP_DIR_NAME, app_data_dir


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder of its own, with none of the variables that move the folder set."""
    for name in ("REQUEST_INSPECTOR_HOME", "XDG_DATA_HOME", "APPDATA"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_the_folder_name_is_the_apps() -> None:
    assert APP_DIR_NAME == "request-inspector"


@pytest.mark.parametrize(
    ("platform", "environment", "where"),
    [
        ("linux", {}, ".local/share/request-inspector"),
        ("linux", {"XDG_DATA_HOME": "{tmp}/xdg"}, "{tmp}/xdg/request-inspector"),
        ("linux", {"XDG_DATA_HOME": ""}, ".local/share/request-inspector"),
        ("freebsd14", {}, ".local/share/request-inspector"),
        ("darwin", {}, "Library/Application Support/request-inspector"),
        ("darwin", {"XDG_DATA_HOME": "{tmp}/xdg"}, "Library/Application Support/request-inspector"),
        ("win32", {"APPDATA": "{tmp}/Roaming"}, "{tmp}/Roaming/request-inspector"),
        ("win32", {}, "request-inspector"),
        ("win32", {"APPDATA": ""}, "request-inspector"),
        ("linux", {"REQUEST_INSPECTOR_HOME": "{tmp}/mine"}, "{tmp}/mine"),
        ("darwin", {"REQUEST_INSPECTOR_HOME": "{tmp}/mine"}, "{tmp}/mine"),
        ("win32", {"REQUEST_INSPECTOR_HOME": "{tmp}/mine", "APPDATA": "{tmp}/Roaming"}, "{tmp}/mine"),
        ("linux", {"REQUEST_INSPECTOR_HOME": ""}, ".local/share/request-inspector"),
    ],
)
def test_each_platform_has_its_conventional_folder(
    home: Path, monkeypatch: pytest.MonkeyPatch, platform: str, environment: dict[str, str], where: str
) -> None:
    tmp = str(home.parent)
    monkeypatch.setattr("sys.platform", platform)
    for name, value in environment.items():
        monkeypatch.setenv(name, value.format(tmp=tmp))
    expected = Path(where.format(tmp=tmp))
    expected = expected if expected.is_absolute() else home / expected
    assert app_data_dir(create=False) == expected
    assert not expected.exists()


def test_created_private_with_its_parents_and_again_without_complaint(home: Path) -> None:
    made = app_data_dir()
    assert made == home / ".local" / "share" / APP_DIR_NAME
    assert made.is_dir()
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    (made / "kept").write_text("x")
    assert app_data_dir() == made  # an existing folder is used as it is
    assert (made / "kept").read_text() == "x"


def test_the_default_is_to_create(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUEST_INSPECTOR_HOME", str(home / "deep" / "er"))
    assert app_data_dir().is_dir()
