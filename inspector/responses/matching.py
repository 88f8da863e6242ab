"""Does a rule match a request? Path patterns, methods and conditions.

Strategy. A path pattern compiles once: a glob to a matcher linear in the path
(:mod:`inspector.responses.glob`), a pattern starting with ``^`` to an RE2
regular expression anchored at the start (add ``$`` to anchor the end; its
named groups become ``request.params``). Condition regexes run on RE2 too
(:mod:`inspector.responses.regex`). Nothing here backtracks on request data:
every check is linear in what it reads.

Percent-encoding: the path is first matched exactly as sent (so ``%2F`` inside a
segment stays inside it) and ``{name}`` captures are then percent-decoded as
UTF-8; only if that fails, and the path contains ``%``, the percent-decoded
path is tried too (so a pattern ``/café`` matches ``/caf%C3%A9``). Regex groups
are returned as matched, not decoded.

Conditions: header names are case-insensitive, query names exact; a
multi-valued header or query name passes when any of its values passes.

Listeners: a rule naming listeners answers only requests whose record's
``server`` is one of them (``127.0.0.1:8090``), or whose port one of them
names alone (``8091``); a rule naming none answers every listener.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from inspector.http.record import CaptureRecord
from inspector.responses.context import RequestView
from inspector.responses.glob import PathMatcher, compile_glob
from inspector.responses.model import OPS, SOURCES, Condition, Problem, Rule, listener_key
from inspector.responses.regex import LinearRegex, PatternError

#: characters of a value quoted in a "why not" message
_QUOTED = 80


def compile_path(pattern: str) -> PathMatcher:
    """Compile a rule's path pattern (glob or ``^regex``).

    Raises:
        PatternError: an unusable regex, a bad ``{name}`` capture or a duplicated name.
    """
    if pattern.startswith("^"):
        return LinearRegex(pattern)
    return compile_glob(pattern)


def resolve_json_path(document: Any, dotted: str) -> tuple[bool, Any]:
    """Follow ``a.b.0.c`` into parsed JSON. Returns (found, value).

    A list index is ASCII digits only: ``str.isdigit`` also accepts ``²`` (which
    ``int`` refuses) and the Arabic-Indic digit one, U+0661 (which ``int`` reads as 1).
    """
    current = document
    for step in dotted.split(".") if dotted else ():
        if isinstance(current, dict) and step in current:
            current = current[step]
        elif isinstance(current, list) and _is_index(step) and int(step) < len(current):
            current = current[int(step)]
        else:
            return False, None
    return True, current


def _is_index(step: str) -> bool:
    return step.isascii() and step.isdigit()


def _json_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _json_equals(actual: Any, expected: Any) -> bool:
    if isinstance(expected, str) and not isinstance(actual, str):
        return _json_text(actual) == expected
    if isinstance(actual, bool) != isinstance(expected, bool):
        return False
    return bool(actual == expected)


@dataclass(frozen=True, slots=True)
class CompiledCondition:
    condition: Condition
    regex: LinearRegex | None

    def check(self, record: CaptureRecord, view: RequestView) -> str | None:
        """None when the condition holds, else why it does not."""
        cond = self.condition
        if cond.source == "json":
            return self._check_json(view)
        if cond.source == "header":
            values = record.header_values(cond.name)
        elif cond.source == "query":
            values = [v for k, v in record.query if k == cond.name]
        else:
            values = [view.body] if record.body else []
        if cond.op == "present":
            return None if values else "absent"
        if cond.op == "absent":
            return None if not values else "present"
        if not values:
            return "absent"
        target = _json_text(cond.value)
        if cond.op == "equals":
            ok = target in values
        elif cond.op == "contains":
            ok = any(target in v for v in values)
        else:
            ok = self.regex is not None and any(self.regex.search(v) is not None for v in values)
        return None if ok else f"value is {values[0][:_QUOTED]!r}"

    def _check_json(self, view: RequestView) -> str | None:
        cond = self.condition
        found, value = resolve_json_path(view.json, cond.name)
        if cond.op == "present":
            return None if found else "not found in the JSON body"
        if cond.op == "absent":
            return None if not found else "found in the JSON body"
        if not found:
            return "not found in the JSON body"
        if cond.op == "equals":
            ok = _json_equals(value, cond.value)
        elif cond.op == "contains":
            if isinstance(value, list):
                ok = any(_json_equals(item, cond.value) for item in value)
            elif isinstance(value, dict):
                ok = _json_text(cond.value) in value
            else:
                ok = _json_text(cond.value) in _json_text(value)
        else:
            ok = self.regex is not None and self.regex.search(_json_text(value)) is not None
        return None if ok else f"value is {_json_text(value)[:_QUOTED]!r}"


def compile_condition(cond: Condition) -> CompiledCondition:
    """Raises: PatternError for an unknown source/op or an unusable regex."""
    if cond.source not in SOURCES:
        raise PatternError(f"unknown source {cond.source!r} (expected one of {', '.join(SOURCES)})")
    if cond.op not in OPS:
        raise PatternError(f"unknown op {cond.op!r} (expected one of {', '.join(OPS)})")
    if cond.source in ("header", "query") and not cond.name:
        raise PatternError(f"a {cond.source} condition needs a name")
    regex = LinearRegex(_json_text(cond.value), captures=False) if cond.op == "regex" else None
    return CompiledCondition(cond, regex)


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Whether a rule matches a request, and if not, which part failed.

    Attributes:
        matched: the rule would answer this request.
        failed: None, or ``"disabled"``, ``"listener"``, ``"method"``, ``"path"``,
            ``"condition"`` or ``"invalid"`` (the rule's path or a condition does not compile).
        condition: 0-based index of the failing condition when failed == "condition".
        message: one line for the editor, e.g. ``condition 2 (query lang equals
            'fr'): value is 'en'``.
        params: the ``{name}`` / named-group captures when the path matched.
    """

    matched: bool
    failed: str | None = None
    condition: int | None = None
    message: str = ""
    params: dict[str, str] = field(default_factory=dict)


