"""The recorder: the server's capture sink in both modes (docs/ARCHITECTURE.md,
"The capture path").

The server loop hands every record to one :class:`Recorder`. It assigns the
ids, writes the history store and the JSONL file, and tells its observers: the
window's listener thread turns what it hears into Qt signals, headless mode
prints a line per request, and both hear the store's commits, pruning and
problems through the same observer. Nothing here imports Qt.

Ids are never reused within one history or one JSONL file: they continue after
the larger of the store's :attr:`~inspector.store.CaptureStore.last_id` (which
pruning and clearing never lower) and the highest id in the JSONL file's tail.

Per record (loop thread) the recorder only appends: to the store's queue, to
the round's JSONL lines, to its observers. At the end of each loop round,
before that round's answers go out, it writes the round's JSONL lines (so a
client never sees an answer whose record is not in the file), tells the
observers, and lets the store hold the loop back if its writer has fallen
behind (so a killed process loses at most the store's ``max_lag`` of traffic).
"""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass

from inspector.capture.jsonl_output import JsonlOutput
from inspector.formats.jsonl import jsonl_line
from inspector.http.record import CaptureRecord
from inspector.store import CaptureStore


class RecorderObserver:
    """What a recorder reports; override the methods you need (each must return quickly).

    ``request_*`` and ``round_ended`` run on the server loop's thread;
    ``history_*`` on the store's writer thread; ``problem`` on either.
    """

    def request_started(self, record: CaptureRecord) -> None:
        """A request's head arrived but it was not finished within its loop round;
        the same id comes to :meth:`request_finished` later, once."""

    def request_finished(self, record: CaptureRecord) -> None:
        """A request is done: answered, rejected or given up (``error`` says why)."""

    def round_ended(self) -> None:
        """The loop round's records are written to the JSONL file; answers go out next."""

    def history_committed(self, max_id: int, count: int) -> None:
        """``count`` finished records are stored for good, the highest id ``max_id``."""

    def history_pruned(self, count: int) -> None:
        """The history's caps deleted its ``count`` oldest rows."""

    def problem(self, message: str) -> None:
        """One line for the user: a write failed, records were dropped, writes work again."""


@dataclass(frozen=True, slots=True)
class Losses:
    """Records that did not reach where they were asked to go."""

    #: not stored in the history (its writes failed, or its backlog overflowed)
    store: int = 0
    #: not written to the JSONL file (same reasons; a closed pipe does not count)
    jsonl: int = 0

    def __bool__(self) -> bool:
        return bool(self.store or self.jsonl)


class Recorder:
    """The capture sink of :mod:`inspector.server` (``next_id``, ``started``,
    ``finished``, ``end_round``) for both modes.

    Args:
        store: the history (None: no history, records go only to observers).
        jsonl: the JSONL output (None: none).
        first_id: ids start at least here (they always start after the ids
            already used in ``store`` and ``jsonl``).
    """

    def __init__(
        self,
        store: CaptureStore | None = None,
        jsonl: JsonlOutput | None = None,
        *,
        first_id: int = 1,
    ) -> None:
        self.store = store
        self.jsonl = jsonl
        used = max(store.last_id if store is not None else 0, jsonl.last_id if jsonl else 0)
        self._ids = itertools.count(max(first_id, used + 1))
        self._lines: list[bytes] = []
        self._observers: tuple[RecorderObserver, ...] = ()
        self._closed = False
        if jsonl is not None:
            jsonl.report = self.problem

    # -- observers (any thread) ---------------------------------------------------------

    def add_observer(self, observer: RecorderObserver) -> None:
        """Report to ``observer`` from now on (the store's events too)."""
        self._observers = (*self._observers, observer)
        if self.store is not None:
            self.store.add_observer(observer)

    def remove_observer(self, observer: RecorderObserver) -> None:
        self._observers = tuple(o for o in self._observers if o is not observer)
        if self.store is not None:
            self.store.remove_observer(observer)

    def problem(self, message: str) -> None:
        """Tell every observer about a problem (one line)."""
        for observer in self._observers:
            with contextlib.suppress(Exception):  # one observer's bug stops nothing
                observer.problem(message)

    # -- the capture sink (the server loop's thread) ------------------------------------

    def next_id(self) -> int:
        """The next record id: increasing, never reused in this history or JSONL file."""
        return next(self._ids)

    def started(self, record: CaptureRecord) -> None:
        """A pending request: stored (flagged) so it survives a crash; not in the JSONL."""
        if self.store is not None:
            self.store.add_pending(record)
        for observer in self._observers:
            try:
                observer.request_started(record)
            except Exception:  # one observer's bug stops nothing
                pass

    def finished(self, record: CaptureRecord) -> None:
        if self.store is not None:
            self.store.add(record)
        if self.jsonl is not None:
            self._lines.append(jsonl_line(record))
        for observer in self._observers:
            try:  # (try costs nothing here; a context manager per record would)
                observer.request_finished(record)
            except Exception:
                pass

    def end_round(self) -> None:
        if self._lines:
            assert self.jsonl is not None
            self.jsonl.write_lines(self._lines)
            self._lines = []
        for observer in self._observers:
            try:
                observer.round_ended()
            except Exception:
                pass
        if self.store is not None:
            self.store.hold_back()

    # -- the end --------------------------------------------------------------------------

    @property
    def losses(self) -> Losses:
        """What was lost so far (final after :meth:`close`)."""
        return Losses(
            store=self.store.dropped_total if self.store is not None else 0,
            jsonl=self.jsonl.dropped if self.jsonl is not None else 0,
        )

    def close(self) -> Losses:
        """Write what is left (JSONL backlog, the store's queue), close both, and
        return what could not be written. Call it once the server has stopped."""
        if not self._closed:
            self._closed = True
            if self.jsonl is not None:
                if self._lines:
                    self.jsonl.write_lines(self._lines)
                    self._lines = []
                self.jsonl.close()
            if self.store is not None:
                self.store.close()
        return self.losses
