"""A forwarded request's upstream answer as a static rule ("Save as rule").

Strategy: the rule matches the request's method, exact path (the caller gives
the pattern) and each query pair (``query equals``), and answers with the
upstream's status, end-to-end header fields (framing left to the listener) and
body, so the same request gets the same answer with the upstream gone. Text is
kept as text: a body or header value that holds template syntax is wrapped in
``{% raw %}`` so it is sent as it came. A body that is not UTF-8 text goes
into a body file next to the rules file (:func:`save_body`, named by its
content, so the same body is one file) and the rule names it in ``body_file``
(docs/ARCHITECTURE.md, "Answers").
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import tempfile
from pathlib import Path

from inspector.http.record import CaptureRecord
from inspector.http.response import FRAMING_HEADERS, field_value_problem, is_token
from inspector.responses.model import MAX_STATUS, MIN_STATUS, Condition, Rule
from inspector.text import visible
from inspector.upstream.outgoing import end_to_end

#: characters of a recorded rule's name
NAME_LIMIT = 80
#: the folder (beside the rules file) that recorded body files go into
BODY_FOLDER = "recorded"
#: characters of the request path kept in a body file's name
_SLUG_LIMIT = 40
_NOT_SLUG = re.compile(r"[^A-Za-z0-9._-]+")
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


def is_text(body: bytes) -> bool:
    """A rule's ``body`` can hold ``body`` (UTF-8 text); otherwise it needs a body file."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def save_body(record: CaptureRecord, folder: Path) -> str:
    """Write the upstream body of ``record`` into ``folder``/recorded/ and return the
    ``body_file`` naming it from ``folder``: ``recorded/<path>-<sha256 12>.<ext>``, the
    extension from the answer's Content-Type. Written atomically; an existing file
    with that name already holds these bytes.

    Raises:
        NotRecordable: no upstream answer, or the file cannot be written (one line).
    """
    upstream = record.upstream
    if upstream is None or upstream.status is None:
        raise NotRecordable("this request has no upstream answer to save")
    body = upstream.body
    content_type = next((v for n, v in upstream.headers if n.lower() == "content-type"), "")
    extension = mimetypes.guess_extension(content_type.split(";", 1)[0].strip().lower()) or ".bin"
    slug = _NOT_SLUG.sub("_", record.path).strip("_.")[:_SLUG_LIMIT] or "root"
    name = f"{BODY_FOLDER}/{slug}-{hashlib.sha256(body).hexdigest()[:12]}{extension}"
    path = folder / name
    if path.is_file() and path.stat().st_size == len(body):
        return name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".recording-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
            os.replace(temp, path)
        except BaseException:
            os.unlink(temp)
            raise
    except OSError as exc:
        raise NotRecordable(f"could not write the body file {name}: {exc.strerror or exc}") from None
    return name


def recorded_rule(record: CaptureRecord, path_pattern: str, body_file: str = "") -> Rule:
    """A rule answering ``record`` (method, ``path_pattern``, its query) as its upstream did.

    Args:
        body_file: the body file holding the upstream's body (see
            :func:`save_body`); needed when the body is not UTF-8 text, and then
            the rule sends that file instead of a text body.

    Raises:
        NotRecordable: the record was not forwarded, the upstream gave no
            answer, or the answer cannot be held by a rule (a binary body
            without ``body_file``, a status outside 200-999, a header value
            with control characters).
    """
    upstream = record.upstream
    if upstream is None:
        raise NotRecordable("this request was not forwarded to an upstream")
    if upstream.status is None:
        raise NotRecordable(f"the upstream gave no answer to save: {upstream.error or 'none'}")
    if not MIN_STATUS <= upstream.status <= MAX_STATUS:
        raise NotRecordable(f"status {upstream.status} cannot be a rule's answer")
    if body_file:
        body = ""
    elif is_text(upstream.body):
        body = upstream.body.decode("utf-8")
    else:
        raise NotRecordable(
            f"the upstream's body ({len(upstream.body)} bytes) is not UTF-8 text; it needs a body file"
        )
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
        body_file=body_file,
    )
