"""Line diffs that stay fast on hostile input.

Strategy (the patience diff, with budgets):

1. Lines are interned to ints once, so every later comparison is an int
   comparison, and each side is cut at :data:`MAX_LINES` (beyond it the texts
   are "too large to diff line by line": the result says where they part).
2. A region of the two texts is solved by trimming its common first and last
   lines, then anchoring on lines that occur exactly once on each side, in an
   order both sides share (a longest increasing subsequence, O(m log m));
   the gaps between anchors are solved the same way, from an explicit stack.
3. A gap with no such anchors goes to :class:`difflib.SequenceMatcher`, whose
   cost grows with the product of the gap's sizes (measured: a 4,000-line gap
   with every third line changed takes over a second), so only while the
   products handed to it stay under :data:`CELL_BUDGET` in all; beyond that,
   and once :data:`WORK_BUDGET` line visits are spent on anchoring, a gap is
   shown as its left lines removed and its right lines added. That diff is
   still correct (applying it to the left gives the right), just not minimal.

So a diff costs O(n log n) plus a bounded constant, whatever the input.
"""

from __future__ import annotations

import difflib
from bisect import bisect_left
from collections.abc import Sequence

from inspector.diff.model import DiffLine, Hunk, TextDiff

#: lines per side diffed line by line
MAX_LINES = 20_000
#: lines visited while anchoring, in all
WORK_BUDGET = 200_000
#: sum of (left lines x right lines) handed to difflib (~0.1 µs per cell at worst)
CELL_BUDGET = 250_000
#: unchanged lines shown around each change
CONTEXT = 3
#: diff lines kept in the hunks
MAX_SHOWN_LINES = 2_000

Opcode = tuple[str, int, int, int, int]


