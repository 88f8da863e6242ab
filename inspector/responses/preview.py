"""What the editor's live preview shows, computed without Qt (the editor runs it off the GUI thread).

:func:`preview` answers three questions about a preview request: does the
edited rule match it (and if not, which part failed), which rule of the edited
list would answer it, and what the edited rule would send back. Everything it
calls is bounded (linear matching, the render budget), and nothing it does
raises.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector.http.record import CaptureRecord
from inspector.http.response import Response
from inspector.responses.engine import RuleSet, explain, render
from inspector.responses.matching import MatchResult
from inspector.responses.model import Rule


@dataclass(frozen=True, slots=True)
class Preview:
    """The preview of one rule against one request.

    Attributes:
        match: whether the edited rule matches (None when no rule is selected).
        response: what the edited rule would send (None when no rule is selected).
        answered_by: the position of the rule of the list that answers, or None
            for the built-in default.
        preflight: that rule answers as a CORS preflight.
        selection_error: why the answering rule could not be told ("" normally).
    """

    match: MatchResult | None
    response: Response | None
    answered_by: int | None
    preflight: bool = False
    selection_error: str = ""


def preview(
    rule: Rule | None, rules: tuple[Rule, ...], record: CaptureRecord, *, counter: int = 1
) -> Preview:
    """Preview ``rule`` (the edited one) within ``rules`` (the edited list) for ``record``."""
    answered_by: int | None = None
    preflight = False
    selection_error = ""
    try:
        compiled, _params, preflight = RuleSet(rules=rules).select(record)
        answered_by = next((i for i, r in enumerate(rules) if r is compiled.rule), None)
    except Exception as exc:  # a preview must not take the editor down
        selection_error = f"{type(exc).__name__}: {exc}"
    if rule is None:
        return Preview(None, None, answered_by, preflight, selection_error)
    try:
        match = explain(rule, record)
    except Exception as exc:  # explain() reports failures itself; this is a last resort
        match = MatchResult(False, "invalid", message=f"{type(exc).__name__}: {exc}")
    response = render(rule, record, counter=counter)  # never raises
    return Preview(match, response, answered_by, preflight, selection_error)
