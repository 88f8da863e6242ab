"""Worst time of each function that touches request data, on adversarial inputs.

    python bench/adversarial.py [--size BYTES] [--timeout S] [--only TEXT] [--list]

A benchmark, not a test: it prints figures. Cases live in sibling modules named
``adversarial_<section>.py``, each with a ``CASES`` list of :class:`Case`; this
file finds them, so each section is edited on its own. A case names the function
under test and builds inputs of several shapes, each ``--size`` bytes (64 KiB by
default), shaped to hurt: long runs that make backtracking regexes explode, many
distinct names, deep nesting, delimiters everywhere.

Every (case, shape) runs in a child process with a timeout, so a shape that
would take minutes (as before the fixes of issue 10) prints ``>T s`` instead of
hanging the run. The figure is the best of ``--repeat`` runs of that shape; the
case's worst shape is what the summary shows. Run ``uptime`` first and note the
load beside the figures.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_SIZE = 64 * 1024


@dataclass(frozen=True)
class Case:
    """One function under test.

    Attributes:
        name: short and unique, e.g. ``glob /*-*-*-*.png``.
        run: calls the function under test on one built input.
        shapes: shape name -> builder taking the size in bytes, returning the input.
        check: optional; raises AssertionError when the result is wrong.
    """

    name: str
    run: Callable[[Any], Any]
    shapes: dict[str, Callable[[int], Any]]
    check: Callable[[Any, Any], None] | None = field(default=None)


def sections() -> dict[str, list[Case]]:
    """Every ``adversarial_<section>.py`` beside this file, by section name."""
    sys.path.insert(0, str(HERE))
    found: dict[str, list[Case]] = {}
    for path in sorted(HERE.glob("adversarial_*.py")):
        module = importlib.import_module(path.stem)
        found[path.stem.removeprefix("adversarial_")] = list(module.CASES)
    return found


def _find(case_name: str) -> Case:
    for cases in sections().values():
        for case in cases:
            if case.name == case_name:
                return case
    raise SystemExit(f"no case {case_name!r}")


def run_one(case_name: str, shape: str, size: int, repeat: int) -> None:
    """Child process: time one shape of one case, print seconds (or the error)."""
    case = _find(case_name)
    data = case.shapes[shape](size)
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = case.run(data)
        best = min(best, time.perf_counter() - start)
    if case.check is not None:
        case.check(data, result)
    print(f"{best:.6f}")


def _measure(case: Case, shape: str, args: argparse.Namespace) -> str:
    command = [
        sys.executable, __file__, "--child", case.name, shape,
        "--size", str(args.size), "--repeat", str(args.repeat),
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return f">{args.timeout:g} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return f"error: {last[:80]}"
    seconds = float(done.stdout.split()[-1])
    return f"{seconds * 1000:.2f} ms"


def _sort_key(figure: str) -> float:
    if figure.startswith(">"):
        return float("inf")
    if figure.startswith("error"):
        return -1.0
    return float(figure.split(maxsplit=1)[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE, help="bytes per input")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per shape")
    parser.add_argument("--repeat", type=int, default=3, help="runs per shape (best kept)")
    parser.add_argument("--only", default="", help="cases whose section or name contains this")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "SHAPE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_one(args.child[0], args.child[1], args.size, args.repeat)
        return 0
    print(f"size {args.size} bytes, timeout {args.timeout:g} s, best of {args.repeat}")
    for section, cases in sections().items():
        for case in cases:
            if args.only and args.only not in f"{section} {case.name}":
                continue
            if args.list:
                print(f"{section}: {case.name}: {', '.join(case.shapes)}")
                continue
            figures = {shape: _measure(case, shape, args) for shape in case.shapes}
            worst = max(figures, key=lambda shape: _sort_key(figures[shape]))
            detail = ", ".join(f"{shape} {figure}" for shape, figure in figures.items())
            print(f"{section:8} {case.name:34} worst {figures[worst]:>12} ({worst})   [{detail}]")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
