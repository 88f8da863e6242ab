"""Inputs for the rules fuzz targets (tools/fuzz_rules.py), replayed through their checks.

``tests/data/fuzz-seeds-rules/<target>-*`` are the seeds a fresh corpus starts
from; a crash the fuzzer finds is kept there too, named after its target.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "tests" / "data" / "fuzz-seeds-rules").iterdir())


def _targets() -> dict[str, Callable[[bytes], None]]:
    spec = importlib.util.spec_from_file_location("fuzz_rules", ROOT / "tools" / "fuzz_rules.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz_rules"] = module
    spec.loader.exec_module(module)
    return dict(module.TARGETS)


TARGETS = _targets()


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fuzz_input_holds_every_property(case: Path) -> None:
    target = case.name.split("-", 1)[0]
    TARGETS[target](case.read_bytes())
