"""Reading a mutation run's results: each mutant's outcome, the explained survivors, and
the report of a module's score (tools/mutate.py runs the mutants; docs/TESTING.md)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mutate_equivalent import equivalent_by_rule

ROOT = Path(__file__).resolve().parents[1]
#: one file of explanations per top-level module (``http.toml``, ``store.toml``...)
EXPLAINED = ROOT / "tools" / "mutate_survivors"
#: the outcomes that count as killed: a test failed, the tests ran out of time, or the test
#: process crashed (a Qt model's mutant that hands Qt a wrong value; the clean run did not)
KILLED = frozenset({"killed", "timeout", "caught by type check", "segfault"})


@dataclass
class Survivor:
    """An explained survivor: ``equivalent`` ones leave the score, the others count against it."""

    mutant: str
    line: str
    why: str
    equivalent: bool = True


@dataclass
class Outcome:
    """The results of one module's run, read from mutmut's files."""

    module: str
    status: dict[str, str] = field(default_factory=dict)  # mutant name -> mutmut's status
    seconds: float | None = None
    drawn_from: int | None = None  # a sampled run: how many mutants the module has

    def survivors(self) -> list[str]:
        """Mutants tested and not killed (those not tested yet count against the score too)."""
        return sorted(name for name, status in self.status.items() if status not in KILLED | {"not checked"})


def read_meta(meta: Path) -> dict[str, Any]:
    """One of mutmut's ``.py.meta`` files; a run under way rewrites them, so a read that
    catches one half-written is tried again."""
    for _ in range(20):
        try:
            found: dict[str, Any] = json.loads(meta.read_text())
            return found
        except json.JSONDecodeError:
            time.sleep(0.1)
    raise SystemExit(f"error: {meta} is not JSON")


def read_outcome(module: str, where: Path) -> Outcome:
    from mutmut.stats import status_by_exit_code

    outcome = Outcome(module)
    for meta in sorted((where / "mutants").rglob("*.py.meta")):
        for name, code in read_meta(meta)["exit_code_by_key"].items():
            outcome.status[name] = status_by_exit_code[code]
    drawn = where / "drawn"
    if drawn.exists():  # a sampled run (run --sample): its score is that of the mutants drawn
        outcome.drawn_from = len(outcome.status)
        outcome.status = {name: outcome.status[name] for name in drawn.read_text().split()}
    timing = where / "seconds"
    if timing.exists():
        outcome.seconds = float(timing.read_text())
    return outcome


def load_explained() -> dict[str, Survivor]:
    explained: dict[str, Survivor] = {}
    for path in sorted(EXPLAINED.glob("*.toml")):
        for entry in tomllib.loads(path.read_text()).get("survivor", []):
            if entry["mutant"] in explained:
                raise SystemExit(f"error: {entry['mutant']} is explained twice ({path.name})")
            explained[entry["mutant"]] = Survivor(**entry)
    return explained


def diffs(where: Path, names: list[str]) -> dict[str, list[str]]:
    """Each mutant's diff from the original (one mutmut process for all of them)."""
    code = (
        "import json, sys, time\n"
        "from mutmut.mutation.diff_apply import find_mutant, get_diff_for_mutant\n"
        "def diff(n):\n"
        "    for _ in range(20):\n"
        "        try:\n"
        "            return get_diff_for_mutant(n, path=find_mutant(n).path)\n"
        "        except json.JSONDecodeError:\n"  # a running run rewrites its .meta files
        "            time.sleep(0.1)\n"
        "    return get_diff_for_mutant(n, path=find_mutant(n).path)\n"
        "names = json.load(sys.stdin)\n"
        "print(json.dumps({n: diff(n) for n in names}))\n"
    )
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=where,
        env=env,
        input=json.dumps(names),
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, str] = json.loads(done.stdout.splitlines()[-1])
    return {name: text.splitlines() for name, text in found.items()}


