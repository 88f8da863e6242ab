"""A difference's condition put into the rules being edited, as an unsaved change.

The condition (from :mod:`inspector.diff.to_rule`) goes either into a new
rule at the top of the list (first match answers, so it is the one that
answers the request it matches) or into an existing rule, always through the
:class:`~inspector.responses.document.RulesDocument` edit API. Nothing is
saved: the rules editor shows the document and the user saves. Qt-free.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from inspector.diff.to_rule import Separation
from inspector.http.record import CaptureRecord
from inspector.responses import Condition, MatchResult, Rule, explain
from inspector.responses.document import RulesDocument


@dataclass(frozen=True, slots=True, kw_only=True)
class Placed:
    """Where the condition went and what the rule now says of both requests.

    Attributes:
        row: the rule's position in the document.
        rule: the rule as it is now.
        left, right: :func:`inspector.responses.explain` of the rule for each request.
    """

    row: int
    rule: Rule
    left: MatchResult
    right: MatchResult


def with_condition(rule: Rule, condition: Condition) -> Rule:
    """``rule`` with ``condition`` added last (not again when it has an equal one)."""
    if condition in rule.conditions:
        return rule
    return dataclasses.replace(rule, conditions=(*rule.conditions, condition))


def place_condition(
    document: RulesDocument,
    separation: Separation,
    left: CaptureRecord,
    right: CaptureRecord,
    *,
    new_rule: Rule | None = None,
    row: int | None = None,
) -> Placed:
    """Add ``separation``'s condition to the document.

    Args:
        document: the rules being edited (changed in place, not saved).
        separation: a separation that has a condition.
        left, right: the two compared requests.
        new_rule: the rule to add at the top with the condition (its name made
            unique in the document); used when ``row`` is None.
        row: add the condition to the rule at this position instead.

    Returns:
        Where it went, and the rule's verdict on both requests.

    Raises:
        ValueError: the separation has no condition, or neither ``new_rule``
            nor a valid ``row`` was given.
    """
    condition = separation.condition
    if condition is None:
        raise ValueError(f"no condition to add: {separation.reason}")
    if row is not None:
        if not 0 <= row < len(document):
            raise ValueError(f"no rule at position {row + 1}")
        rule = with_condition(document.rule(row), condition)
        document.replace(row, rule)
    elif new_rule is not None:
        rule = with_condition(
            dataclasses.replace(new_rule, name=document.unique_name(new_rule.name)), condition
        )
        row = document.insert(0, [rule])
    else:
        raise ValueError("give a new rule or the position of one")
    return Placed(row=row, rule=rule, left=explain(rule, left), right=explain(rule, right))
