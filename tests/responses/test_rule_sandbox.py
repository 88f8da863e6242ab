"""The sandbox: escapes refused, time and size caps produce a 500 with an error."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.responses import Responder, Rule, RuleSet, budget, render, sandbox

ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ ''|attr('__class__') }}",
    "{{ (''|attr('__class__')).__mro__ }}",
    "{{ request.__class__ }}",
    "{{ request.__dict__ }}",
    "{{ request._record }}",
    "{{ request.query._pairs }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ joiner.__init__.__globals__['os'] }}",
    "{{ namespace.__init__.__globals__ }}",
    "{{ now.__globals__ }}",
    "{{ uuid.__globals__ }}",
    "{{ range.__globals__ }}",
    "{{ self.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ request.json.__class__ }}",
    "{{ (1).__class__.__base__.__subclasses__() }}",
    "{{ '{0.__class__}'.format(request) }}",
    "{{ '{0.__class__.__mro__}'|format(request) }}",
    "{{ request.params.update({'x': 1}) }}",
    "{% set d = {} %}{{ d.setdefault('a', 1) }}",
    "{{ [].append.__self__ }}",
]

#: what a successful escape would print: object reprs, a module's globals
LEAKS = ("<class", "<function", "<module", "<built-in", "object at 0x", "__builtins__", "'__name__'")


@pytest.mark.parametrize("template", ESCAPES)
def test_sandbox_escapes_answer_500_without_leaking(make_record: Any, template: str) -> None:
    responder = Responder(RuleSet(rules=(Rule(name="evil", body=template),)))
    response = responder(make_record(body=b'{"a": 1}'))
    assert response.status == 500, response.body
    assert response.error is not None and response.error.startswith("evil: body")
    text = response.body.decode() + response.error
    for leak in LEAKS:
        assert leak not in text, leak


def test_unbounded_globals_are_not_offered(make_record: Any) -> None:
    assert "lipsum" not in sandbox._ENV.globals
    assert render(Rule(name="l", body="[{{ lipsum() }}]"), make_record()).status == 500


def test_request_data_is_never_compiled(make_record: Any) -> None:
    payload = "{{ 7 * 7 }}{% for x in range(3) %}x{% endfor %}"
    rule = Rule(
        name="echo",
        headers=(("X-Q", "{{ request.query.q }}"),),
        body="{{ request.body }}|{{ request.query.q }}|{{ request.headers.x_t }}",
    )
    record = make_record(
        query=(("q", payload),), headers=(("X-T", payload),), body=payload.encode()
    )
    response = render(rule, record)
    assert response.body.decode() == "|".join([payload] * 3)
    assert dict(response.headers)["X-Q"] == payload


def test_nested_range_loop_is_stopped_by_the_time_cap(make_record: Any) -> None:
    template = (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    )
    response = render(Rule(name="spin", body=template), make_record())
    assert response.status == 500
    assert response.error == "spin: body: rendering took longer than 1 s of CPU time"


SLOW = [
    # loops over non-range iterables, no output, no calls
    "{% set s = 'x' * 1000 %}{% for a in s %}{% for b in s %}{% for c in s %}"
    "{% endfor %}{% endfor %}{% endfor %}",
    # many short nested loops
    "{% for a in 'abcdefghij' %}{% for b in 'abcdefghij' %}{% for c in 'abcdefghij' %}"
    "{% for d in 'abcdefghij' %}{% for e in 'abcdefghij' %}{% for f in 'abcdefghij' %}"
    "{% for g in 'abcdefghij' %}{% for h in 'abcdefghij' %}{% endfor %}{% endfor %}"
    "{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
    # exponential macro recursion without loops
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(40) }}",
    # a loop inside a header value
    "{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}{% endfor %}{% endfor %}",
]


@pytest.mark.parametrize("template", SLOW)
def test_time_cap_reaches_every_kind_of_loop(
    make_record: Any, monkeypatch: pytest.MonkeyPatch, template: str
) -> None:
    monkeypatch.setattr(budget, "MAX_RENDER_SECONDS", 0.05)
    monkeypatch.setattr(budget, "MAX_EMITTED", 10**12)
    monkeypatch.setattr(budget, "MAX_OUTPUT", 10**12)
    response = Responder(RuleSet(rules=(Rule(name="slow", body=template),)))(make_record())
    assert response.status == 500
    assert response.error is not None
    assert "rendering took longer than" in response.error


def test_time_cap_covers_headers_and_status(
    make_record: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(budget, "MAX_RENDER_SECONDS", 0.05)
    spin = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    for rule in (
        Rule(name="h", headers=(("X-Spin", spin),)),
        Rule(name="s", status=spin + "200"),
    ):
        response = render(rule, make_record())
        assert response.error is not None and "longer than" in response.error, response.error


SIZE = [
    ("{{ 'x' * (1024 * 1024 + 1) }}", "output is larger than"),
    ("{% for i in range(2000) %}{{ 'y' * 1000 }}{% endfor %}", "output is larger than"),
    ("{{ request.body }}", "output is larger than"),
    ("{{ 'x' * 10**9 }}", "'*' would build"),
    ("{{ ['x' * 1000] * 10**6 }}", "'*' would build"),
    ("{{ 2 ** 1000000000 }}", "'**' would build"),
    ("{% set s = 'x' * 4000000 %}{{ (s + s)|length }}", "'+' would build"),
    ("{% set s = 'x' * 3000000 %}{{ (s ~ s)|length }}", "join would build"),
    ("{{ 'x'.center(10**9) }}", "center() with a width"),
    ("{{ 'x'.ljust(10**9) }}", "ljust() with a width"),
    ("{{ 'x'.zfill(10**9) }}", "zfill() with a width"),
    ("{{ 'x'|center(10**9) }}", "center() with a width"),
    ("{{ 'a\nb'|indent(10**9) }}", "indent() with a width"),
    ("{{ [1]|batch(10**9, 0)|list }}", "batch() with a width"),
    ("{{ '%999999999d' % 1 }}", "'%' format"),
    ("{{ '%*d' % (10**9, 1) }}", "'%' format"),
    ("{{ '%999999999d'|format(1) }}", "'%' format"),
    ("{{ '{:>999999999}'.format(1) }}", "format() with a nested or huge width"),
    ("{{ '{:>{}}'.format(1, 10**9) }}", "format() with a nested or huge width"),
    ("{% set s = 'x' * 100000 %}{{ ([s] * 30) | join(s) }}", "join would build"),
    ("{% set s = 'x' * 1000000 %}{{ s.join(['a'] * 10) }}", "join would build"),
    ("{% set s = 'x' * 1000000 %}{{ s|replace('x', 'yyyyyyy') }}", "replace would build"),
    ("{% set s = 'x' * 1000000 %}{{ s.replace('x', 'yyyyyyy') }}", "replace would build"),
    ("{% set s = 'x' * 100000 %}{{ {'a': [s] * 30, 'b': [s] * 30} | tojson }}", "tojson would"),
    (
        "{% set s = 'x' * 100000 %}{% set big %}{% for i in range(100) %}{{ s }}{% endfor %}"
        "{% endset %}{{ big|length }}",
        "produced more than",
    ),
    ("{{ range(10**7)|length }}", "range() of 10000000 items"),
]


@pytest.mark.parametrize(("template", "part"), SIZE)
def test_size_caps(make_record: Any, template: str, part: str) -> None:
    record = make_record(body=b"z" * (1024 * 1024 + 1))
    response = Responder(RuleSet(rules=(Rule(name="big", body=template),)))(record)
    assert response.status == 500, response.body[:200]
    assert response.error is not None and part in response.error
    assert len(response.body) < 1000


def test_output_exactly_at_the_cap_is_allowed(make_record: Any) -> None:
    response = render(Rule(name="cap", body="{{ 'x' * 1048576 }}"), make_record())
    assert response.status == 200
    assert len(response.body) == 1024 * 1024


def test_header_value_cap(make_record: Any) -> None:
    response = render(Rule(name="h", headers=(("X-Big", "{{ 'x' * 70000 }}"),)), make_record())
    assert response.error is not None and response.error.startswith("h: headers[0]")


def test_legitimate_templates_still_work(make_record: Any) -> None:
    template = (
        "{% set ns = namespace(total=0) %}"
        "{% for i in range(1000) %}{% set ns.total = ns.total + i %}{% endfor %}"
        "{{ ns.total }} {{ range(5)|list }} {{ 'ab' ~ 'cd' }} {{ 2 ** 10 }} "
        "{{ 'x'.center(5, '-') }} {{ [1, 2, 3]|join('+') }} {{ 'aXa'|replace('X', 'b') }} "
        "{% for row in [1, 2, 3, 4]|batch(2) %}{{ row }}{% endfor %} {{ loop_test }}"
        "{% for x in 'abc' %}{{ loop.index }}{{ x }}{% if loop.last %}!{% endif %}{% endfor %}"
        "{% for x in [] %}no{% else %}empty{% endfor %}"
    )
    response = render(Rule(name="ok", body=template), make_record())
    assert response.error is None, response.error
    assert response.body.decode() == (
        "499500 [0, 1, 2, 3, 4] abcd 1024 --x-- 1+2+3 aba [1, 2][3, 4] 1a2b3c!empty"
    )