def added_lines(diff: list[str]) -> str:
    """A diff's added lines, stripped and joined by `` / ``: how an explanation names its mutant
    (``removed: `` and the removed lines for a mutant that only deletes, such as an argument
    dropped from a call written over several lines)."""

    def changed(sign: str) -> list[str]:
        return [line[1:].strip() for line in diff if line.startswith(sign) and not line.startswith(sign * 3)]

    added = changed("+")
    return " / ".join(added) if added else "removed: " + " / ".join(changed("-"))


def short_name(mutant: str) -> str:
    """``inspector.diff.model.xǁJsonChangeǁmirrored__mutmut_3`` -> ``diff.model.JsonChange.mirrored #3``."""
    mangled, _, number = mutant.partition("__mutmut_")
    module, _, function = mangled.removeprefix("inspector.").partition(".x")
    function = function[1:].replace("ǁ", ".")  # "_name" for a function, "ǁClassǁname" for a method
    return f"{module}.{function} #{number}"


def report(
    outcome: Outcome, where: Path, explained: dict[str, Survivor], *, markdown: bool = False
) -> tuple[float, list[str]]:
    """Print the module's score and each unexplained survivor's diff (or, with ``markdown``,
    the score and a table of every survivor for docs/TESTING.md); return the score and the
    unexplained survivors."""
    counts = Counter(outcome.status.values())
    survivors = outcome.survivors()
    shown = diffs(where, survivors) if survivors else {}
    known = {
        name: explained[name]
        for name in survivors
        if name in explained and explained[name].line == added_lines(shown[name])
    }
    for name in survivors:  # equivalent by a rule (tools/mutate_equivalent.py)
        why = None if name in known else equivalent_by_rule(shown[name])
        if why is not None:
            known[name] = Survivor(name, added_lines(shown[name]), why)
    unexplained = [name for name in survivors if name not in known]
    equivalent = sum(entry.equivalent for entry in known.values())
    considered = len(outcome.status) - equivalent
    killed = sum(counts[status] for status in KILLED)
    score = killed / considered if considered else 1.0
    took = f", {outcome.seconds / 60:.0f} min" if outcome.seconds is not None else ""
    if outcome.drawn_from is not None:
        low, high = wilson(killed, considered)
        took += (
            f"; a random sample of {len(outcome.status)} of its {outcome.drawn_from} mutants:"
            f" 95 % interval {low:.1%} to {high:.1%}"
        )
    tally = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    summary = (
        f"{outcome.module}: {score:.1%} of {considered} non-equivalent mutants killed "
        f"({tally}; {equivalent} equivalent{took})"
    )
    if not markdown:
        for name in unexplained:
            stale = " (its explanation is stale: the mutated line changed)" if name in explained else ""
            print(f"\n{outcome.status[name]}: {name}{stale}")
            print("\n".join(shown[name]))
        print(f"\n{summary}")
        return score, unexplained
    print(f"#### {summary}\n")
    if survivors:
        print("| mutant | mutated line | why it survives |\n| --- | --- | --- |")
    for name in survivors:
        entry = known.get(name)
        why = "**not explained**" if entry is None else entry.why
        if entry is not None and not entry.equivalent:
            why = f"**not killed**: {why}"
        line = (added_lines(shown[name]) or "(line removed)").replace("|", "\\|")
        print(f"| `{short_name(name)}` | `{line}` | {why} |")
    print()
    return score, unexplained


def wilson(killed: int, considered: int) -> tuple[float, float]:
    """The 95 % Wilson interval of a score measured on a random sample of mutants."""
    if not considered:
        return 0.0, 1.0
    z, share = 1.96, killed / considered
    centre = (share + z * z / (2 * considered)) / (1 + z * z / considered)
    spread = z * math.sqrt(share * (1 - share) / considered + z * z / (4 * considered**2))
    spread /= 1 + z * z / considered
    return max(0.0, centre - spread), min(1.0, centre + spread)
