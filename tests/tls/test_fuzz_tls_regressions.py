"""Inputs tools/fuzz_tls.py once failed on, and its seeds, replayed through its own checks."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fuzztarget import ROOT, fuzz_tls

CASES = sorted((ROOT / "tests" / "data" / "tls-fuzz-regressions").iterdir()) + sorted(
    (ROOT / "tests" / "data" / "tls-hellos").iterdir()
)


@pytest.fixture
def unraisable_is_an_error() -> Iterator[None]:
    """What the fuzzer's hook does: an exception escaping into ssl's callbacks fails the check."""
    previous = sys.unraisablehook
    sys.unraisablehook = lambda hook_args: fuzz_tls._UNRAISABLE.append(hook_args.exc_value)
    yield
    sys.unraisablehook = previous


@pytest.mark.usefixtures("unraisable_is_an_error")
@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_case(case: Path) -> None:
    fuzz_tls.check(case.read_bytes())
