"""The rules file: JSON, as the README's "Response rules" section shows it.

Strategy. Reading is all-or-nothing: the whole file is parsed and checked
before a :class:`RuleSet` exists, so a corrupt file leaves the caller with its
previous rules. Every failure is one :class:`RulesFileError` line naming the
file and the place (``rules.json line 3 column 5: Expecting ',' delimiter``,
``rules.json: rules[2].status: expected a number or a template string``), with
the place also as data (:attr:`RulesFileError.problem`).

Valid JSON that no rule can mean is refused the same way, never with a
traceback: ``NaN``/``Infinity``, numbers beyond a float (``1e400``), integers
longer than :data:`MAX_INT_DIGITS` digits, nesting deeper than
:data:`MAX_DEPTH` (checked without recursion, so 10,000 levels are one line too).

A file without ``version`` is version 1; a newer version is refused. Keys this
version does not know (top level, per rule and per answer) are kept and written
back. A version 1 file reads unchanged (version 2 only adds keys) and is
written back as version 2. A rule with ``responses`` keeps no answer keys of
its own: ``"status"`` beside ``"responses"`` is refused rather than ignored.
Template syntax errors do not stop a file from loading (the editor must be able
to open a half-edited rule); they are in :meth:`RuleSet.problems` and such a
rule answers 500 naming the error. ``load_rules(..., strict=True)`` refuses
them instead (for ``--rules FILE``).

Saving is atomic: a temporary file in the same folder, fsync, ``os.replace``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from inspector.paths import app_data_dir
from inspector.responses.engine import RuleSet
from inspector.responses.model import Problem
from inspector.responses.schema import At, Invalid, expect, rule_from_json, rule_to_json

#: 2: answer lists (``responses``, ``mode``, ``state_key``), ``body_file``,
#: faults, ``pause``. A version 1 file is a version 2 file using none of them.
FORMAT_VERSION = 2
#: nesting levels a rules file may use (rules need 6; unknown keys get the rest)
MAX_DEPTH = 64
#: digits of one integer (Python refuses to read more than 4,300 by default)
MAX_INT_DIGITS = 4000


class RulesFileError(ValueError):
    """A rules file that cannot be read, parsed or understood. One-line message.

    Attributes:
        problem: where it went wrong as data (rule position, key, item), when known.
    """

    def __init__(self, message: str, problem: Problem | None = None) -> None:
        super().__init__(message)
        self.problem = problem


def default_rules_path(create: bool = True) -> Path:
    """Where the app keeps its rules: ``<app data>/rules.json``, the file the
    window's editor saves and headless mode answers from without ``--rules``.

    Args:
        create: create the app-data folder when it is missing.
    """
    return app_data_dir(create) / "rules.json"


class _Unreadable(Exception):
    """Internal: JSON that parses but that no rules file can mean."""


def _refuse_constant(name: str) -> Any:
    raise _Unreadable(f"{name} is not a number a rules file may hold")


def _finite_float(text: str) -> float:
    number = float(text)
    if number in (float("inf"), float("-inf")):
        raise _Unreadable(f"the number {text[:40]} is too large")
    return number


def _bounded_int(text: str) -> int:
    if len(text) > MAX_INT_DIGITS:
        raise _Unreadable(f"an integer of {len(text)} digits (limit {MAX_INT_DIGITS})")
    return int(text)


def _check_depth(document: Any) -> None:
    """Refuse nesting deeper than MAX_DEPTH, without recursion."""
    stack = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise _Unreadable(f"nested deeper than {MAX_DEPTH} levels")
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)


def _parse_json(text: str, source: str) -> Any:
    try:
        document = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
        _check_depth(document)
    except json.JSONDecodeError as exc:
        raise RulesFileError(f"{source} line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise RulesFileError(f"{source}: nested deeper than {MAX_DEPTH} levels") from None
    except _Unreadable as exc:
        raise RulesFileError(f"{source}: {exc}") from None
    return document


def loads(text: str, *, source: str = "rules", folder: Path | None = None) -> RuleSet:
    """Parse rules-file JSON text (import, or a file's contents).

    Args:
        text: the JSON text.
        source: how to name the text in error messages (a file name).
        folder: where its relative ``body_file`` paths point (None: the working directory).

    Raises:
        RulesFileError: invalid JSON, JSON no rules file can hold (NaN, 1e400,
            very long integers, deep nesting) or an invalid rules document.
    """
    document = _parse_json(text, source)
    try:
        expect(document, dict, At("top level"), 'an object with "rules"')
        version = document.get("version", 1)
        expect(version, int, At("version"), "a whole number")
        if version > FORMAT_VERSION:
            raise Invalid(
                At(""), f"version {version} is newer than this app reads (up to {FORMAT_VERSION})"
            )
        if version < 1:
            raise Invalid(At(""), f"version {version} is not a rules-file version")
        rules = expect(document.get("rules", []), list, At("rules"), "a list")
        parsed = tuple(
            rule_from_json(r, i, At(f"rules[{i}]", rule=i)) for i, r in enumerate(rules)
        )
    except Invalid as exc:
        raise RulesFileError(f"{source}: {exc}", exc.problem) from None
    extra = tuple((k, v) for k, v in document.items() if k not in ("version", "rules"))
    return RuleSet(rules=parsed, version=version, extra=extra, folder=folder)


def dumps(ruleset: RuleSet) -> str:
    """The rules-file JSON text of ``ruleset`` (export, or a file's contents)."""
    document: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "rules": [rule_to_json(rule) for rule in ruleset.rules],
    }
    for key, value in ruleset.extra:
        document.setdefault(key, value)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load_rules(path: str | os.PathLike[str], *, strict: bool = False) -> RuleSet:
    """Read a rules file.

    Args:
        path: the file (relative ``body_file`` paths point into its folder).
        strict: also refuse rules whose templates or patterns do not compile.

    Raises:
        RulesFileError: unreadable, not UTF-8, not JSON, not a rules document,
            or (strict) a rule with a problem. The message is one line naming the file.
    """
    file = Path(path)
    name = file.name
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise RulesFileError(f"{file}: cannot read ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RulesFileError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    ruleset = loads(text, source=name, folder=Path(os.path.abspath(file.parent)))
    return refuse_problems(ruleset, name) if strict else ruleset


def refuse_problems(ruleset: RuleSet, source: str) -> RuleSet:
    """The strict check of ``--rules``: ``ruleset`` itself when every rule can answer.

    Raises:
        RulesFileError: one line naming ``source``, the first rule with a
            problem (a template or pattern that does not compile, a status
            that is not one) and the problem.
    """
    for problem in ruleset.problems():
        rule_name = ruleset.rules[problem.rule or 0].name
        raise RulesFileError(f"{source}: rule {rule_name!r}: {problem}", problem)
    return ruleset


def save_rules(path: str | os.PathLike[str], ruleset: RuleSet) -> None:
    """Write a rules file atomically (temp file in the same folder, fsync, replace).

    Raises:
        RulesFileError: the file could not be written; the old file is untouched.
    """
    file = Path(path)
    data = dumps(ruleset).encode("utf-8")
    tmp_name = ""
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp_name, file)
        tmp_name = ""
        _fsync_dir(file.parent)
    except OSError as exc:
        raise RulesFileError(f"{file}: cannot write ({exc.strerror or exc})") from None
    finally:
        if tmp_name:
            Path(tmp_name).unlink(missing_ok=True)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (POSIX); not possible on Windows."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
