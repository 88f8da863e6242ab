"""The command line: ``python -m inspector`` = ``main.py``, --version, presets, Qt's options, no display.

Commands run in subprocesses from the checkout; the window itself is replaced
by a stand-in that reports what the QApplication was given (the window has its
own tests), so these check what reaches Qt, not the window.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspector import __version__
from inspector.assets import preset_names
from inspector.launch import HINT, display_problem, split_qt_options
from tests.launching import headless

ROOT = Path(__file__).resolve().parents[1]
NO_DISPLAY_LINE = f"error: no display found (DISPLAY and WAYLAND_DISPLAY are not set); {HINT}"


def env_without_display(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    }
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env or env_without_display(QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# -- one command, three spellings ----------------------------------------------------------------


@pytest.mark.parametrize("entry", [("-m", "inspector"), ("main.py",)])
def test_version_prints_the_package_version(entry: tuple[str, ...]) -> None:
    done = run(*entry, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"request-inspector {__version__}\n"


def test_version_without_package_metadata_says_unknown() -> None:
    """A source checkout run without installing has no metadata: a version that says so."""
    probe = (
        "import importlib.metadata as metadata\n"
        "def missing(name):\n"
        "    raise metadata.PackageNotFoundError(name)\n"
        "metadata.version = missing\n"
        "import inspector\n"
        "print(inspector.__version__)\n"
    )
    done = run("-c", probe)
    assert (done.returncode, done.stdout) == (0, "0+unknown\n"), done.stderr


def test_python_m_inspector_is_main_py() -> None:
    assert run("-m", "inspector", "--help").stdout == run("main.py", "--help").stdout
    assert "--list-presets" in run("-m", "inspector", "--help").stdout


def test_list_presets() -> None:
    done = run("-m", "inspector", "--list-presets")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == preset_names()
    assert "echo-json" in done.stdout.split()


def test_list_presets_into_a_closed_pipe_is_quiet() -> None:
    """`--list-presets | head -0`: the reader is gone before anything is written."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "inspector", "--list-presets"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # long before the interpreter has started
    with proc.stderr:
        stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=30) == 0, stderr
    assert stderr == ""


def test_headless_answers_from_a_preset_by_name() -> None:
    command = [sys.executable, "-m", "inspector", "--headless", "--port", "0", "--rules", "preset:echo-json"]
    with headless(command, cwd=ROOT, env=env_without_display()) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/preset?name=jack")
        response = conn.getresponse()
        echoed = json.loads(response.read())
        conn.close()
    assert response.status == 200
    assert echoed["path"] == "/preset" and echoed["args"] == {"name": "jack"}


def test_an_unknown_preset_is_one_line_and_exit_2() -> None:
    done = run("-m", "inspector", "--headless", "--no-db", "--port", "0", "--rules", "preset:nope")
    assert done.returncode == 2
    assert done.stderr == f"error: no preset named 'nope' (presets: {', '.join(preset_names())})\n"


# -- Qt's standard options ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extras", "qt", "unknown"),
    [
        ([], [], []),
        (["-style", "fusion"], ["-style", "fusion"], []),
        (["-style=fusion", "-reverse"], ["-style=fusion", "-reverse"], []),
        (["--style", "fusion"], ["--style", "fusion"], []),
        (["-platform", "vnc", "-stylesheet", "a.qss"], ["-platform", "vnc", "-stylesheet", "a.qss"], []),
        (["--prot", "8090"], [], ["--prot", "8090"]),
        (["-style"], [], ["-style"]),  # a value option with no value
        (["-reverse=1"], [], ["-reverse=1"]),
        (["fusion"], [], ["fusion"]),
        (["-qwindowtitle", "t", "--x", "-widgetcount"], ["-qwindowtitle", "t", "-widgetcount"], ["--x"]),
    ],
)
def test_split_qt_options(extras: list[str], qt: list[str], unknown: list[str]) -> None:
    assert split_qt_options(extras) == (qt, unknown)


