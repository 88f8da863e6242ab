"""What :meth:`~inspector.testing.Inspector.wait_for` waits for, and why a request is not it.

An :class:`Expectation` is built once from ``wait_for``'s arguments and checks
each arriving request. Method, path and the header, query and JSON conditions
mean exactly what they mean in a response rule, because they are checked by
the rules engine's own matcher (:mod:`inspector.responses.matching`): the path
is a rule path pattern (``/hook``, ``/users/*``, ``/api/**``, ``/users/{id}``,
``^regex``), methods compare case-insensitively, header names too, query
names exactly, regexes run on RE2 (linear in the request whatever the
pattern). A check never stops at the first difference: every difference is
listed, so a timed-out wait can say how close each request came.

Condition values (``header``, ``query``, ``json``):

- a name alone (``header="X-Sig"``), or ``...`` as the value: present, any value;
- a string: equals (for ``json``, any JSON value: ``{"amount": 10}``);
- a compiled ``re.Pattern``: searched in the value (flags ``I``, ``M``, ``S`` kept);
- several at once as a mapping: ``header={"X-Sig": ..., "Content-Type": "application/json"}``;
- ``json`` keys are dotted paths into the parsed body: ``{"data.items.0.sku": "MUG-01"}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import EllipsisType
from typing import Any, Final, TypeAlias

from inspector.http.record import CaptureRecord
from inspector.responses.context import RequestView
from inspector.responses.matching import CompiledCondition, Matcher, compile_condition
from inspector.responses.model import Condition, Rule
from inspector.responses.regex import PatternError
from inspector.testing.captured import CapturedRequest
from inspector.testing.lines import arrivals, numbered_line
from inspector.text import visible

#: a header or query parameter value to wait for: ``...`` (present), text (equals) or a regex
Value: TypeAlias = "str | re.Pattern[str] | EllipsisType"
#: ``header=`` / ``query=``: a name (present), a (name, value) pair, or a mapping of them
NamedSpec: TypeAlias = "str | tuple[str, Value] | Mapping[str, Value]"
#: ``where=``: any test of the request
Predicate: TypeAlias = Callable[[CapturedRequest], object]

#: requests (newest first) a timed-out wait compares with what it waited for
CANDIDATES_CHECKED: Final = 1000
#: the closest requests a timed-out wait explains
CLOSEST_SHOWN: Final = 3
#: requests a timed-out wait lists
ARRIVALS_SHOWN: Final = 20
#: how much of a body or of a difference one line quotes
QUOTED: Final = 80
#: how long the differences of one request may grow in a message
DIFFERENCES_LIMIT: Final = 600
_FLAGS: Final = ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"))


def _regex_text(pattern: re.Pattern[str]) -> str:
    if not isinstance(pattern.pattern, str):
        raise TypeError("a regex condition needs a str pattern, not bytes")
    flags = pattern.flags & ~re.UNICODE
    inline = "".join(letter for flag, letter in _FLAGS if flags & flag)
    if flags & ~(re.IGNORECASE | re.MULTILINE | re.DOTALL):
        raise ValueError(f"regex {pattern.pattern!r}: only the flags I, M and S can be used here")
    return f"(?{inline}){pattern.pattern}" if inline else pattern.pattern


def _condition(source: str, name: str, value: object) -> Condition:
    if not isinstance(name, str) or (source != "json" and not name):
        raise TypeError(f"{source} names must be non-empty strings, not {name!r}")
    if value is ...:
        return Condition(source=source, name=name, op="present")
    if isinstance(value, re.Pattern):
        return Condition(source=source, name=name, op="regex", value=_regex_text(value))
    if source != "json" and not isinstance(value, str):
        raise TypeError(
            f"{source} {name}: expected text, a compiled regex or ... (present), not {type(value).__name__}"
        )
    return Condition(source=source, name=name, op="equals", value=value)


def _named(source: str, spec: object) -> list[Condition]:
    if spec is None:
        return []
    if isinstance(spec, str):
        return [_condition(source, spec, ...)]
    if isinstance(spec, tuple) and len(spec) == 2:
        return [_condition(source, spec[0], spec[1])]
    if isinstance(spec, Mapping):
        return [_condition(source, name, value) for name, value in spec.items()]
    raise TypeError(f"{source}=: expected a name, a (name, value) pair or a mapping, not {spec!r}")


def _difference(compiled: CompiledCondition, reason: str) -> str:
    condition = compiled.condition
    if reason == "absent" and condition.source != "body":
        return f"no {condition.source} {condition.name}"
    return f"{condition.describe()}: {reason}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Expectation:
    """The request a test waits for. Build it with :meth:`build`."""

    method: str | None
    path: str | None
    matcher: Matcher
    conditions: tuple[CompiledCondition, ...]
    body_contains: str | bytes | None
    where: Predicate | None

    @classmethod
    def build(
        cls,
        method: str | None = None,
        path: str | None = None,
        *,
        header: NamedSpec | None = None,
        query: NamedSpec | None = None,
        body_contains: str | bytes | None = None,
        json: Mapping[str, Any] | None = None,
        where: Predicate | None = None,
    ) -> Expectation:
        """Raises:
        TypeError: an argument of the wrong kind.
        ValueError: a path pattern or regex that cannot be used (one line).
        """
        if json is not None and not isinstance(json, Mapping):
            raise TypeError("json=: expected a mapping of dotted paths to values, e.g. {'event': 'paid'}")
        if body_contains is not None and not isinstance(body_contains, (str, bytes)):
            raise TypeError(f"body_contains=: expected str or bytes, not {type(body_contains).__name__}")
        wanted = [
            *_named("header", header),
            *_named("query", query),
            *(_condition("json", name, value) for name, value in (json or {}).items()),
        ]
        matcher = Matcher(Rule(name="wait_for", methods=(method,) if method else (), path=path or "**"))
        if matcher.problem is not None:
            raise ValueError(f"path {path!r}: {matcher.problem.message}")
        try:
            conditions = tuple(compile_condition(condition) for condition in wanted)
        except PatternError as exc:
            raise ValueError(str(exc)) from None
        return cls(
            method=method,
            path=path,
            matcher=matcher,
            conditions=conditions,
            body_contains=body_contains,
            where=where,
        )

    def describe(self) -> str:
        """``POST /hook with header X-Sig present``."""
        parts = [self.method or "any method", self.path or "any path"]
        wanted = [compiled.condition.describe() for compiled in self.conditions]
        if self.body_contains is not None:
            wanted.append(f"body contains {self.body_contains!r}")
        if self.where is not None:
            wanted.append(f"where={getattr(self.where, '__name__', 'predicate')}")
        text = " ".join(parts)
        return f"{text} with {', '.join(wanted)}" if wanted else text

    def matches(self, record: CapturedRequest) -> bool:
        return not self.differences(record, first_only=True)

    def differences(self, record: CapturedRequest, *, first_only: bool = False) -> list[str]:
        """Why ``record`` is not the expected request ([] when it is); unescaped text."""
        found: list[str] = []
        if self.method and not self.matcher.method_ok(record.method):
            found.append(f"method is {record.method or '(none)'}, not {self.method}")
        if self.path and self.matcher.match_path(record.path) is None:
            found.append(f"path {record.path[:QUOTED]!r} does not match {self.path!r}")
        if found and first_only:
            return found
        if self.conditions:
            view = RequestView(record)
            for compiled in self.conditions:
                reason = compiled.check(record, view)
                if reason is not None:
                    found.append(_difference(compiled, reason))
                    if first_only:
                        return found
        if self.body_contains is not None and not self._body_holds(record):
            found.append(f"body does not contain {self.body_contains!r} (body: {_body_start(record)})")
            if first_only:
                return found
        if self.where is not None:
            name = getattr(self.where, "__name__", "predicate")
            try:
                if not self.where(record):
                    found.append(f"where={name} is false")
            except Exception as exc:
                found.append(f"where={name} raised {type(exc).__name__}: {exc}")
        return found

    def _body_holds(self, record: CapturedRequest) -> bool:
        needle = self.body_contains
        if isinstance(needle, bytes):
            return needle in record.body
        return needle is not None and needle in record.text


def _body_start(record: CaptureRecord) -> str:
    if not record.body:
        return "empty"
    start = record.body[:QUOTED]
    more = "…" if record.body_size > len(start) else ""
    return f"{record.body_size:,} bytes, {start!r}{more}"


def closest(
    expectation: Expectation, records: Sequence[CapturedRequest], limit: int = CLOSEST_SHOWN
) -> list[tuple[CapturedRequest, list[str]]]:
    """The requests that came closest (fewest differences; the newest first among equals)."""
    checked = records[-CANDIDATES_CHECKED:]
    scored = [
        (len(diffs), -position, record, diffs)
        for position, record in enumerate(checked)
        if (diffs := expectation.differences(record))
    ]
    scored.sort(key=lambda item: (item[0], item[1]))
    return [(record, diffs) for _, _, record, diffs in scored[:limit]]


def timeout_message(
    expectation: Expectation,
    records: Sequence[CapturedRequest],
    *,
    timeout: float,
    url: str,
    dropped: int = 0,
    stopped: str | None = None,
) -> str:
    """The message of a wait that ended without the expected request.

    Lists what did arrive (one line each, newest last, capped) and, for the
    closest requests, what differed. Every line is escaped.
    """
    what = visible(expectation.describe(), DIFFERENCES_LIMIT)
    if stopped is not None:
        head = f"the listener at {url} stopped ({visible(stopped)}) before a request {what} arrived"
    else:
        head = f"no request {what} arrived at {url} within {timeout:g} s"
    total = len(records) + dropped
    if not total:
        return f"{head}\nno requests arrived at all"
    noun = "request" if total == 1 else "requests"
    lines = [head, f"{total:,} {noun} arrived (newest last):"]
    lines.extend(arrivals(records, limit=ARRIVALS_SHOWN, earlier=dropped))
    near = closest(expectation, records)
    if near:
        lines.append("closest:" if len(near) > 1 else "the one that came closest:")
        for record, diffs in near:
            lines.append(f"  {numbered_line(record)}: {visible('; '.join(diffs), DIFFERENCES_LIMIT)}")
    return "\n".join(lines)
