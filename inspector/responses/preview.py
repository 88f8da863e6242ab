"""What the editor's live preview shows, computed without Qt (the editor runs it off the GUI thread).

:func:`preview` answers four questions about a preview request: does the
edited rule match it (and if not, which part failed), which rule of the edited
list would answer it, which answer that rule's next request would get (and
why: its mode, its counter, its ``state_key`` value), and what would be sent:
both what this request gets from the rule that answers it and the answer of
the edited rule selected in the form, so the editor can show either under a
title that says which it is. Everything it calls is bounded (linear matching,
the render budget), and nothing it does raises.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from inspector.http.record import CaptureRecord
from inspector.http.response import Response
from inspector.responses.answers import failure_response
from inspector.responses.engine import CompiledRule, RuleSet, explain, is_preflight
from inspector.responses.files import BodyFiles
from inspector.responses.matching import MatchResult
from inspector.responses.model import Rule
from inspector.responses.state import AnswerState, Pick


@dataclass(frozen=True, slots=True)
class Preview:
    """The preview of one rule against one request.

    Attributes:
        match: whether the edited rule matches (None when no rule is selected).
        response: the edited rule's answer number ``answer`` (None when no rule is selected).
        answered_by: the position of the rule of the list that answers, or None
            for the built-in default.
        preflight: that rule answers as a CORS preflight.
        selection_error: why the answering rule could not be told ("" normally).
        answer: the 0-based answer of the edited rule that ``response`` is.
        pick: which answer the edited rule's next request would get, and why.
        gets: what this request gets from the rule that answers it (the edited
            rule's next answer when it is that rule).
        gets_pick: which answer of the answering rule ``gets`` is, and why.
    """

    match: MatchResult | None
    response: Response | None
    answered_by: int | None
    preflight: bool = False
    selection_error: str = ""
    answer: int = 0
    pick: Pick | None = None
    gets: Response | None = None
    gets_pick: Pick | None = None


def _next_answer(
    compiled: CompiledRule,
    record: CaptureRecord,
    params: dict[str, str],
    state: AnswerState,
    files: BodyFiles,
) -> tuple[Pick, Response]:
    """The answer the next such request gets from ``compiled`` (a random draw: its first answer)."""
    pick = compiled.foresee(record, params, state)
    index = (pick.step or 1) - 1
    return pick, compiled.respond(record, params, pick.counter, index, files)


def preview(
    rule: Rule | None,
    rules: tuple[Rule, ...],
    record: CaptureRecord,
    *,
    answer: int = 0,
    state: AnswerState | None = None,
    folder: Path | None = None,
    files: BodyFiles | None = None,
) -> Preview:
    """Preview ``rule`` (the edited one) within ``rules`` (the edited list) for ``record``.

    Args:
        answer: the edited rule's answer to render (the one selected in the form).
        state: the responder's answer state, read and never advanced (None: fresh).
        folder: where relative body files are (the rules file's folder).
        files: where body files are read (None: read afresh).
    """
    state = state if state is not None else AnswerState()
    files = files if files is not None else BodyFiles()
    answered_by: int | None = None
    preflight = False
    selection_error = ""
    gets: Response | None = None
    gets_pick: Pick | None = None
    answering: CompiledRule | None = None
    params: dict[str, str] = {}
    try:
        answering, params, preflight = RuleSet(rules=rules, folder=folder).select(record)
        answered_by = next((i for i, r in enumerate(rules) if r is answering.rule), None)
    except Exception as exc:  # a preview must not take the editor down
        selection_error = f"{type(exc).__name__}: {exc}"
    if rule is None:
        return Preview(None, None, answered_by, preflight, selection_error)
    try:
        match = explain(rule, record)
    except Exception as exc:  # explain() reports failures itself; this is a last resort
        match = MatchResult(False, "invalid", message=f"{type(exc).__name__}: {exc}")
    try:
        edited = CompiledRule(rule, folder)
        edited_params = edited.matcher.match_path(record.path) or {}
        answer = max(0, min(answer, len(edited.answers) - 1))
        pick = edited.foresee(record, edited_params, state)
        if rule.cors and is_preflight(record) and match.matched:
            response = edited.preflight(record)
        else:
            response = edited.respond(record, edited_params, pick.counter, answer, files)
        if answering is not None:
            if preflight:
                gets = answering.preflight(record)
            else:
                gets_pick, gets = _next_answer(answering, record, params, state, files)
    except Exception as exc:
        return Preview(
            match, failure_response(rule.name, f"{type(exc).__name__}: {exc}"), answered_by,
            preflight, selection_error, answer,
        )  # fmt: skip
    return Preview(match, response, answered_by, preflight, selection_error, answer, pick, gets, gets_pick)
