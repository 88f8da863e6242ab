"""The store and format layers import no Qt, and nothing above them.

The store may import only the standard library, orjson, ``inspector.http``,
``inspector.formats``, ``inspector.addresses`` and ``inspector.paths``; the formats only
``inspector.http`` and ``inspector.addresses`` (docs/ARCHITECTURE.md, "Layers").
"""

from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = (
    "import sys, importlib\n"
    "for name in sys.argv[1].split(','):\n"
    "    importlib.import_module(name)\n"
    "allowed = tuple(sys.argv[2].split(','))\n"
    "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'PyQt'))"
    " or m.startswith('inspector.') and not m.startswith(allowed))\n"
    "print(','.join(bad))\n"
)


@pytest.mark.parametrize(
    ("modules", "allowed"),
    [
        (
            "inspector.store,inspector.store.db,inspector.store.opening",
            "inspector.store,inspector.formats,inspector.http,inspector.addresses,inspector.paths",
        ),
        ("inspector.formats", "inspector.formats,inspector.http,inspector.addresses"),
    ],
)
def test_layer_imports_only_what_it_may(
    subprocess_env: dict[str, str], modules: str, allowed: str
) -> None:
    out = subprocess.run([sys.executable, "-c", CHECK, modules, allowed], env=subprocess_env,
                         capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == ""


def test_the_check_sees_a_forbidden_import(subprocess_env: dict[str, str]) -> None:
    out = subprocess.run([sys.executable, "-c", CHECK, "inspector.store", "inspector.http"],
                         env=subprocess_env, capture_output=True, text=True, timeout=60, check=True)
    assert "inspector.store" in out.stdout
