"""Rendering: the template context, status/headers/body, failures as 500s."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from typing import Any

import pytest

from inspector.http.response import serialise
from inspector.responses import Answer, Responder, Rule, RuleSet, render, validate_rule

MULTIPART = (
    b"--XyZ\r\n"
    b'Content-Disposition: form-data; name="title"\r\n\r\n'
    b"Hello\r\n"
    b"--XyZ\r\n"
    b'Content-Disposition: form-data; name="upload"; filename="a.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\n"
    b"file text\r\n"
    b"--XyZ--\r\n"
)

CONTEXT = [
    # template, record overrides, expected body
    ("{{ request.method }}", {"method": "PATCH"}, "PATCH"),
    ("{{ request.path }}", {"target": "/a/b?x=1"}, "/a/b"),
    ("{{ request.target }}", {"target": "/a/b?x=1"}, "/a/b?x=1"),
    ("{{ request.http_version }}", {}, "1.1"),
    ("{{ request.query.name }}", {"target": "/?name=jack&age=18"}, "jack"),
    ("{{ request.query['age'] }}", {"target": "/?name=jack&age=18"}, "18"),
    ("{{ request.query.getlist('k') }}", {"target": "/?k=1&k=2&k="}, "['1', '2', '']"),
    ("{{ request.query.get('none', 'dflt') }}", {}, "dflt"),
    ("[{{ request.query.missing }}]", {}, "[]"),
    ("{{ 'yes' if 'k' in request.query else 'no' }}", {"target": "/?k"}, "yes"),
    ("{{ request.query.items() }}", {"target": "/?b=2&a=1"}, "[('b', '2'), ('a', '1')]"),
    ("{{ request.headers['user-agent'] }}", {"headers": (("User-Agent", "curl/8"),)}, "curl/8"),
    ("{{ request.headers.user_agent }}", {"headers": (("User-Agent", "curl/8"),)}, "curl/8"),
    ("{{ request.headers.HOST }}", {}, "localhost:8090"),
    (
        "{{ request.headers.getlist('x-a') | join(',') }}",
        {"headers": (("X-A", "1"), ("x-a", "2"))},
        "1,2",
    ),
    ("{{ request.cookies.sid }}", {"headers": (("Cookie", "a=1; sid=xyz"),)}, "xyz"),
    (
        "{{ request.cookies.getlist('a') }}",
        {"headers": (("Cookie", "a=1"), ("Cookie", 'a="2"'))},
        "['1', '2']",
    ),
    ("{{ request.body }}", {"body": b"caf\xc3\xa9 \xff"}, "café \ufffd"),
    ("{{ request.json.a[1].b }}", {"body": b'{"a": [0, {"b": "deep"}]}'}, "deep"),
    ("{{ request.json is none }}", {"body": b"{broken"}, "True"),
    ("[{{ request.json.a.b }}]", {"body": b"{broken"}, "[]"),
    (
        "{{ request.form.name }} {{ request.form.getlist('t') }}",
        {
            "headers": (("Content-Type", "application/x-www-form-urlencoded"),),
            "body": b"name=Jo+Doe&t=1&t=2",
        },
        "Jo Doe ['1', '2']",
    ),
    (
        "{{ request.form.title }}/{{ request.files.upload }}",
        {"headers": (("Content-Type", "multipart/form-data; boundary=XyZ"),), "body": MULTIPART},
        "Hello/file text",
    ),
    ("[{{ request.form.x }}]", {"body": b"x=1"}, "[]"),
    ("{{ request.client.host }}:{{ request.client.port }}", {}, "127.0.0.1:54321"),
    ("{{ request.client.host }}", {"client": "[::1]:9"}, "::1"),
    ("{{ request.client }}", {"client": "[::1]:9"}, "[::1]:9"),
    ("{{ request.server.port }}", {}, "8090"),
    ("{{ request.params }}", {}, "{}"),
    ("{{ counter }}", {}, "1"),
    ("{{ none }}|{{ undefined_name }}|{{ undefined_name.deeper }}", {}, "||"),
    ("{{ request.query | tojson }}", {"target": "/?a=1&a=2&b="}, '{"a": ["1", "2"], "b": ""}'),
    ("{{ request.client | tojson }}", {}, '{"host": "127.0.0.1", "port": 54321}'),
    ("{{ {'s': 'é<>&'} | tojson }}", {}, '{"s": "é<>&"}'),
    ("{{ missing | tojson }}", {}, "null"),
    ("line\n", {}, "line\n"),
    ("{{ '%05d' % 42 }} {{ '{}-{}'.format(1, 2) }} {{ 'ab' * 3 }}", {}, "00042 1-2 ababab"),
]


@pytest.mark.parametrize(("template", "overrides", "expected"), CONTEXT)
def test_context(make_record: Any, template: str, overrides: dict[str, Any], expected: str) -> None:
    response = render(Rule(name="t", body=template), make_record(**overrides))
    assert response.error is None, response.error
    assert response.body.decode() == expected


def test_path_params_and_helpers(make_record: Any) -> None:
    rule = Rule(
        name="user",
        path="/users/{id}",
        headers=(("X-Id", "{{ request.params.id }}"), ("X-Uuid", "{{ uuid() }}")),
        body="{{ now().isoformat() }}|{{ now().tzinfo }}|{{ uuid() }}",
    )
    before = dt.datetime.now(tz=dt.UTC)
    response = Responder(RuleSet(rules=(rule,)))(make_record(target="/users/42"))
    stamp, tz, ident = response.body.decode().split("|")
    assert dt.datetime.fromisoformat(stamp) >= before
    assert tz == "UTC"
    assert uuid.UUID(ident).version == 4
    headers = dict(response.headers)
    assert headers["X-Id"] == "42"
    assert uuid.UUID(headers["X-Uuid"]).version == 4


def test_request_tojson_echo(make_record: Any) -> None:
    rule = Rule(name="echo", body="{{ request | tojson }}")
    record = make_record(
        method="POST",
        target="/p?q=1",
        headers=(("Host", "h"), ("Content-Type", "application/json")),
        body=b'{"k": [1, 2]}',
    )
    echoed = json.loads(render(rule, record).body)
    assert echoed["method"] == "POST"
    assert echoed["query"] == {"q": "1"}
    assert echoed["headers"] == {"Host": "h", "Content-Type": "application/json"}
    assert echoed["json"] == {"k": [1, 2]}
    assert echoed["client"] == {"host": "127.0.0.1", "port": 54321}


def test_counter_increments_per_rule_and_starts_again_when_rules_are_put_in_use(
    make_record: Any,
) -> None:
    # counters are answer state: saving or loading rules (set_rules) resets them
    a = Rule(name="a", path="/a", body="{{ counter }}")
    b = Rule(name="b", path="/b", body="{{ counter }}")
    responder = Responder(RuleSet(rules=(a, b)))
    bodies = [responder(make_record(target=t)).body for t in ("/a", "/a", "/b", "/a")]
    assert bodies == [b"1", b"2", b"1", b"3"]
    assert responder.peek_counter("a") == 4
    assert render(a, make_record(target="/a"), counter=responder.peek_counter("a")).body == b"4"
    responder.set_rules(RuleSet(rules=(Rule(name="a", path="/a", body="n={{ counter }}"),)))
    assert responder.peek_counter("a") == 1
    assert [responder(make_record(target="/a")).body for _ in range(2)] == [b"n=1", b"n=2"]
    responder.reset_state()
    assert responder(make_record(target="/a")).body == b"n=1"


def test_counter_and_step_are_thread_safe(make_record: Any) -> None:
    # each request's answer of a sequence is its own count: no two threads share one
    answers = tuple(Answer(body=f"{n} {{{{ counter }}}}") for n in range(1, 1001))
    responder = Responder(RuleSet(rules=(Rule(name="c", responses=answers),)))
    record = make_record()
    seen: list[tuple[int, int]] = []
    lock = threading.Lock()

    def work() -> None:
        mine = []
        for _ in range(200):
            step, counter = responder(record).body.split()
            mine.append((int(step), int(counter)))
        with lock:
            seen.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counter for _, counter in seen) == list(range(1, 801))
    assert all(step == counter for step, counter in seen)


@pytest.mark.parametrize(
    ("status", "target", "expected"),
    [
        (201, "/", 201),
        ("404", "/", 404),
        ("{{ 404 if request.query.missing else 200 }}", "/?missing=1", 404),
        ("{{ 404 if request.query.missing else 200 }}", "/", 200),
        ("  {{ 418 }}\n", "/", 418),
    ],
)
def test_status(make_record: Any, status: int | str, target: str, expected: int) -> None:
    response = render(Rule(name="s", status=status), make_record(target=target))
    assert (response.status, response.error) == (expected, None)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("{{ 'teapot' }}", "'teapot' is not a status code"),
        ("{{ 1000 }}", "1000 is not a status code"),
        (99, "99 is not a status code (200-999)"),
        (101, "101 is informational (1xx), not a final answer"),
        ("{{ 100 }}", "100 is informational (1xx), not a final answer"),
        ("{{ 1/0 }}", "ZeroDivisionError"),
    ],
)
def test_bad_status_answers_500(make_record: Any, status: int | str, reason: str) -> None:
    response = render(Rule(name="bad", status=status), make_record())
    assert response.status == 500
    assert response.error is not None
    assert response.error.startswith("bad: status")
    assert reason in response.error


@pytest.mark.parametrize(
    ("value", "query", "where"),
    [
        ("{{ request.query.v }}", "x\r\nSet-Cookie: evil=1\r\n\r\nbody", "headers[0]"),
        ("{{ request.query.v }}", "x\x00y", "headers[0]"),
        ("{{ request.query.v }}", "\x1b[2J", "headers[0]"),
        ("{{ request.query.v }}", "a\x0bb\x0cc", "headers[0]"),
        ("{{ request.query.v }}", "del\x7f", "headers[0]"),
        ("a\r\nSet-Cookie: evil=1", "", "headers[0]"),
        ("a\x1bb", "", "headers[0]"),
    ],
)
def test_header_values_with_control_characters_are_refused(
    make_record: Any, value: str, query: str, where: str
) -> None:
    rule = Rule(name="inject", headers=(("X-Echo", value),), body="ok")
    record = make_record(target="/", query=(("v", query),))
    response = Responder(RuleSet(rules=(rule,)))(record)
    assert response.status == 500
    assert response.error is not None and response.error.startswith(f"inject: {where}")
    assert "is not allowed in a header value" in response.error
    wire, *_ = serialise(response, method="GET", keep_alive=True)
    head = wire.split(b"\r\n\r\n", 1)[0]
    names = [line.split(b":", 1)[0].lower() for line in head.split(b"\r\n")[1:]]
    assert names == [b"content-type", b"content-length"]


def test_header_values_keep_tabs_and_text(make_record: Any) -> None:
    rule = Rule(name="ok", headers=(("X-Echo", "{{ request.query.v }}"), ("X-Tab", "a\tb")))
    response = render(rule, make_record(target="/", query=(("v", "é\tü ~"),)))
    assert response.status == 200
    assert response.headers == (("X-Echo", "é\tü ~"), ("X-Tab", "a\tb"))


def test_framing_headers_from_templates_are_dropped(make_record: Any) -> None:
    rule = Rule(
        name="f",
        headers=(("Content-Length", "999"), ("transfer-encoding", "chunked"), ("X-A", "1")),
        body="four",
    )
    response = render(rule, make_record())
    assert response.headers == (("X-A", "1"),)
    wire, *_ = serialise(response, method="GET", keep_alive=True)
    assert b"Content-Length: 4\r\n" in wire and b"999" not in wire and b"chunked" not in wire


def test_delay_is_returned_not_slept(make_record: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # the server waits out the delay off its loop (docs/ARCHITECTURE.md, "Answers"):
    # rendering must neither sleep nor block on a wait
    waits: list[str] = []
    monkeypatch.setattr(time, "sleep", lambda seconds: waits.append(f"time.sleep({seconds})"))
    monkeypatch.setattr(threading.Event, "wait", lambda _e, timeout=None: waits.append(f"wait({timeout})"))
    rule = Rule(name="slow", delay_ms=2000)
    assert render(rule, make_record()).delay_ms == 2000
    assert Responder(RuleSet(rules=(rule,)))(make_record()).delay_ms == 2000
    assert waits == []


BROKEN = [
    # field, rule kwargs, expected problem field, item, line, message part
    ("body", {"body": "ok\n{% for x in y %}\nno end"}, "body", None, 2, "endfor"),
    ("body", {"body": "a\nb\n{{ 1 + }}"}, "body", None, 3, "unexpected"),
    ("header", {"headers": (("X-A", "ok"), ("X-B", "{{ oops"))}, "headers", 1, 1, ""),
    ("status", {"status": "{% if %}"}, "status", None, 1, ""),
    ("header name", {"headers": (("Bad Name", "v"),)}, "headers", 0, None, "not a header name"),
    ("1xx status", {"status": 101}, "status", None, None, "informational (1xx)"),
    ("control character", {"headers": (("X-A", "a\x0bb"),)}, "headers", 0, None, "U+000B"),
]


@pytest.mark.parametrize(("what", "kwargs", "field", "index", "line", "part"), BROKEN)
def test_broken_rule_answers_500_and_is_reported_by_validate(
    make_record: Any,
    *,
    what: str,
    kwargs: dict[str, Any],
    field: str,
    index: int | None,
    line: int | None,
    part: str,
) -> None:
    rule = Rule(name="broken", **kwargs)
    problems = validate_rule(rule)
    assert [(p.field, p.index, p.line) for p in problems] == [(field, index, line)]
    assert part.lower() in problems[0].message.lower()
    if index is not None:
        field = f"{field}[{index}]"
    good = Rule(name="good", path="/good", body="fine")
    responder = Responder(RuleSet(rules=(good, rule)))
    response = responder(make_record(target="/x"))
    assert response.status == 500
    assert response.rule == "broken"
    assert response.error is not None and response.error.startswith("broken: " + field)
    assert "\n" not in response.error
    assert response.headers == (("Content-Type", "text/plain; charset=utf-8"),)
    assert b"broken" in response.body
    assert responder(make_record(target="/good")).body == b"fine"


RUNTIME_ERRORS = [
    ("{{ 1 / 0 }}", "ZeroDivisionError"),
    ("line1\n{{ request.json.a + 'x' }}", "line 2"),
    ("{{ request.query.name() }}", "not callable"),
    ("{{ request.query.name.upper(1, 2, 3) }}", "TypeError"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "RecursionError"),
    ("{{ range(10**6) | list }}", "range()"),
    ("{{ [1, 2] | sum(attribute='x') }}", "Error"),
]


@pytest.mark.parametrize(("template", "part"), RUNTIME_ERRORS)
def test_runtime_errors_answer_500_and_later_requests_are_served(
    make_record: Any, template: str, part: str
) -> None:
    broken = Rule(name="rt", path="/broken", body=template)
    responder = Responder(RuleSet(rules=(broken, Rule(name="ok", body="ok"))))
    record = make_record(target="/broken?name=x", body=b'{"a": 1}')
    response = responder(record)
    assert response.status == 500
    assert response.error is not None
    assert response.error.startswith("rt: body")
    assert part in response.error
    assert validate_rule(broken) == []
    assert responder(make_record(target="/fine")).status == 200
    assert responder(record).status == 500
