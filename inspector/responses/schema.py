"""A rules file's rules as JSON objects and back (the README's "Response rules").

Strategy. :func:`rule_from_json` checks one rule object completely (types,
names, ranges) and builds a :class:`Rule`, or raises :class:`Invalid` naming
the place (``rules[2].responses[1].status: expected a number or a template
string``) as text and as a :class:`Problem` (rule, key, item, answer), so the
editor can put it at its field. Templates are not compiled here (see
:mod:`inspector.responses.engine`). :func:`rule_to_json` writes a rule back,
unknown keys included.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from inspector.http.response import FAULTS, is_token
from inspector.responses.model import (
    MODES,
    OPS,
    SOURCES,
    Answer,
    Condition,
    Problem,
    Rule,
    listener_key,
)
from inspector.upstream.target import TargetError, UpstreamTarget, parse_target

#: the keys of one answer, and those a rule may hold as its own single answer
_ANSWER_KEYS = (
    "status", "headers", "body", "body_file", "delay_ms", "fault", "bytes_per_s", "weight",
)  # fmt: skip
_OWN_ANSWER_KEYS = _ANSWER_KEYS[:-1]
_RULE_KEYS = (
    "name", "enabled", "methods", "path", "conditions", "listeners", "cors", "responses",
    "mode", "state_key", "pause", "forward", *_OWN_ANSWER_KEYS,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class At:
    """A place in a rules document: ``rules[2].headers[0]``, ``rules[1].conditions[0].op``,
    ``rules[0].responses[1].headers[0]`` (answer 1's ``headers``)."""

    text: str
    rule: int | None = None
    field: str = ""
    index: int | None = None
    sub: str = ""  # a key inside an item (a condition's ``op``)
    answer: int | None = None

    def item(self, index: int) -> At:
        return At(f"{self.text}[{index}]", self.rule, self.field, index, answer=self.answer)

    def key(self, key: str) -> At:
        text = f"{self.text}.{key}"
        if self.rule is not None and not self.field:
            return At(text, self.rule, key)
        if self.field == "responses" and self.index is not None and self.answer is None:
            return At(text, self.rule, key, answer=self.index)  # a key of one answer
        return At(text, self.rule, self.field, self.index, key, self.answer)


class Invalid(Exception):
    """Internal: a structural problem at a place in the document."""

    def __init__(self, at: At, message: str) -> None:
        super().__init__(f"{at.text}: {message}" if at.text else message)
        detail = f"{at.sub}: {message}" if at.sub else message
        self.problem = Problem(
            field=at.field, index=at.index, rule=at.rule, message=detail, answer=at.answer
        )


def expect(value: Any, kind: type | tuple[type, ...], at: At, what: str) -> Any:
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
        raise Invalid(at, f"expected {what}, got {_json_type(value)}")
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


def _condition_from_json(obj: Any, at: At) -> Condition:
    expect(obj, dict, at, "an object")
    source = expect(obj.get("source"), str, at.key("source"), "a string")
    if source not in SOURCES:
        raise Invalid(at.key("source"), f"{source!r} is not one of {', '.join(SOURCES)}")
    op = expect(obj.get("op", "equals"), str, at.key("op"), "a string")
    if op not in OPS:
        raise Invalid(at.key("op"), f"{op!r} is not one of {', '.join(OPS)}")
    name = expect(obj.get("name", ""), str, at.key("name"), "a string")
    value = obj.get("value", "")
    if isinstance(value, (list, dict)):
        raise Invalid(at.key("value"), "expected a string, number, boolean or null")
    return Condition(source=source, name=name, op=op, value=value)


def _headers_from_json(obj: Any, at: At) -> tuple[tuple[str, str], ...]:
    if isinstance(obj, dict):
        obj = list(obj.items())
    expect(obj, list, at, "a list of [name, value] pairs")
    headers = []
    for index, pair in enumerate(obj):
        here = at.item(index)
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise Invalid(here, "expected a [name, value] pair")
        name = expect(pair[0], str, here, "a header name string")
        if not is_token(name):
            raise Invalid(here, f"{name!r} is not a valid header name")
        value = pair[1]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        headers.append((name, expect(value, str, here, "a string value")))
    return tuple(headers)


def _answer_from_json(obj: dict[str, Any], at: At, *, weighted: bool) -> Answer:
    """The answer keys of ``obj`` (a rule's own, or one item of its ``responses``)."""
    status = obj.get("status", 200)
    if isinstance(status, bool) or not isinstance(status, (int, str)):
        raise Invalid(at.key("status"), "expected a number or a template string")
    fault = obj.get("fault")
    if fault is not None:
        expect(fault, str, at.key("fault"), "a fault name or null")
        if fault not in FAULTS:
            raise Invalid(at.key("fault"), f"{fault!r} is not one of {', '.join(FAULTS)}")
    weight = obj.get("weight", 1) if weighted else 1
    expect(weight, (int, float), at.key("weight"), "a number")
    if weight < 0:
        raise Invalid(at.key("weight"), "must not be negative")
    return Answer(
        status=status,
        headers=_headers_from_json(obj.get("headers", []), at.key("headers")),
        body=expect(obj.get("body", ""), str, at.key("body"), "a string"),
        body_file=expect(obj.get("body_file", ""), str, at.key("body_file"), "a file path string"),
        delay_ms=_whole(obj.get("delay_ms", 0), at.key("delay_ms"), "a whole number of milliseconds"),
        fault=fault,
        bytes_per_s=_whole(obj.get("bytes_per_s", 0), at.key("bytes_per_s"), "a whole number of bytes"),
        weight=int(weight) if isinstance(weight, float) and weight.is_integer() else weight,
        extra=tuple((k, v) for k, v in obj.items() if k not in _ANSWER_KEYS) if weighted else (),
    )


def _whole(value: Any, at: At, what: str) -> int:
    """A whole number >= 0 (``5.0`` is 5)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    expect(value, int, at, what)
    if value < 0:
        raise Invalid(at, "must not be negative")
    return int(value)


def _responses_from_json(obj: dict[str, Any], at: At) -> tuple[Answer, ...]:
    items = obj.get("responses")
    items = [] if items is None else expect(items, list, at, "a list of answers")
    if items:
        beside = [key for key in _OWN_ANSWER_KEYS if key in obj]
        if beside:
            raise Invalid(
                at, f'"{beside[0]}" beside "responses": give each answer its own keys inside the list'
            )
    answers = []
    for index, item in enumerate(items):
        here = at.item(index)
        answers.append(_answer_from_json(expect(item, dict, here, "an object"), here, weighted=True))
    return tuple(answers)


def rule_from_json(obj: Any, index: int, at: At) -> Rule:
    """The rule at ``at`` (``index`` names it when it has no name).

    Raises:
        Invalid: the object is not a rule this version can read.
    """
    expect(obj, dict, at, "an object")
    name = expect(obj.get("name", f"rule {index + 1}"), str, at.key("name"), "a string")
    methods = obj.get("methods") or []
    if isinstance(methods, str):
        methods = [methods]
    expect(methods, list, at.key("methods"), "a list of method names")
    for i, method in enumerate(methods):
        if not isinstance(method, str) or not is_token(method):
            raise Invalid(at.key("methods").item(i), f"{method!r} is not a method name")
    conditions = obj.get("conditions") or []
    expect(conditions, list, at.key("conditions"), "a list")
    listeners = obj.get("listeners") or []
    expect(listeners, list, at.key("listeners"), 'a list of listeners ("127.0.0.1:8090")')
    for i, listener in enumerate(listeners):
        if not isinstance(listener, str) or listener_key(listener) is None:
            raise Invalid(
                at.key("listeners").item(i),
                f"{str(listener)[:80]!r} is not a listener (e.g. 127.0.0.1:8090, [::1]:8091 or 8091)",
            )
    mode = expect(obj.get("mode", MODES[0]), str, at.key("mode"), "a string")
    if mode not in MODES:
        raise Invalid(at.key("mode"), f"{mode!r} is not one of {', '.join(MODES)}")
    own = _answer_from_json(obj, at, weighted=False)
    forward: UpstreamTarget | None = None
    if obj.get("forward") is not None:
        try:
            forward = parse_target(obj["forward"])
        except TargetError as exc:
            raise Invalid(at.key("forward"), str(exc)) from None
    rule = Rule(
        name=name,
        enabled=expect(obj.get("enabled", True), bool, at.key("enabled"), "true or false"),
        methods=tuple(m.upper() for m in methods),
        path=expect(obj.get("path", "**"), str, at.key("path"), "a string"),
        conditions=tuple(
            _condition_from_json(c, at.key("conditions").item(i)) for i, c in enumerate(conditions)
        ),
        listeners=tuple(listeners),
        cors=expect(obj.get("cors", False), bool, at.key("cors"), "true or false"),
        mode=mode,
        state_key=expect(obj.get("state_key", ""), str, at.key("state_key"), "a template string"),
        pause=expect(obj.get("pause", False), bool, at.key("pause"), "true or false"),
        forward=forward,
        extra=tuple((k, v) for k, v in obj.items() if k not in _RULE_KEYS),
    )
    listed = _responses_from_json(obj, at.key("responses"))
    return dataclasses.replace(rule, responses=listed) if listed else rule.with_answers((own,))


def _answer_to_json(answer: Answer, *, listed: bool) -> dict[str, Any]:
    """An answer's keys: the three of version 1 always, the others when set."""
    obj: dict[str, Any] = {
        "status": answer.status,
        "headers": [[n, v] for n, v in answer.headers],
        "body": answer.body,
    }
    if answer.body_file:
        obj["body_file"] = answer.body_file
    if answer.delay_ms or not listed:
        obj["delay_ms"] = answer.delay_ms
    if answer.fault is not None:
        obj["fault"] = answer.fault
    if answer.bytes_per_s:
        obj["bytes_per_s"] = answer.bytes_per_s
    if listed and answer.weight != 1:
        obj["weight"] = answer.weight
    for key, value in answer.extra:
        obj.setdefault(key, value)
    return obj


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
    }
    if rule.listeners:
        obj["listeners"] = list(rule.listeners)
    if rule.listed:
        obj["mode"] = rule.mode
        if rule.state_key:
            obj["state_key"] = rule.state_key
        obj["responses"] = [_answer_to_json(a, listed=True) for a in rule.responses]
    else:
        obj.update(_answer_to_json(rule.answers[0], listed=False))
    obj["cors"] = rule.cors
    if rule.pause:
        obj["pause"] = True
    if rule.forward is not None:
        obj["forward"] = rule.forward.to_json()
    for key, value in rule.extra:
        obj.setdefault(key, value)
    return obj
