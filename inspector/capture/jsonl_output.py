"""The ``--jsonl`` output: whole lines or none, failures said once, a capped backlog.

The recorder hands :meth:`JsonlOutput.write_lines` the lines of one loop round
(before that round's answers go out). Each write either lands whole or is
undone: a write that fails midway (disk full, file size limit) is cut back to
the last whole line with ``truncate``, so the file never holds half a record.
Lines that could not be written wait in a backlog, tried again every
:data:`RETRY_INTERVAL` (not every round: joining a large backlog each round
made a full disk 15x slower); the backlog is capped at
:data:`MAX_BACKLOG_BYTES`, the oldest lines dropped and counted beyond it.
The first failure is reported once, and again when writes work again.

A reader that closed the pipe (``--jsonl -`` into ``head``) is not a failure:
writing stops, that is said once, and nothing is counted as lost.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Final, Protocol

from inspector.formats.jsonl import last_id

#: unwritten JSONL kept while writes fail, before the oldest lines are dropped
MAX_BACKLOG_BYTES: Final = 64 << 20
#: a failed write is tried again this far apart (s)
RETRY_INTERVAL: Final = 1.0


class RawStream(Protocol):
    """An unbuffered binary stream (``open(..., buffering=0)``)."""

    def write(self, data: bytes | memoryview, /) -> int | None: ...
    def truncate(self, size: int | None = None, /) -> int: ...
    def seekable(self) -> bool: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def close(self) -> None: ...


def _ignore(message: str) -> None:
    pass


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


class JsonlOutput:
    """Appends JSON lines to ``stream`` (a file opened for append, or stdout).

    Args:
        stream: where the lines go (unbuffered).
        name: the file name for messages (``"stdout"`` for ``-``).
        first_id_after: the highest record id already in the file (ids continue after it).
    """

    def __init__(
        self,
        stream: RawStream,
        name: str,
        *,
        first_id_after: int = 0,
        max_backlog_bytes: int = MAX_BACKLOG_BYTES,
        retry_interval: float = RETRY_INTERVAL,
        owns_stream: bool = True,
    ) -> None:
        self.name = name
        self.last_id = first_id_after
        #: lines dropped (backlog over its cap, unwritten at close)
        self.dropped = 0
        #: lines not written because the reader closed the pipe
        self.after_reader_closed = 0
        #: called with each one-line message (failure, recovery, closed reader);
        #: the recorder points it at its observers
        self.report: Callable[[str], None] = _ignore
        self._stream = stream
        self._max_backlog = max_backlog_bytes
        self._retry_interval = retry_interval
        self._owns_stream = owns_stream
        self._seekable = owns_stream and stream.seekable()
        self._end = stream.seek(0, os.SEEK_END) if self._seekable else 0
        self._backlog: deque[bytes] = deque()
        self._backlog_bytes = 0
        self._failing: str | None = None
        self._dropped_in_episode = 0
        self._next_try = 0.0
        self._reader_closed = False
        self._closed = False

    @classmethod
    def open(cls, path: str) -> JsonlOutput:
        """``path`` opened for append (created 0600 if missing), or stdout for ``-``.

        Raises:
            OSError: the file cannot be opened.
        """
        if path == "-":
            stdout = open(sys.stdout.fileno(), "wb", buffering=0, closefd=False)  # noqa: SIM115
            return cls(stdout, "stdout", owns_stream=False)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
        stream = open(fd, "ab", buffering=0)  # noqa: SIM115 (closed by close())
        return cls(stream, path, first_id_after=last_id(path))

    @property
    def failing(self) -> bool:
        return self._failing is not None

    def write_lines(self, lines: Sequence[bytes]) -> None:
        """Append ``lines`` (each without its newline) now, or keep them for later."""
        if self._reader_closed:
            self.after_reader_closed += len(lines)
            return
        if self._closed:
            self.dropped += len(lines)
            return
        self._keep(b"\n".join(lines) + b"\n")
        if self._failing is None or time.monotonic() >= self._next_try:
            self._write_backlog()

    def close(self) -> None:
        """Try the backlog once more, count what is left as dropped, close the file."""
        if self._closed:
            return
        if self._backlog:
            self._write_backlog()
        self.dropped += sum(chunk.count(b"\n") for chunk in self._backlog)
        self._backlog.clear()
        self._closed = True
        if self._owns_stream:
            try:
                self._stream.close()
            except OSError as exc:
                self.report(f"cannot write JSONL file {self.name}: {_reason(exc)}")

    # -- internals ----------------------------------------------------------------------

    def _keep(self, data: bytes) -> None:
        self._backlog.append(data)
        self._backlog_bytes += len(data)
        dropped = 0
        while self._backlog_bytes > self._max_backlog and len(self._backlog) > 1:
            oldest = self._backlog.popleft()
            self._backlog_bytes -= len(oldest)
            dropped += oldest.count(b"\n")
        if dropped:
            if not self._dropped_in_episode:
                self.report(
                    f"JSONL file {self.name}: unwritten lines passed {self._max_backlog >> 20} MiB; "
                    "the oldest are dropped until writes work again"
                )
            self.dropped += dropped
            self._dropped_in_episode += dropped

    def _write_backlog(self) -> None:
        data = b"".join(self._backlog)  # one chunk (the usual case) is not copied
        if self._write(data) or self._reader_closed:
            if self._reader_closed:
                self.after_reader_closed += data.count(b"\n")
            self._backlog.clear()
            self._backlog_bytes = 0
        else:
            self._next_try = time.monotonic() + self._retry_interval

    def _write(self, data: bytes) -> bool:
        """Write ``data`` whole; on failure cut the file back and say so once."""
        view = memoryview(data)
        try:
            while view:
                written = self._stream.write(view)
                if written is None:  # a non-blocking stream that is full
                    raise BlockingIOError(errno.EAGAIN, "output would block")
                view = view[written:]
        except BrokenPipeError:
            self._reader_closed = True
            self.report(f"the JSONL reader closed {self.name}: no more JSONL lines are written")
            return False
        except OSError as exc:
            if self._seekable:
                try:
                    self._stream.truncate(self._end)  # no half line stays in the file
                except OSError:
                    pass
            message = f"cannot write JSONL file {self.name}: {_reason(exc)}"
            if message != self._failing:
                self.report(f"{message}; keeping unwritten lines to try again")
            self._failing = message
            return False
        self._end += len(data)
        if self._failing is not None:
            self._failing = None
            dropped, self._dropped_in_episode = self._dropped_in_episode, 0
            more = f"; {dropped:,} lines were dropped meanwhile" if dropped else ""
            self.report(f"JSONL file {self.name}: writes work again{more}")
        return True
