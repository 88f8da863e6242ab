"""tools/fuzz_tls.py loaded as a module, so tests use the fuzz target's own checks."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_spec = importlib.util.spec_from_file_location("fuzz_tls", ROOT / "tools" / "fuzz_tls.py")
assert _spec is not None and _spec.loader is not None
fuzz_tls = importlib.util.module_from_spec(_spec)
sys.modules["fuzz_tls"] = fuzz_tls
_spec.loader.exec_module(fuzz_tls)
