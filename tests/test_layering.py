"""The Qt-free layers load no Qt (docs/ARCHITECTURE.md, "Layers").

Each check runs in a fresh interpreter, so modules other tests imported do not count.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

QT_FREE = [
    "inspector.http",
    "inspector.http.parser",
    "inspector.http.record",
    "inspector.http.query",
    "inspector.http.response",
    "inspector.http.limits",
    "inspector.addresses",
    "inspector.server",
    "inspector.server.loop",
    "inspector.server.bind",
    "inspector.server.listeners",
    "inspector.server.sink",
    "inspector.responses",
    "inspector.store",
    "inspector.app",
    "inspector.headless",
    "inspector.capture",
    "inspector.formats",
    "inspector.text",
    "inspector.assets",
    "inspector.launch",
    "inspector.__main__",
    "inspector.tls",
    "inspector.tls.hello",
    "inspector.tls.ja4",
    "inspector.tls.ca",
    "inspector.tls.leaves",
    "inspector.tls.contexts",
    "inspector.tls.session",
    "inspector.tls.trust",
    "inspector.upstream",
    "inspector.upstream.forwarder",
    "inspector.diff",
    "inspector.timeline",
    "inspector.notify",
    "inspector.listen",
    "inspector.listen.holder",
    "inspector.listen.inuse",
    "inspector.listen.interfaces",
    "inspector.listen.overlap",
    "inspector.listen.spec",
    "inspector.listen.urls",
]

CHECK = """
import importlib, sys
importlib.import_module({module!r})
qt = sorted(m for m in sys.modules if m == "PySide6" or m.startswith(("PySide6.", "shiboken6")))
print("\\n".join(qt))
"""


@pytest.mark.parametrize("module", QT_FREE)
def test_module_loads_no_qt(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK.format(module=module)],
        cwd=ROOT,
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"{module} loaded {done.stdout.split()}"


def test_the_check_itself_sees_qt() -> None:
    """The same check does report Qt for a module that uses it (so the test above can fail)."""
    done = subprocess.run(
        [sys.executable, "-c", CHECK.format(module="inspector.listener")],
        cwd=ROOT,
        capture_output=True,
        check=False,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "PySide6.QtCore" in done.stdout.split()


@pytest.mark.parametrize(
    ("runner", "entry", "argv", "status"),
    [
        # 192.0.2.1 is not on this host: the bind fails after headless mode has loaded
        ("run_path", "main.py", ["--headless", "--no-db", "--bind", "192.0.2.1", "--port", "0"], 2),
        ("run_module", "inspector", ["--headless", "--no-db", "--bind", "192.0.2.1", "--port", "0"], 2),
        ("run_module", "inspector", ["--version"], 0),
        ("run_module", "inspector", ["--list-presets"], 0),
    ],
)
def test_no_window_no_qt(runner: str, entry: str, argv: list[str], status: int) -> None:
    """Headless mode, --version and --list-presets, from main.py and ``python -m inspector``: no Qt.

    So ``pip install request-inspector`` works on a server without X libraries.
    """
    code = (
        "import sys, runpy\n"
        f"sys.argv = [{entry!r}, *{argv!r}]\n"
        "try:\n"
        f"    runpy.{runner}({entry!r}, run_name='__main__')\n"
        "except SystemExit as exc:\n"
        f"    assert exc.code == {status!r}, exc.code\n"
        "print(sorted(m for m in sys.modules if m.startswith('PySide6')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
