"""Mutation testing (mutmut 3) of one module at a time, with the tests that cover it.

    make mutate MODULES="inspector/tls inspector/diff"      # full runs, one after the other
    make mutate-sample                                        # ~30 mutants of the changed files
    .venv/bin/python tools/mutate.py retest inspector/tls 'inspector.tls.ja4.*'

Each module is mutated in its own scratch copy of the tree (``build/mutate/<name>/``),
so the worktree is never changed and may be edited while a run goes on. mutmut runs
the module's test selection (``SELECTION``) once to learn which tests reach which
function, then runs, for each mutant, only the tests that reached its function.

A mutant is *killed* when a test fails (or it runs out of CPU time: a loop that no
longer ends). Every other outcome (survived, no test reached it, suspicious) counts
against the score unless ``tools/mutate_survivors/<module>.toml`` explains it as
equivalent (no user could tell it from the original). An explanation names the
mutant and its mutated line; when the code changes and the line no longer matches,
the explanation is stale and the mutant counts as an unexplained survivor again.
Survivors explained there as not equivalent still count against the score. Two kinds of
mutant are equivalent by a rule instead of one by one (``tools/mutate_equivalent.py``): a
change of case in an SQL statement or in a codec name.

Only one mutation run at a time: a second one waits for the first (``build/mutate/.lock``).
See docs/TESTING.md for the scores of the last runs.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from mutate_report import (
    EXPLAINED,
    KILLED,
    Outcome,
    Survivor,
    added_lines,
    diffs,
    load_explained,
    read_meta,
    read_outcome,
    report,
    short_name,
    wilson,
)

#: what reading a run's results gives (tools/mutate_report.py), offered here too
__all__ = [
    "EXPLAINED",
    "KILLED",
    "Outcome",
    "Survivor",
    "added_lines",
    "diffs",
    "load_explained",
    "read_meta",
    "read_outcome",
    "report",
    "short_name",
    "wilson",
]

ROOT = Path(__file__).resolve().parents[1]
SCRATCH = ROOT / "build" / "mutate"
#: the tests run against each module's mutants: its own test folder, chosen so a
#: whole run stays within an hour on a 2-core machine (docs/TESTING.md has the times)
SELECTION: dict[str, tuple[str, ...]] = {
    "inspector/tls": ("tests/tls",),
    "inspector/upstream": ("tests/upstream",),
    "inspector/diff": ("tests/diff",),
    "inspector/timeline": ("tests/timeline",),
    "inspector/addresses.py": ("tests/test_addresses.py",),
    "inspector/text.py": ("tests/test_text.py", "tests/test_text_hidden.py", "tests/test_text_limits.py"),
    "inspector/assets.py": ("tests/test_assets.py", "tests/test_assets_locations.py"),
    # the other Qt-free top-level modules, each with the tests that call it in-process (most
    # tests of the command line and headless mode run the app in subprocesses, which mutmut's
    # coverage of each function cannot see)
    "inspector/app.py": ("tests/test_app_main.py", "tests/test_cli_limits.py"),
    "inspector/headless.py": (
        "tests/test_headless_run.py",
        "tests/test_cli_limits.py",
        "tests/test_headless_saved_rules.py",
        "tests/testing/test_inspector.py",
    ),
    "inspector/filter_query.py": (
        "tests/models/test_filter_query.py",
        "tests/models/test_filter_query_fields.py",
        "tests/models/test_history_terms.py",
    ),
    "inspector/units.py": ("tests/test_units.py", "tests/test_limit_settings.py"),
    "inspector/limit_settings.py": ("tests/test_limit_settings.py", "tests/test_cli_limits.py"),
    "inspector/notify.py": ("tests/test_notify.py", "tests/ui/test_notifier.py"),
    "inspector/simple_curl.py": ("tests/test_simple_curl.py",),
    "inspector/replay.py": (
        "tests/test_replay_requests.py",
        "tests/test_replay_exchange.py",
        "tests/ui/test_replay.py",
        "tests/ui/test_replay_edits.py",
    ),
    "inspector/paths.py": ("tests/test_paths.py", "tests/tls/test_ca.py"),
    # the record's JSON codec (http/record.py) and Deferred (http/deferred.py) are tested
    # where records are written and answers deferred: without these files a run of
    # inspector/http found ~360 of their mutants reached by no test
    "inspector/http": (
        "tests/http",
        "tests/hardening/test_parser_properties.py",
        "tests/formats/test_jsonl.py",
        "tests/upstream/test_upstream_record.py",
        "tests/tls/test_record_tls.py",
        "tests/server/test_answers.py",
    ),
    # the TLS terminator and handshake workers (server/tls_*.py) are tested over HTTPS in
    # tests/tls, and the loop's limits under hostile clients in tests/hardening
    "inspector/server": ("tests/server", "tests/tls", "tests/hardening"),
    "inspector/responses": ("tests/responses",),
    "inspector/store": ("tests/store",),
    "inspector/capture": ("tests/capture",),
    # the record's every field through JSONL and HAR, TLS and upstream records, and the
    # simple cURL commands are tested beside the code that makes those records
    "inspector/formats": (
        "tests/formats",
        "tests/store/test_every_field.py",
        "tests/tls/test_record_tls.py",
        "tests/upstream/test_upstream_record.py",
        "tests/test_simple_curl.py",
    ),
    "inspector/listen": ("tests/listen",),
    # not test_plugin.py: its pytester sessions start pytest inside mutmut's run, where
    # mutmut's own plugin fails to find its configuration (every stats run fails)
    "inspector/testing": (
        "tests/testing/test_expect.py",
        "tests/testing/test_headless_until.py",
        "tests/testing/test_inspector.py",
        "tests/testing/test_lines.py",
        "tests/testing/test_plugin_cost.py",
        "tests/testing/test_plugin_report.py",
        "tests/testing/test_threads.py",
    ),
    "inspector/models": ("tests/models",),
}
#: the modules `make mutate-sample` draws from: those whose survivors are all explained, so a
#: drawn mutant that survives unexplained is news: every module scored on every mutant (or on a
#: sample whose survivors were all explained) whose last run left no survivor unexplained
#: (docs/TESTING.md)
SAMPLED = (
    "inspector/store",
    "inspector/tls",
    "inspector/diff",
    "inspector/capture",
    "inspector/formats",
    "inspector/listen",
    "inspector/timeline",
    "inspector/upstream",
    "inspector/addresses.py",
    "inspector/text.py",
    "inspector/assets.py",
    "inspector/filter_query.py",
    "inspector/units.py",
    "inspector/limit_settings.py",
    "inspector/notify.py",
    "inspector/simple_curl.py",
    "inspector/paths.py",
    "inspector/replay.py",
    "inspector/headless.py",
    "inspector/app.py",
)
#: modules measured on a random sample of this many mutants unless ``run --sample`` says
#: otherwise (``--sample 0``: every mutant): a full run does not fit a sitting on 2 cores
SAMPLE_SIZE = {
    "inspector/http": 600,
    "inspector/server": 600,
    "inspector/responses": 600,
    "inspector/testing": 600,
    "inspector/models": 300,
    "inspector/tls": 300,  # its tests are the slowest selection (45 s)
}
#: the share of non-equivalent mutants a module's tests must kill
TARGET = 0.95
#: what a scratch copy holds besides the package (the tests find resources/ and main.py)
COPIED = ("inspector", "tests", "resources", "tools", "main.py", "setup.py", "Makefile")


def slug(module: str) -> str:
    """``inspector/tls`` -> ``tls``; ``inspector/text.py`` -> ``text``."""
    return module.removeprefix("inspector/").removesuffix(".py").replace("/", "-")


def scratch_of(module: str) -> Path:
    return SCRATCH / slug(module)


def check_modules(modules: Iterable[str]) -> list[str]:
    chosen = [module.rstrip("/") for module in modules]
    unknown = [module for module in chosen if module not in SELECTION]
    if unknown:
        raise SystemExit(f"error: no test selection for {', '.join(unknown)}; known: {', '.join(SELECTION)}")
    return chosen


@contextmanager
def one_run_at_a_time() -> Iterator[None]:
    SCRATCH.mkdir(parents=True, exist_ok=True)
    with open(SCRATCH / ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("another mutation run is under way (build/mutate/.lock): waiting for it", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def mutmut_config(modules: Iterable[str], tests: Iterable[str]) -> str:
    """The ``[tool.mutmut]`` table of a scratch copy."""
    only = [f"{module}/*" if not module.endswith(".py") else module for module in modules]
    table = {
        "source_paths": ["inspector"],
        "only_mutate": only,
        "pytest_add_cli_args_test_selection": sorted(set(tests)),
        # a slow example is no kill, and the same examples every time (tests/conftest.py);
        # pytest-timeout's 300 s is for an idle machine: at nice 19 under a load of 5 and
        # behind mutmut's trampolines a test takes many times longer (a mutant that no
        # longer ends is stopped by mutmut's CPU limit, below, long before this)
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "--hypothesis-profile=mutate", "--timeout=1800"],
        "also_copy": [name for name in COPIED if name not in ("inspector", "tests")],
        "use_git_change_detection": False,
        # a mutant that loops for ever is stopped after 4x (not mutmut's 15x) its tests' time
        "timeout_multiplier": 4.0,
    }
    lines = ["", "[tool.mutmut]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in table.items()]
    return "\n".join(lines) + "\n"


def prepare(where: Path, modules: list[str], tests: Iterable[str]) -> None:
    """A fresh scratch copy of the tree with mutmut's settings for ``modules``."""
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, where / name, ignore=ignore)
        else:
            shutil.copy2(source, where / name)
    pyproject = (ROOT / "pyproject.toml").read_text()
    (where / "pyproject.toml").write_text(pyproject + mutmut_config(modules, tests))


