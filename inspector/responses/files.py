"""Body files: an answer's ``body_file``, read binary-safe and kept while unchanged.

Strategy (docs/ARCHITECTURE.md, "Answers"). The listener's loop is one thread,
and reading a file is slow work: a 10 MiB file took 5-25 ms here (2 cores,
load 5), every client waiting meanwhile. So :class:`BodyFiles` keeps each file's
bytes, keyed by path, and checks them per request with one ``stat`` (tens of
microseconds): while the file's modification time, size and inode are
unchanged the bytes are reused, the same ``bytes`` object each time, so an
answer built from it is built (and serialised) once. :meth:`BodyFiles.warm`
reads a rule set's files before the loop needs them (the responder runs it on
a thread of its own when rules are put in use); the loop reads a file itself
only when it changed since. Files over :data:`MAX_BODY_FILE` are refused, and
the kept bytes are capped at :data:`MAX_KEPT` in all (the least recently used
go first).

Paths are static text from the rules file, never templates: no request can
choose a file. A relative path is relative to the rules file's folder.
"""

from __future__ import annotations

import collections
import mimetypes
import os
import stat
import threading
from collections.abc import Iterable
from pathlib import Path

from inspector.text import human_size

#: the largest body file an answer may send
MAX_BODY_FILE = 32 * 1024 * 1024
#: body-file bytes kept in memory at once, all files together
MAX_KEPT = 128 * 1024 * 1024
#: when the extension says nothing
DEFAULT_TYPE = "application/octet-stream"
#: the stamp of bytes that changed while they were read: never equal to a file's own
_CHANGED = (-1, -1, -1)

# Python's own table only: the system's mime.types differs between machines
_TYPES = mimetypes.MimeTypes(filenames=())


class BodyFileError(Exception):
    """A body file that cannot be sent (one line naming it)."""


def resolve(body_file: str, folder: Path | None) -> Path:
    """The file ``body_file`` names: relative to ``folder`` (the rules file's), else as given."""
    path = Path(body_file).expanduser()
    if not path.is_absolute() and folder is not None:
        path = folder / path
    return path


def content_type(path: str | Path) -> str:
    """The Content-Type of a file by its extension (``image/png``), or :data:`DEFAULT_TYPE`."""
    guessed, _encoding = _TYPES.guess_type(Path(path).name, strict=False)
    return guessed or DEFAULT_TYPE


def describe(path: Path) -> str:
    """``12.3 KiB, image/png`` or why the file cannot be sent (for the editor)."""
    try:
        info = path.stat()
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        return _missing(path, exc)
    if not stat.S_ISREG(info.st_mode):
        return f"{path.name} is not a file"
    size = human_size(info.st_size)
    if info.st_size > MAX_BODY_FILE:
        return f"{size}: larger than the {human_size(MAX_BODY_FILE)} a body file may be"
    return f"{size}, {content_type(path)}"


def _missing(path: Path, exc: OSError | ValueError) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"no such file: {path}"
    reason = exc.strerror if isinstance(exc, OSError) else None
    return f"cannot read {path}: {reason or exc}"


def rebase(body_file: str, source: Path | None, target: Path | None) -> str:
    """``body_file`` written for rules in ``source`` made to name the same file from ``target``.

    A path that stays inside ``target`` stays relative; any other becomes
    absolute. Absolute paths and empty ones are returned as they are.
    """
    if not body_file or Path(body_file).expanduser().is_absolute() or source == target:
        return body_file
    path = Path(os.path.abspath(resolve(body_file, source)))
    if target is not None:
        try:
            return path.relative_to(os.path.abspath(target)).as_posix()
        except ValueError:
            pass
    return str(path)


class BodyFiles:
    """The bytes of body files, kept while the files are unchanged. Thread-safe."""

    def __init__(self, max_kept: int = MAX_KEPT) -> None:
        self._lock = threading.Lock()
        self._kept: collections.OrderedDict[Path, tuple[tuple[int, int, int], bytes]] = (
            collections.OrderedDict()
        )
        self._size = 0
        self._max_kept = max_kept

    def read(self, path: Path) -> bytes:
        """The file's bytes (the same object while it is unchanged).

        Raises:
            BodyFileError: missing, not a regular file, unreadable or too large.
        """
        try:
            info = path.stat()
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
            raise BodyFileError(_missing(path, exc)) from None
        if not stat.S_ISREG(info.st_mode):
            raise BodyFileError(f"{path} is not a file")
        if info.st_size > MAX_BODY_FILE:
            raise BodyFileError(
                f"{path} is {human_size(info.st_size)}, larger than the "
                f"{human_size(MAX_BODY_FILE)} a body file may be"
            )
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        with self._lock:
            kept = self._kept.get(path)
            if kept is not None and kept[0] == stamp:
                self._kept.move_to_end(path)
                return kept[1]
        try:
            with path.open("rb") as file:
                data = file.read(MAX_BODY_FILE + 1)
        except OSError as exc:
            raise BodyFileError(_missing(path, exc)) from None
        if len(data) > MAX_BODY_FILE:  # grew since the stat
            raise BodyFileError(f"{path} is larger than the {human_size(MAX_BODY_FILE)} a body file may be")
        if len(data) != info.st_size:
            stamp = _CHANGED  # changed while read: sent as read, read again next time
        return self._keep(path, stamp, data)

    def _keep(self, path: Path, stamp: tuple[int, int, int], data: bytes) -> bytes:
        """Keep ``data`` read at ``stamp``; the bytes to send: those another reader of the
        same unchanged file kept meanwhile (the warming thread and a request, say), so that
        every reader gets the same object."""
        with self._lock:
            old = self._kept.pop(path, None)
            if old is not None:
                if old[0] == stamp and stamp != _CHANGED:
                    self._kept[path] = old
                    return old[1]
                self._size -= len(old[1])
            if len(data) > self._max_kept:
                return data
            self._kept[path] = (stamp, data)
            self._size += len(data)
            while self._size > self._max_kept:
                _path, (_stamp, dropped) = self._kept.popitem(last=False)
                self._size -= len(dropped)
        return data

    def warm(self, paths: Iterable[Path]) -> None:
        """Read ``paths`` now (off the loop), so requests find them kept; failures wait for a request."""
        for path in paths:
            try:
                self.read(path)
            except BodyFileError:
                continue

    @property
    def kept_bytes(self) -> int:
        with self._lock:
            return self._size
