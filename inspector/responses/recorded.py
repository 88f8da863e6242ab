"""A forwarded request's upstream answer as a static rule ("Save as rule").

Strategy: the rule matches the request's method, exact path (the caller gives
the pattern) and each query pair (``query equals``), and answers with the
upstream's status, end-to-end header fields (framing left to the listener) and
body, so the same request gets the same answer with the upstream gone. Text is
kept as text: a body or header value that holds template syntax is wrapped in
``{% raw %}`` so it is sent as it came. A body that is not UTF-8 text cannot be
held by a version 1 rule; the reason says so (docs/ARCHITECTURE.md, "Answers").
"""

from __future__ import annotations

from inspector.http.record import CaptureRecord
from inspector.http.response import FRAMING_HEADERS, field_value_problem, is_token
from inspector.responses.model import MAX_STATUS, MIN_STATUS, Condition, Rule
from inspector.text import visible
from inspector.upstream.outgoing import end_to_end

#: characters of a recorded rule's name
NAME_LIMIT = 80
_TEMPLATE_MARKS = ("{{", "{%", "{#")
_RAW_END = "endraw"


class NotRecordable(ValueError):
    """The record has no upstream answer a rule can hold (one readable line)."""


def _literal(text: str, what: str) -> str:
    """``text`` as a template that renders to itself."""
    if not any(mark in text for mark in _TEMPLATE_MARKS):
        return text
    if _RAW_END in text:
        raise NotRecordable(f"the upstream's {what} holds template syntax that cannot be kept literally")
    return "{% raw %}" + text + "{% endraw %}"


def recorded_rule(record: CaptureRecord, path_pattern: str) -> Rule:
    """A rule answering ``record`` (method, ``path_pattern``, its query) as its upstream did.

    Raises:
        NotRecordable: the record was not forwarded, the upstream gave no
            answer, or the answer cannot be held by a rule (a binary body, a
            status outside 200-999, a header value with control characters).
    """
    upstream = record.upstream
    if upstream is None:
        raise NotRecordable("this request was not forwarded to an upstream")
    if upstream.status is None:
        raise NotRecordable(f"the upstream gave no answer to save: {upstream.error or 'none'}")
    if not MIN_STATUS <= upstream.status <= MAX_STATUS:
        raise NotRecordable(f"status {upstream.status} cannot be a rule's answer")
    try:
        body = upstream.body.decode("utf-8")
    except UnicodeDecodeError:
        raise NotRecordable(
            f"the upstream's body ({len(upstream.body)} bytes) is not UTF-8 text; "
            "a rule can hold it once rules have body files"
        ) from None
    headers = []
    for name, value in end_to_end(upstream.headers):
        if name.lower() in FRAMING_HEADERS or not is_token(name):
            continue
        if field_value_problem(value) is not None:
            raise NotRecordable(f"the upstream's {name} header holds a control character")
        headers.append((name, _literal(value, f"{name} header")))
    method = record.method.upper()
    return Rule(
        name=visible(f"{record.method} {record.target} (recorded)", NAME_LIMIT),
        methods=(method,) if is_token(method) else (),
        path=path_pattern,
        conditions=tuple(
            Condition(source="query", name=name, op="equals", value=value) for name, value in record.query
        ),
        status=upstream.status,
        headers=tuple(headers),
        body=_literal(body, "body"),
    )