# Runs main() with the window replaced by a report of the QApplication it got.
REPORT_QT = """
import sys
from PySide6.QtWidgets import QApplication
import inspector.ui.main_window as window
from inspector.app import main

def report(args):
    app = QApplication.instance()
    print(app.platformName(), app.style().name(), app.styleSheet(), app.arguments()[0], args.port, sep="|")
    return 0

window.run_gui = report
sys.exit(main(sys.argv[1:]))
"""


def test_qt_options_reach_the_qapplication() -> None:
    done = run(
        "-c", REPORT_QT, "--port", "18301", "-platform", "offscreen", "-style", "fusion",
        env=env_without_display(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    platform, style, stylesheet, argv0, port = done.stdout.strip().split("|")
    assert (platform, style, stylesheet, port) == ("offscreen", "fusion", "", "18301")
    assert argv0 == "request-inspector"  # the X11 WM_CLASS instance the desktop entry names


def test_a_qt_stylesheet_option_reaches_the_qapplication(tmp_path: Path) -> None:
    sheet = tmp_path / "a.qss"
    sheet.write_text("QWidget { color: red; }", "utf-8")
    done = run("-c", REPORT_QT, "-stylesheet", str(sheet), "--no-db")
    assert done.returncode == 0, done.stderr
    stylesheet = done.stdout.strip().split("|")[2]
    assert stylesheet == f"file:///{sheet}"  # how Qt records a -stylesheet file


def test_qt_options_are_refused_without_a_window() -> None:
    done = run("-m", "inspector", "--headless", "--no-db", "-style", "fusion")
    assert done.returncode == 2
    assert done.stderr.strip().endswith("error: unrecognized arguments: -style fusion")


def test_an_unknown_option_is_still_refused() -> None:
    done = run("-m", "inspector", "--prot", "8090")
    assert done.returncode == 2
    assert done.stderr.strip().endswith("error: unrecognized arguments: --prot 8090")


# -- no display ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "qt_args", "platform", "refused"),
    [
        ({}, [], "linux", True),
        ({}, [], "freebsd13", True),
        ({"DISPLAY": ":0"}, [], "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, [], "linux", False),
        ({"QT_QPA_PLATFORM": "offscreen"}, [], "linux", False),
        ({}, ["-platform", "offscreen"], "linux", False),
        ({}, ["-platform=vnc"], "linux", False),
        ({}, ["--platform", "offscreen"], "linux", False),
        ({}, [], "darwin", False),
        ({}, [], "win32", False),
    ],
)
def test_display_problem(environ: dict[str, str], qt_args: list[str], platform: str, refused: bool) -> None:
    assert (display_problem(qt_args, environ, platform) is not None) is refused


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DISPLAY/WAYLAND_DISPLAY are Linux's")
@pytest.mark.parametrize("entry", [("-m", "inspector"), ("main.py",)])
def test_no_display_is_one_line_and_exit_2_before_qt_loads(entry: tuple[str, ...]) -> None:
    probe = (
        "import runpy, sys\n"
        f"sys.argv = [{entry[-1]!r}, '--no-db']\n"
        "try:\n"
        f"    runpy.{'run_module' if entry[0] == '-m' else 'run_path'}({entry[-1]!r}, run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    print(exc.code, [m for m in sys.modules if m.startswith('PySide6')])\n"
    )
    done = run("-c", probe, env=env_without_display())
    assert done.stderr == NO_DISPLAY_LINE + "\n"
    assert done.stdout == "2 []\n"


def test_a_platform_qt_cannot_load_is_one_clear_last_line_and_exit_2() -> None:
    """Qt's own abort (SIGABRT, a core dump) becomes exit 2 with our line after Qt's reasons."""
    done = run("-m", "inspector", "--no-db", "-platform", "no-such-platform", env=env_without_display())
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1] == f"error: the window cannot open (Qt's lines above say why); {HINT}"
    assert any("no-such-platform" in line for line in lines[:-1]), lines
