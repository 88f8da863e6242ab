"""The rules file: JSON as DESIGN.md ("Response rules and templates") shows it.

Strategy. Reading is all-or-nothing: the whole file is parsed and checked
before a :class:`RuleSet` exists, so a corrupt file leaves the caller with its
previous rules. Every failure is one :class:`RulesFileError` line naming the
file and the place (``rules.json line 3 column 5: Expecting ',' delimiter``,
``rules.json: rules[2].status: expected a number or a template string``).

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
from pathlib import Path
from typing import Any

from inspector.http.response import is_token
from inspector.paths import app_data_dir
from inspector.responses.engine import RuleSet
from inspector.responses.model import OPS, SOURCES, Condition, Rule

FORMAT_VERSION = 1
_RULE_KEYS = (
    "name", "enabled", "methods", "path", "conditions", "status", "headers", "body",
    "delay_ms", "cors",
)  # fmt: skip


class RulesFileError(ValueError):
    """A rules file that cannot be read, parsed or understood. One-line message."""


def default_rules_path() -> Path:
    """Where the app keeps its rules: ``<app data>/rules.json``."""
    return app_data_dir() / "rules.json"


class _Invalid(Exception):
    """Internal: a structural problem at a JSON location."""


def _expect(value: Any, kind: type | tuple[type, ...], where: str, what: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        raise _Invalid(f"{where}: expected {what}, got {_json_type(value)}")
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


def _condition_from_json(obj: Any, where: str) -> Condition:
    _expect(obj, dict, where, "an object")
    source = _expect(obj.get("source"), str, f"{where}.source", "a string")
    if source not in SOURCES:
        raise _Invalid(f"{where}.source: {source!r} is not one of {', '.join(SOURCES)}")
    op = _expect(obj.get("op", "equals"), str, f"{where}.op", "a string")
    if op not in OPS:
        raise _Invalid(f"{where}.op: {op!r} is not one of {', '.join(OPS)}")
    name = _expect(obj.get("name", ""), str, f"{where}.name", "a string")
    value = obj.get("value", "")
    if isinstance(value, (list, dict)):
        raise _Invalid(f"{where}.value: expected a string, number, boolean or null")
    return Condition(source=source, name=name, op=op, value=value)


def _headers_from_json(obj: Any, where: str) -> tuple[tuple[str, str], ...]:
    if isinstance(obj, dict):
        obj = list(obj.items())
    _expect(obj, list, where, "a list of [name, value] pairs")
    headers = []
    for index, pair in enumerate(obj):
        here = f"{where}[{index}]"
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise _Invalid(f"{here}: expected a [name, value] pair")
        name = _expect(pair[0], str, here, "a header name string")
        if not is_token(name):
            raise _Invalid(f"{here}: {name!r} is not a valid header name")
        value = pair[1]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        headers.append((name, _expect(value, str, here, "a string value")))
    return tuple(headers)


def rule_from_json(obj: Any, where: str = "rule") -> Rule:
    """Build a :class:`Rule` from its JSON object.

    Raises:
        RulesFileError: the object is not a valid rule (message names the key).
    """
    try:
        return _rule_from_json(obj, where, 0)
    except _Invalid as exc:
        raise RulesFileError(str(exc)) from None


def _rule_from_json(obj: Any, where: str, index: int) -> Rule:
    _expect(obj, dict, where, "an object")
    name = _expect(obj.get("name", f"rule {index + 1}"), str, f"{where}.name", "a string")
    methods = obj.get("methods") or []
    if isinstance(methods, str):
        methods = [methods]
    _expect(methods, list, f"{where}.methods", "a list of method names")
    for i, method in enumerate(methods):
        if not isinstance(method, str) or not is_token(method):
            raise _Invalid(f"{where}.methods[{i}]: {method!r} is not a method name")
    status = obj.get("status", 200)
    if isinstance(status, bool) or not isinstance(status, (int, str)):
        raise _Invalid(f"{where}.status: expected a number or a template string")
    delay = obj.get("delay_ms", 0)
    if isinstance(delay, float) and delay.is_integer():
        delay = int(delay)
    _expect(delay, int, f"{where}.delay_ms", "a whole number of milliseconds")
    if delay < 0:
        raise _Invalid(f"{where}.delay_ms: must not be negative")
    conditions = obj.get("conditions") or []
    _expect(conditions, list, f"{where}.conditions", "a list")
    return Rule(
        name=name,
        enabled=_expect(obj.get("enabled", True), bool, f"{where}.enabled", "true or false"),
        methods=tuple(m.upper() for m in methods),
        path=_expect(obj.get("path", "**"), str, f"{where}.path", "a string"),
        conditions=tuple(
            _condition_from_json(c, f"{where}.conditions[{i}]") for i, c in enumerate(conditions)
        ),
        status=status,
        headers=_headers_from_json(obj.get("headers", []), f"{where}.headers"),
        body=_expect(obj.get("body", ""), str, f"{where}.body", "a string"),
        delay_ms=delay,
        cors=_expect(obj.get("cors", False), bool, f"{where}.cors", "true or false"),
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


def loads(text: str, *, source: str = "rules") -> RuleSet:
    """Parse rules-file JSON text (import, or a file's contents).

    Args:
        text: the JSON text.
        source: how to name the text in error messages (a file name).

    Raises:
        RulesFileError: invalid JSON or an invalid rules document.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RulesFileError(f"{source} line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise RulesFileError(f"{source}: JSON nested too deeply") from None
    try:
        _expect(document, dict, "top level", 'an object with "rules"')
        version = document.get("version", FORMAT_VERSION)
        _expect(version, int, "version", "a whole number")
        if version > FORMAT_VERSION:
            raise _Invalid(
                f"version {version} is newer than this app reads (up to {FORMAT_VERSION})"
            )
        if version < 1:
            raise _Invalid(f"version {version} is not a rules-file version")
        rules = _expect(document.get("rules", []), list, "rules", "a list")
        parsed = tuple(_rule_from_json(r, f"rules[{i}]", i) for i, r in enumerate(rules))
    except _Invalid as exc:
        raise RulesFileError(f"{source}: {exc}") from None
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
        for rule_name, problem in ruleset.problems():
            raise RulesFileError(f"{name}: rule {rule_name!r}: {problem}")
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
