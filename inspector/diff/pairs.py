"""Pairing two ordered lists of (name, value) pairs: headers, query, form fields.

Strategy, linear apart from one O(m log m) step:

1. Names are grouped (case-insensitively for headers, exactly for query and
   form fields). Within a name, pairs with equal values pair first, the k-th
   occurrence of a value on the left with the k-th on the right; the pairs
   left over pair in received order and count as CHANGED; what remains after
   that is REMOVED (left) or ADDED (right). So ``a=1&a=2&a=3`` against
   ``a=1&a=3`` says "a=2 removed", not "a=2 changed to 3, a=3 removed".
2. Order: of the paired items, the ones that keep their order are those in a
   longest common subsequence of both orders. A pair is MOVED unless it is in
   every such longest subsequence. One header moved to the end is the only
   one marked; two swapped headers are both marked (neither side decides
   which of them moved, so the result mirrors exactly when sides swap).
3. Names that differ only in letter case (headers) are marked ``case_only``.

Each side is capped at :data:`MAX_PAIRS`; beyond it the result says so.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Sequence

from inspector.diff.model import Change, PairRow

#: pairs compared per side; the parser allows 100 header fields and an 8 KiB
#: target, but an imported HAR may hold anything
MAX_PAIRS = 10_000

Pair = tuple[str, str]


def _lis_lengths(values: Sequence[int]) -> list[int]:
    """For each position, the length of the longest increasing run of
    ``values`` (distinct ints) that ends there (patience sorting, O(m log m))."""
    tails: list[int] = []
    lengths: list[int] = []
    for value in values:
        at = bisect_left(tails, value)
        if at == len(tails):
            tails.append(value)
        else:
            tails[at] = value
        lengths.append(at + 1)
    return lengths


def kept_in_order(values: Sequence[int]) -> list[bool]:
    """Which of ``values`` (distinct ints) are in every longest increasing subsequence.

    An item is in some longest subsequence when the longest run ending at it
    plus the longest run starting at it, less one, is the longest overall; it is
    in every one when no other such item sits at the same depth.
    """
    ending = _lis_lengths(values)
    starting = _lis_lengths([-v for v in reversed(values)])[::-1]
    best = max(ending, default=0)
    on_some = [ending[i] + starting[i] - 1 == best for i in range(len(values))]
    at_depth: dict[int, int] = {}
    for i, ok in enumerate(on_some):
        if ok:
            at_depth[ending[i]] = at_depth.get(ending[i], 0) + 1
    return [ok and at_depth[ending[i]] == 1 for i, ok in enumerate(on_some)]


def _match(left: Sequence[Pair], right: Sequence[Pair], fold_case: bool) -> list[tuple[int, int]]:
    """(left index, right index) of every pair that has a partner on the other side."""

    def key(name: str) -> str:
        return name.lower() if fold_case else name

    right_groups: dict[str, list[int]] = {}
    for index, (name, _) in enumerate(right):
        right_groups.setdefault(key(name), []).append(index)
    left_groups: dict[str, list[int]] = {}
    for index, (name, _) in enumerate(left):
        left_groups.setdefault(key(name), []).append(index)

    matches: list[tuple[int, int]] = []
    for name, left_indexes in left_groups.items():
        right_indexes = right_groups.get(name)
        if not right_indexes:
            continue
        by_value: dict[str, deque[int]] = {}
        for ri in right_indexes:
            by_value.setdefault(right[ri][1], deque()).append(ri)
        used: set[int] = set()
        rest: list[int] = []
        for li in left_indexes:
            waiting = by_value.get(left[li][1])
            if waiting:
                ri = waiting.popleft()
                used.add(ri)
                matches.append((li, ri))
            else:
                rest.append(li)
        others = [ri for ri in right_indexes if ri not in used]
        matches.extend(zip(rest, others, strict=False))
    return matches


def diff_pairs(
    left: Sequence[Pair], right: Sequence[Pair], *, fold_case: bool
) -> tuple[tuple[PairRow, ...], str]:
    """Compare two pair lists.

    Args:
        left, right: (name, value) pairs in received order.
        fold_case: names match case-insensitively (headers) rather than exactly.

    Returns:
        (rows, note): one row per pair of either side, left pairs in their order
        with each right-only pair just before the row of the next right pair
        that has a partner (so, as in a unified diff, removed before added);
        ``note`` says when a side was cut at :data:`MAX_PAIRS`, else "".
    """
    note = ""
    if len(left) > MAX_PAIRS or len(right) > MAX_PAIRS:
        note = f"compared the first {MAX_PAIRS:,} pairs of {max(len(left), len(right)):,}"
        left, right = left[:MAX_PAIRS], right[:MAX_PAIRS]
    matches = sorted(_match(left, right, fold_case))
    kept = kept_in_order([ri for _, ri in matches])
    partner = {li: (ri, ok) for (li, ri), ok in zip(matches, kept, strict=True)}
    left_of = {ri: li for li, ri in matches}

    keyed: list[tuple[int, int, int, PairRow]] = []
    for li, (lname, lvalue) in enumerate(left):
        found = partner.get(li)
        if found is None:
            row = PairRow(change=Change.REMOVED, left_name=lname, left_value=lvalue, left_index=li)
        else:
            ri, in_order = found
            rname, rvalue = right[ri]
            row = PairRow(
                change=Change.SAME if lvalue == rvalue else Change.CHANGED,
                left_name=lname,
                left_value=lvalue,
                left_index=li,
                right_name=rname,
                right_value=rvalue,
                right_index=ri,
                moved=not in_order,
                case_only=lname != rname,
            )
        keyed.append((li, 0, 0, row))
    following = len(left)  # left index of the next paired item, walking the right side backwards
    for ri in range(len(right) - 1, -1, -1):
        if ri in left_of:
            following = left_of[ri]
            continue
        rname, rvalue = right[ri]
        row = PairRow(change=Change.ADDED, right_name=rname, right_value=rvalue, right_index=ri)
        keyed.append((following, -1, ri, row))
    keyed.sort(key=lambda item: item[:3])
    return tuple(item[3] for item in keyed), note


def count_differing(rows: Sequence[PairRow]) -> int:
    """How many rows differ in any way (value, presence, place or case)."""
    return sum(1 for row in rows if row.differs)
