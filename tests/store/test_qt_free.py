"""The store layer imports no Qt (DESIGN.md: stdlib and inspector.http only)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_store_loads_no_qt(subprocess_env: dict[str, str]) -> None:
    code = (
        "import sys, inspector.store, inspector.store.db, inspector.store.export, "
        "inspector.store.har_import\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'PyQt'))"
        " or m.startswith('inspector.') and not m.startswith(('inspector.store', "
        "'inspector.http', 'inspector.paths')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=subprocess_env, capture_output=True,
                         text=True, timeout=60, check=True)
    assert out.stdout.strip() == ""
