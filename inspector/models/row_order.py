"""The order of the request table's rows: a permutation of storage slots.

Storage keeps history ids in id order, then live records in arrival order; a
slot is a history position below ``len(history)``, else ``len(history)`` plus
the live index. :class:`RowOrder` maps view rows to slots (``None`` while rows
are in storage order, which is ``#`` ascending) so that sorting never moves
storage: pages of summaries are still read by store position.

A sort is one ``list.sort`` over keys fetched in one query: ties are broken by
id, and descending is the exact reverse of ascending. While sorted by a column
other than ``#``, the keys are kept in view order beside the slots, so that new
rows are placed where the sort puts them (:meth:`RowOrder.plan`: a binary search
each, no store read): a new row has the highest id, so it goes after the rows
with an equal key (before them in descending order).
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Sequence
from typing import Protocol

from inspector.http.record import CaptureRecord
from inspector.models.columns import Column, cell_value
from inspector.models.history_source import SortKey


class HasId(Protocol):
    @property
    def id(self) -> int: ...

#: persistent indexes moved by a linear search each; beyond, an inverse map is built
_FEW = 64


def sorted_slots(
    keys: Sequence[SortKey], *, ids_ascending: bool, slot_id: Callable[[int], int], descending: bool
) -> array[int]:
    """The slots ``0..len(keys)-1`` ordered by ``keys`` (ties by id, then reversed
    for descending). ``ids_ascending`` says storage order is already id order."""
    slots = list(range(len(keys)))
    if not ids_ascending:  # ties by id: sort by id first (sorts are stable)
        slots.sort(key=slot_id)
    slots.sort(key=keys.__getitem__)
    if descending:
        slots.reverse()
    return array("q", slots)


def _descending_position(keys: Sequence[SortKey], key: SortKey) -> int:
    """Where ``key`` goes in non-increasing ``keys``: after every greater key."""
    low, high = 0, len(keys)
    while low < high:
        middle = (low + high) // 2
        if keys[middle] > key:  # type: ignore[operator]
            low = middle + 1
        else:
            high = middle
    return low


#: one block of new rows: the view row it goes before (in the order before any of
#: the blocks is inserted), and its slots and keys in view order
Run = tuple[int, list[int], list[SortKey]]


class RowOrder:
    """View row -> storage slot (and, while sorted by a value, each row's key)."""

    def __init__(self) -> None:
        self._slots: array[int] | None = None
        self._keys: list[SortKey] | None = None
        self._descending = False

    @property
    def slots(self) -> array[int] | None:
        """The permutation (None: storage order); do not modify."""
        return self._slots

    @property
    def keyed(self) -> bool:
        """Whether new rows are placed by their keys (:meth:`plan`)."""
        return self._keys is not None

    def set(
        self, slots: array[int] | None, keys: list[SortKey] | None = None, *, descending: bool = False
    ) -> None:
        """A new order; ``keys`` (in view order) when new rows are to be placed by value."""
        self._slots = slots
        self._keys = keys if slots is not None else None
        self._descending = descending

    def clear(self) -> None:
        """No rows; a sorted order stays sorted (empty), storage order stays None."""
        self._slots = None if self._slots is None else array("q")
        self._keys = None if self._keys is None else []

    def plan(self, first_slot: int, keys: Sequence[SortKey]) -> list[Run]:
        """Where new slots ``first_slot..`` with ``keys`` go, as runs in view order
        (one run per place; :meth:`insert_run` each, from the first)."""
        current = self._keys
        assert current is not None, "plan() needs a keyed order"
        places: dict[int, list[tuple[SortKey, int]]] = {}
        for offset, key in enumerate(keys):
            where = _descending_position(current, key) if self._descending else bisect_right(current, key)
            places.setdefault(where, []).append((key, first_slot + offset))
        runs: list[Run] = []
        for where in sorted(places):
            block = sorted(places[where], reverse=self._descending)  # by key, then slot (= id)
            runs.append((where, [slot for _key, slot in block], [key for key, _slot in block]))
        return runs

    def insert_run(self, row: int, slots: list[int], keys: list[SortKey]) -> None:
        """Put ``slots`` (with their ``keys``) at view row ``row``."""
        assert self._slots is not None and self._keys is not None
        self._slots[row:row] = array("q", slots)
        self._keys[row:row] = keys

    def slot(self, row: int) -> int:
        slots = self._slots
        return row if slots is None else slots[row]

    def add(self, first_slot: int, count: int, *, at_top: bool) -> None:
        """New slots ``first_slot..+count``: at the end, or newest first at the top."""
        slots = self._slots
        if slots is None:
            return
        new = range(first_slot, first_slot + count)
        if at_top:
            slots[0:0] = array("q", reversed(new))
        else:
            slots.extend(new)

    def oldest_rows(self, count: int, total: int) -> tuple[int, int] | None:
        """The view rows of the ``count`` oldest history slots when they are one
        block (the first rows in storage order, the last in # descending), else None."""
        slots = self._slots
        if slots is None:
            return 0, count - 1
        if slots[total - count :] == array("q", range(count - 1, -1, -1)):
            return total - count, total - 1
        return None

    def drop_block(self, first: int, count: int) -> None:
        """Rows ``first..`` (the oldest ``count`` slots) are gone: keep the rows
        before them, every slot shifted down by ``count``."""
        slots = self._slots
        if slots is not None:
            self._slots = array("q", [slot - count for slot in slots[:first]])
        if self._keys is not None:
            del self._keys[first:]

    def drop_oldest_scattered(self, count: int) -> None:
        """The ``count`` oldest slots are gone from anywhere in the order."""
        slots = self._slots
        assert slots is not None
        if self._keys is not None:
            self._keys = [key for slot, key in zip(slots, self._keys, strict=True) if slot >= count]
        self._slots = array("q", [slot - count for slot in slots if slot >= count])

    def rows_of(self, slots: Sequence[int]) -> list[int]:
        """The view rows now holding ``slots`` (-1 for a negative slot or one not shown)."""
        order = self._slots
        if order is None:
            return list(slots)
        if len(slots) <= _FEW:
            return [order.index(slot) if slot >= 0 else -1 for slot in slots]
        where = {slot: row for row, slot in enumerate(order)}
        return [where.get(slot, -1) for slot in slots]


def ids_in_order(history_ids: Sequence[int], records: Sequence[HasId]) -> bool:
    """Whether storage order (history ids, then live records) is id order: live
    records always arrive so; an imported session may not."""
    if records and history_ids and records[0].id <= history_ids[-1]:
        return False
    return all(records[i].id < records[i + 1].id for i in range(len(records) - 1))


def sorted_order(
    history_ids: Sequence[int],
    history_keys: Callable[[int], list[SortKey]],
    records: Sequence[CaptureRecord],
    column: int,
    *,
    descending: bool,
    slot_id: Callable[[int], int],
) -> tuple[array[int] | None, list[SortKey] | None]:
    """The permutation of slots for a sort by ``column`` (None: storage order) and,
    when new rows are placed by value, the keys in view order (None: by # they go
    to an end). ``history_keys(column)`` gives the history rows' keys in storage
    order; the live records' keys are their cells' values."""
    total = len(history_ids) + len(records)
    ids_ascending = ids_in_order(history_ids, records)
    if column == Column.ID and ids_ascending:
        # storage order is id order: no keys, no comparisons
        return (array("q", range(total - 1, -1, -1)) if descending else None), None
    keys = history_keys(column)
    keys.extend(cell_value(record, column) for record in records)
    slots = sorted_slots(keys, ids_ascending=ids_ascending, slot_id=slot_id, descending=descending)
    return slots, [keys[slot] for slot in slots]
