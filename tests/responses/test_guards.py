"""Size guards: printf %, str.format and the slow filters cannot escape the output cap."""

from __future__ import annotations

import tracemalloc
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from inspector.responses import Responder, Rule, RuleSet, render
from inspector.responses.budget import MAX_VALUE, RenderLimitError
from inspector.responses.guards import MAX_ITEMS, MAX_SLOW_TEXT, bounded_percent

CONVERSION = st.builds(
    lambda key, flags, width, precision, kind: (
        "%" + (f"({key})" if key else "") + flags + width + (f".{precision}" if precision else "") + kind
    ),
    st.sampled_from(["", "a", "b(c)d"]),
    st.sampled_from(["", "-", "0", "+ ", "#"]),
    st.sampled_from(["", "3", "12"]),
    st.sampled_from(["", "0", "2"]),
    st.sampled_from(list("sdirxXeEfFgGca%")),
)
FORMATS = st.lists(st.one_of(CONVERSION, st.text("xyz ()%", max_size=3)), max_size=5).map("".join)
ARGS = st.one_of(
    st.tuples(),
    st.tuples(st.integers(0, 120)),
    st.tuples(st.integers(0, 120), st.text("ab", max_size=3), st.floats(-9, 9)),
    st.fixed_dictionaries({"a": st.integers(65, 90), "b(c)d": st.text("q", max_size=2)}),
    st.integers(0, 9),
    st.text("w", max_size=2),
)


def outcome(call: Any) -> tuple[str, Any]:
    try:
        return "ok", call()
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        return "error", type(exc)


@settings(max_examples=1000, deadline=None)
@given(FORMATS, ARGS)
@example("%()%s", {"a": 65})  # a keyed '%%' looks the key up first (KeyError)
@example("%(a)%", {"a": 1})  # and then refuses the '%'
@example("%5%", (1,))  # '%' is literal only right after '%'
@example("%%", ())
@example("%(%#.0f%(b(c)d)3.0X)", {"a": 70})  # the key is looked up before the rest is read
def test_bounded_percent_is_percent(fmt: str, args: Any) -> None:
    expected = outcome(lambda: fmt % args)
    got = outcome(lambda: bounded_percent(fmt, args))
    if expected[0] == "ok":
        assert got == expected
    else:
        assert got[0] == "error"
    assert got[1] == expected[1]  # the same text, or the same exception type as "%" raises


@pytest.mark.parametrize(
    ("fmt", "args"),
    [
        ("%(a)3999999999s", {"a": 1}),  # the case: 7.6 s and 3.8 GiB before
        ("%3999999999s", "x"),
        ("%.3999999999f", 1.0),
        ("%*s", (10**9, "x")),
        ("%(a)60000s" * 100, {"a": 1}),  # each width allowed, the sum is not
        ("%(a)s" * 10, {"a": "x" * MAX_VALUE}),
    ],
)
def test_percent_cannot_build_a_huge_value(fmt: str, args: Any) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(RenderLimitError):
            bounded_percent(fmt, args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * MAX_VALUE  # a few values of the cap's size, never gigabytes


ESCAPES = [
    # templates that built gigabytes in one call before (or would)
    "{{ '%(a)3999999999s' % {'a': 1} }}",
    "{{ '%(a)s' | format(a='x' * 4000000) * 2 }}",
    "{{ request.body % {'a': 'x' * 60000} }}",
    "{{ request.body | format(a='y' * 60000) }}",
    "{{ request.body.format('x' * 60000) }}",
    "{{ request.body.format_map({'a': 'x' * 60000}) }}",
    "{{ '{0:{1}}'.format(1, 999999999) }}",
    "{{ request.body.translate({120: 'y' * 1000}) }}",
    "{{ request.body | indent('y' * 1000) }}",
    "{{ request.body | wordwrap(1, true, 'y' * 1000) }}",
    "{{ b'%999999999s' % (b'x',) }}",
]


@pytest.mark.parametrize("template", ESCAPES)
def test_no_template_escapes_the_output_cap(make_record: Any, template: str) -> None:
    body = b"%(a)s{0}{a}x\n" * 10_000
    response = Responder(RuleSet(rules=(Rule(name="big", body=template),)))(make_record(body=body))
    assert response.status == 500, response.body[:200]
    assert response.error is not None and "Error" not in response.error.split(":")[1]


@pytest.mark.parametrize(
    "template",
    ["{{ request.body | wordwrap(1, true, 'y' * 1000) }}", "{{ request.body | indent('y' * 1000) }}"],
)
def test_padding_filters_count_what_they_insert(make_record: Any, template: str) -> None:
    record = make_record(body=b"ab\n" * 5000)  # under the slow-filter cap, not under this one
    response = render(Rule(name="pad", body=template), record)
    assert response.error is not None and "would build a value of" in response.error


def test_slow_filters_take_bounded_input(make_record: Any) -> None:
    link = make_record(body=b"see https://example.com")
    small = render(Rule(name="u", body="{{ request.body | urlize }}"), link)
    assert b'href="https://example.com"' in small.body
    big = make_record(body=b"a " * MAX_SLOW_TEXT)
    response = render(Rule(name="u", body="{{ request.body | urlize }}"), big)
    assert response.status == 500 and response.error is not None
    assert f"urlize of {2 * MAX_SLOW_TEXT} characters" in response.error
    items = render(Rule(name="s", body="{{ request.body | list | sort | length }}"), big)
    assert items.error is not None and f"list of {2 * MAX_SLOW_TEXT} items" in items.error
    assert 2 * MAX_SLOW_TEXT > MAX_ITEMS


def test_legal_formats_still_work(make_record: Any) -> None:
    template = (
        "{{ '%-5s|%05.1f|%(x)s' % {'x': 1} if false else '%-5s|%05.1f' % ('ab', 2.25) }} "
        "{{ '{:>4}|{:.2f}|{name}'.format(7, 1.5, name='n') }} {{ '%s=%d' | format('k', 3) }}"
    )
    response = render(Rule(name="f", body=template), make_record())
    assert response.body == b"ab   |002.2    7|1.50|n k=3"
