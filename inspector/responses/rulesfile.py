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
version does not know (top level and per rule) are kept and written back.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.http.response import is_token
from inspector.paths import app_data_dir
from inspector.responses.engine import RuleSet
from inspector.responses.model import OPS, SOURCES, Condition, Problem, Rule

FORMAT_VERSION = 1
#: nesting levels a rules file may use (rules need 4; unknown keys get the rest)
MAX_DEPTH = 64
#: digits of one integer (Python refuses to read more than 4,300 by default)
MAX_INT_DIGITS = 4000
_RULE_KEYS = (
    "name", "enabled", "methods", "path", "conditions", "status", "headers", "body",
    "delay_ms", "cors",
)  # fmt: skip


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


@dataclass(frozen=True, slots=True)
class _At:
    """A place in a rules document: ``rules[2].headers[0]``, ``rules[1].conditions[0].op``."""

    text: str
    rule: int | None = None
    field: str = ""
    index: int | None = None
    sub: str = ""  # a key inside an item (a condition's ``op``)

    def item(self, index: int) -> _At:
        return _At(f"{self.text}[{index}]", self.rule, self.field, index)

    def key(self, key: str) -> _At:
        text = f"{self.text}.{key}"
        if self.rule is not None and not self.field:
            return _At(text, self.rule, key)
        return _At(text, self.rule, self.field, self.index, key)


class _Invalid(Exception):
    """Internal: a structural problem at a place in the document."""

    def __init__(self, at: _At, message: str) -> None:
        super().__init__(f"{at.text}: {message}" if at.text else message)
        detail = f"{at.sub}: {message}" if at.sub else message
        self.problem = Problem(field=at.field, index=at.index, rule=at.rule, message=detail)


class _Unreadable(Exception):
    """Internal: JSON that parses but that no rules file can mean."""


def _expect(value: Any, kind: type | tuple[type, ...], at: _At, what: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        raise _Invalid(at, f"expected {what}, got {_json_type(value)}")
    return value


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _condition_from_json(obj: Any, at: _At) -> Condition:
    _expect(obj, dict, at, "an object")
    source = _expect(obj.get("source"), str, at.key("source"), "a string")
    if source not in SOURCES:
        raise _Invalid(at.key("source"), f"{source!r} is not one of {', '.join(SOURCES)}")
    op = _expect(obj.get("op", "equals"), str, at.key("op"), "a string")
    if op not in OPS:
        raise _Invalid(at.key("op"), f"{op!r} is not one of {', '.join(OPS)}")
    name = _expect(obj.get("name", ""), str, at.key("name"), "a string")
    value = obj.get("value", "")
    if isinstance(value, (list, dict)):
        raise _Invalid(at.key("value"), "expected a string, number, boolean or null")
    return Condition(source=source, name=name, op=op, value=value)


def _headers_from_json(obj: Any, at: _At) -> tuple[tuple[str, str], ...]:
    if isinstance(obj, dict):
        obj = list(obj.items())
    _expect(obj, list, at, "a list of [name, value] pairs")
    headers = []
    for index, pair in enumerate(obj):
        here = at.item(index)
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise _Invalid(here, "expected a [name, value] pair")
        name = _expect(pair[0], str, here, "a header name string")
        if not is_token(name):
            raise _Invalid(here, f"{name!r} is not a valid header name")
        value = pair[1]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        headers.append((name, _expect(value, str, here, "a string value")))
    return tuple(headers)


def _rule_from_json(obj: Any, index: int, at: _At) -> Rule:
    _expect(obj, dict, at, "an object")
    name = _expect(obj.get("name", f"rule {index + 1}"), str, at.key("name"), "a string")
    methods = obj.get("methods") or []
    if isinstance(methods, str):
        methods = [methods]
    _expect(methods, list, at.key("methods"), "a list of method names")
    for i, method in enumerate(methods):
        if not isinstance(method, str) or not is_token(method):
            raise _Invalid(at.key("methods").item(i), f"{method!r} is not a method name")
    status = obj.get("status", 200)
    if isinstance(status, bool) or not isinstance(status, (int, str)):
        raise _Invalid(at.key("status"), "expected a number or a template string")
    delay = obj.get("delay_ms", 0)
    if isinstance(delay, float) and delay.is_integer():
        delay = int(delay)
    _expect(delay, int, at.key("delay_ms"), "a whole number of milliseconds")
    if delay < 0:
        raise _Invalid(at.key("delay_ms"), "must not be negative")
    conditions = obj.get("conditions") or []
    _expect(conditions, list, at.key("conditions"), "a list")
    return Rule(
        name=name,
        enabled=_expect(obj.get("enabled", True), bool, at.key("enabled"), "true or false"),
        methods=tuple(m.upper() for m in methods),
        path=_expect(obj.get("path", "**"), str, at.key("path"), "a string"),
        conditions=tuple(
            _condition_from_json(c, at.key("conditions").item(i)) for i, c in enumerate(conditions)
        ),
        status=status,
        headers=_headers_from_json(obj.get("headers", []), at.key("headers")),
        body=_expect(obj.get("body", ""), str, at.key("body"), "a string"),
        delay_ms=delay,
        cors=_expect(obj.get("cors", False), bool, at.key("cors"), "true or false"),
        extra=tuple((k, v) for k, v in obj.items() if k not in _RULE_KEYS),
    )


def rule_to_json(rule: Rule) -> dict[str, Any]:
    """The JSON object of a rule (unknown keys it was read with included)."""
    obj: dict[str, Any] = {
        "name": rule.name,
        "enabled": rule.enabled,
        "methods": list(rule.methods),
        "path": rule.path,
        "conditions": [
            {"source": c.source, "name": c.name, "op": c.op, "value": c.value}
            for c in rule.conditions
        ],
        "status": rule.status,
        "headers": [[n, v] for n, v in rule.headers],
        "body": rule.body,
        "delay_ms": rule.delay_ms,
        "cors": rule.cors,
    }
    for key, value in rule.extra:
        obj.setdefault(key, value)
    return obj


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


def loads(text: str, *, source: str = "rules") -> RuleSet:
    """Parse rules-file JSON text (import, or a file's contents).

    Args:
        text: the JSON text.
        source: how to name the text in error messages (a file name).

    Raises:
        RulesFileError: invalid JSON, JSON no rules file can hold (NaN, 1e400,
            very long integers, deep nesting) or an invalid rules document.
    """
    document = _parse_json(text, source)
    try:
        _expect(document, dict, _At("top level"), 'an object with "rules"')
        version = document.get("version", FORMAT_VERSION)
        _expect(version, int, _At("version"), "a whole number")
        if version > FORMAT_VERSION:
            raise _Invalid(
                _At(""), f"version {version} is newer than this app reads (up to {FORMAT_VERSION})"
            )
        if version < 1:
            raise _Invalid(_At(""), f"version {version} is not a rules-file version")
        rules = _expect(document.get("rules", []), list, _At("rules"), "a list")
        parsed = tuple(
            _rule_from_json(r, i, _At(f"rules[{i}]", rule=i)) for i, r in enumerate(rules)
        )
    except _Invalid as exc:
        raise RulesFileError(f"{source}: {exc}", exc.problem) from None
    extra = tuple((k, v) for k, v in document.items() if k not in ("version", "rules"))
    return RuleSet(rules=parsed, version=version, extra=extra)


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
        path: the file.
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
    ruleset = loads(text, source=name)
    if strict:
        for problem in ruleset.problems():
            rule_name = ruleset.rules[problem.rule or 0].name
            raise RulesFileError(f"{name}: rule {rule_name!r}: {problem}", problem)
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
