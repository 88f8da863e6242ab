"""Two capture records compared, section by section, with a one-line summary.

Sections, in the order a view shows them: the request (request line, error, notes), headers,
trailers, query, body, raw bytes, then one section per answer the requests
got (:data:`ANSWERS`: the response sent, always shown, and a forwarded
request's upstream answer, shown when either request was forwarded). Ids,
arrival times, client addresses and durations (the upstream call's too) are
not compared: they differ between any two requests.

Every part is linear in its input or capped (see each module), so comparing
two hostile 10 MiB requests stays bounded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from inspector.diff.body import diff_body
from inspector.diff.model import BodyDiff, Change, Comparison, FieldDiff, Section
from inspector.diff.pairs import count_differing, diff_pairs
from inspector.diff.textdiff import diff_lines, split_lines
from inspector.http.record import CaptureRecord, Pairs
from inspector.text import ELLIPSIS, human_size

#: raw bytes diffed line by line (a request head is at most 64 KiB)
MAX_RAW = 1024 * 1024
#: characters of a field's value quoted in the summary line
SUMMARY_VALUE = 40


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """One answer a request got, in the shape every answer section compares.

    Attributes:
        fields: (name, text) pairs shown and compared one by one (status, rule, ...).
        headers: the answer's header fields in order.
        body: the answer's body.
    """

    fields: tuple[tuple[str, str], ...]
    headers: Pairs
    body: bytes


def response_answer(record: CaptureRecord) -> Answer | None:
    """What the listener sent back, or None when nothing was."""
    sent = record.response
    if sent is None:
        return None
    return Answer(
        fields=(
            ("status", str(sent.status)),
            ("reason", sent.reason),
            ("rule", sent.rule or ""),
            ("error", sent.error or ""),
        ),
        headers=sent.headers,
        body=sent.body,
    )


def upstream_answer(record: CaptureRecord) -> Answer | None:
    """What the upstream answered a forwarded request (or why it did not), or None
    when the request was not forwarded."""
    upstream = record.upstream
    if upstream is None:
        return None
    return Answer(
        fields=(
            ("url", upstream.url),
            ("status", "" if upstream.status is None else str(upstream.status)),
            ("reason", upstream.reason),
            ("error", upstream.error or ""),
        ),
        headers=upstream.headers,
        body=upstream.body,
    )


#: (section key, title, how to get the answer from a record), one section each; the
#: first is always shown, the others when either request got that answer
ANSWERS: tuple[tuple[str, str, Callable[[CaptureRecord], Answer | None]], ...] = (
    ("response", "Response sent", response_answer),
    ("upstream", "Upstream answer", upstream_answer),
)


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word} differs"
    return f"{count:,} {word}s differ"


def _short(value: str) -> str:
    """A field's value as the summary line quotes it: "(none)" when empty, cut when long."""
    if not value:
        return "(none)"
    return value if len(value) <= SUMMARY_VALUE else value[:SUMMARY_VALUE] + ELLIPSIS


def _fields_phrase(fields: Sequence[FieldDiff]) -> str:
    names = [field.name for field in fields if field.differs]
    if not names:
        return ""
    if len(names) == 1:
        return f"{names[0]} differs"
    return f"{', '.join(names[:-1])} and {names[-1]} differ"


def _pairs_section(
    key: str, title: str, word: str, sides: tuple[Pairs, Pairs], *, fold_case: bool
) -> Section:
    left, right = sides
    rows, note = diff_pairs(left, right, fold_case=fold_case)
    differing = count_differing(rows)
    phrase = _plural(differing, word) if differing else ""
    if differing and all(row.change is Change.SAME for row in rows):
        phrase += " in order or case only" if fold_case else " in order only"
    return Section(
        key=key,
        title=title,
        identical=not differing,
        summary=phrase,
        pairs=rows,
        notes=(note,) if note else (),
    )


def _request_section(left: CaptureRecord, right: CaptureRecord) -> Section:
    fields = (
        FieldDiff(name="method", left=left.method, right=right.method),
        FieldDiff(name="target", left=left.target, right=right.target),
        FieldDiff(name="version", left=left.http_version, right=right.http_version),
        FieldDiff(name="scheme", left=left.scheme, right=right.scheme),
        FieldDiff(name="error", left=left.error or "", right=right.error or ""),
        FieldDiff(name="notes", left="; ".join(left.notes), right="; ".join(right.notes)),
    )
    phrase = _fields_phrase(fields)
    return Section(key="request", title="Request", identical=not phrase, summary=phrase, fields=fields)


