"""More of the rules file's refusals word for word (schema.py): the third rule of a file,
its second answer, booleans where numbers go, items of lists and their positions.

Each case gives the rule (the file's third), the message after ``r.json: rules[2]``, where
the Problem puts it (field, index, answer) and the Problem's own message.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from inspector.responses import RulesFileError, loads

LISTENER_HELP = "is not a listener (e.g. 127.0.0.1:8090, [::1]:8091 or 8091)"
FAULT_NAMES = "close, reset, hang, trickle, truncate, malformed"

Where = tuple[str, int | None, int | None]

# (rule, message after "r.json: rules[2]", (field, index, answer), the problem's message)
REFUSALS: list[tuple[Any, str, Where, str]] = [
    # the answer's status: a number or a template, never a boolean or a fraction
    ({"status": True}, ".status: expected a number or a template string", ("status", None, None), ""),
    ({"status": 1.5}, ".status: expected a number or a template string", ("status", None, None), ""),
    (
        {"responses": [{}, {"status": False}]},
        ".responses[1].status: expected a number or a template string",
        ("status", None, 1),
        "",
    ),
    # faults
    (
        {"responses": [{}, {"fault": "boom"}]},
        f".responses[1].fault: 'boom' is not one of {FAULT_NAMES}",
        ("fault", None, 1),
        "",
    ),
    (
        {"responses": [{}, {"fault": False}]},
        ".responses[1].fault: expected a fault name or null, got a boolean",
        ("fault", None, 1),
        "",
    ),
    # weights: numbers, zero allowed, never negative, never a boolean
    (
        {"responses": [{"weight": True}]},
        ".responses[0].weight: expected a number, got a boolean",
        ("weight", None, 0),
        "",
    ),
    (
        {"responses": [{}, {"weight": -0.5}]},
        ".responses[1].weight: must not be negative",
        ("weight", None, 1),
        "",
    ),
    (
        {"responses": [{}, {"weight": None}]},
        ".responses[1].weight: expected a number, got null",
        ("weight", None, 1),
        "",
    ),
    # whole numbers: 5.0 is 5, 1.5 and true are not whole numbers
    (
        {"delay_ms": 1.5},
        ".delay_ms: expected a whole number of milliseconds, got a number",
        ("delay_ms", None, None),
        "",
    ),
    (
        {"delay_ms": True},
        ".delay_ms: expected a whole number of milliseconds, got a boolean",
        ("delay_ms", None, None),
        "",
    ),
    ({"bytes_per_s": -1}, ".bytes_per_s: must not be negative", ("bytes_per_s", None, None), ""),
    (
        {"responses": [{}, {"delay_ms": -1.0}]},
        ".responses[1].delay_ms: must not be negative",
        ("delay_ms", None, 1),
        "",
    ),
    (
        {"responses": [{}, {"bytes_per_s": 2.5}]},
        ".responses[1].bytes_per_s: expected a whole number of bytes, got a number",
        ("bytes_per_s", None, 1),
        "",
    ),
    (
        {"responses": [{}, {"bytes_per_s": [1]}]},
        ".responses[1].bytes_per_s: expected a whole number of bytes, got a list",
        ("bytes_per_s", None, 1),
        "",
    ),
    # bodies
    ({"body": 5}, ".body: expected a string, got a number", ("body", None, None), ""),
    (
        {"responses": [{}, {"body": []}]},
        ".responses[1].body: expected a string, got a list",
        ("body", None, 1),
        "",
    ),
    (
        {"responses": [{}, {"body_file": {}}]},
        ".responses[1].body_file: expected a file path string, got an object",
        ("body_file", None, 1),
        "",
    ),
    # headers: a list of pairs or an object; numbers become text, booleans do not
    (
        {"headers": {"X-A": True}},
        ".headers[0]: expected a string value, got a boolean",
        ("headers", 0, None),
        "",
    ),
    (
        {"headers": {"X-A": "1", "Bad Name": "2"}},
        ".headers[1]: 'Bad Name' is not a valid header name",
        ("headers", 1, None),
        "",
    ),
    ({"headers": [["X", "1", "2"]]}, ".headers[0]: expected a [name, value] pair", ("headers", 0, None), ""),
    ({"headers": ["XY"]}, ".headers[0]: expected a [name, value] pair", ("headers", 0, None), ""),
    ({"headers": [{"X": "1"}]}, ".headers[0]: expected a [name, value] pair", ("headers", 0, None), ""),
    (
        {"headers": [["A", "1"], ["B", {}]]},
        ".headers[1]: expected a string value, got an object",
        ("headers", 1, None),
        "",
    ),
    (
        {"headers": [["A", "1"], [None, "2"]]},
        ".headers[1]: expected a header name string, got null",
        ("headers", 1, None),
        "",
    ),
    (
        {"headers": 5},
        ".headers: expected a list of [name, value] pairs, got a number",
        ("headers", None, None),
        "",
    ),
    (
        {"responses": [{}, {"headers": [["X", "1"], ["Y Z", "2"]]}]},
        ".responses[1].headers[1]: 'Y Z' is not a valid header name",
        ("headers", 1, 1),
        "",
    ),
    (
        {"responses": [{}, {"headers": True}]},
        ".responses[1].headers: expected a list of [name, value] pairs, got a boolean",
        ("headers", None, 1),
        "",
    ),
    # conditions: the item, then the key inside it (the problem's message names the key)
    ({"conditions": [5]}, ".conditions[0]: expected an object, got a number", ("conditions", 0, None), ""),
    (
        {"conditions": [{"source": "header"}, {}]},
        ".conditions[1].source: expected a string, got null",
        ("conditions", 1, None),
        "source: expected a string, got null",
    ),
    (
        {"conditions": [{"source": "json", "value": {"a": 1}}]},
        ".conditions[0].value: expected a string, number, boolean or null",
        ("conditions", 0, None),
        "value: expected a string, number, boolean or null",
    ),
    (
        {"conditions": [{"source": "body", "op": "absent", "name": []}]},
        ".conditions[0].name: expected a string, got a list",
        ("conditions", 0, None),
        "name: expected a string, got a list",
    ),
    (
        {"conditions": [{"source": "query", "op": None}]},
        ".conditions[0].op: expected a string, got null",
        ("conditions", 0, None),
        "op: expected a string, got null",
    ),
    (
        {"conditions": [{"source": "Header"}]},
        ".conditions[0].source: 'Header' is not one of header, query, body, json",
        ("conditions", 0, None),
        "source: 'Header' is not one of header, query, body, json",
    ),
    (
        {"conditions": [{"source": "query", "op": "Equals"}]},
        ".conditions[0].op: 'Equals' is not one of equals, contains, regex, present, absent",
        ("conditions", 0, None),
        "op: 'Equals' is not one of equals, contains, regex, present, absent",
    ),
    (
        {"conditions": {"source": "header"}},
        ".conditions: expected a list, got an object",
        ("conditions", None, None),
        "",
    ),
    # mode, methods, listeners
    (
        {"mode": "shuffle"},
        ".mode: 'shuffle' is not one of sequence, cycle, random",
        ("mode", None, None),
        "",
    ),
    ({"methods": [5]}, ".methods[0]: 5 is not a method name", ("methods", 0, None), ""),
    ({"methods": ["GET", ""]}, ".methods[1]: '' is not a method name", ("methods", 1, None), ""),
    ({"methods": "G T"}, ".methods[0]: 'G T' is not a method name", ("methods", 0, None), ""),
    (
        {"methods": {"GET": 1}},
        ".methods: expected a list of method names, got an object",
        ("methods", None, None),
        "",
    ),
    (
        {"listeners": ["127.0.0.1:8090", "nope"]},
        f".listeners[1]: 'nope' {LISTENER_HELP}",
        ("listeners", 1, None),
        "",
    ),
    ({"listeners": ["8090", 8091]}, f".listeners[1]: '8091' {LISTENER_HELP}", ("listeners", 1, None), ""),
    ({"listeners": ["x" * 200]}, f".listeners[0]: {'x' * 80!r} {LISTENER_HELP}", ("listeners", 0, None), ""),
    (
        {"listeners": 8090},
        '.listeners: expected a list of listeners ("127.0.0.1:8090"), got a number',
        ("listeners", None, None),
        "",
    ),
    # forward: the upstream target's own message, at the forward key
    (
        {"forward": "ftp://h"},
        ".forward: forward URL must start with http:// or https://, not 'ftp://h'",
        ("forward", None, None),
        "",
    ),
    (
        {"forward": {"url": "http://127.0.0.1:9", "keep_host": 1}},
        ".forward: forward keep_host must be true or false",
        ("forward", None, None),
        "",
    ),
    # the rule's own keys
    ({"name": 5}, ".name: expected a string, got a number", ("name", None, None), ""),
    ({"enabled": None}, ".enabled: expected true or false, got null", ("enabled", None, None), ""),
    ({"cors": "true"}, ".cors: expected true or false, got a string", ("cors", None, None), ""),
    ({"pause": 0}, ".pause: expected true or false, got a number", ("pause", None, None), ""),
    (
        {"state_key": None},
        ".state_key: expected a template string, got null",
        ("state_key", None, None),
        "",
    ),
    ({"path": ["/a"]}, ".path: expected a string, got a list", ("path", None, None), ""),
    # answers in a list: each its own keys, none beside the list
    (
        {"responses": [{}], "status": 201},
        '.responses: "status" beside "responses": give each answer its own keys inside the list',
        ("responses", None, None),
        "",
    ),
    (
        {"delay_ms": 5, "responses": [{}], "body": "x"},
        '.responses: "body" beside "responses": give each answer its own keys inside the list',
        ("responses", None, None),
        "",
    ),
    (
        {"responses": {}},
        ".responses: expected a list of answers, got an object",
        ("responses", None, None),
        "",
    ),
    (
        {"responses": [{}, 5]},
        ".responses[1]: expected an object, got a number",
        ("responses", 1, None),
        "",
    ),
]


@pytest.mark.parametrize(("rule", "message", "where", "detail"), REFUSALS)
def test_a_refused_rule_names_its_place_and_field(rule: Any, message: str, where: Where, detail: str) -> None:
    with pytest.raises(RulesFileError) as info:
        loads(json.dumps({"rules": [{}, {"name": "ok"}, rule]}), source="r.json")
    assert str(info.value) == "r.json: rules[2]" + message
    problem = info.value.problem
    assert problem is not None
    assert (problem.rule, (problem.field, problem.index, problem.answer)) == (2, where)
    assert problem.message == (detail or message.split(": ", 1)[1])
