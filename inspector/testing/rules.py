"""Rules for an in-process listener, and "why this rule" for a captured request.

:func:`ruleset_from` reads rules from what a test has at hand (a rules file, a
preset, a list of rule dicts in the rules-file format) through the same reader
and checks as ``--rules`` (:mod:`inspector.responses.rulesfile`, strict: a
template or pattern that does not compile is refused), so a mistake gives the
same one-line :class:`~inspector.responses.RulesFileError` as headless mode.

:func:`trace` replays the rules engine's choice for one request with
:func:`inspector.responses.explain`: each rule in order, why it did not match,
up to the one that answers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from inspector.assets import PresetNotFound, rules_argument
from inspector.http.record import CaptureRecord
from inspector.responses import (
    DEFAULT_RULE,
    RuleSet,
    RulesFileError,
    explain,
    load_rules,
    loads,
    refuse_problems,
)
from inspector.testing.lines import numbered_line
from inspector.text import visible

#: what ``Inspector(rules=...)`` and ``set_rules(...)`` take
RulesSource: TypeAlias = (
    "str | os.PathLike[str] | Sequence[Mapping[str, Any]] | Mapping[str, Any] | RuleSet | None"
)
#: how ``ruleset_from`` names rules given as data in its messages
DATA_SOURCE = "rules"


def ruleset_from(source: RulesSource) -> RuleSet:
    """Rules from a path, ``preset:NAME``, a list of rule dicts, a whole rules
    document (``{"version": 1, "rules": [...]}``), a :class:`RuleSet`, or None
    (the built-in ``hello world``).

    Raises:
        RulesFileError: the rules cannot be used; one line naming the file (or
            ``rules`` for data) and the rule.
        TypeError: ``source`` is none of the above.
    """
    if source is None:
        return RuleSet()
    if isinstance(source, RuleSet):
        return refuse_problems(source, DATA_SOURCE)
    if isinstance(source, (str, os.PathLike)):
        try:
            path = rules_argument(os.fspath(source))
        except PresetNotFound as exc:
            raise RulesFileError(str(exc)) from None
        return load_rules(path, strict=True)
    if isinstance(source, Mapping):
        document: Any = source
    elif isinstance(source, Sequence) and not isinstance(source, (bytes, bytearray)):
        document = {"rules": list(source)}
    else:
        raise TypeError(
            f"rules: expected a file path, preset:NAME, a list of rule dicts or a RuleSet, "
            f"not {type(source).__name__}"
        )
    try:
        text = json.dumps(document, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise RulesFileError(f"{DATA_SOURCE}: not JSON data ({exc})") from None
    return refuse_problems(loads(text, source=DATA_SOURCE), DATA_SOURCE)


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """One rule tried for a request: its name, whether it matched, and why (not)."""

    rule: str
    matched: bool
    reason: str


@dataclass(frozen=True, slots=True)
class RulesTrace:
    """Why a request got the answer it got.

    Attributes:
        request: the request's one line (``#3 POST /hook -> 201``), escaped.
        answered_by: the rule named in the request's response (None: the
            listener answered it itself, or it was never answered).
        checks: the rules in order, up to and including the first that matches
            (with the rules in use now).
        rejected: why no rule saw the request (the listener rejected it, or
            the client went away first), escaped.
    """

    request: str
    answered_by: str | None
    checks: tuple[RuleCheck, ...]
    rejected: str | None = None

    @property
    def matched(self) -> str:
        """The rule the rules in use now choose (``default`` when none matches)."""
        for check in self.checks:
            if check.matched:
                return check.rule
        return DEFAULT_RULE.name

    def __str__(self) -> str:
        if self.rejected is not None:
            return f"request {self.request}: no rule saw it ({self.rejected})"
        if self.answered_by is None:
            return f"request {self.request}: not answered by a rule"
        lines = [f"request {self.request}: answered by rule {visible(self.answered_by)!r}"]
        lines.extend(
            f"  {position}. {visible(check.rule)!r}: {visible(check.reason, None)}"
            for position, check in enumerate(self.checks, 1)
        )
        if not any(check.matched for check in self.checks):
            lines.append(f"  no rule matched: the built-in answer ({DEFAULT_RULE.name!r})")
        if self.matched != self.answered_by:
            lines.append(f"  (the rules changed since: now {visible(self.matched)!r} would answer)")
        return "\n".join(lines)


def trace(ruleset: RuleSet, record: CaptureRecord) -> RulesTrace:
    """Replay the choice of ``ruleset`` for ``record``: each rule in order until one matches."""
    response = record.response
    answered_by = response.rule if response is not None else None
    line = numbered_line(record)
    if record.error and answered_by is None:
        return RulesTrace(line, None, (), rejected=visible(record.error))
    checks = []
    for rule in ruleset.rules:
        result = explain(rule, record)
        checks.append(RuleCheck(rule.name, result.matched, result.message))
        if result.matched:
            break
    return RulesTrace(line, answered_by, tuple(checks))