def mutmut(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=where, env=env, text=True, check=False)


def draw(module: str, names: list[str], size: int, seed: str = "") -> list[str]:
    """``size`` of ``names`` at random, seeded by the module's name (and ``seed``: another
    sample of the same module, e.g. to measure again after tests written for the last one)."""
    rng = random.Random(f"{module}#{seed}" if seed else module)
    return sorted(rng.sample(names, min(size, len(names))))


def run(
    modules: list[str], jobs: int, *, resume: bool = False, sample: int | None = None, seed: str = ""
) -> int:
    """Full runs of ``modules``, one after the other; ``resume`` finishes an interrupted one
    (mutants with a result keep it) instead of starting afresh; ``sample`` runs that many of
    each module's mutants, drawn at random (:func:`draw`, with ``seed``)."""
    explained = load_explained()
    worst = 1.0
    for module in modules:
        where = scratch_of(module)
        timing = where / "seconds"
        spent = float(timing.read_text()) if resume and timing.exists() else 0.0
        if not (resume and (where / "mutants").is_dir()):
            prepare(where, [module], SELECTION[module])
            size = SAMPLE_SIZE.get(module) if sample is None else sample
            if size:
                chosen = draw(module, generate(where), size, seed)
                (where / "drawn").write_text("\n".join(chosen) + "\n")
        drawn = (where / "drawn").read_text().split() if (where / "drawn").exists() else []
        started = time.monotonic()
        done = mutmut(where, "run", "--max-children", str(jobs), *drawn)
        timing.write_text(f"{spent + time.monotonic() - started:.0f}")
        if done.returncode != 0:
            print(f"error: mutmut failed on {module} (exit {done.returncode}); see above")
            return 2
        score, _ = report(read_outcome(module, where), where, explained)
        worst = min(worst, score)
    return 0 if worst >= TARGET else 1


