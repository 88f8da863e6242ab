"""The guarded operators and methods say exactly what Python says (the same exception and
the same text) when a template gets them wrong, and name the cap when they refuse; the size
checks stop at the cap itself, not one item before or after."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.responses.budget import MAX_VALUE, MAX_WIDTH, RenderLimitError
from inspector.responses.guards import bounded_percent, bounded_replace, percent_filter
from tests.responses.sandboxed import render as _render


def _outcome(call: Any) -> tuple[str, str]:
    try:
        return "ok", call()
    except (TypeError, ValueError, KeyError) as exc:
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize(
    ("fmt", "args"),
    [
        ("%s %s", ("a",)),
        ("%s", ("a", "b")),
        ("%d", ()),
        ("%(a)s", ("x",)),
        ("%(a)s", "x"),
        ("%(a", {"a": 1}),
        ("%(a(b)", {"a": 1}),
        ("%(a(b))s", {"a(b)": 7}),
        ("%()s|%(b)s", {"": 1, "b": 2}),
        ("%(missing)s", {"a": 1}),
        ("abc %", ()),
        ("%-5.2f|", 3.14159),
        ("%%|%5%", ()),
        ("%s %5%", ("a",)),
        ("%s %5%", ("a", "b")),
        ("%(a)s %5%", {"a": 1}),
        ("%ld %hi %Lf", (1, 2, 3.0)),
        ("%s", {"a": 1}),
        ("%(a)s %s", {"a": 1}),
        ("%y", (1,)),
        ("no conversions", ()),
        ("no conversions", ("left over",)),
        ("no conversions", {"a": 1}),
        ("%s and %r", ("x", "y")),
        ("ab%z", (1,)),
        ("%(a)z", {"a": 1}),
        ("%-5.2z|", (1,)),
        ("%lz", (1,)),
        ("%lld", (1,)),
        ("%(a)hhd", {"a": 1}),
        ("%l", (1,)),
        ("%l%", (1,)),
        ("%z", ()),
        ("x%\x1f", (1,)),
        ("%\x80", (1,)),
        ("%é", (1,)),
    ],
)
def test_percent_errors_are_pythons(fmt: str, args: Any) -> None:
    assert _outcome(lambda: bounded_percent(fmt, args)) == _outcome(lambda: fmt % args)


@pytest.mark.parametrize(
    ("fmt", "args", "message"),
    [
        ("%*d", (5, 1), "'%' format with a '*' (nested) width or precision is not allowed"),
        ("%.*f", (5, 1.0), "'%' format with a '*' (nested) width or precision is not allowed"),
        ("%.00000001d", (1,), f"'%' format with a nested or huge width (00000001; limit {MAX_WIDTH})"),
        ("%99999999d", (1,), f"'%' format with a nested or huge width (99999999; limit {MAX_WIDTH})"),
        (
            f"%{MAX_WIDTH + 1}d",
            (1,),
            f"'%' format with a nested or huge width ({MAX_WIDTH + 1}; limit {MAX_WIDTH})",
        ),
        (
            "%s%s",
            ("x" * MAX_VALUE, "y"),
            f"'%' format would build a value of {MAX_VALUE + 1} items (limit {MAX_VALUE})",
        ),
    ],
)
def test_percent_refusals_name_the_cap(fmt: str, args: Any, message: str) -> None:
    with pytest.raises(RenderLimitError) as caught:
        bounded_percent(fmt, args)
    assert str(caught.value) == message


def test_percent_at_the_width_cap_is_allowed() -> None:
    assert bounded_percent(f"%{MAX_WIDTH}d", 1) == f"%{MAX_WIDTH}d" % 1
    assert bounded_percent("%.0000001d", 1) == "1"  # seven digits: a width, however written


def test_the_format_filter_takes_arguments_one_way() -> None:
    assert percent_filter("%s-%s", 1, 2) == "1-2"
    assert percent_filter("%(a)s", a=1) == "1"
    with pytest.raises(TypeError) as caught:
        percent_filter("%s", 1, a=2)
    assert str(caught.value) == "can't handle positional and keyword arguments at the same time"


@pytest.mark.parametrize(
    ("s", "old", "new", "count"),
    [
        ("aaa", "a", "bc", None),
        ("aaa", "a", "b", 2),
        ("aaa", "a", "b", 0),
        ("aaa", "a", "b", -1),
        ("abc", "", "-", None),
        ("abc", "", "-", 2),
        ("abc", "x", "y", None),
        ("", "", "z", None),
    ],
)
def test_replace_is_str_replace(s: str, old: str, new: str, count: int | None) -> None:
    expected = s.replace(old, new) if count is None else s.replace(old, new, count)
    assert bounded_replace(s, old, new, count) == expected


def test_replace_stops_at_the_cap_itself() -> None:
    # every gap of an empty ``old`` gets ``new``: len + (len + 1) * 4 == MAX_VALUE exactly
    length = (MAX_VALUE + 1) // 5 - 1
    assert length + (length + 1) * 4 == MAX_VALUE
    assert len(bounded_replace("a" * length, "", "bbbb")) == MAX_VALUE
    with pytest.raises(RenderLimitError) as caught:
        bounded_replace("a" * (length + 1), "", "bbbb")
    assert str(caught.value) == f"replace would build a value of {MAX_VALUE + 5} items (limit {MAX_VALUE})"
    assert len(bounded_replace("a" * MAX_VALUE, "a", "b")) == MAX_VALUE


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{{ 'abc'.translate({97: 'xyz'}) }}", "xyzbc"),
        ("{{ 'abc'.translate({97: 98, 99: None}) }}", "bb"),
        ("{{ 'aaa'.replace('a', 'b', 2) }}|{{ 'aaa'.replace('a', 'b') }}", "bba|bbb"),
        ("{{ '-'.join(['a', 'b']) }}", "a-b"),
        ("{{ 'x'.center(5, '*') }}", "**x**"),
        ("{{ 'a\tb'.expandtabs(4) }}", "a   b"),
        ("{{ '{:>6}'.format('ab') }}", "    ab"),
    ],
)
def test_guarded_string_methods_give_what_python_gives(source: str, text: str) -> None:
    assert _render(source) == text


def test_translate_refuses_a_table_that_would_build_too_much() -> None:
    length = MAX_VALUE // 4 + 1
    with pytest.raises(RenderLimitError) as caught:
        _render("{{ s.translate({97: 'bbbb'}) }}", s="a" * length)
    assert str(caught.value) == f"translate would build a value of {length * 4} items (limit {MAX_VALUE})"
    source = "{{ s.translate({97: 'bbbb'})|length }}"
    assert _render(source, s="a" * (MAX_VALUE // 4)) == str(MAX_VALUE)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ ('{:' ~ '0' * 65 ~ '}').format(1) }}", "format() with a format spec longer than 64 characters"),
        (
            "{{ '{:.00000001}'.format('a') }}",
            f"format() with a nested or huge width (00000001; limit {MAX_WIDTH})",
        ),
    ],
)
def test_format_refusals_name_the_cap(source: str, message: str) -> None:
    with pytest.raises(RenderLimitError) as caught:
        _render(source)
    assert str(caught.value) == message
