"""Glob path patterns, compiled to a matcher whose time is linear in the path.

Strategy. A glob is read into tokens and written as one regular expression:
``*`` is ``[^/]*`` (within a segment), ``{name}`` is ``(?P<name>[^/]+)``,
``**`` is ``.*`` (across segments), and a whole ``/**`` segment is
``(?:/.*)?`` (so ``/api/**`` also matches ``/api``). The expression is matched
against the whole path.

Which engine runs it is decided by the pattern's shape, so that no path can
make matching super-linear (docs/SECURITY.md, "Rules and templates"):

* *Segment-confined* globs use Python's ``re`` (fast, ~0.3 µs a match): every
  ``*`` and ``{name}`` is followed, before the next wildcard, by a literal
  ``/``, and ``**`` appears only as the last token. Proof that backtracking
  stays linear: a segment wildcard cannot cross ``/``, and what follows it up
  to its ``/`` is literal, so of all the lengths the wildcard tries, only the
  one that ends at the first ``/`` of its segment (or, for the last wildcard,
  at the one place that leaves the literal tail at the end of the path) lets
  the match go on. Each wildcard therefore has at most one live continuation;
  the others fail after comparing at most the literal that follows. A final
  ``.*`` or ``(?:/.*)?`` runs to the end once and the end anchor settles it.
  The work is at most (path length) x (pattern length).
* Every other glob (two wildcards in one segment, ``**`` before more pattern:
  ``/*-*-*.png``, ``/**/**/x``) runs on RE2 (:mod:`inspector.responses.regex`),
  whose automata match in linear time for any pattern.

Both engines give the same answer and captures for every path (RE2 keeps the
leftmost-first submatch rule of backtracking engines); tests check it against
the plain ``re`` reading of the same expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from inspector.responses.regex import MAX_PATTERN, LinearRegex, PatternError

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: characters with a meaning in either engine's syntax (neither uses verbose mode)
_SPECIAL = frozenset("\\.^$|?*+()[]{}")


class PathMatcher(Protocol):
    """A compiled path pattern: ``match(path)`` gives its captures, or None."""

    def match(self, path: str) -> dict[str, str] | None: ...


@dataclass(frozen=True, slots=True)
class Token:
    """One piece of a glob: ``lit`` (text), ``star``, ``capture`` (name), ``any`` or ``rest``."""

    kind: str
    text: str = ""


def tokenize(pattern: str) -> list[Token]:
    """Read a glob into tokens (``rest`` is a whole trailing-or-inner ``/**`` segment).

    Raises:
        PatternError: a ``{`` that does not start a ``{name}``, or a name used twice.
    """
    tokens: list[Token] = []
    names: set[str] = set()
    literal: list[str] = []

    def flush() -> None:
        if literal:
            tokens.append(Token("lit", "".join(literal)))
            literal.clear()

    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            whole_segment = (i == 0 or pattern[i - 1] == "/") and (
                i + 2 == len(pattern) or pattern[i + 2] == "/"
            )
            if whole_segment and literal and literal[-1] == "/":
                literal.pop()  # the segment's own slash belongs to the optional part
                flush()
                tokens.append(Token("rest"))
            else:
                flush()
                tokens.append(Token("any"))
            i += 2
        elif pattern[i] == "*":
            flush()
            tokens.append(Token("star"))
            i += 1
        elif pattern[i] == "{":
            end = pattern.find("}", i)
            name = pattern[i + 1 : end] if end > 0 else ""
            if not _IDENT.fullmatch(name):
                raise PatternError(f"'{{' at column {i + 1} does not start a {{name}} capture")
            if name in names:
                raise PatternError(f"capture {{{name}}} is used twice")
            names.add(name)
            flush()
            tokens.append(Token("capture", name))
            i = end + 1
        else:
            literal.append(pattern[i])
            i += 1
    flush()
    return tokens


def _escape(text: str) -> str:
    return "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)


def to_regex(tokens: list[Token]) -> str:
    """The regular expression of a glob (no anchors; ``.`` must match newlines)."""
    parts = []
    for token in tokens:
        if token.kind == "lit":
            parts.append(_escape(token.text))
        elif token.kind == "star":
            parts.append("[^/]*")
        elif token.kind == "capture":
            parts.append(f"(?P<{token.text}>[^/]+)")
        elif token.kind == "any":
            parts.append(".*")
        else:
            parts.append("(?:/.*)?")
    return "".join(parts)


def is_segment_confined(tokens: list[Token]) -> bool:
    """The shape the module docstring proves linear under backtracking."""
    wildcard_open = False  # a * or {name} not yet followed by a literal '/'
    for position, token in enumerate(tokens):
        if token.kind in ("any", "rest"):
            if position != len(tokens) - 1:
                return False
        elif token.kind in ("star", "capture"):
            if wildcard_open:
                return False
            wildcard_open = True
        elif "/" in token.text:
            wildcard_open = False
    return True


class _BacktrackingSafe:
    """A segment-confined glob on Python's ``re``."""

    __slots__ = ("_regex",)

    def __init__(self, regex: str) -> None:
        self._regex = re.compile(regex + r"\Z", re.DOTALL)

    def match(self, path: str) -> dict[str, str] | None:
        found = self._regex.match(path)
        return None if found is None else found.groupdict()


class _Automaton:
    """Any other glob, on RE2."""

    __slots__ = ("_regex",)

    def __init__(self, regex: str) -> None:
        self._regex = LinearRegex("(?s)" + regex + r"\z")

    def match(self, path: str) -> dict[str, str] | None:
        return self._regex.match(path)


def compile_glob(pattern: str) -> PathMatcher:
    """Compile a glob path pattern.

    Raises:
        PatternError: a bad ``{name}``, or a pattern longer than MAX_PATTERN.
    """
    if len(pattern) > MAX_PATTERN:
        raise PatternError(f"the pattern is longer than {MAX_PATTERN} characters")
    tokens = tokenize(pattern)
    regex = to_regex(tokens)
    if is_segment_confined(tokens):
        return _BacktrackingSafe(regex)
    return _Automaton(regex)
