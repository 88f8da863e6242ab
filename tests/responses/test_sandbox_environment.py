"""The template environment the sandbox builds, and the render budget's checkpoints.

The sandbox builds its environment once, when it is imported; these tests build a fresh one
with the same function, so what it sets up (filters, globals, options) is checked as built.
The budget is checked without a clock threshold: a budget of -1 s is over from the start."""

from __future__ import annotations

import json
import uuid

import pytest
from jinja2.exceptions import SecurityError

from inspector.responses import sandbox
from inspector.responses.budget import CHECK_EVERY, MAX_VALUE, Budget, RenderLimitError, check_deadline, tick
from inspector.responses.guards import MAX_SLOW_TEXT


def _render(source: str, **variables: object) -> str:
    env = sandbox._make_environment()  # built in the test, not at import: what it builds now
    with Budget():
        return str(env.from_string(source).render(**variables))


@pytest.mark.parametrize(
    ("source", "variables", "text"),
    [
        ("line\n", {}, "line\n"),  # the trailing newline is kept
        ("[{{ none }}][{{ missing }}][{{ value }}]", {"value": None}, "[][][]"),  # None shows nothing
        ("{{ missing.deeper.still }}", {}, ""),
        ("{{ 'aaa'|replace('a', 'bc') }}|{{ 'aaa'|replace('a', 'b', 2) }}", {}, "bcbcbc|bba"),
        ("{{ '<a> & é'|tojson }}", {}, '"<a> & é"'),  # not HTML-escaped, not ASCII-escaped
        ("{{ {'k': [1, 2]}|tojson }}", {}, '{"k": [1, 2]}'),
        ("{{ ['a', 'b']|join('-') }}", {}, "a-b"),
        ("{{ '%s=%d'|format('n', 3) }}", {}, "n=3"),
        ("{{ range(3)|list }}", {}, "[0, 1, 2]"),
        ("{{ now().tzinfo }} {{ now().year > 2000 }}", {}, "UTC True"),
        ("{{ lipsum is defined }}", {}, "False"),
        ("{{ '<b>' }}", {}, "<b>"),  # autoescape off
    ],
)
def test_what_templates_render_to(source: str, variables: dict[str, object], text: str) -> None:
    assert _render(source, **variables) == text


def test_uuid_gives_a_new_version_4_uuid_each_call() -> None:
    first, second = _render("{{ uuid() }} {{ uuid() }}").split()
    assert first != second
    assert uuid.UUID(first).version == 4 and str(uuid.UUID(first)) == first


def test_filters_keep_their_caps() -> None:
    with pytest.raises(RenderLimitError):
        _render("{{ s|replace('a', s) }}", s="a" * 10_000)
    with pytest.raises(RenderLimitError):
        _render("{{ s|tojson }}", s="x" * (MAX_VALUE + 1))
    with pytest.raises(RenderLimitError, match=r"range\(\) of 10000000 items"):
        _render("{{ range(10000000) }}")
    assert json.loads(_render("{{ s|tojson }}", s="x" * 1000)) == "x" * 1000
    half = "x" * (MAX_VALUE // 2 + 1)
    with pytest.raises(RenderLimitError, match=r"^join would build a value of"):
        _render("{% set x = items|join %}{{ x|length }}", items=[half, half])
    with pytest.raises(RenderLimitError, match=r"^'%' format with a '\*' \(nested\) width"):
        _render("{{ '%*d'|format(5, 1) }}")
    with pytest.raises(RenderLimitError, match=f"^wordwrap of {MAX_SLOW_TEXT + 1} characters"):
        _render("{{ s|wordwrap }}", s="w " * (MAX_SLOW_TEXT // 2) + "w")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ ''.__class__ }}", "access to attribute '__class__' of a str is not allowed"),
        ("{{ x.__dict__ }}", "access to attribute '__dict__' of a Thing is not allowed"),
    ],
)
def test_unsafe_attributes_are_refused_naming_them(source: str, message: str) -> None:
    class Thing:
        pass

    template = sandbox.compile_template(source)
    with Budget(), pytest.raises(SecurityError) as caught:
        sandbox.render(template, {"x": Thing()})
    assert str(caught.value) == message


def test_a_budget_of_its_own_length_is_kept() -> None:
    with Budget(-1.0), pytest.raises(RenderLimitError, match="rendering took longer than 1 s"):
        check_deadline()
    with Budget(60.0):
        check_deadline()
    with Budget():
        check_deadline()  # the default: MAX_RENDER_SECONDS from now
    check_deadline()  # no budget: nothing to keep


def test_tick_reads_the_clock_every_check_every_ticks() -> None:
    with Budget(-1.0):
        for _ in range(CHECK_EVERY - 1):
            tick()
        with pytest.raises(RenderLimitError):
            tick()
        for _ in range(CHECK_EVERY - 1):
            tick()
        with pytest.raises(RenderLimitError):
            tick()
    for _ in range(CHECK_EVERY * 2):
        tick()  # no budget: nothing to keep


def test_guarded_templates_loop_print_and_concatenate_in_the_environment_built() -> None:
    env = sandbox._make_environment()
    source = "{% for c in 'ab' %}{{ c ~ '!' }}{% endfor %}|{{ n }}"
    template = env.from_string(sandbox._Guard().visit(env.parse(source)))
    with Budget():
        assert template.render(n=None) == "a!b!|"
    big = "x" * (MAX_VALUE // 2 + 1)
    concat = env.from_string(sandbox._Guard().visit(env.parse("{% set y = x ~ x %}{{ y|length }}")))
    with Budget(), pytest.raises(RenderLimitError, match=r"^join would build a value of"):
        concat.render(x=big)
