"""From a difference to a rule: the condition goes into the rules editor's document.

The edit itself is Qt-free (:func:`inspector.diff.rule_edit.place_condition`,
through the :class:`~inspector.responses.document.RulesDocument` edit API):
a new rule at the top that answers the request the condition matches (its
method and exact path, and the condition), or the condition added to the rule
selected in the editor. The editor is only asked to show the document (its
list model re-reads it), select the rule and preview the matched request; the
verdict on both requests comes back in :class:`~inspector.diff.rule_edit.Placed`.
Nothing is saved.
"""

from __future__ import annotations

from typing import Final

from inspector.diff.rule_edit import Placed, place_condition
from inspector.http.response import is_token
from inspector.responses import Rule
from inspector.responses.document import exact_path_pattern
from inspector.ui.compare_view import RuleRequest
from inspector.ui.rules_window import RulesWindow

#: characters of a condition's description used to name the new rule
NAME_LIMIT: Final = 60


def new_rule_for(request: RuleRequest) -> Rule:
    """The rule a condition starts in: the matched request's method and exact path."""
    separation = request.separation
    matched = request.left if separation.matches == "left" else request.right
    method = matched.method.upper()
    described = separation.condition.describe() if separation.condition is not None else ""
    return Rule(
        name=f"difference: {described}"[:NAME_LIMIT],
        methods=(method,) if is_token(method) else (),
        path=exact_path_pattern(matched.path),
        headers=(("Content-Type", "text/plain; charset=utf-8"),),
        body="hello world\n",
    )


def add_to_rules(dock: RulesWindow, request: RuleRequest) -> Placed:
    """Put ``request``'s condition into the rules shown in ``dock``, the rules window (unsaved).

    Raises:
        ValueError: ``request.into_selected`` while no rule is selected.
    """
    editor = dock.editor
    editor.rules()  # the form's pending edits go into the document first
    row: int | None = None
    if request.into_selected:
        row = editor.current_row()
        if row < 0:
            raise ValueError("no rule is selected in the rules editor")
    placed: list[Placed] = []

    def change() -> None:
        placed.append(
            place_condition(
                editor.document,
                request.separation,
                request.left,
                request.right,
                new_rule=new_rule_for(request),
                row=row,
            )
        )

    editor.model.reset(change)
    result = placed[0]
    dock.show_rules()
    editor.select_rule(result.row)
    editor.set_preview_record(request.left if request.separation.matches == "left" else request.right)
    return result
