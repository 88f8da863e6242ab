"""Reading a HAR document's entries one at a time, without parsing it whole.

``json.loads`` of a 100,000-entry HAR is one C call that holds the GIL for
seconds (the window froze 4.9 s). :func:`scan_entries` walks the document's
structure itself (objects, keys, ``log``, ``entries``) and hands each entry to
``json.JSONDecoder.raw_decode`` on its own, so the caller can report progress,
cancel, and let other threads run between entries. The walk is linear in the
text; values outside ``log.entries`` are skipped with ``raw_decode``.

Duplicate keys follow ``json.loads``: the last ``log`` (and the last
``entries`` inside it) wins, signalled by a :data:`RESTART` item.

Every failure is a :class:`HarScanError` with one line saying where: invalid
JSON, nesting too deep for the parser, a number too long to read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, Final

#: yielded when a later ``log``/``entries`` replaces the entries yielded so far
RESTART: Final = object()

_WS: Final = re.compile(r"[ \t\n\r]*")
_DECODER: Final = json.JSONDecoder()


class HarScanError(ValueError):
    """The text is not a HAR document this reader can walk (one line)."""


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"line {line} column {column}"


class _Walker:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip_ws(self) -> None:
        match = _WS.match(self.text, self.pos)
        assert match is not None  # the pattern matches the empty string
        self.pos = match.end()

    def peek(self) -> str:
        self.skip_ws()
        return self.text[self.pos : self.pos + 1]

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.invalid(self.pos)
        self.pos += 1

    def value(self) -> Any:
        """One JSON value at the current position (whitespace first)."""
        self.skip_ws()
        try:
            value, self.pos = _DECODER.raw_decode(self.text, self.pos)
        except json.JSONDecodeError as exc:
            raise self.invalid(exc.pos) from None
        except RecursionError:
            raise HarScanError(f"JSON nested too deeply near {_where(self.text, self.pos)}") from None
        except ValueError as exc:  # e.g. an integer of more than 4300 digits
            reason = str(exc).split(";")[0].split(":")[0]
            raise HarScanError(f"unreadable JSON near {_where(self.text, self.pos)}: {reason}") from None
        return value

    def invalid(self, pos: int) -> HarScanError:
        return HarScanError(f"invalid JSON at {_where(self.text, pos)}")

    def members(self) -> Iterator[str]:
        """The keys of the object at the current position; after each key the
        caller reads (or skips) its value."""
        self.expect("{")
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            if self.peek() != '"':
                raise self.invalid(self.pos)
            key = self.value()
            self.expect(":")
            yield key
            following = self.peek()
            self.pos += 1
            if following == "}":
                return
            if following != ",":
                raise self.invalid(self.pos - 1)

    def items(self) -> Iterator[Any]:
        """The values of the array at the current position, one at a time."""
        self.expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            following = self.peek()
            self.pos += 1
            if following == "]":
                return
            if following != ",":
                raise self.invalid(self.pos - 1)

    def end(self) -> None:
        self.skip_ws()
        if self.pos != len(self.text):
            raise self.invalid(self.pos)


def scan_entries(text: str) -> Iterator[tuple[Any, int]]:
    """``(entry, position after it)`` for each item of ``log.entries``, in order;
    :data:`RESTART` (with its position) when a later duplicate key replaces them.

    Raises:
        HarScanError: invalid JSON, or not the shape of a HAR document.
    """
    walker = _Walker(text)
    first = walker.peek()
    if first != "{":
        walker.value()  # valid JSON of another kind, or the syntax error
        raise HarScanError("the top level is not an object")
    found_log = found_entries = False
    for key in walker.members():
        if key != "log":
            walker.value()
            continue
        if found_log:
            yield RESTART, walker.pos
        found_log, found_entries = True, False
        if walker.peek() != "{":
            walker.value()
            found_log = False
            continue
        for log_key in walker.members():
            if log_key != "entries" or walker.peek() != "[":
                walker.value()
                if log_key == "entries":
                    found_entries = False
                continue
            if found_entries:
                yield RESTART, walker.pos
            found_entries = True
            for entry in walker.items():
                yield entry, walker.pos
    walker.end()
    if not found_log:
        raise HarScanError('no "log" object')
    if not found_entries:
        raise HarScanError('"log" has no "entries" list')