def _truncation_notes(left: CaptureRecord, right: CaptureRecord) -> tuple[str, ...]:
    return tuple(
        f"the {side} body was cut off at capture ({len(record.body):,} of {record.body_size:,} bytes kept)"
        for side, record in (("left", left), ("right", right))
        if record.body_truncated
    )


def _body_section(left: CaptureRecord, right: CaptureRecord) -> Section:
    body, phrase, notes = diff_body(
        left.body, left.header("Content-Type"), right.body, right.header("Content-Type")
    )
    return Section(
        key="body",
        title="Body",
        identical=not phrase,
        summary=f"body: {phrase}" if phrase else "",
        body=body,
        notes=notes + _truncation_notes(left, right),
    )


def _raw_section(left: CaptureRecord, right: CaptureRecord) -> Section:
    left_raw, right_raw = left.raw, right.raw
    if left_raw == right_raw:
        return Section(key="raw", title="Raw bytes", identical=True)
    notes = []
    if max(len(left_raw), len(right_raw)) > MAX_RAW:
        notes.append(f"compared the first {human_size(MAX_RAW)} line by line")
    text = diff_lines(
        split_lines(left_raw[:MAX_RAW].decode("utf-8", "surrogateescape")),
        split_lines(right_raw[:MAX_RAW].decode("utf-8", "surrogateescape")),
    )
    if text.note:
        notes.append(text.note)
    return Section(
        key="raw",
        title="Raw bytes",
        identical=False,
        summary="raw bytes differ",
        body=BodyDiff(kind="text", left_kind="text", right_kind="text", text=text),
        notes=tuple(notes),
    )


def _answer_section(key: str, title: str, left: Answer | None, right: Answer | None) -> Section:
    if left is None and right is None:
        return Section(key=key, title=title, identical=True)
    if left is None or right is None:
        side = "left" if right is None else "right"
        return Section(
            key=key, title=title, identical=False, summary=f"{key}: only the {side} request has one"
        )
    fields = tuple(
        FieldDiff(name=name, left=value, right=other)
        for (name, value), (_, other) in zip(left.fields, right.fields, strict=True)
    )
    rows, note = diff_pairs(left.headers, right.headers, fold_case=True)
    body, body_phrase, notes = diff_body(
        left.body, _content_type(left.headers), right.body, _content_type(right.headers)
    )
    parts = [f"{f.name} {_short(f.left)} vs {_short(f.right)}" for f in fields if f.differs]
    differing = count_differing(rows)
    if differing:
        parts.append(_plural(differing, "header"))
    if body_phrase:
        parts.append(f"body: {body_phrase}")
    return Section(
        key=key,
        title=title,
        identical=not parts,
        summary=f"{key}: {', '.join(parts)}" if parts else "",
        fields=fields,
        pairs=rows,
        body=body,
        notes=((note,) if note else ()) + notes,
    )


def _content_type(headers: Pairs) -> str | None:
    return next((value for name, value in headers if name.lower() == "content-type"), None)


def _summary(sections: Sequence[Section]) -> str:
    request_keys = ("request", "headers", "trailers", "query", "body")
    parts = [s.summary for s in sections if s.summary and s.key != "raw"]
    raw = next((s for s in sections if s.key == "raw"), None)
    if raw is not None and not raw.identical and all(s.identical for s in sections if s.key in request_keys):
        parts.insert(0, "raw bytes differ (the parsed request is the same)")
    return ", ".join(parts) if parts else "no differences"


def compare(left: CaptureRecord, right: CaptureRecord) -> Comparison:
    """Compare two requests, section by section.

    Args:
        left, right: the records, in the order the user picked them.

    Returns:
        The comparison; ``compare(b, a)`` says the mirror image of ``compare(a, b)``.
    """
    sections = [
        _request_section(left, right),
        _pairs_section("headers", "Headers", "header", (left.headers, right.headers), fold_case=True),
        _pairs_section("trailers", "Trailers", "trailer", (left.trailers, right.trailers), fold_case=True),
        _pairs_section("query", "Query", "query pair", (left.query, right.query), fold_case=False),
        _body_section(left, right),
        _raw_section(left, right),
    ]
    for index, (key, title, get) in enumerate(ANSWERS):
        answers = get(left), get(right)
        if index == 0 or answers != (None, None):
            sections.append(_answer_section(key, title, *answers))
    return Comparison(
        left_id=left.id, right_id=right.id, sections=tuple(sections), summary=_summary(sections)
    )
