"""Rules as plain immutable data: what the editor edits and the rules file stores.

A :class:`Rule` holds text exactly as the user wrote it (templates are not
compiled here; see :mod:`inspector.responses.engine`). Keys of the rules file
that this version does not know are kept in ``extra`` and written back on
save, so a file written by a newer version survives a round trip through an
older one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inspector.http.response import DEFAULT_RESPONSE

SOURCES = ("header", "query", "body", "json")
OPS = ("equals", "contains", "regex", "present", "absent")


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """One test a request must pass for its rule to match.

    Attributes:
        source: ``header`` (name matched case-insensitively), ``query`` (exact
            name), ``body`` (the body text; ``name`` unused) or ``json`` (``name``
            is a dotted path into the parsed body, list indexes as numbers:
            ``items.0.id``).
        op: ``equals``, ``contains``, ``regex`` (searched anywhere in the value, by
            RE2: see :mod:`inspector.responses.regex`), ``present`` or ``absent``.
        value: the operand (unused by present/absent). For ``json`` it may be any
            JSON scalar; other sources compare text.
    """

    source: str
    name: str = ""
    op: str = "equals"
    value: Any = field(default="", hash=False)

    def describe(self) -> str:
        """A short human text, e.g. ``header X-Token equals 'abc'``."""
        subject = self.source if self.source == "body" else f"{self.source} {self.name}"
        if self.op in ("present", "absent"):
            return f"{subject} {self.op}"
        return f"{subject} {self.op} {self.value!r}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """A response rule.

    Attributes:
        name: shown in the capture record's ``response.rule``; also keys the counter.
        enabled: disabled rules never match.
        methods: methods answered (compared case-insensitively); empty = any.
        path: a glob (``*`` within a segment, ``**`` across segments, ``{name}``
            captures a segment) or, when it starts with ``^``, a regular expression
            (RE2 syntax, anchored at the start).
        conditions: all must hold.
        status: an int 200-999, or a template rendering to one (``"{{ 404 if x else 200 }}"``).
        headers: (name, value template) pairs, in order.
        body: the body template.
        delay_ms: wait before answering (the server sleeps without blocking others).
        cors: answer CORS preflights for this path and add Access-Control-Allow-Origin.
        extra: rule keys this version does not know, kept for saving back.
    """

    name: str
    enabled: bool = True
    methods: tuple[str, ...] = ()
    path: str = "**"
    conditions: tuple[Condition, ...] = ()
    status: int | str = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""
    delay_ms: int = 0
    cors: bool = False
    extra: tuple[tuple[str, Any], ...] = field(default=(), hash=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """Why a rule (or one part of it) cannot answer as written.

    Problems are data, so the editor puts each at its field without reading
    places back out of text.

    Attributes:
        field: the rule's key: ``name``, ``methods``, ``path``, ``conditions``,
            ``status``, ``headers``, ``body``, ``delay_ms``; ``""`` for the
            whole document (a rules file that cannot be read).
        message: one line.
        index: the 0-based item of ``methods``, ``conditions`` or ``headers``.
        line: the 1-based line within a template.
        rule: the 0-based position of the rule in its list, when known.
    """

    field: str
    message: str
    index: int | None = None
    line: int | None = None
    rule: int | None = None

    @property
    def where(self) -> str:
        """``headers[1] line 2``, ``body line 3``, ``path`` (the rules-file key)."""
        where = self.field if self.index is None else f"{self.field}[{self.index}]"
        return where if self.line is None else f"{where} line {self.line}"

    def __str__(self) -> str:
        where = self.where
        return f"{where}: {self.message}" if where else self.message


#: Statuses a rule may answer with: a 1xx is informational, never a final answer
#: (RFC 9110 §15.2), and a client would keep waiting for the real one.
MIN_STATUS, MAX_STATUS = 200, 999

#: The answer when no rule matches, and the rule the editor starts with. Its
#: status, headers and body are the listener's built-in answer
#: (:data:`inspector.http.response.DEFAULT_RESPONSE`), the one home of that fact,
#: which the server uses when it runs without rules.
DEFAULT_RULE = Rule(
    name=DEFAULT_RESPONSE.rule or "default",
    status=DEFAULT_RESPONSE.status,
    headers=DEFAULT_RESPONSE.headers,
    body=DEFAULT_RESPONSE.body.decode("utf-8"),
)
