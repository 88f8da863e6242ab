"""When to tell the user about requests that arrive while they look elsewhere. Qt-free.

The policy (the window's :class:`inspector.ui.notifier.Notifier` asks it):

- off until the user turns it on;
- only for requests that match (the caller decides which: the table's
  filter, or a saved "notify on" filter);
- only while the window is not active; activating it drops what was waiting;
- at most one notice per :attr:`NotifyPolicy.interval` seconds: the first
  request after a quiet spell is told at once (``POST /hook → 500``); those
  that follow within the interval are folded into one notice when it ends
  (``12 new requests (last: POST /hook → 500)``).

The clock is injected, so tests step time instead of waiting for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from inspector.http.record import CaptureRecord
from inspector.text import visible

#: seconds between two notices
DEFAULT_INTERVAL: Final = 10.0
#: characters of a request's line in a notice
LINE_LIMIT: Final = 80
#: a desktop's notification server may read "<", ">" and "&" as markup: shown as escapes
_MARKUP: Final = str.maketrans({"<": "\\x3c", ">": "\\x3e", "&": "\\x26"})


@dataclass(frozen=True, slots=True)
class Notice:
    """One notification: its text, and how many requests it stands for."""

    text: str
    count: int


def describe(record: CaptureRecord) -> str:
    """``POST /hook → 500``: a request in one short line, safe for any notification server."""
    line = f"{record.method} {record.path}".strip() or "(no request line)"
    answer = "no answer" if record.response is None else str(record.response.status)
    if record.error:
        answer = "malformed"
    return visible(f"{line} → {answer}", LINE_LIMIT).translate(_MARKUP)


def _folded(count: int, last: str) -> str:
    if count == 1:
        return last
    return f"{count:,} new requests (last: {last})"


class NotifyPolicy:
    """Decides which arrivals become notices (see the module's strategy).

    Args:
        interval: seconds between two notices.
        clock: monotonic seconds.
    """

    def __init__(
        self, *, interval: float = DEFAULT_INTERVAL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.enabled = False
        self.interval = interval
        self._clock = clock
        self._last_shown: float | None = None
        self._folded = 0
        self._last_line = ""

    @property
    def waiting(self) -> int:
        """Requests folded into the next notice."""
        return self._folded

    def arrived(self, lines: Sequence[str], *, active: bool) -> Notice | None:
        """Matching requests arrived (one line each, oldest first).

        Returns:
            A notice to show now, or None (off, the window is active, nothing
            arrived, or folded for :meth:`due`).
        """
        if not self.enabled or active or not lines:
            return None
        now = self._clock()
        if self._folded == 0 and (self._last_shown is None or now - self._last_shown >= self.interval):
            self._last_shown = now
            return Notice(_folded(len(lines), lines[-1]), len(lines))
        self._folded += len(lines)
        self._last_line = lines[-1]
        return None

    def next_due(self) -> float | None:
        """Seconds until the folded notice is due, None when nothing waits."""
        if not self._folded or self._last_shown is None:
            return None
        return max(0.0, self._last_shown + self.interval - self._clock())

    def due(self) -> Notice | None:
        """The folded notice, once its interval is over (else None)."""
        wait = self.next_due()
        if wait is None or wait > 0:
            return None
        notice = Notice(_folded(self._folded, self._last_line), self._folded)
        self._folded = 0
        self._last_shown = self._clock()
        return notice

    def activated(self) -> None:
        """The window became active: the user sees the table; nothing waits any more."""
        self._folded = 0
        self._last_line = ""
        self._last_shown = None
