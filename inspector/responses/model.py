"""Rules as plain immutable data: what the editor edits and the rules file stores.

A :class:`Rule` holds text exactly as the user wrote it (templates are not
compiled here; see :mod:`inspector.responses.engine`). Keys of the rules file
that this version does not know are kept in ``extra`` and written back on
save, so a file written by a newer version survives a round trip through an
older one.

A rule answers with one :class:`Answer` held in its own keys (``status``,
``headers``, ``body``, …: the rules of version 1) or with a list of them
(``responses``), picked by ``mode``. :attr:`Rule.answers` gives the list either
way, and :meth:`Rule.with_answers` stores a list back in the one form a rule
of that many answers has: a single answer in the rule's own keys, more in
``responses``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from inspector.http.response import DEFAULT_RESPONSE
from inspector.upstream.target import UpstreamTarget

SOURCES = ("header", "query", "body", "json")
OPS = ("equals", "contains", "regex", "present", "absent")
#: how a rule with a list of answers picks one: in order then the last one again,
#: in order round and round, or at random by weight
MODES = ("sequence", "cycle", "random")


def listener_key(text: str) -> str | None:
    """A rule's listener as the record's ``server`` writes it (``127.0.0.1:8090``,
    ``[::1]:8091``), or a port alone (``8091``); None when ``text`` is neither."""
    text = text.strip()
    host, colon, port = text.rpartition(":")
    if not (port.isascii() and port.isdigit() and len(port) <= 5 and 0 < int(port) <= 65535):
        return None
    if not colon:
        return str(int(port))
    bracketed = host.startswith("[") and host.endswith("]")
    host = host[1:-1].lower() if bracketed else host.lower()
    if not host or "[" in host or "]" in host or (":" in host) != bracketed:
        return None  # IPv6 goes in brackets, and only IPv6
    if any(c.isspace() for c in host):
        return None
    return f"[{host}]:{int(port)}" if bracketed else f"{host}:{int(port)}"


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
class Answer:
    """One answer of a rule: what is sent back (or which fault happens instead).

    Attributes:
        status: an int 200-999, or a template rendering to one (``"{{ 404 if x else 200 }}"``).
        headers: (name, value template) pairs, in order.
        body: the body template.
        body_file: a file whose bytes are the body instead of ``body`` (relative
            to the rules file's folder; never a template, so no request picks a file).
        delay_ms: wait before answering (the server waits without blocking others).
        fault: None, or how the answer goes wrong on the wire: one of
            :data:`inspector.http.response.FAULTS`.
        bytes_per_s: the rate of a ``trickle`` fault (0: the default rate).
        weight: how likely ``random`` mode picks this answer, relative to the others (>= 0).
        extra: answer keys this version does not know, kept for saving back.
    """

    status: int | str = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""
    body_file: str = ""
    delay_ms: int = 0
    fault: str | None = None
    bytes_per_s: int = 0
    weight: int | float = 1
    extra: tuple[tuple[str, Any], ...] = field(default=(), hash=False)


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
        listeners: the listeners whose requests the rule answers, as the
            Listener column names them (``127.0.0.1:8090``, ``[::1]:8091``) or a
            port alone (``8091``: that port on any address); empty = every listener.
        cors: answer CORS preflights for this path and add Access-Control-Allow-Origin.
        status, headers, body, body_file, delay_ms, fault, bytes_per_s: the
            rule's one answer (see :class:`Answer`), unused when ``responses`` is set.
        responses: two or more answers, picked by ``mode`` (empty: the one answer above).
        mode: ``sequence`` (in order, then the last one again and again), ``cycle``
            (wraps around) or ``random`` (weighted by each answer's ``weight``).
        state_key: a template; its value for a request picks the counter that
            request advances (one counter per value, per rule). Empty: one counter.
        pause: hold each matching request in the window to be answered by hand
            (:mod:`inspector.responses.pausing`; headless answers at once, and a
            forward rule forwards at once).
        forward: relay matching requests to this upstream instead of answering
            from the templates (see :mod:`inspector.responses.forwarding`).
        extra: rule keys this version does not know, kept for saving back.
    """

    name: str
    enabled: bool = True
    methods: tuple[str, ...] = ()
    path: str = "**"
    conditions: tuple[Condition, ...] = ()
    listeners: tuple[str, ...] = ()
    status: int | str = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""
    delay_ms: int = 0
    cors: bool = False
    body_file: str = ""
    fault: str | None = None
    bytes_per_s: int = 0
    responses: tuple[Answer, ...] = ()
    mode: str = "sequence"
    state_key: str = ""
    pause: bool = False
    forward: UpstreamTarget | None = None
    extra: tuple[tuple[str, Any], ...] = field(default=(), hash=False)

    @property
    def answers(self) -> tuple[Answer, ...]:
        """The rule's answers in order: ``responses``, or the one answer in its own keys."""
        if self.responses:
            return self.responses
        return (
            Answer(
                status=self.status,
                headers=self.headers,
                body=self.body,
                body_file=self.body_file,
                delay_ms=self.delay_ms,
                fault=self.fault,
                bytes_per_s=self.bytes_per_s,
            ),
        )

    @property
    def listed(self) -> bool:
        """The rule answers from a list (``responses``): its records carry step and steps."""
        return bool(self.responses)

    def with_answers(self, answers: Sequence[Answer]) -> Rule:
        """This rule answering with ``answers``: one goes into the rule's own keys
        (its ``weight`` and unknown keys mean nothing there), more into ``responses``.

        Raises:
            ValueError: no answer.
        """
        if not answers:
            raise ValueError("a rule needs at least one answer")
        if len(answers) > 1:
            return dataclasses.replace(self, responses=tuple(answers), **_NO_OWN_ANSWER)
        one = answers[0]
        return dataclasses.replace(
            self,
            responses=(),
            status=one.status,
            headers=one.headers,
            body=one.body,
            body_file=one.body_file,
            delay_ms=one.delay_ms,
            fault=one.fault,
            bytes_per_s=one.bytes_per_s,
        )


#: the rule's own answer keys when it answers from ``responses``
_NO_OWN_ANSWER: dict[str, Any] = {
    "status": 200,
    "headers": (),
    "body": "",
    "body_file": "",
    "delay_ms": 0,
    "fault": None,
    "bytes_per_s": 0,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """Why a rule (or one part of it) cannot answer as written.

    Problems are data, so the editor puts each at its field without reading
    places back out of text.

    Attributes:
        field: the rule's key: ``name``, ``methods``, ``path``, ``conditions``, ``listeners``,
            ``mode``, ``state_key``, ``responses`` (the list itself), or an
            answer's key (``status``, ``headers``, ``body``, ``body_file``,
            ``delay_ms``, ``fault``, ``bytes_per_s``, ``weight``); ``""`` for the
            whole document (a rules file that cannot be read).
        message: one line.
        index: the 0-based item of ``methods``, ``conditions``, ``listeners`` or ``headers``.
        line: the 1-based line within a template.
        rule: the 0-based position of the rule in its list, when known.
        answer: the 0-based answer of ``responses`` the key belongs to (None: the
            rule's own keys).
    """

    field: str
    message: str
    index: int | None = None
    line: int | None = None
    rule: int | None = None
    answer: int | None = None

    @property
    def where(self) -> str:
        """``headers[1] line 2``, ``responses[0].body line 3``, ``path`` (the rules-file keys)."""
        where = self.field if self.index is None else f"{self.field}[{self.index}]"
        if self.answer is not None:
            where = f"responses[{self.answer}].{where}" if where else f"responses[{self.answer}]"
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

#: A browser asks for ``/favicon.ico`` after each page; answered ``hello world``
#: (a 200 that is no image) it asks again on every page, a second row each time.
#: A 404 it remembers. The request is still recorded, so the user sees it.
FAVICON_RULE = Rule(
    name="favicon",
    methods=("GET", "HEAD"),
    path="/favicon.ico",
    status=404,
    headers=(("Content-Type", "text/plain; charset=utf-8"),),
    body="no favicon here (the default rule \"favicon\" answers 404)\n",
)

#: The rules both modes start with when the user has none (no rules file, no
#: ``--rules``): the one home of that fact.
DEFAULT_RULES = (FAVICON_RULE, DEFAULT_RULE)
