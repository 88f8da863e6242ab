"""Two bodies compared in the form that fits them: JSON, form fields, text or bytes.

Strategy: each side is classified from its Content-Type and its bytes (JSON
when it parses, form fields when declared urlencoded, text when it decodes
strictly in its charset without NUL bytes, else binary). Two JSON documents
compare by meaning, two forms pair by pair, two texts line by line; anything
else, or a mix that is not both text, byte by byte. A body that does not decode
strictly is binary on purpose: the hex diff shows its bytes exactly.

Only the first :data:`MAX_BODY` bytes of each side are compared in detail
(the note says so); whether the bodies are equal is always decided on all of
their bytes.
"""

from __future__ import annotations

import codecs
import json
from typing import Any, NamedTuple

from inspector.diff.hexdiff import common_prefix, diff_hex
from inspector.diff.jsondiff import diff_json
from inspector.diff.model import BodyDiff, Change
from inspector.diff.pairs import count_differing, diff_pairs
from inspector.diff.textdiff import diff_lines, split_lines
from inspector.http.query import decode_query
from inspector.http.record import Pairs
from inspector.text import human_size

#: bytes of each body compared in detail (parsing 1 MiB of JSON takes ~10 ms)
MAX_BODY = 1024 * 1024

_FORM = "application/x-www-form-urlencoded"


def media_type(content_type: str | None) -> tuple[str, str]:
    """``"Application/JSON; charset=UTF-8"`` -> ``("application/json", "UTF-8")``."""
    if not content_type:
        return "", ""
    kind, *params = content_type.split(";")
    charset = ""
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"')
    return kind.strip().lower(), charset


def _decode(data: bytes, charset: str, *, cut: bool = False) -> str | None:
    """The text, or None when it does not decode strictly (or holds NUL bytes).

    ``cut``: ``data`` is the start of a longer body, so a character split by
    the cut is left out rather than making the body binary.
    """
    if b"\x00" in data:
        return None
    try:
        codec = codecs.lookup(charset or "utf-8").name
    except LookupError:
        codec = "utf-8"
    try:
        return codecs.getincrementaldecoder(codec)().decode(data, final=not cut)
    except (UnicodeDecodeError, ValueError):
        return None


class Classified(NamedTuple):
    """What a body looks like: ``kind`` is "empty", "json", "form", "text" or
    "binary"; ``value`` the parsed document (json) or pairs (form); ``text``
    the decoded text (None for binary)."""

    kind: str
    value: Any
    text: str | None


def classify(data: bytes, content_type: str | None, *, cut: bool = False) -> Classified:
    """Classify a body (see the module's strategy). ``cut`` as for :func:`_decode`."""
    if not data:
        return Classified("empty", None, "")
    kind, charset = media_type(content_type)
    text = _decode(data, charset, cut=cut)
    if text is None:
        return Classified("binary", None, None)
    if kind == _FORM:
        return Classified("form", decode_query(text), text)
    if kind.endswith(("/json", "+json")) or text.lstrip()[:1] in ("{", "["):
        try:
            return Classified("json", json.loads(text), text)
        except (ValueError, RecursionError):
            pass
    return Classified("text", None, text)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _json_diff(left: Any, right: Any, notes: list[str]) -> tuple[BodyDiff, str, tuple[str, ...]]:
    changes, json_notes = diff_json(left, right)
    notes.extend(json_notes)
    counted = [c for c in changes if c.change is not Change.LENGTH]
    diff = BodyDiff(kind="json", left_kind="json", right_kind="json", json=changes)
    if not counted:
        notes.append("the JSON is the same; only its bytes differ (key order or spacing)")
        return diff, "", tuple(notes)
    if len(counted) == 1:
        return diff, f"1 JSON value differs at {counted[0].path}", tuple(notes)
    return diff, f"{len(counted):,} JSON values differ, first at {counted[0].path}", tuple(notes)


