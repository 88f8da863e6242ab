"""Loading the testing layer costs nothing it does not need: no Qt, and a plugin that
imports nothing of the listener until a fixture is used.

Each check runs in a fresh interpreter with no display and no Qt platform set
(as on a CI machine), so modules other tests imported do not count.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

LOADED = """
import importlib, json, sys
{statement}
print(json.dumps(sorted(sys.modules)))
"""

#: what a pytest run that never asks for the fixture must not load (the listener,
#: the rules engine and their dependencies)
HEAVY = (
    "inspector.server",
    "inspector.responses",
    "inspector.capture",
    "inspector.store",
    "inspector.testing.inspector",
    "jinja2",
    "re2",
    "httptools",
    "sqlite3",
    "PySide6",
)


def loaded(statement: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", LOADED.format(statement=statement)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    modules: list[str] = json.loads(done.stdout)
    return modules


def qt(modules: list[str]) -> list[str]:
    return [m for m in modules if m == "PySide6" or m.startswith(("PySide6.", "shiboken6"))]


@pytest.mark.parametrize(
    "statement",
    [
        "import inspector.testing",
        "from inspector.testing import Inspector, CapturedRequest, RulesTrace",
        "import inspector.testing.plugin",
        "import inspector.testing.lines",
        # and the whole path a test takes: start, request, wait, trace, HAR, stop
        "from inspector.testing import Inspector\n"
        "import urllib.request, tempfile, os\n"
        "with Inspector(rules=[{'path': '/x', 'status': 201}]) as insp:\n"
        "    urllib.request.urlopen(insp.url + '/x').read()\n"
        "    found = insp.wait_for('GET', '/x', header='Host')\n"
        "    str(insp.rules_trace(found))\n"
        "    insp.save_har(os.path.join(tempfile.mkdtemp(), 'out.har'))",
    ],
)
def test_no_qt(statement: str) -> None:
    assert qt(loaded(statement)) == []


def test_the_check_sees_qt_when_it_is_there() -> None:
    """The same check reports Qt for a module that uses it (so the test above can fail)."""
    assert "PySide6.QtCore" in qt(loaded("import inspector.listener"))


@pytest.mark.parametrize("statement", ["import inspector.testing.plugin", "import inspector.testing"])
def test_the_plugin_loads_nothing_of_the_listener(statement: str) -> None:
    modules = loaded(statement)
    heavy = [m for m in modules if m.startswith(HEAVY)]
    assert heavy == []


def test_the_check_sees_the_listener_once_the_fixture_module_loads() -> None:
    modules = loaded("import inspector.testing.plugin\nfrom inspector.testing import Inspector")
    assert {"inspector.server", "inspector.responses", "jinja2"} <= set(modules)
