"""What a comparison of two requests says, as plain immutable data.

Every value here is data from the requests, unescaped: a view shows it through
:mod:`inspector.text` like any other request text. "Left" and "right" are the
two requests as the caller passed them; :meth:`mirrored` on each difference
gives what the comparison says with the sides swapped, which is what
``compare(right, left)`` returns (tests/diff checks this as a property).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Change(StrEnum):
    """What happened to one item between the left request and the right one."""

    SAME = "same"
    ADDED = "added"  # only on the right
    REMOVED = "removed"  # only on the left
    CHANGED = "changed"  # on both sides, value differs
    TYPE = "type"  # JSON only: the value's type differs (number -> string, object -> array)
    LENGTH = "length"  # JSON only: an array's length differs (its extra items are ADDED/REMOVED)

    def mirrored(self) -> Change:
        if self is Change.ADDED:
            return Change.REMOVED
        if self is Change.REMOVED:
            return Change.ADDED
        return self


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldDiff:
    """One named scalar of a request or an answer (method, target, status, ...)."""

    name: str
    left: str
    right: str

    @property
    def differs(self) -> bool:
        return self.left != self.right

    def mirrored(self) -> FieldDiff:
        return FieldDiff(name=self.name, left=self.right, right=self.left)


@dataclass(frozen=True, slots=True, kw_only=True)
class PairRow:
    """One (name, value) pair of headers, query or form fields, paired across sides.

    Attributes:
        change: SAME (value equal), CHANGED (value differs), ADDED or REMOVED.
        left_name, left_value, left_index: the pair on the left, None when ADDED;
            the index is its 0-based position among the left's pairs.
        right_name, right_value, right_index: the same for the right, None when REMOVED.
        moved: the pair's place relative to the other paired names changed (see
            :mod:`inspector.diff.pairs` for the exact rule).
        case_only: the names differ in letter case only (headers).
    """

    change: Change
    left_name: str | None = None
    left_value: str | None = None
    left_index: int | None = None
    right_name: str | None = None
    right_value: str | None = None
    right_index: int | None = None
    moved: bool = False
    case_only: bool = False

    @property
    def name(self) -> str:
        """The name to show: the left's when there is one."""
        return self.left_name if self.left_name is not None else self.right_name or ""

    @property
    def differs(self) -> bool:
        return self.change is not Change.SAME or self.moved or self.case_only

    def mirrored(self) -> PairRow:
        return PairRow(
            change=self.change.mirrored(),
            left_name=self.right_name,
            left_value=self.right_value,
            left_index=self.right_index,
            right_name=self.left_name,
            right_value=self.left_value,
            right_index=self.left_index,
            moved=self.moved,
            case_only=self.case_only,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class JsonChange:
    """One difference between two JSON documents.

    Attributes:
        change: ADDED, REMOVED, CHANGED (same type, other value), TYPE or LENGTH.
        path: JSONPath-like text, ``$.items[0].qty`` or ``$['a key']``.
        steps: the same path as object keys (str) and array indexes (int).
        left, right: the values (parsed JSON; None for JSON null and for the
            missing side of ADDED/REMOVED; array lengths for LENGTH).
        note: set when the values were compared as a whole (nesting limit).
    """

    change: Change
    path: str
    steps: tuple[str | int, ...]
    left: Any = None
    right: Any = None
    note: str = ""

    def mirrored(self) -> JsonChange:
        return JsonChange(
            change=self.change.mirrored(),
            path=self.path,
            steps=self.steps,
            left=self.right,
            right=self.left,
            note=self.note,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffLine:
    """A line of a unified diff: ``tag`` is " " (context), "-" (left) or "+" (right).

    ``text`` keeps its line ending ("\\n", or "\\r\\n" as its last two characters);
    a last line without one has none.
    """

    tag: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Hunk:
    """Lines of a unified diff around one group of changes; starts are 0-based."""

    left_start: int
    left_count: int
    right_start: int
    right_count: int
    lines: tuple[DiffLine, ...]

    @property
    def header(self) -> str:
        """``@@ -l,n +r,m @@`` with 1-based starts, as unified diffs write it."""
        return f"@@ -{self.left_start + 1},{self.left_count} +{self.right_start + 1},{self.right_count} @@"


@dataclass(frozen=True, slots=True, kw_only=True)
class TextDiff:
    """A line diff.

    Attributes:
        hunks: the unified diff (3 lines of context), possibly cut short (``note``).
        removed, added: how many lines only the left / only the right has.
        line_by_line: False when the texts were too large to diff line by line;
            then ``hunks`` is empty and ``first_line`` says where they part.
        first_line: 0-based index of the first line that differs (None if none).
        note: why the diff is incomplete, or "".
    """

    hunks: tuple[Hunk, ...] = ()
    removed: int = 0
    added: int = 0
    line_by_line: bool = True
    first_line: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class HexRow:
    """16 bytes at ``offset`` on each side (fewer at the end; empty past a side's end)."""

    offset: int
    left: bytes
    right: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class HexDiff:
    """Bytes compared offset by offset.

    Attributes:
        rows: the 16-byte rows that differ, in offset order (at most a cap; ``note``).
        differing_rows: how many rows differ in all (within the compared bytes).
        first_offset: the first offset where the sides differ, None when equal.
        left_size, right_size: how many bytes each side has.
        common_suffix: bytes equal at the ends (an insertion shows as a shifted middle).
        note: why rows are missing, or "".
    """

    rows: tuple[HexRow, ...] = ()
    differing_rows: int = 0
    first_offset: int | None = None
    left_size: int = 0
    right_size: int = 0
    common_suffix: int = 0
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class BodyDiff:
    """Two bodies compared in the form that fits them.

    Attributes:
        kind: how they were compared: "empty" (both empty), "json", "form",
            "text" or "hex".
        left_kind, right_kind: what each side looked like ("empty", "json",
            "form", "text", "binary").
        json: for "json": the differences, document order of the left side,
            then what only the right has.
        pairs: for "form": every field, paired as headers are.
        text: for "text": the line diff.
        hex: for "hex": the byte diff.
    """

    kind: str
    left_kind: str
    right_kind: str
    json: tuple[JsonChange, ...] = ()
    pairs: tuple[PairRow, ...] = ()
    text: TextDiff | None = None
    hex: HexDiff | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    """One part of the comparison (request line, headers, body, the response, ...).

    Attributes:
        key: stable identifier (``request``, ``headers``, ``trailers``,
            ``query``, ``body``, ``raw``, ``response``, later ``upstream``).
        title: what a view shows as its heading.
        identical: nothing in this section differs; a view folds it.
        summary: one phrase for the summary line ("3 headers differ"); "" when identical.
        fields, pairs, body: what differs, depending on the section.
        notes: limits that were reached ("compared the first 1 MiB of 4.0 MiB").
    """

    key: str
    title: str
    identical: bool
    summary: str = ""
    fields: tuple[FieldDiff, ...] = ()
    pairs: tuple[PairRow, ...] = ()
    body: BodyDiff | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Comparison:
    """Two requests compared, section by section.

    Attributes:
        left_id, right_id: the records' ids.
        sections: in the order a view shows them.
        summary: one line, e.g. "3 headers differ, body: 1 JSON value differs
            at $.items[0].qty", or "no differences".
    """

    left_id: int
    right_id: int
    sections: tuple[Section, ...]
    summary: str

    @property
    def identical(self) -> bool:
        return all(section.identical for section in self.sections)

    def section(self, key: str) -> Section:
        """The section called ``key``. Raises KeyError when there is none."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)
