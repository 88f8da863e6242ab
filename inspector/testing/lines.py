"""Short lines about captured requests: one per request, and one for many.

The one home of "what arrived", as tests and scripts read it: headless mode's
stderr line per request and its ``--timeout`` summary, the message of a
:meth:`~inspector.testing.Inspector.wait_for` that timed out, and the section
the pytest plugin adds to a failed test's report. Request data is hostile, so
every line goes through :func:`inspector.text.visible` (control and bidi
characters escaped, long values elided).

Qt-free; imports :mod:`inspector.http` and :mod:`inspector.text` only, so
headless mode can use it without loading the rest of the testing layer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Final

from inspector.http.record import CaptureRecord
from inspector.text import visible

#: how much of a request-target one line shows
TARGET_LIMIT: Final = 200
#: kinds of request a :class:`Tally` tells apart; more are counted as "other"
TALLY_KINDS: Final = 1000
#: kinds a one-line summary names
SUMMARY_KINDS: Final = 5


def outcome(record: CaptureRecord) -> str:
    """What the client got: ``201``, ``-`` when nothing was sent, the fault
    performed (``reset``; ``200 trickle`` when a status line went out)."""
    response = record.response
    if response is None:
        return "-"
    if response.fault is None:
        return str(response.status)
    return response.fault if response.status == 0 else f"{response.status} {response.fault}"


def exchange(record: CaptureRecord) -> str:
    """``POST /hook?x=1 -> 201``, with the error of a rejected request or a
    failed rule; escaped, the target elided beyond :data:`TARGET_LIMIT`."""
    status = outcome(record)
    what = f"{visible(record.method, TARGET_LIMIT)} {visible(record.target, TARGET_LIMIT)}".strip()
    error = record.error or (record.response.error if record.response else None)
    line = f"{what or '(no request line)'} -> {status}"
    return f"{line} ({visible(error, TARGET_LIMIT)})" if error else line


def request_line(record: CaptureRecord) -> str:
    """Headless mode's line per request: ``127.0.0.1:53422 GET /index.html -> 200``."""
    return f"{visible(record.client, TARGET_LIMIT)} {exchange(record)}"


def numbered_line(record: CaptureRecord) -> str:
    """``#3 POST /hook -> 201``: a request in a list a test author reads."""
    return f"#{record.id} {exchange(record)}"


def arrivals(records: Sequence[CaptureRecord], *, limit: int = 20, earlier: int = 0) -> list[str]:
    """One indented line per request, newest last; the oldest beyond ``limit`` summed up.

    Args:
        records: in arrival order.
        limit: at most this many lines of requests.
        earlier: requests that came before ``records`` and are no longer kept.
    """
    shown = records[-limit:] if limit > 0 else []
    left_out = len(records) - len(shown) + earlier
    lines = [f"  ({left_out:,} earlier not shown)"] if left_out else []
    lines.extend(f"  {numbered_line(record)}" for record in shown)
    return lines


def _kind(record: CaptureRecord) -> str:
    status = outcome(record)
    what = f"{visible(record.method, TARGET_LIMIT)} {visible(record.path, TARGET_LIMIT)}".strip()
    return f"{what or '(no request line)'} -> {status}"


class Tally:
    """Counts requests by kind (method, path, status) in bounded memory, for a
    one-line summary of many requests."""

    def __init__(self, max_kinds: int = TALLY_KINDS) -> None:
        self.total = 0
        self._kinds: Counter[str] = Counter()
        self._max_kinds = max_kinds

    def add(self, record: CaptureRecord) -> None:
        self.total += 1
        kind = _kind(record)
        if kind in self._kinds or len(self._kinds) < self._max_kinds:
            self._kinds[kind] += 1  # the rest count in total only: "and N more"

    def summary(self) -> str:
        """``GET /health -> 200 (x3), POST /hook -> 500, and 2 more``; "" when empty."""
        common = self._kinds.most_common(SUMMARY_KINDS)
        parts = [kind if count == 1 else f"{kind} (x{count})" for kind, count in common]
        more = self.total - sum(count for _, count in common)
        if more:
            parts.append(f"and {more:,} more")
        return ", ".join(parts)