def split_lines(text: str) -> list[str]:
    """Split after each LF, keeping it (and any CR before it) on its line.

    Only LF ends a line: form feeds, U+2028 and friends stay inside lines,
    as they do on the wire.
    """
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _increasing_run(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A longest subsequence of ``pairs`` (sorted by the first item) whose
    second items increase (patience sorting with back links)."""
    tails: list[int] = []
    tail_at: list[int] = []
    back: list[int] = []
    for index, (_, second) in enumerate(pairs):
        at = bisect_left(tails, second)
        if at == len(tails):
            tails.append(second)
            tail_at.append(index)
        else:
            tails[at] = second
            tail_at[at] = index
        back.append(tail_at[at - 1] if at else -1)
    run: list[tuple[int, int]] = []
    index = tail_at[-1] if tail_at else -1
    while index >= 0:
        run.append(pairs[index])
        index = back[index]
    run.reverse()
    return run


class _Solver:
    def __init__(self, a: Sequence[int], b: Sequence[int]) -> None:
        self.a = a
        self.b = b
        self.work = 0
        self.cells = 0
        self.out: list[Opcode] = []

    def emit(self, tag: str, alo: int, ahi: int, blo: int, bhi: int) -> None:
        if alo == ahi and blo == bhi:
            return
        if self.out and self.out[-1][0] == tag:
            last = self.out[-1]
            self.out[-1] = (tag, last[1], ahi, last[3], bhi)
        else:
            self.out.append((tag, alo, ahi, blo, bhi))

    def run(self) -> list[Opcode]:
        a, b = self.a, self.b
        # ("solve", ...) splits a region; ("equal"/"gap", ...) are final. Pushed in reverse.
        stack: list[Opcode] = [("solve", 0, len(a), 0, len(b))]
        while stack:
            tag, alo, ahi, blo, bhi = stack.pop()
            if tag == "equal":
                self.emit(tag, alo, ahi, blo, bhi)
                continue
            if tag == "gap":
                self.gap(alo, ahi, blo, bhi)
                continue
            start_a, start_b = alo, blo
            while alo < ahi and blo < bhi and a[alo] == b[blo]:
                alo, blo = alo + 1, blo + 1
            self.emit("equal", start_a, alo, start_b, blo)
            end_a, end_b = ahi, bhi
            while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
                ahi, bhi = ahi - 1, bhi - 1
            stack.append(("equal", ahi, end_a, bhi, end_b))
            stack.extend(reversed(self.split(alo, ahi, blo, bhi)))
        return self.out

    def split(self, alo: int, ahi: int, blo: int, bhi: int) -> list[Opcode]:
        """The region as solve/equal/gap items in order (anchored on unique lines)."""
        if min(ahi - alo, bhi - blo) <= 1 or self.work >= WORK_BUDGET:
            return [("gap", alo, ahi, blo, bhi)]
        self.work += (ahi - alo) + (bhi - blo)
        count_a: dict[int, int] = {}
        for line in self.a[alo:ahi]:
            count_a[line] = count_a.get(line, 0) + 1
        where_b: dict[int, int] = {}
        for index in range(blo, bhi):
            line = self.b[index]
            where_b[line] = -1 if line in where_b else index
        candidates = [
            (index, where_b[line])
            for index in range(alo, ahi)
            if count_a[(line := self.a[index])] == 1 and where_b.get(line, -1) >= 0
        ]
        anchors = _increasing_run(candidates)
        if not anchors:
            return [("gap", alo, ahi, blo, bhi)]
        items: list[Opcode] = []
        for ia, ib in anchors:
            if ia > alo or ib > blo:
                items.append(("solve", alo, ia, blo, ib))
            items.append(("equal", ia, ia + 1, ib, ib + 1))
            alo, blo = ia + 1, ib + 1
        if ahi > alo or bhi > blo:
            items.append(("solve", alo, ahi, blo, bhi))
        return items

    def gap(self, alo: int, ahi: int, blo: int, bhi: int) -> None:
        if ahi - alo == 1 or bhi - blo == 1:
            # One line on one side (the usual "this line changed"): no matcher needed.
            self.one_line_gap(alo, ahi, blo, bhi)
            return
        cells = (ahi - alo) * (bhi - blo)
        if cells and self.cells + cells <= CELL_BUDGET:
            self.cells += cells
            matcher = difflib.SequenceMatcher(None, self.a[alo:ahi], self.b[blo:bhi])
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                if tag == "replace":
                    self.emit("delete", alo + i1, alo + i2, blo + j1, blo + j1)
                    self.emit("insert", alo + i2, alo + i2, blo + j1, blo + j2)
                else:
                    self.emit(tag, alo + i1, alo + i2, blo + j1, blo + j2)
            return
        self.emit("delete", alo, ahi, blo, blo)
        self.emit("insert", ahi, ahi, blo, bhi)

    def one_line_gap(self, alo: int, ahi: int, blo: int, bhi: int) -> None:
        """A gap with one line on one side: that line is kept if the other side has it."""
        one_left = ahi - alo == 1
        found = (
            self.find(self.b, self.a[alo], blo, bhi) if one_left else self.find(self.a, self.b[blo], alo, ahi)
        )
        if found < 0:
            self.emit("delete", alo, ahi, blo, blo)
            self.emit("insert", ahi, ahi, blo, bhi)
        elif one_left:
            self.emit("insert", alo, alo, blo, found)
            self.emit("equal", alo, ahi, found, found + 1)
            self.emit("insert", ahi, ahi, found + 1, bhi)
        else:
            self.emit("delete", alo, found, blo, blo)
            self.emit("equal", found, found + 1, blo, bhi)
            self.emit("delete", found + 1, ahi, bhi, bhi)

    @staticmethod
    def find(lines: Sequence[int], line: int, lo: int, hi: int) -> int:
        for index in range(lo, hi):
            if lines[index] == line:
                return index
        return -1


def line_opcodes(left: Sequence[str], right: Sequence[str]) -> list[Opcode]:
    """Opcodes ("equal", "delete", "insert"; (tag, i1, i2, j1, j2) as difflib's)
    that turn ``left`` into ``right``, covering both in order."""
    ids: dict[str, int] = {}
    a = [ids.setdefault(line, len(ids)) for line in left]
    b = [ids.setdefault(line, len(ids)) for line in right]
    return _Solver(a, b).run()


def _groups(opcodes: list[Opcode]) -> list[list[Opcode]]:
    """The changes with up to CONTEXT equal lines around each, in hunks
    (the grouping of :meth:`difflib.SequenceMatcher.get_grouped_opcodes`)."""
    codes = list(opcodes)
    if not any(code[0] != "equal" for code in codes):
        return []
    tag, i1, i2, j1, j2 = codes[0]
    if tag == "equal":
        codes[0] = (tag, max(i1, i2 - CONTEXT), i2, max(j1, j2 - CONTEXT), j2)
    tag, i1, i2, j1, j2 = codes[-1]
    if tag == "equal":
        codes[-1] = (tag, i1, min(i2, i1 + CONTEXT), j1, min(j2, j1 + CONTEXT))
    groups: list[list[Opcode]] = []
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > 2 * CONTEXT:
            group.append((tag, i1, i1 + CONTEXT, j1, j1 + CONTEXT))
            groups.append(group)
            group = [(tag, i2 - CONTEXT, i2, j2 - CONTEXT, j2)]
        else:
            group.append((tag, i1, i2, j1, j2))
    if any(code[0] != "equal" for code in group):
        groups.append(group)
    return groups


def diff_lines(left: Sequence[str], right: Sequence[str]) -> TextDiff:
    """A unified diff of two line lists (see :func:`split_lines`)."""
    if len(left) > MAX_LINES or len(right) > MAX_LINES:
        common = 0
        for la, lb in zip(left, right, strict=False):
            if la != lb:
                break
            common += 1
        same = len(left) == len(right) == common
        return TextDiff(
            line_by_line=False,
            first_line=None if same else common,
            note=f"too large to diff line by line ({len(left):,} and {len(right):,} lines; "
            f"the limit is {MAX_LINES:,})",
        )
    opcodes = line_opcodes(left, right)
    removed = sum(i2 - i1 for tag, i1, i2, _, _ in opcodes if tag == "delete")
    added = sum(j2 - j1 for tag, _, _, j1, j2 in opcodes if tag == "insert")
    first = next((i1 for tag, i1, _, _, _ in opcodes if tag != "equal"), None)
    hunks: list[Hunk] = []
    room = MAX_SHOWN_LINES
    groups = _groups(opcodes)
    for group in groups:
        lines: list[DiffLine] = []
        for tag, i1, i2, j1, j2 in group:
            mark, source, lo, hi = (
                ("+", right, j1, j2) if tag == "insert" else (" " if tag == "equal" else "-", left, i1, i2)
            )
            hi = min(hi, lo + room - len(lines))
            lines.extend(DiffLine(tag=mark, text=line) for line in source[lo:hi])
        room -= len(lines)
        if lines:
            hunks.append(
                Hunk(
                    left_start=group[0][1],
                    left_count=sum(1 for line in lines if line.tag != "+"),
                    right_start=group[0][3],
                    right_count=sum(1 for line in lines if line.tag != "-"),
                    lines=tuple(lines),
                )
            )
        if room <= 0:
            break
    shown = MAX_SHOWN_LINES - room
    total = sum(
        (i2 - i1 if tag != "insert" else j2 - j1) for group in groups for tag, i1, i2, j1, j2 in group
    )
    note = f"showing the first {shown:,} of {total:,} lines of the diff" if total > shown else ""
    return TextDiff(hunks=tuple(hunks), removed=removed, added=added, first_line=first, note=note)
