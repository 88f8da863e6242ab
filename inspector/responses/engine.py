"""The response engine: pick the first enabled rule that matches, render its answer.

Strategy. A :class:`RuleSet` is an immutable snapshot; building one compiles
every rule once (path pattern, condition regexes, templates; template
compilation is also cached by source text, so a new snapshot after an edit
only compiles what changed). A :class:`Responder` holds the current snapshot
and swaps it with one attribute assignment (atomic in CPython), so the server
thread reads one consistent snapshot per request and no lock is held while
rendering. Per-rule counters live in the responder, keyed by rule name, so
they survive edits of the rule set.

Nothing raises out of :meth:`Responder.__call__`: a rule that cannot be
compiled or rendered answers 500 with a plain-text reason, ``rule`` set to its
name and ``error`` set to ``"<rule>: <reason>"``. A rule whose status, headers
and body hold no template is rendered once, when compiled: every request gets
the same :class:`Response`, whose bytes the serialiser then builds only once.

Answers are checked as they are built: a status must be 200-999 (a 1xx is not a
final answer), a header value may hold no control character but HTAB (as Node
refuses them with ``ERR_INVALID_CHAR``); static values are refused when the rule
is compiled, rendered ones when they are rendered.

CORS (a rule's ``cors`` flag): an ``OPTIONS`` request carrying
``Access-Control-Request-Method`` is a preflight (Fetch standard, "CORS
protocol"); a CORS rule answers it when its path matches and the requested
method is one of its methods (conditions are not checked: a preflight carries
none of the real request's headers or body). Normal answers of a CORS rule get
``Access-Control-Allow-Origin`` unless the template set it.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

from inspector.http.record import CaptureRecord
from inspector.http.response import (
    FRAMING_HEADERS,
    Response,
    clean_field,
    field_value_problem,
    is_token,
)
from inspector.responses.budget import MAX_OUTPUT, Budget, RenderLimitError
from inspector.responses.context import RequestView
from inspector.responses.matching import Matcher, MatchResult
from inspector.responses.model import DEFAULT_RULE, MAX_STATUS, MIN_STATUS, Problem, Rule
from inspector.responses.sandbox import CompileError, compile_template, error_line
from inspector.responses.sandbox import render as render_template

#: a longer delay is clamped (a rule is a debugging aid, not a tarpit)
MAX_DELAY_MS = 10 * 60 * 1000
#: header values are rendered under a smaller cap than bodies
MAX_HEADER_VALUE = 64 * 1024
#: seconds a browser may cache a preflight answer (Chrome caps at 7200)
CORS_MAX_AGE = "600"
_MAX_REASON = 300


def _render_field(template: Any, variables: dict[str, Any], limit: int = MAX_OUTPUT) -> str:
    if isinstance(template, str):
        if len(template) > limit:
            raise RenderLimitError(f"output is larger than {limit} bytes")
        return template
    return render_template(template, variables, limit=limit)


def _one_line(text: str) -> str:
    line = " ".join(clean_field(text).split())
    return line if len(line) <= _MAX_REASON else line[: _MAX_REASON - 1] + "…"


def failure_response(rule_name: str, reason: str) -> Response:
    """The 500 that replaces the answer of a rule that failed."""
    reason = _one_line(reason)
    body = (
        f"Request Inspector: the response rule {rule_name!r} failed, so this 500 was sent "
        f"instead of its answer.\n\n{reason}\n"
    )
    return Response(
        status=500,
        headers=(("Content-Type", "text/plain; charset=utf-8"),),
        body=body.encode("utf-8"),
        rule=rule_name,
        error=f"{rule_name}: {reason}",
    )


def is_preflight(record: CaptureRecord) -> bool:
    """An OPTIONS request asking for CORS permission."""
    return (
        record.method.upper() == "OPTIONS"
        and record.header("access-control-request-method") is not None
    )


def _allow_origin(record: CaptureRecord) -> list[tuple[str, str]]:
    origin = record.header("origin")
    if not origin:
        return [("Access-Control-Allow-Origin", "*")]
    return [
        ("Access-Control-Allow-Origin", clean_field(origin)),
        ("Access-Control-Allow-Credentials", "true"),
        ("Vary", "Origin"),
    ]


class _Counters:
    """Per-rule-name request counters, safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, itertools.count[int]] = {}

    def next(self, name: str) -> int:
        with self._lock:
            counter = self._counts.get(name)
            if counter is None:
                counter = self._counts[name] = itertools.count(1)
            return next(counter)

    def peek(self, name: str) -> int:
        """The value the next request would get (for previews)."""
        with self._lock:
            counter = self._counts.get(name)
            if counter is None:
                return 1
            value = next(counter)
            self._counts[name] = itertools.count(value)
            return value


def _status_problem(status: int) -> str | None:
    if MIN_STATUS <= status <= MAX_STATUS:
        return None
    if 100 <= status < MIN_STATUS:
        return f"{status} is informational (1xx), not a final answer: use {MIN_STATUS}-{MAX_STATUS}"
    return f"{status} is not a status code ({MIN_STATUS}-{MAX_STATUS})"


