"""From a difference to a rule condition that tells the two requests apart.

Strategy: for a differing header, query pair or JSON value, candidate
conditions are built for the side the user wants to match (then for the
other side): ``equals`` its value, ``present`` when only it has the name or
path, ``absent`` when only it lacks it. Each candidate is checked with the
rules engine's own matching (:func:`inspector.responses.explain`), so a
condition is offered only when it provably holds for one request and not for
the other. Some differences cannot be told apart by any condition (header
order, letter case of header names, which the rules compare
case-insensitively); the result then says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from inspector.diff.model import Change, JsonChange, PairRow
from inspector.http.record import CaptureRecord
from inspector.responses import Condition, Rule, explain

Side = Literal["left", "right"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Separation:
    """A condition that holds for one request and not the other, or why there is none.

    Attributes:
        condition: the condition, or None.
        matches: the side it holds for ("left" or "right"), None without a condition.
        reason: one line: what the condition does, or why none exists.
    """

    condition: Condition | None
    matches: Side | None
    reason: str


def holds(condition: Condition, record: CaptureRecord) -> bool:
    """Whether a rule with only this condition would answer ``record``."""
    return explain(Rule(name="difference", conditions=(condition,)), record).matched


def _other(side: Side) -> Side:
    return "left" if side == "right" else "right"


def _first_separating(
    candidates: list[tuple[Side, Condition]], left: CaptureRecord, right: CaptureRecord, otherwise: str
) -> Separation:
    """The first candidate that holds for its side only, else no condition and ``otherwise``."""
    records = {"left": left, "right": right}
    for side, condition in candidates:
        if holds(condition, records[side]) and not holds(condition, records[_other(side)]):
            return Separation(
                condition=condition,
                matches=side,
                reason=f"{condition.describe()}: holds for the {side} request only",
            )
    return Separation(condition=None, matches=None, reason=otherwise)


def _sides(prefer: Side) -> tuple[Side, Side]:
    return prefer, _other(prefer)


def pair_condition(
    row: PairRow,
    source: Literal["header", "query"],
    left: CaptureRecord,
    right: CaptureRecord,
    *,
    prefer: Side = "right",
) -> Separation:
    """A condition from a differing header or query row.

    Args:
        row: a row of the ``headers`` or ``query`` section.
        source: "header" or "query", matching the section.
        left, right: the compared records.
        prefer: which request the condition should hold for, when both can be.
    """
    if row.change is Change.SAME:
        why = "only the letter case of the name differs" if row.case_only else "only the order differs"
        return Separation(condition=None, matches=None, reason=f"{why}, which rules do not look at")
    name = row.name
    candidates: list[tuple[Side, Condition]] = []
    for side in _sides(prefer):
        value = row.left_value if side == "left" else row.right_value
        if value is None:
            candidates.append((side, Condition(source=source, name=name, op="absent")))
        else:
            candidates.append((side, Condition(source=source, name=name, op="present")))
            candidates.append((side, Condition(source=source, name=name, op="equals", value=value)))
    return _first_separating(
        candidates,
        left,
        right,
        otherwise=f"both requests have another {source} {name!r} value that a condition would match",
    )


def _dotted(steps: tuple[str | int, ...]) -> str | None:
    """The rules' dotted form of a JSON path (``items.0.qty``), or None when a
    key cannot be written in it: it contains a dot, or it is one empty key
    (which would read as the whole document)."""
    if steps == ("",) or any(isinstance(step, str) and "." in step for step in steps):
        return None
    return ".".join(str(step) for step in steps)


def _is_scalar(value: Any) -> bool:
    if isinstance(value, float) and not math.isfinite(value):
        return False  # NaN and infinities cannot be written in a rules file
    return value is None or isinstance(value, str | int | float | bool)


def json_condition(
    change: JsonChange, left: CaptureRecord, right: CaptureRecord, *, prefer: Side = "right"
) -> Separation:
    """A condition from a differing JSON value (an entry of the body section's ``json``)."""
    steps = change.steps
    if change.change is Change.LENGTH:
        # The longer array has an item at the shorter one's length; the other does not.
        steps = (*steps, min(int(change.left), int(change.right)))
    name = _dotted(steps)
    if name is None:
        return Separation(
            condition=None,
            matches=None,
            reason=f"{change.path}: a key here cannot be written in a rule's dotted JSON path "
            "(it contains a dot, or it is the only key and empty)",
        )
    candidates: list[tuple[Side, Condition]] = []
    for side in _sides(prefer):
        here = change.left if side == "left" else change.right
        missing_here = change.change is Change.ADDED if side == "left" else change.change is Change.REMOVED
        missing_there = change.change is Change.REMOVED if side == "left" else change.change is Change.ADDED
        if change.change is Change.LENGTH:
            longer = (change.left > change.right) == (side == "left")
            candidates.append(
                (side, Condition(source="json", name=name, op="present" if longer else "absent"))
            )
            continue
        if missing_here:
            candidates.append((side, Condition(source="json", name=name, op="absent")))
            continue
        if missing_there:
            candidates.append((side, Condition(source="json", name=name, op="present")))
        if _is_scalar(here):
            candidates.append((side, Condition(source="json", name=name, op="equals", value=here)))
    return _first_separating(
        candidates,
        left,
        right,
        otherwise=f"{change.path}: no equals, present or absent condition holds for only one request",
    )
