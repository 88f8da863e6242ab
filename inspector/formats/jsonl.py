"""JSON Lines: one capture record per line, the record's ``to_json`` form.

One encoder for every writer (``--jsonl``, ``--export OUT.jsonl``, the
window's export), so the same record is the same bytes everywhere: compact
separators, UTF-8; a record holding a lone surrogate (request bytes that were
not UTF-8) is written with ASCII escapes instead, which every JSON reader
turns back into the same string.

:func:`last_id` reads only a file's tail to find the highest id already used
in it, so a recorder appending to the file never reuses one.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from typing import Any, Final

import orjson

from inspector.http.record import CaptureRecord

#: last_id reads back this far at least (ids are not strictly increasing in a
#: file: a slow request is written after quicker ones that came later) ...
TAIL_MIN_BYTES: Final = 1 << 20
#: ... and the starts of at least this many lines (a slow request's long line
#: written last must not hide the quicker ones before it) ...
TAIL_MIN_LINES: Final = 64
#: ... and never further than this, however long the last lines are
TAIL_MAX_BYTES: Final = 64 << 20
_BLOCK: Final = 1 << 20
#: how each line starts: ``{"id":123,`` (older files may have a space)
_LINE_ID: Final = re.compile(rb'\{ ?"id" ?: ?(\d{1,19}) ?,')
#: bytes a line's start needs for its id
_ID_SPAN: Final = 40


def jsonl_line(record: CaptureRecord) -> bytes:
    """One record as a JSON line (UTF-8, without the newline).

    orjson encodes a record about ten times faster than ``json.dumps``, which
    at thousands of requests a second is a large share of the listener's time.
    """
    obj: dict[str, Any] = record.to_json()
    try:
        return orjson.dumps(obj)
    except (TypeError, orjson.JSONEncodeError):  # a lone surrogate: the stdlib escapes it
        return json.dumps(obj, separators=(",", ":")).encode("ascii")


def jsonl_lines(records: Iterable[CaptureRecord]) -> Iterator[bytes]:
    """:func:`jsonl_line` of each record."""
    for record in records:
        yield jsonl_line(record)


def last_id(path: str | os.PathLike[str]) -> int:
    """The highest record id at the start of the lines in the file's tail; 0 when
    the file is missing, empty or holds no record lines.

    Reads back from the end at least :data:`TAIL_MIN_BYTES` and
    :data:`TAIL_MIN_LINES` lines, at most :data:`TAIL_MAX_BYTES`. A torn last line (the
    process was killed while writing) still counts: its id was used.
    """
    try:
        handle = open(path, "rb")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        return 0
    with handle:
        end = handle.seek(0, os.SEEK_END)
        start = end
        carry = b""  # the first bytes after ``start``, read already
        best = 0
        seen = 0
        while start > 0 and end - start < TAIL_MAX_BYTES:
            block_end = start
            start = max(0, start - _BLOCK)
            handle.seek(start)
            block = handle.read(block_end - start)
            found = _ids_at_line_starts(block + carry, len(block), whole=start == 0)
            carry = (block + carry)[:_ID_SPAN]
            if found:
                best = max(best, *found)
                seen += len(found)
            if seen >= TAIL_MIN_LINES and end - start >= TAIL_MIN_BYTES:
                break
        return best


def _ids_at_line_starts(data: bytes, new: int, *, whole: bool) -> list[int]:
    """Ids of the lines that start in ``data[1:new + 1]`` (after a newline in its first
    ``new`` bytes), and at 0 when ``whole`` (the start of the file)."""
    starts = [0] if whole else []
    position = data.find(b"\n", 0, new)
    while position >= 0:
        starts.append(position + 1)
        position = data.find(b"\n", position + 1, new)
    ids = []
    for start in starts:
        match = _LINE_ID.match(data, start, start + _ID_SPAN)
        if match:
            ids.append(int(match.group(1)))
    return ids