def _is_template(source: str) -> bool:
    return any(mark in source for mark in ("{{", "{%", "{#"))


class CompiledRule:
    """A rule with its pattern and templates compiled; renders its answers.

    Attributes:
        problems: why the rule cannot answer as written (it then answers 500).
    """

    __slots__ = ("_body", "_headers", "_static", "_status", "matcher", "problems", "rule")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.matcher = Matcher(rule)
        problems: list[Problem] = []
        if self.matcher.problem is not None:
            problems.append(self.matcher.problem)

        def compile_field(name: str, source: str, index: int | None = None) -> Any:
            if not _is_template(source):
                return source  # plain text: no need to run a template
            compiled = compile_template(source)
            if isinstance(compiled, CompileError):
                problems.append(
                    Problem(field=name, index=index, line=compiled.line, message=compiled.message)
                )
                return None
            return compiled

        self._status: int | Any = None
        status = rule.status
        if isinstance(status, str) and status.strip().isdigit():
            status = int(status.strip())
        if isinstance(status, int) and not isinstance(status, bool):
            why = _status_problem(status)
            if why is None:
                self._status = status
            else:
                problems.append(Problem(field="status", message=why))
        elif isinstance(status, str):
            self._status = compile_field("status", status)
        else:
            problems.append(Problem(field="status", message="status must be a number"))
        headers: list[tuple[str, Any]] = []
        for index, (name, value) in enumerate(rule.headers):
            if not is_token(name):
                problems.append(
                    Problem(field="headers", index=index, message=f"{name!r} is not a header name")
                )
            elif name.lower() in FRAMING_HEADERS:
                continue  # the listener computes framing itself
            elif not _is_template(value) and (why := field_value_problem(value)) is not None:
                problems.append(Problem(field="headers", index=index, message=why))
            else:
                template = compile_field("headers", value, index)
                if template is not None:
                    headers.append((name, template))
        self._headers = tuple(headers)
        self._body = compile_field("body", rule.body)
        if rule.delay_ms < 0:
            problems.append(Problem(field="delay_ms", message="delay_ms must not be negative"))
        self.problems = tuple(problems)
        self._static = self._render_static()

    def _render_static(self) -> Response | None:
        """The one answer of a rule without templates (None when it has any, or CORS)."""
        parts = (self._status, self._body, *(value for _, value in self._headers))
        if self.problems or self.rule.cors or not all(isinstance(p, (int, str)) for p in parts):
            return None
        body = str(self._body).encode("utf-8", "replace")
        if len(body) > MAX_OUTPUT:
            return None  # respond() says why
        return Response(
            status=int(self._status),
            headers=tuple((name, str(value)) for name, value in self._headers),
            body=body,
            rule=self.rule.name,
            delay_ms=max(0, min(self.rule.delay_ms, MAX_DELAY_MS)),
        )

    def preflight(self, record: CaptureRecord) -> Response:
        """The 204 answer to a CORS preflight."""
        requested = clean_field(record.header("access-control-request-method") or "")
        methods = ", ".join(self.rule.methods) if self.rule.methods else requested
        headers = [
            *_allow_origin(record),
            ("Access-Control-Allow-Methods", methods),
        ]
        asked = record.header("access-control-request-headers")
        if asked:
            headers.append(("Access-Control-Allow-Headers", clean_field(asked)))
        headers.append(("Access-Control-Max-Age", CORS_MAX_AGE))
        return Response(status=204, headers=tuple(headers), rule=self.rule.name)

    def respond(self, record: CaptureRecord, params: dict[str, str], counter: int) -> Response:
        """Render this rule's answer; never raises (failures become a 500)."""
        if self._static is not None:
            return self._static
        name = self.rule.name
        if self.problems:
            return failure_response(name, str(self.problems[0]))
        variables = {"request": RequestView(record, params), "counter": counter}
        where = "body"
        try:
            with Budget():
                where = "status"
                status = self._render_status(variables)
                headers: list[tuple[str, str]] = []
                for index, (header, template) in enumerate(self._headers):
                    where = f"headers[{index}]"
                    value = _render_field(template, variables, MAX_HEADER_VALUE)
                    why = field_value_problem(value)
                    if why is not None:
                        raise ValueError(f"{header}: {why}")
                    headers.append((header, value))
                where = "body"
                body = _render_field(self._body, variables).encode("utf-8", "replace")
                if len(body) > MAX_OUTPUT:
                    raise RenderLimitError(f"output is larger than {MAX_OUTPUT} bytes")
        except RenderLimitError as exc:
            return failure_response(name, f"{where}: {exc}")
        except Exception as exc:  # a template error must not reach the listener
            line = error_line(exc)
            at = where if line is None else f"{where} line {line}"
            return failure_response(name, f"{at}: {type(exc).__name__}: {exc}")
        if self.rule.cors and not any(
            h.lower() == "access-control-allow-origin" for h, _ in headers
        ):
            headers.extend(_allow_origin(record))
        return Response(
            status=status,
            headers=tuple(headers),
            body=body,
            rule=name,
            delay_ms=max(0, min(self.rule.delay_ms, MAX_DELAY_MS)),
        )

    def _render_status(self, variables: dict[str, Any]) -> int:
        if isinstance(self._status, int):
            return self._status
        text = _render_field(self._status, variables, 64).strip()
        try:
            status = int(text)
        except ValueError:
            raise ValueError(f"{text[:40]!r} is not a status code") from None
        why = _status_problem(status)
        if why is not None:
            raise ValueError(why)
        return status