def code_changed(path: Path, where: Path) -> bool:
    """Whether the worktree's ``path`` differs from the copy the scratch run mutated."""
    copy = where / path.relative_to(ROOT)
    return not copy.exists() or copy.read_bytes() != path.read_bytes()


def retest(module: str, patterns: list[str], jobs: int) -> int:
    """Copy the worktree's tests into the module's last run and run the named mutants (globs;
    by default the last run's unexplained survivors and the mutants it did not reach) again."""
    where = scratch_of(module)
    if not (where / "mutants").is_dir():
        raise SystemExit(f"error: no earlier run of {module}; run `make mutate MODULES={module}` first")
    changed = [path for path in sorted((ROOT / module).rglob("*.py")) if code_changed(path, where)]
    if changed:  # the mutants are of the old code: only a new run tests the new one
        names = ", ".join(str(path.relative_to(ROOT)) for path in changed)
        raise SystemExit(f"error: {names} changed since the last run of {module}; run it again")
    last, explained = read_outcome(module, where), load_explained()
    patterns = patterns or [
        *(name for name in last.survivors() if name not in explained),
        *(name for name, status in last.status.items() if status == "not checked"),
    ]
    if not patterns:
        print(f"{module}: no survivors to test again")
        return 0
    pyproject = (ROOT / "pyproject.toml").read_text()  # today's selection, too
    (where / "pyproject.toml").write_text(pyproject + mutmut_config([module], SELECTION[module]))
    for target in (where / "tests", where / "mutants" / "tests"):
        shutil.copytree(ROOT / "tests", target, dirs_exist_ok=True)
    done = mutmut(where, "run", "--max-children", str(jobs), *patterns)
    report(read_outcome(module, where), where, load_explained())
    return done.returncode


