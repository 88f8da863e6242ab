"""User regular expressions, run by RE2: matching time linear in the text, whatever the pattern.

Strategy. A rule's ``^regex`` path and its ``regex`` conditions are written by
the user but applied to request data on the server's one thread, so a
backtracking engine would let one request with the right path or body stall
every client (docs/SECURITY.md, "Rules and templates").
RE2 (google-re2) compiles a pattern to automata and matches in time linear in
the text; its price is that it has no backreferences (``\\1``, ``(?P=name)``),
no lookaround (``(?=``, ``(?!``, ``(?<=``, ``(?<!``), no atomic groups or
possessive quantifiers, no ``\\Z`` (``\\z`` is its spelling) and no verbose
mode. Such a pattern is refused when the rule is compiled, with one line that
says why, so the editor shows it at the field and ``--rules`` refuses the file.

This module is the only one that imports ``re2``.
"""

from __future__ import annotations

import re
from typing import Protocol

import re2  # type: ignore[import-untyped]

#: the longest user pattern accepted (RE2 also caps the compiled program's memory)
MAX_PATTERN = 4096
_SURROGATES = re.compile("[\ud800-\udfff]")


class PatternError(ValueError):
    """A pattern that cannot be used. The message is one line."""


class _Re2Match(Protocol):
    def groupdict(self) -> dict[str, str | None]: ...


class _Re2Pattern(Protocol):
    def match(self, text: str) -> _Re2Match | None: ...
    def search(self, text: str) -> _Re2Match | None: ...


def _options(*, captures: bool) -> object:
    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern on stderr
    options.never_capture = not captures  # no groups: the DFA alone answers
    return options


_WITH_GROUPS = _options(captures=True)
_WITHOUT_GROUPS = _options(captures=False)


def _why_refused(pattern: str, detail: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"invalid regular expression: {exc}"
    except RecursionError:
        return "invalid regular expression: nested too deeply"
    return (
        f"not supported by the linear-time matcher ({detail}): backreferences, lookaround, "
        "atomic groups, possessive quantifiers, \\Z and (?x) are not available"
    )


class LinearRegex:
    """A compiled user pattern. ``match`` anchors at the start, ``search`` does not.

    Both return the named groups that took part in the match (``{}`` without
    groups), or None. Text holding lone surrogates (possible in imported
    captures, never in what the parser produces) has them read as U+FFFD.
    """

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str, *, captures: bool = True) -> None:
        """Raises: PatternError (one line) when RE2 cannot run ``pattern``."""
        if len(pattern) > MAX_PATTERN:
            raise PatternError(f"the pattern is longer than {MAX_PATTERN} characters")
        self.pattern = pattern
        try:
            self._compiled: _Re2Pattern = re2.compile(
                pattern, _WITH_GROUPS if captures else _WITHOUT_GROUPS
            )
        except re2.error as exc:
            raw = exc.args[0] if exc.args else ""
            detail = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            raise PatternError(_why_refused(pattern, detail)) from None
        except UnicodeEncodeError:
            raise PatternError("the pattern holds a lone surrogate character") from None

    def match(self, text: str) -> dict[str, str] | None:
        return self._groups(self._run(self._compiled.match, text))

    def search(self, text: str) -> dict[str, str] | None:
        return self._groups(self._run(self._compiled.search, text))

    @staticmethod
    def _run(method: object, text: str) -> _Re2Match | None:
        try:
            return method(text)  # type: ignore[operator, no-any-return]
        except UnicodeEncodeError:
            return method(_SURROGATES.sub("\ufffd", text))  # type: ignore[operator, no-any-return]

    @staticmethod
    def _groups(found: _Re2Match | None) -> dict[str, str] | None:
        if found is None:
            return None
        return {k: v for k, v in found.groupdict().items() if v is not None}
