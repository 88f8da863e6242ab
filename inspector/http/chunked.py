"""De-chunking one request body (RFC 9112 §7.1), sans-IO.

We frame chunked bodies ourselves rather than through llhttp: it refuses
whitespace around ``;`` and ``=`` in chunk extensions, which RFC 9112 §7.1.1
allows, and it does not tell us chunk sizes. Each size line is judged by a
linear scanner (:func:`inspector.http.syntax.parse_chunk_line`); the trailer
section by llhttp as a field section. Every search resumes where the previous
one stopped, so a body arriving byte by byte is scanned once.
"""

from __future__ import annotations

from enum import Enum, auto

from inspector.http.events import ProtocolError
from inspector.http.fields import parse_trailers
from inspector.http.limits import InFlight, Limits
from inspector.http.record import Pairs
from inspector.http.syntax import CHUNK_LINE, find_head_end


class _Part(Enum):
    SIZE = auto()
    DATA = auto()
    CRLF = auto()
    TRAILERS = auto()
    DONE = auto()


def note_once(notes: list[str], note: str) -> None:
    if note not in notes:
        notes.append(note)


class ChunkedBody:
    """Reads one chunked body off the front of a connection's buffer.

    Args:
        limits: ``max_body`` (413), ``max_chunk_line`` (400), ``max_head`` and
            ``max_header_fields`` for the trailer section (431).
        budget: the shared memory budget; a chunk that does not fit is 503.
    """

    __slots__ = ("_budget", "_limits", "_part", "_scan", "raw", "remaining", "trailers")

    def __init__(self, limits: Limits, budget: InFlight) -> None:
        self._limits = limits
        self._budget = budget
        self._part = _Part.SIZE
        self._scan = 0
        #: the bytes as they crossed the wire (sizes, extensions, trailers), capped
        self.raw = bytearray()
        #: bytes of the current chunk still to come (announced, so budgeted, twice)
        self.remaining = 0
        self.trailers: Pairs = ()

    def read(self, buf: bytearray, body: bytearray, notes: list[str]) -> bool:
        """Move what ``buf`` holds of the body into ``body``; True once complete.

        Works by position and drops the consumed bytes once at the end (they
        join :attr:`raw`), so a body of many small chunks costs a few
        operations per chunk. After an error ``raw`` plus ``buf`` are still
        every byte received.

        Raises:
            ProtocolError: a malformed body (400), one over ``max_body`` (413),
                a trailer section over the limits (431), a chunk the memory
                budget cannot hold (503).
        """
        pos, end = 0, len(buf)
        while pos < end:
            part = self._part
            if part is _Part.DATA:
                take = min(self.remaining, end - pos)
                with memoryview(buf) as view:
                    body += view[pos : pos + take]
                pos += take
                self.remaining -= take
                if not self.remaining:
                    self._part = _Part.CRLF
            elif part is _Part.SIZE:
                stop = self._size_line(buf, pos, len(body), notes)
                if stop < 0:
                    break
                pos = stop
            elif part is _Part.CRLF:
                if buf[pos : pos + 2] != b"\r\n"[: end - pos]:
                    raise ProtocolError(400, "chunk data not followed by CRLF")
                if end - pos < 2:
                    break
                pos += 2
                self._part = _Part.SIZE
            else:
                break
        self._append_raw(bytes(buf[:pos]), notes)
        del buf[:pos]
        if self._part is _Part.TRAILERS and buf:
            return self._trailer_section(buf, notes)
        return False

    def _size_line(self, buf: bytearray, pos: int, received: int, notes: list[str]) -> int:
        """Parse the chunk-size line at ``pos``; where it ends, or -1 when incomplete."""
        limit = self._limits.max_chunk_line
        lf = buf.find(b"\n", pos + self._scan, pos + limit + 2)
        if lf < 0:
            if len(buf) - pos > limit + 1:  # room for the line and its CR
                raise ProtocolError(400, f"chunk-size line longer than {limit} bytes")
            self._scan = len(buf) - pos  # the line stays at the front of the buffer
            return -1
        self._scan = 0
        match = CHUNK_LINE.fullmatch(buf, pos, lf + 1)
        if match is None:
            raise ProtocolError(400, "malformed chunk-size line")
        digits = match.group(1).lstrip(b"0")
        max_body = self._limits.max_body
        if len(digits) > 16 or received + int(digits or b"0", 16) > max_body:
            raise ProtocolError(413, f"chunked body exceeds the {max_body}-byte limit")
        size = int(digits or b"0", 16)
        # Each byte of chunk data is held twice: in the body and in the raw bytes.
        if size and not self._budget.admits(2 * size):
            raise ProtocolError(503, self._budget.refusal())
        if match.end(1) != match.end(2):
            note_once(notes, "chunk extensions present (see Raw)")
        self.remaining = size
        self._part = _Part.DATA if size else _Part.TRAILERS
        return lf + 1

    def _trailer_section(self, buf: bytearray, notes: list[str]) -> bool:
        end = 2 if buf[:2] == b"\r\n" else find_head_end(buf, self._scan)
        # Judged in the same order however the bytes arrive: a bad start first.
        if buf[:1] == b"\n" or (len(buf) >= 2 and buf[:1] == b"\r" and buf[1:2] != b"\n"):
            raise ProtocolError(400, "malformed trailer section")
        max_head = self._limits.max_head
        if (len(buf) if end < 0 else end) > max_head:
            raise ProtocolError(431, f"trailer section larger than {max_head} bytes")
        if end < 0:
            self._scan = max(0, len(buf) - 2)
            return False
        block = bytes(buf[:end])
        del buf[:end]
        self._append_raw(block, notes)
        if end > 2:
            self.trailers = parse_trailers(block, self._limits.max_header_fields, notes)
        self._part = _Part.DONE
        return True

    def _append_raw(self, data: bytes, notes: list[str]) -> None:
        raw = self.raw
        room = self._limits.max_body + self._limits.max_head - len(raw)
        if room >= len(data):
            raw += data
        else:  # room 0 too (an earlier piece filled it): the note must not depend on the split
            raw += data[:room]
            note_once(notes, "raw chunked bytes truncated")
