"""Inputs the coverage-guided fuzzer (tools/fuzz_parser.py) once failed on.

Each file in tests/data/fuzz-regressions/ is replayed through the fuzz target's
own checks (split invariance, JSONL round trip, no CR/LF in response heads,
raw bytes exact), plus the seeds the fuzzer starts from.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASES = sorted((ROOT / "tests" / "data" / "fuzz-regressions").iterdir()) + sorted(
    (ROOT / "tests" / "data" / "fuzz-seeds").iterdir()
)


def _load_check():
    spec = importlib.util.spec_from_file_location("fuzz_parser", ROOT / "tools" / "fuzz_parser.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz_parser"] = module
    spec.loader.exec_module(module)
    return module.check


CHECK = _load_check()


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_fuzz_input_holds_every_property(case: Path) -> None:
    CHECK(case.read_bytes())
