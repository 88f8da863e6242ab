"""Does a rule match a request? Path patterns, methods and conditions.

Strategy. Path patterns compile once to one regular expression:
``*`` is ``[^/]*`` (within a segment), ``**`` is ``.*`` (across segments; a whole
``/**`` segment also matches nothing, so ``/api/**`` matches ``/api``), and
``{name}`` is ``(?P<name>[^/]+)``. A pattern starting with ``^`` is a Python
regular expression used as written (``re.match``; add ``$`` to anchor the end);
its named groups become ``request.params``. Patterns are matched against the
whole ``record.path``.

Percent-encoding: the path is first matched exactly as sent (so ``%2F`` inside a
segment stays inside it) and ``{name}`` captures are then percent-decoded as
UTF-8; only if that fails, and the path contains ``%``, the percent-decoded
path is tried too (so a pattern ``/café`` matches ``/caf%C3%A9``). Regex groups
are returned as matched, not decoded.

Conditions follow DESIGN.md ("Response rules and templates"); header names are
case-insensitive, query names exact; a multi-valued header or query name
passes when any of its values passes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from inspector.http.record import CaptureRecord
from inspector.responses.context import RequestView
from inspector.responses.model import OPS, SOURCES, Condition, Rule

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class PatternError(ValueError):
    """A path pattern or condition regex that cannot be compiled."""


def compile_path(pattern: str) -> re.Pattern[str]:
    """Compile a rule's path pattern (glob or ``^regex``).

    Raises:
        PatternError: invalid regex, bad ``{name}`` capture or a duplicated name.
    """
    if pattern.startswith("^"):
        try:
            return re.compile(pattern)
        except re.error as exc:
            raise PatternError(f"invalid regular expression: {exc}") from None
    parts: list[str] = []
    names: set[str] = set()
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            whole_segment = (i == 0 or pattern[i - 1] == "/") and (
                i + 2 == len(pattern) or pattern[i + 2] == "/"
            )
            if whole_segment and parts and parts[-1] == "/":
                parts[-1] = "(?:/.*)?"
            else:
                parts.append(".*")
            i += 2
        elif pattern[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif pattern[i] == "{":
            end = pattern.find("}", i)
            name = pattern[i + 1 : end] if end > 0 else ""
            if not _IDENT.fullmatch(name):
                raise PatternError(
                    f"'{{' at column {i + 1} does not start a {{name}} capture"
                )
            if name in names:
                raise PatternError(f"capture {{{name}}} is used twice")
            names.add(name)
            parts.append(f"(?P<{name}>[^/]+)")
            i = end + 1
        else:
            parts.append("/" if pattern[i] == "/" else re.escape(pattern[i]))
            i += 1
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def resolve_json_path(document: Any, dotted: str) -> tuple[bool, Any]:
    """Follow ``a.b.0.c`` into parsed JSON. Returns (found, value)."""
    current = document
    for step in dotted.split(".") if dotted else ():
        if isinstance(current, dict) and step in current:
            current = current[step]
        elif isinstance(current, list) and step.isdigit() and int(step) < len(current):
            current = current[int(step)]
        else:
            return False, None
    return True, current


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
    regex: re.Pattern[str] | None

    def check(self, record: CaptureRecord, view: RequestView) -> str | None:
        """None when the condition holds, else why it does not."""
        cond = self.condition
        if cond.source == "json":
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
                ok = self.regex is not None and bool(self.regex.search(_json_text(value)))
            return None if ok else f"value is {_json_text(value)[:80]!r}"
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
            ok = self.regex is not None and any(self.regex.search(v) for v in values)
        return None if ok else f"value is {values[0][:80]!r}"


def compile_condition(cond: Condition) -> CompiledCondition:
    """Raises: PatternError for an unknown source/op or a bad regex."""
    if cond.source not in SOURCES:
        raise PatternError(f"unknown source {cond.source!r} (expected one of {', '.join(SOURCES)})")
    if cond.op not in OPS:
        raise PatternError(f"unknown op {cond.op!r} (expected one of {', '.join(OPS)})")
    if cond.source in ("header", "query") and not cond.name:
        raise PatternError(f"a {cond.source} condition needs a name")
    regex = None
    if cond.op == "regex":
        try:
            regex = re.compile(_json_text(cond.value))
        except re.error as exc:
            raise PatternError(f"invalid regular expression: {exc}") from None
    return CompiledCondition(cond, regex)


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Whether a rule matches a request, and if not, which part failed.

    Attributes:
        matched: the rule would answer this request.
        failed: None, or ``"disabled"``, ``"method"``, ``"path"``, ``"condition"``
            or ``"invalid"`` (the rule's path or a condition does not compile).
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
    """A rule's match part, compiled once."""

    __slots__ = ("_conditions", "_methods", "_path", "error", "rule")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self._methods = frozenset(m.upper() for m in rule.methods)
        self.error: str | None = None
        self._path: re.Pattern[str] | None = None
        self._conditions: tuple[CompiledCondition, ...] = ()
        try:
            self._path = compile_path(rule.path)
        except PatternError as exc:
            self.error = f"path {rule.path!r}: {exc}"
            return
        compiled = []
        for index, cond in enumerate(rule.conditions, 1):
            try:
                compiled.append(compile_condition(cond))
            except PatternError as exc:
                self.error = f"condition {index}: {exc}"
                return
        self._conditions = tuple(compiled)

    def method_ok(self, method: str) -> bool:
        return not self._methods or method.upper() in self._methods

    def match_path(self, path: str) -> dict[str, str] | None:
        """The captures when ``path`` matches, else None."""
        if self._path is None:
            return None
        is_regex = self.rule.path.startswith("^")
        found = self._path.match(path)
        if found is not None:
            groups = {k: v for k, v in found.groupdict().items() if v is not None}
            if is_regex:
                return groups
            return {k: unquote(v, errors="replace") for k, v in groups.items()}
        if "%" in path:
            found = self._path.match(unquote(path, errors="replace"))
            if found is not None:
                return {k: v for k, v in found.groupdict().items() if v is not None}
        return None

    def explain(self, record: CaptureRecord, *, check_method: bool = True) -> MatchResult:
        rule = self.rule
        if self.error is not None:
            return MatchResult(False, "invalid", message=self.error)
        if not rule.enabled:
            return MatchResult(False, "disabled", message="the rule is disabled")
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
        if self.error is not None or not self.rule.enabled:
            return None
        if not self.method_ok(record.method):
            return None
        params = self.match_path(record.path)
        if params is None or not self._conditions:
            return params
        view = RequestView(record, params)
        for compiled in self._conditions:
            if compiled.check(record, view) is not None:
                return None
        return params
