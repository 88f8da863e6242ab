"""Binary bodies compared offset by offset, in 16-byte rows.

Strategy: rows are compared as ``bytes`` slices (C speed), so the cost is
linear in the shorter side; only the first :data:`MAX_ROWS` differing rows
are kept. Offsets are not realigned after an insertion (a hex view shows
bytes where they are); the common prefix and suffix lengths say where the
difference lies when everything after an insertion shifts.
"""

from __future__ import annotations

from inspector.diff.model import HexDiff, HexRow

#: bytes per row, as in the Body tab's hex dump
ROW = 16
#: differing rows kept
MAX_ROWS = 256
#: bytes compared at once while looking for where two bodies part
_CHUNK = 64 * 1024


def _equal_run(left: bytes, right: bytes, limit: int, *, from_end: bool) -> int:
    """How many bytes (at most ``limit``) are equal at the start, or the end:
    whole chunks compared first, then a binary search in the chunk that differs;
    every comparison runs at C speed and each byte is copied about twice."""

    def window(data: bytes, lo: int, hi: int) -> bytes:
        return data[len(data) - hi : len(data) - lo] if from_end else data[lo:hi]

    done = 0
    while done < limit:
        end = min(done + _CHUNK, limit)
        if window(left, done, end) != window(right, done, end):
            break
        done = end
    else:
        return limit
    lo, hi = done, min(done + _CHUNK, limit) - 1  # the answer lies in [lo, hi]
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if window(left, done, mid) == window(right, done, mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def common_prefix(left: bytes, right: bytes) -> int:
    """Length of the longest common prefix."""
    return _equal_run(left, right, min(len(left), len(right)), from_end=False)


def common_suffix(left: bytes, right: bytes, limit: int) -> int:
    """Length of the longest common suffix, at most ``limit``."""
    return _equal_run(left, right, min(len(left), len(right), limit), from_end=True)


def diff_hex(left: bytes, right: bytes) -> HexDiff:
    """Compare two byte strings row by row (see the module's strategy)."""
    if left == right:
        return HexDiff(left_size=len(left), right_size=len(right), common_suffix=len(left))
    first = common_prefix(left, right)
    suffix = common_suffix(left, right, min(len(left), len(right)) - first)
    rows: list[HexRow] = []
    differing = 0
    for offset in range(first - first % ROW, max(len(left), len(right)), ROW):
        a, b = left[offset : offset + ROW], right[offset : offset + ROW]
        if a == b:
            continue
        differing += 1
        if len(rows) < MAX_ROWS:
            rows.append(HexRow(offset=offset, left=a, right=b))
    note = f"showing the first {MAX_ROWS} of {differing:,} differing rows" if differing > MAX_ROWS else ""
    return HexDiff(
        rows=tuple(rows),
        differing_rows=differing,
        first_offset=first,
        left_size=len(left),
        right_size=len(right),
        common_suffix=suffix,
        note=note,
    )