def _form_diff(left: Pairs, right: Pairs, notes: list[str]) -> tuple[BodyDiff, str, tuple[str, ...]]:
    rows, note = diff_pairs(left, right, fold_case=False)
    notes.extend([note] if note else [])
    differing = count_differing(rows)
    diff = BodyDiff(kind="form", left_kind="form", right_kind="form", pairs=rows)
    if not differing:  # the same fields, differently encoded (%20 or +)
        notes.append("the form fields are the same; only their encoding differs")
        return diff, "", tuple(notes)
    return diff, _plural(differing, "form field differs", "form fields differ"), tuple(notes)


def _mixed_kind(left: Classified, right: Classified) -> str:
    """How two bodies that are not both JSON or both forms are compared: "text" or "hex"."""
    return "text" if left.text is not None and right.text is not None else "hex"


def diff_body(
    left: bytes, left_type: str | None, right: bytes, right_type: str | None
) -> tuple[BodyDiff, str, tuple[str, ...]]:
    """Compare two bodies.

    Args:
        left, right: the bodies.
        left_type, right_type: each side's Content-Type header value (or None).

    Returns:
        (diff, phrase, notes): ``phrase`` is "" when the bodies mean the same
        (equal bytes; or JSON or form fields equal by meaning, for example keys
        reordered), else the body's part of the summary line ("1 JSON value
        differs at $.qty"); ``notes`` name the limits reached.
    """
    notes: list[str] = []
    cut = len(left) > MAX_BODY or len(right) > MAX_BODY
    if cut:
        biggest = human_size(max(len(left), len(right)))
        notes.append(f"compared the first {human_size(MAX_BODY)} of {biggest} in detail")
    left_side = classify(left[:MAX_BODY], left_type, cut=len(left) > MAX_BODY)
    right_side = classify(right[:MAX_BODY], right_type, cut=len(right) > MAX_BODY)
    kinds = (left_side.kind, right_side.kind)
    if left == right:  # the same bytes, perhaps declared differently: "kind" as if they differed
        same_kind = kinds[0] if kinds[0] == kinds[1] != "binary" else _mixed_kind(left_side, right_side)
        return BodyDiff(kind=same_kind, left_kind=kinds[0], right_kind=kinds[1]), "", tuple(notes)
    # Meaning is judged on whole documents only; a cut one is compared as text or bytes.
    if kinds == ("json", "json") and not cut:
        return _json_diff(left_side.value, right_side.value, notes)
    if kinds == ("form", "form") and not cut:
        return _form_diff(left_side.value, right_side.value, notes)
    if "empty" in kinds:
        side, size = ("right", len(right)) if kinds[0] == "empty" else ("left", len(left))
        phrase = f"only the {side} request has one ({human_size(size)})"
    elif kinds[0] != kinds[1]:
        phrase = f"{kinds[0]} vs {kinds[1]}"
    else:
        phrase = ""
    if left_side.text is not None and right_side.text is not None:
        text = diff_lines(split_lines(left_side.text), split_lines(right_side.text))
        notes.extend([text.note] if text.note else [])
        diff = BodyDiff(kind="text", left_kind=kinds[0], right_kind=kinds[1], text=text)
        seen = bool(text.removed or text.added or text.first_line is not None)
        detail = (
            f"{_plural(text.removed, 'line', 'lines')} removed, {text.added:,} added"
            if text.line_by_line
            else f"texts differ from line {(text.first_line or 0) + 1:,}"
        )
    else:
        hexdiff = diff_hex(left[:MAX_BODY], right[:MAX_BODY])
        notes.extend([hexdiff.note] if hexdiff.note else [])
        diff = BodyDiff(kind="hex", left_kind=kinds[0], right_kind=kinds[1], hex=hexdiff)
        seen = hexdiff.first_offset is not None
        detail = f"bytes differ from offset {hexdiff.first_offset or 0:#x}"
    if not seen:  # the bodies part only beyond what was compared in detail
        detail = f"bytes differ from offset {common_prefix(left, right):#x}, past the part compared"
    return diff, phrase or detail, tuple(notes)
