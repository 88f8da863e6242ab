"""Summarise a py-spy ``--format raw`` profile (collapsed stacks) per thread.

Usage::

    py-spy record --pid PID --duration 10 --rate 250 --format raw -o prof.txt
    python bench/profile_summary.py prof.txt [--top 25] [--focus FUNC]

For each thread (told apart by the frame its stacks start in: the listener's
``Server.serve_forever``, the store's ``CaptureStore._run``, the main thread)
it prints the share of samples per function, inclusive (the function or
anything it called) and self (the function's own lines), as a percentage of
all samples in the file, so the threads' figures add up to the process total.
``--focus FUNC`` also lists what FUNC's inclusive time is made of, one level
down.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys

_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*):(?P<line>\d+)\)$")

_THREADS = (
    ("listener", "Server.serve_forever"),
    ("store writer", "CaptureStore._run"),
)


def _func(frame: str) -> str:
    match = _FRAME.match(frame)
    if not match:
        return frame
    path = match["file"]
    short = path.split("inspector/", 1)[-1] if "inspector/" in path else path.rsplit("/", 1)[-1]
    return f"{match['func']} ({short})"


def _thread_of(frames: list[str]) -> str:
    for name, marker in _THREADS:
        if any(frame.startswith(marker + " ") for frame in frames):
            return name
    return "other"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("profile", help="py-spy --format raw output")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--focus", action="append", default=[], help="break down this function")
    args = parser.parse_args(argv)

    total = 0
    per_thread: collections.Counter[str] = collections.Counter()
    inclusive: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    own: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    children: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    with open(args.profile, encoding="utf-8") as handle:
        for line in handle:
            stack, _, count_text = line.rstrip("\n").rpartition(" ")
            if not stack:
                continue
            count = int(count_text)
            frames = stack.split(";")
            thread = _thread_of(frames)
            funcs = [_func(frame) for frame in frames]
            total += count
            per_thread[thread] += count
            for func in set(funcs):
                inclusive[thread][func] += count
            own[thread][funcs[-1]] += count
            for focus in args.focus:
                for i, func in enumerate(funcs[:-1]):
                    if func.startswith(focus + " "):
                        children[focus][funcs[i + 1]] += count
                        break
                else:
                    if funcs[-1].startswith(focus + " "):
                        children[focus]["(self)"] += count

    if not total:
        print("no samples", file=sys.stderr)
        return 1
    print(f"{total} samples")
    for thread, samples in per_thread.most_common():
        print(f"\n== {thread}: {samples} samples, {100 * samples / total:.1f}% of all ==")
        print(f"{'incl %':>7} {'self %':>7}  function")
        for func, n in inclusive[thread].most_common(args.top):
            print(f"{100 * n / total:7.1f} {100 * own[thread][func] / total:7.1f}  {func}")
    for focus in args.focus:
        parts = children[focus]
        whole = sum(parts.values())
        print(f"\n== {focus}: {100 * whole / total:.1f}% of all, made of ==")
        for func, n in parts.most_common(args.top):
            print(f"{100 * n / total:7.1f}  {func}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
