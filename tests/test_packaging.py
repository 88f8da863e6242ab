"""The package as users install it: sdist and wheel built, the wheel installed outside the checkout.

One build per run (module fixture): ``python -m build`` makes the sdist and then
the wheel from that sdist (so a file missing from the sdist is missing from the
wheel too), from a clean copy of the checkout; the wheel goes into a new
virtual environment in a temporary folder, and everything after that runs there
with the checkout out of reach (no PYTHONPATH, another working folder).
``-m 'not packaging'`` skips it.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.launching import headless

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
VERSION = PROJECT["version"]
#: not part of a source tree: never copied into the build folder
UNTRACKED = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.egg-info", "build", "dist", ".*_cache", ".hypothesis"
)


def tracked(folder: str) -> list[str]:
    """The files git tracks under ``folder`` (relative to the checkout), or [] without git."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        return []
    done = subprocess.run(
        ["git", "ls-files", "--", folder], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


@dataclass(frozen=True)
class Built:
    sdist: Path
    wheel: Path
    log: str


@dataclass(frozen=True)
class Installed:
    venv: Path
    bin: Path
    env: dict[str, str]
    cwd: Path

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("build")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=UNTRACKED)
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONDONTWRITEBYTECODE"}}
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(work / "dist"), str(source)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    (sdist,) = (work / "dist").glob("*.tar.gz")
    (wheel,) = (work / "dist").glob("*.whl")
    return Built(sdist, wheel, log)


@pytest.fixture(scope="module")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    venv = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    bin_dir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    python = bin_dir / ("python.exe" if sys.platform == "win32" else "python")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", str(built.wheel)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["QT_QPA_PLATFORM"] = "offscreen"
    cwd = tmp_path_factory.mktemp("elsewhere")
    env["REQUEST_INSPECTOR_HOME"] = str(cwd / "home")
    return Installed(venv, bin_dir, env, cwd)


# -- the build --------------------------------------------------------------------------------


def test_build_prints_no_warning(built: Built) -> None:
    """No setuptools deprecation (the old ``project.license`` table) or manifest warning."""
    warnings = [line for line in built.log.splitlines() if re.search(r"warn", line, re.IGNORECASE)]
    assert warnings == [], "\n".join(warnings)


def test_sdist_holds_readme_license_tests_and_resources(built: Built) -> None:
    with tarfile.open(built.sdist) as sdist:
        top = f"request_inspector-{VERSION}/"
        names = {name.removeprefix(top) for name in sdist.getnames()}
    for name in ("README.md", "LICENSE", "pyproject.toml", "setup.py", "MANIFEST.in", "main.py"):
        assert name in names, name
    resources = {str(p.relative_to(ROOT)) for p in (ROOT / "resources").rglob("*") if p.is_file()}
    resources = {name for name in resources if "__pycache__" not in name}
    assert resources - names == set()
    assert "tests/test_packaging.py" in names
    assert set(tracked("tests")) - names == set(), "tracked test files missing from the sdist"
    assert not [name for name in names if name.endswith(".pyc") or "__pycache__" in name]


def test_wheel_carries_resources_inside_the_package_and_the_license(built: Built) -> None:
    with zipfile.ZipFile(built.wheel) as wheel:
        names = set(wheel.namelist())
        entry_points = wheel.read(f"request_inspector-{VERSION}.dist-info/entry_points.txt").decode()
        metadata = wheel.read(f"request_inspector-{VERSION}.dist-info/METADATA").decode()
    for path in (ROOT / "resources").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert f"inspector/resources/{path.relative_to(ROOT / 'resources').as_posix()}" in names
    assert f"request_inspector-{VERSION}.dist-info/licenses/LICENSE" in names
    assert "License-Expression: MIT" in metadata
    assert not [name for name in names if name.startswith(("resources/", "tests/"))]
    assert re.search(r"\[gui_scripts\]\s+request-inspector = inspector\.app:main", entry_points)
    assert re.search(r"\[console_scripts\]\s+request-inspector-cli = inspector\.app:main", entry_points)


# -- the installed wheel, outside the checkout -------------------------------------------------


def test_installed_package_is_the_wheel_not_the_checkout(installed: Installed) -> None:
    done = installed.run(str(installed.bin / "python"), "-c", "import inspector; print(inspector.__file__)")
    assert done.returncode == 0, done.stderr
    location = Path(done.stdout.strip())
    assert location.is_relative_to(installed.venv), location
    assert not location.is_relative_to(ROOT)


@pytest.mark.parametrize(
    "command",
    [("request-inspector",), ("request-inspector-cli",), ("python", "-m", "inspector")],
)
def test_version_from_the_metadata(installed: Installed, command: tuple[str, ...]) -> None:
    done = installed.run(str(installed.bin / command[0]), *command[1:], "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"request-inspector {VERSION}"


def test_lists_every_preset(installed: Installed) -> None:
    done = installed.run(str(installed.bin / "request-inspector"), "--list-presets")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == sorted(p.stem for p in (ROOT / "resources" / "rules").glob("*.json"))


@pytest.fixture
def echo_server(installed: Installed) -> Iterator[int]:
    command = [
        str(installed.bin / "request-inspector"),
        *("--headless", "--port", "0", "--rules", "preset:echo-json", "--no-db"),
    ]
    with headless(command, cwd=installed.cwd, env=installed.env) as port:
        yield port


def test_headless_serves_a_preset_from_the_installed_package(echo_server: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", echo_server, timeout=10)
    try:
        conn.request(
            "POST",
            "/orders/7?expand=items",
            body=json.dumps({"qty": 2}),
            headers={"Content-Type": "application/json", "X-Probe": "wheel"},
        )
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/json"
    echoed = json.loads(body)
    assert echoed["method"] == "POST"
    assert echoed["path"] == "/orders/7"
    assert echoed["args"] == {"expand": "items"}
    assert echoed["json"] == {"qty": 2}
    assert echoed["headers"]["X-Probe"] == "wheel"


WINDOW_CHECK = """
import sys
from pathlib import Path
from PySide6.QtGui import QIcon, QImage
from PySide6.QtWidgets import QApplication
import inspector.ui.main_window
from inspector.assets import desktop_entry_path, icon_path, icon_png_paths
from inspector.responses import list_presets

app = QApplication(sys.argv[:1])
venv = Path(sys.prefix)
svg = icon_path()
assert svg is not None and svg.is_relative_to(venv), svg
assert not QIcon(str(svg)).isNull()
pngs = icon_png_paths()
assert sorted(pngs) == [16, 24, 32, 48, 64, 128, 256], pngs
for size, path in pngs.items():
    image = QImage(str(path))
    assert (image.width(), image.height()) == (size, size), (path, image.size())
assert desktop_entry_path() is not None
presets = list_presets()
assert presets and all(path.is_relative_to(venv) for _, path in presets), presets
print(len(presets), app.platformName())
"""


def test_window_module_and_its_resources_resolve_offscreen(installed: Installed) -> None:
    done = installed.run(str(installed.bin / "python"), "-c", WINDOW_CHECK)
    assert done.returncode == 0, done.stdout + done.stderr
    count = len(list((ROOT / "resources" / "rules").glob("*.json")))
    assert done.stdout.split() == [str(count), "offscreen"]