def changed_files(base: str) -> list[str]:
    listed = subprocess.run(
        ["git", "diff", "--name-only", base, "HEAD", "--", "inspector"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return listed.stdout.split() if listed.returncode == 0 else []


def module_of(path: str) -> str | None:
    for module in SAMPLED:
        if path == module or path.startswith(module + "/"):
            return module
    return None


def generate(where: Path) -> list[str]:
    """Have mutmut write the scratch copy's mutants (no test runs); return their names."""
    code = "import mutmut.__main__ as m\nm.copy_src_dir(); m.copy_also_copy_files(); m.create_mutants(1)\n"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    subprocess.run([sys.executable, "-c", code], cwd=where, env=env, check=True, stdout=subprocess.DEVNULL)
    names: list[str] = []
    for meta in sorted((where / "mutants").rglob("*.py.meta")):
        names += read_meta(meta)["exit_code_by_key"]
    return names


def sample(count: int, base: str, jobs: int) -> int:
    """Run ``count`` mutants of the sampled modules' files changed since ``base`` (else of one
    sampled module), drawn at random seeded by HEAD's commit so a run can be repeated."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], check=False, cwd=ROOT, capture_output=True, text=True)
    rng = random.Random(head.stdout.strip())
    files = sorted({path for path in changed_files(base) if path.endswith(".py") and module_of(path)})
    modules = sorted({module for path in files if (module := module_of(path))}) or [rng.choice(SAMPLED)]
    targets = files or modules
    where = SCRATCH / "sample"
    prepare(where, targets, [test for module in modules for test in SELECTION[module]])
    names = generate(where)
    chosen = sorted(rng.sample(names, min(count, len(names))))
    print(f"mutation sample: {len(chosen)} of the {len(names)} mutants of {', '.join(targets)}", flush=True)
    if not chosen:
        return 0
    done = mutmut(where, "run", "--max-children", str(jobs), *chosen)
    if done.returncode != 0:
        print(f"error: mutmut failed (exit {done.returncode})")
        return 2
    outcome = read_outcome("sample", where)
    outcome.status = {name: outcome.status[name] for name in chosen}
    _, unexplained = report(outcome, where, load_explained())
    return 1 if unexplained else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once (default 2)")
    verbs = parser.add_subparsers(dest="verb", required=True)
    full = verbs.add_parser("run", help="full runs of the modules")
    full.add_argument("--resume", action="store_true", help="finish an interrupted run")
    full.add_argument(
        "--sample",
        type=int,
        help="run this many mutants of each module, drawn at random (0: all; default SAMPLE_SIZE)",
    )
    full.add_argument(
        "--seed", default="", help="draw another sample than the default one (any text; default: none)"
    )
    full.add_argument("modules", nargs="+")
    again = verbs.add_parser("retest", help="rerun mutants (globs) of a module's last run with today's tests")
    again.add_argument("module")
    again.add_argument("patterns", nargs="*", help="mutant names or globs (default: the survivors)")
    again.add_argument(
        "--slow", action="store_true", help="with the tests a run leaves out as slow (tests/conftest.py)"
    )
    shown = verbs.add_parser("report", help="print the last run's score and unexplained survivors")
    shown.add_argument(
        "--markdown", action="store_true", help="every survivor, as docs/TESTING.md lists them"
    )
    shown.add_argument("modules", nargs="+")
    drawn = verbs.add_parser("sample", help="a short run of mutants of the changed files")
    drawn.add_argument("--count", type=int, default=30)
    drawn.add_argument("--base", default="HEAD~1", help="changed since this revision (default HEAD~1)")
    args = parser.parse_args(argv)
    if args.verb == "report":
        explained = load_explained()
        for module in check_modules(args.modules):
            where = scratch_of(module)
            report(read_outcome(module, where), where, explained, markdown=args.markdown)
        return 0
    with one_run_at_a_time():
        if args.verb == "run":
            return run(
                check_modules(args.modules), args.jobs, resume=args.resume, sample=args.sample, seed=args.seed
            )
        if args.verb == "retest":
            if args.slow:
                os.environ["MUTATE_SLOW_TESTS"] = "1"  # read by tests/conftest.py in mutmut's workers
            return retest(check_modules([args.module])[0], args.patterns, args.jobs)
        return sample(args.count, args.base, args.jobs)


if __name__ == "__main__":
    sys.exit(main())