class Matcher:
    """A rule's match part, compiled once.

    Attributes:
        problem: None, or why the path or a condition cannot be compiled (the
            rule then matches nothing).
    """

    __slots__ = ("_conditions", "_is_regex", "_listeners", "_methods", "_path", "problem", "rule")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self._methods = frozenset(m.upper() for m in rule.methods)
        self._listeners = frozenset(key for key in map(listener_key, rule.listeners) if key)
        self._is_regex = rule.path.startswith("^")
        self.problem: Problem | None = None
        self._path: PathMatcher | None = None
        self._conditions: tuple[CompiledCondition, ...] = ()
        for index, listener in enumerate(rule.listeners):
            if listener_key(listener) is None:
                message = f"{listener[:80]!r} is not a listener (e.g. 127.0.0.1:8090, [::1]:8091 or 8091)"
                self.problem = Problem(field="listeners", index=index, message=message)
                return
        try:
            self._path = compile_path(rule.path)
        except PatternError as exc:
            self.problem = Problem(field="path", message=str(exc))
            return
        compiled = []
        for index, cond in enumerate(rule.conditions):
            try:
                compiled.append(compile_condition(cond))
            except PatternError as exc:
                self.problem = Problem(field="conditions", index=index, message=str(exc))
                return
        self._conditions = tuple(compiled)

    def listener_ok(self, server: str) -> bool:
        """Whether the rule answers requests taken by the listener ``server``."""
        if not self._listeners:
            return True
        return server in self._listeners or server.rpartition(":")[2] in self._listeners

    def method_ok(self, method: str) -> bool:
        return not self._methods or method.upper() in self._methods

    def match_path(self, path: str) -> dict[str, str] | None:
        """The captures when ``path`` matches, else None."""
        if self._path is None:
            return None
        groups = self._path.match(path)
        if groups is not None:
            if self._is_regex:
                return groups
            return {k: unquote(v, errors="replace") for k, v in groups.items()}
        if "%" in path:
            return self._path.match(unquote(path, errors="replace"))
        return None

    def explain(self, record: CaptureRecord, *, check_method: bool = True) -> MatchResult:
        rule = self.rule
        if self.problem is not None:
            problem = self.problem
            where = f"path {rule.path!r}" if problem.index is None else f"condition {problem.index + 1}"
            if problem.field == "listeners":
                where = "listeners"
            return MatchResult(False, "invalid", message=f"{where}: {problem.message}")
        if not rule.enabled:
            return MatchResult(False, "disabled", message="the rule is disabled")
        if not self.listener_ok(record.server):
            allowed = ", ".join(rule.listeners)
            taken = record.server or "no listener"
            return MatchResult(False, "listener", message=f"listener {taken} is not one of {allowed}")
        if check_method and not self.method_ok(record.method):
            allowed = ", ".join(rule.methods)
            return MatchResult(
                False, "method", message=f"method {record.method} is not one of {allowed}"
            )
        params = self.match_path(record.path)
        if params is None:
            return MatchResult(
                False, "path", message=f"path {record.path!r} does not match {rule.path!r}"
            )
        if self._conditions:
            view = RequestView(record, params)
            for index, compiled in enumerate(self._conditions):
                reason = compiled.check(record, view)
                if reason is not None:
                    text = compiled.condition.describe()
                    return MatchResult(
                        False,
                        "condition",
                        condition=index,
                        message=f"condition {index + 1} ({text}): {reason}",
                        params=params,
                    )
        return MatchResult(True, params=params, message="matches")

    def match(self, record: CaptureRecord) -> dict[str, str] | None:
        """The captures when the rule answers ``record``, else None (fast path)."""
        if self.problem is not None or not self.rule.enabled:
            return None
        if not self.listener_ok(record.server) or not self.method_ok(record.method):
            return None
        params = self.match_path(record.path)
        if params is None or not self._conditions:
            return params
        view = RequestView(record, params)
        for compiled in self._conditions:
            if compiled.check(record, view) is not None:
                return None
        return params
