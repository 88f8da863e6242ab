"""Comparing two JSON documents by meaning, path by path.

Strategy: both documents are walked together with an explicit stack (no
recursion on hostile nesting). Objects compare by key (key order is no
difference; keys only on one side are ADDED/REMOVED); arrays compare index by
index (a different length is one LENGTH change plus the extra items as
ADDED/REMOVED); scalars compare by value and type: ``1`` and ``1.0`` are the
same number, ``true`` and ``1`` are a TYPE change, and ``NaN`` (which Python's
JSON reader accepts) equals itself. A subtree that is equal, type for type,
is skipped at C speed before any Python-level walking.

Bounds, each reported in the result's notes rather than silently applied:
deeper than :data:`MAX_DEPTH` the two values are compared as a whole (one
CHANGED entry); at most :data:`MAX_NODES` values are visited and
:data:`MAX_CHANGES` differences listed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

import orjson

from inspector.diff.model import Change, JsonChange

#: nesting below which values are compared whole rather than walked
MAX_DEPTH = 64
#: value pairs visited per comparison (a Python step each; equal runs of an array are skipped whole)
MAX_NODES = 200_000
#: differences listed per comparison
MAX_CHANGES = 1_000
#: array items compared at once (at C speed) before looking item by item
_CHUNK = 1024

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

Step = str | int
_Item = tuple[tuple[Step, ...], Any, Any]


class _Missing:
    """The side of an ADDED or REMOVED value that has none (JSON null is None)."""

    __slots__ = ()


_MISSING: Any = _Missing()


def format_path(steps: tuple[Step, ...]) -> str:
    """``("items", 0, "qty")`` -> ``$.items[0].qty``; other keys as ``['a key']``."""
    parts = ["$"]
    for step in steps:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif _IDENT.match(step):
            parts.append(f".{step}")
        else:
            quoted = step.replace("\\", "\\\\").replace("'", "\\'")
            parts.append(f"['{quoted}']")
    return "".join(parts)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null"


def _same(left: Any, right: Any) -> bool:
    """Equal type for type, at C speed; False when unsure (then the walk decides).

    ``==`` alone says ``true == 1``; the canonical encodings also tell those
    apart (orjson: ~10x the standard encoder; it refuses integers beyond 64
    bits, which then take the walk).
    """
    try:
        return bool(left == right) and orjson.dumps(left, option=orjson.OPT_SORT_KEYS) == orjson.dumps(
            right, option=orjson.OPT_SORT_KEYS
        )
    except (RecursionError, TypeError, orjson.JSONEncodeError):
        return False


def _scalar_equal(left: Any, right: Any) -> bool:
    if isinstance(left, float) and isinstance(right, float) and math.isnan(left) and math.isnan(right):
        return True
    return bool(left == right)


class _Walk:
    def __init__(self) -> None:
        self.changes: list[JsonChange] = []
        self.notes: list[str] = []
        self.visited = 0
        self.full = False

    def add(self, change: Change, steps: tuple[Step, ...], left: Any, right: Any, note: str = "") -> None:
        if len(self.changes) >= MAX_CHANGES:
            if not self.full:
                self.full = True
                self.notes.append(f"listed the first {MAX_CHANGES:,} differences")
            return
        self.changes.append(
            JsonChange(change=change, path=format_path(steps), steps=steps, left=left, right=right, note=note)
        )


def _children(steps: tuple[Step, ...], a: Any, b: Any) -> Iterator[_Item]:
    """The value pairs one level down, in document order, made as they are needed."""
    if isinstance(a, dict):
        for key, value in a.items():
            yield (*steps, key), value, b.get(key, _MISSING)
        for key, value in b.items():
            if key not in a:
                yield (*steps, key), _MISSING, value
        return
    stop = max(len(a), len(b))
    start = _equal_run(a, b, stop, forward=True)
    if len(a) == len(b):  # same indexes at the end too: skip an equal tail
        stop -= _equal_run(a, b, stop - start, forward=False)
    for index in range(start, stop):
        yield (
            (*steps, index),
            a[index] if index < len(a) else _MISSING,
            b[index] if index < len(b) else _MISSING,
        )


def _equal_run(a: list[Any], b: list[Any], limit: int, *, forward: bool) -> int:
    """How many items (at most ``limit``) at the start, or the end, of two
    arrays are equal type for type. Compared a chunk at a time at C speed, so
    a long array with one late change is not walked item by item."""
    limit = min(limit, len(a), len(b))

    def part(lo: int, hi: int, seq: list[Any]) -> list[Any]:
        return seq[lo:hi] if forward else seq[len(seq) - hi : len(seq) - lo]

    count = 0
    try:
        while count < limit:
            end = min(count + _CHUNK, limit)
            if part(count, end, a) != part(count, end, b):
                break
            count = end
        while count < limit and part(count, count + 1, a) == part(count, count + 1, b):
            count += 1
    except RecursionError:
        return 0
    return count if count and _same(part(0, count, a), part(0, count, b)) else 0


def diff_json(left: Any, right: Any) -> tuple[tuple[JsonChange, ...], tuple[str, ...]]:
    """Compare two parsed JSON documents.

    Args:
        left, right: what ``json.loads`` returned for each side.

    Returns:
        (changes, notes): the differences in document order (depth first; an
        object's right-only keys after its other keys); notes name each limit
        that was reached.
    """
    walk = _Walk()
    # A stack of iterators keeps memory to one level's position per depth,
    # however long an array is.
    stack: list[Iterator[_Item]] = [iter([((), left, right)])]
    while stack and not walk.full:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
            continue
        if walk.visited >= MAX_NODES:
            walk.notes.append(f"compared the first {MAX_NODES:,} values; the rest were not walked")
            break
        walk.visited += 1
        steps, a, b = item
        if a is _MISSING:
            walk.add(Change.ADDED, steps, None, b)
            continue
        if b is _MISSING:
            walk.add(Change.REMOVED, steps, a, None)
            continue
        kind_a, kind_b = _kind(a), _kind(b)
        if kind_a != kind_b:
            walk.add(Change.TYPE, steps, a, b)
            continue
        if kind_a not in ("object", "array"):
            if not _scalar_equal(a, b):
                walk.add(Change.CHANGED, steps, a, b)
            continue
        if _same(a, b):
            continue
        if len(steps) >= MAX_DEPTH:
            walk.add(
                Change.CHANGED, steps, a, b, note=f"nested deeper than {MAX_DEPTH} levels: compared whole"
            )
            continue
        if kind_a == "array" and len(a) != len(b):
            walk.add(Change.LENGTH, steps, len(a), len(b))
        stack.append(_children(steps, a, b))
    return tuple(walk.changes), tuple(walk.notes)
