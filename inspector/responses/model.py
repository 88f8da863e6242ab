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
        op: ``equals``, ``contains``, ``regex`` (re.search), ``present`` or ``absent``.
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
            captures a segment) or, when it starts with ``^``, a regular expression.
        conditions: all must hold.
        status: an int, or a template rendering to one (``"{{ 404 if x else 200 }}"``).
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


#: The built-in answer when no rule matches (DESIGN.md: 200 text/html "hello world").
DEFAULT_RULE = Rule(
    name="default",
    headers=(("Content-Type", "text/html; charset=utf-8"),),
    body="hello world",
)
