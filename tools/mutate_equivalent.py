"""Kinds of mutant that are equivalent by a rule, not one by one.

mutmut changes the case of every string literal it meets. Two kinds of string do not
care, whatever the program does with them:

- an SQL statement with no quoted literal inside: SQLite reads keywords, table and column
  names without regard to case, so ``SELECT id FROM requests`` and
  ``select id from requests`` are one statement;
- a codec name handed to ``encode``/``decode``/``codecs``: Python looks codec names up
  without regard to case (``"UTF-8"``, ``"utf-8"``).

Each rule returns the reason a report prints beside the mutant, or ``None``. A mutant that
changes anything besides the case of one such string is not matched.
"""

from __future__ import annotations

import codecs
import re

#: the words an SQL statement of this project starts with
_SQL_START = re.compile(
    r"\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|PRAGMA|WITH|BEGIN|COMMIT|"
    r"ROLLBACK|VACUUM|ANALYZE|SAVEPOINT|RELEASE|ATTACH|DETACH)\b",
    re.IGNORECASE,
)
#: a string literal on one line: the quote, its text, the same quote
_LITERAL = re.compile(r"""(?P<q>["'])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)""")

SQL_REASON = "SQLite reads keywords, table and column names without regard to case"
CODEC_REASON = "codec names are case-insensitive"


def _changed(diff: list[str]) -> tuple[str, str] | None:
    """The removed and the added text of a one-hunk diff, or None when it has no change."""
    removed = [line[1:] for line in diff if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
    if not removed or not added:
        return None
    return "\n".join(removed), "\n".join(added)


def _literals(text: str) -> list[str]:
    return [match["text"] for match in _LITERAL.finditer(text)]


def _is_sql(text: str) -> bool:
    return _SQL_START.match(text) is not None and "'" not in text and '"' not in text


def _is_codec(text: str) -> bool:
    try:
        codecs.lookup(text)
    except LookupError:
        return False
    return True


def equivalent_by_rule(diff: list[str]) -> str | None:
    """Why the mutant ``diff`` shows is equivalent, when a rule says so; else None."""
    change = _changed(diff)
    if change is None:
        return None
    before, after = change
    if before == after or before.lower() != after.lower():
        return None
    old, new = _literals(before), _literals(after)
    if len(old) != len(new):
        return None
    differing = [(a, b) for a, b in zip(old, new, strict=True) if a != b]
    # every other character of the lines is the same (checked above); what differs must
    # lie inside the literals that differ, and all of them must be of one kind
    outside_before = _LITERAL.sub("", before)
    outside_after = _LITERAL.sub("", after)
    if not differing or outside_before != outside_after:
        return None
    if all(_is_sql(a) for a, _ in differing):
        return SQL_REASON
    if all(_is_codec(a) and re.search(r"\b(encode|decode|codecs\.\w+)\(", before) for a, _ in differing):
        return CODEC_REASON
    return None