_DEFAULT = CompiledRule(DEFAULT_RULE)


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSet:
    """An immutable, compiled snapshot of the rules (first enabled match answers).

    Attributes:
        rules: in order.
        version: the rules-file format version it was read from or will be saved as.
        extra: top-level file keys this version does not know (kept for saving).
    """

    rules: tuple[Rule, ...] = ()
    version: int = 1
    extra: tuple[tuple[str, Any], ...] = field(default=(), hash=False)
    _compiled: tuple[CompiledRule, ...] = field(
        init=False, repr=False, compare=False, hash=False, default=()
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", tuple(CompiledRule(r) for r in self.rules))

    def problems(self) -> list[Problem]:
        """Every problem of every rule, each with its rule's position set."""
        return [
            dataclasses.replace(problem, rule=position)
            for position, compiled in enumerate(self._compiled)
            for problem in compiled.problems
        ]

    def select(self, record: CaptureRecord) -> tuple[CompiledRule, dict[str, str], bool]:
        """(the answering rule, its path captures, whether this is a CORS preflight)."""
        preflight = is_preflight(record)
        for compiled in self._compiled:
            if (
                preflight
                and compiled.rule.cors
                and compiled.rule.enabled
                and _preflight_matches(compiled, record)
            ):
                return compiled, {}, True
            params = compiled.matcher.match(record)
            if params is not None:
                return compiled, params, False
        return _DEFAULT, {}, False


def _preflight_matches(compiled: CompiledRule, record: CaptureRecord) -> bool:
    if compiled.matcher.problem is not None:
        return False
    requested = record.header("access-control-request-method") or ""
    if not (compiled.matcher.method_ok(requested) or compiled.matcher.method_ok("OPTIONS")):
        return False
    return compiled.matcher.match_path(record.path) is not None


class Responder:
    """What the server calls: ``responder(record) -> Response``.

    Thread-safe: ``set_rules`` may be called from any thread while the server
    thread answers; each request reads the snapshot reference once.
    """

    def __init__(self, ruleset: RuleSet | None = None) -> None:
        self._ruleset = ruleset if ruleset is not None else RuleSet()
        self._counters = _Counters()

    @property
    def ruleset(self) -> RuleSet:
        return self._ruleset

    def set_rules(self, ruleset: RuleSet) -> None:
        """Swap in a new snapshot (atomic; requests in flight finish with the old one)."""
        self._ruleset = ruleset

    def __call__(self, record: CaptureRecord) -> Response:
        ruleset = self._ruleset
        try:
            compiled, params, preflight = ruleset.select(record)
            if preflight:
                return compiled.preflight(record)
            count = self._counters.next(compiled.rule.name)
            return compiled.respond(record, params, count)
        except Exception as exc:  # never let a bug here stop the listener
            return failure_response("engine", f"{type(exc).__name__}: {exc}")

    def peek_counter(self, rule_name: str) -> int:
        """The ``counter`` the next request answered by ``rule_name`` will see (for previews)."""
        return self._counters.peek(rule_name)


def explain(rule: Rule, record: CaptureRecord) -> MatchResult:
    """Whether ``rule`` matches ``record`` and, if not, which part failed."""
    compiled = CompiledRule(rule)
    if rule.cors and rule.enabled and is_preflight(record) and _preflight_matches(compiled, record):
        return MatchResult(True, message="matches (CORS preflight)")
    return compiled.matcher.explain(record)


def render(rule: Rule, record: CaptureRecord, *, counter: int = 1) -> Response:
    """Render ``rule``'s answer to ``record`` (for the live preview).

    The rule is rendered whether or not it matches; path captures are filled in
    when the path matches. No responder counter is advanced.
    """
    compiled = CompiledRule(rule)
    try:
        if rule.cors and is_preflight(record) and _preflight_matches(compiled, record):
            return compiled.preflight(record)
        params = compiled.matcher.match_path(record.path) or {}
        return compiled.respond(record, params, counter)
    except Exception as exc:
        return failure_response(rule.name, f"{type(exc).__name__}: {exc}")


def validate_rule(rule: Rule) -> list[Problem]:
    """Every problem that stops ``rule`` from answering, with template line numbers."""
    return list(CompiledRule(rule).problems)
