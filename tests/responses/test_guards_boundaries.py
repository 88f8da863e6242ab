"""Each size guard of the template sandbox at its edge: a value of exactly the cap is built, one
item more is refused with a message that names what and how much; the calls a guard rebuilds
(``join``, ``replace``, ``%``, ``str.format``) give what Python gives, and the calls it only
checks (every other ``str``/``bytes`` method, every other filter) are left alone."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.responses.budget import MAX_VALUE, MAX_WIDTH, RenderLimitError
from inspector.responses.guards import (
    MAX_ITEMS,
    MAX_SLOW_TEXT,
    bounded_join,
    bounded_percent,
    bounded_replace,
    weight,
)
from tests.responses.sandboxed import refusal as _refusal
from tests.responses.sandboxed import render as _render


def _too_big(what: str, size: int) -> str:
    return f"{what} would build a value of {size} items (limit {MAX_VALUE})"


# ------------------------------------------------------------------ weight


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abc", 3),
        (b"ab", 2),
        (5, 1),
        (None, 1),
        ({"a": "bbbb"}, 1),
        (["ab", "c"], 2 + 3),
        (("ab", 7), 2 + 3),
        ([["ab"]], 1 + 1 + 2),  # two levels deep are weighed item by item
        ([[["abc", "d"]]], 1 + 1 + 2),  # the third level counts as its length
        ([[], ["x" * 10]], 2 + 0 + 11),
    ],
)
def test_weight_counts_two_levels_deep(value: Any, expected: int) -> None:
    assert weight(value) == expected


def test_operators_refuse_by_weight() -> None:
    # a list of two 1 MiB strings weighs 2 + 2 MiB: times two is over the cap, times one is not
    half = MAX_VALUE // 4
    assert _render("{{ ([s, s] * 1) | length }}", s="x" * half) == "2"
    assert _refusal("{{ [s, s] * 2 }}", s="x" * half) == _too_big("'*'", 2 * (2 + 2 * half))
    assert _refusal("{{ [[s, s]] + [s] }}", s="x" * (MAX_VALUE // 3)) == _too_big(
        "'+'", 1 + 2 + 2 * (MAX_VALUE // 3) + 1 + MAX_VALUE // 3
    )


# ------------------------------------------------------- join and the running size


def test_join_builds_exactly_the_cap_and_not_one_more() -> None:
    assert len(bounded_join("", ["x" * MAX_VALUE])) == MAX_VALUE
    assert len(bounded_join("-", ["x" * (MAX_VALUE - 2), "", ""])) == MAX_VALUE
    with pytest.raises(RenderLimitError) as caught:
        bounded_join("-", ["x" * (MAX_VALUE // 2), "y" * (MAX_VALUE // 2)])
    assert str(caught.value) == _too_big("join", MAX_VALUE + 1)
    with pytest.raises(RenderLimitError) as caught:
        bounded_join("", ["x" * (MAX_VALUE // 2), "y" * (MAX_VALUE // 2), "z"])
    assert str(caught.value) == _too_big("join", MAX_VALUE + 1)


@pytest.mark.parametrize(
    ("sep", "items", "expected"),
    [
        ("-", [], ""),
        ("-", ["a"], "a"),
        ("-", ["a", "b", "c"], "a-b-c"),
        ("", [1, None, 2.5], "1None2.5"),
        (", ", ("x", "y"), "x, y"),
    ],
)
def test_join_is_str_join_of_str(sep: str, items: Any, expected: str) -> None:
    assert bounded_join(sep, items) == expected
    # and of an iterator, read once (made here: a parametrized one would be spent by a rerun)
    assert bounded_join(sep, iter(items)) == expected


def test_join_converts_each_item() -> None:
    assert bounded_join("+", [1, 2], lambda item: item * 10) == "10+20"


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{{ '-'.join(['a', 'b']) }}", "a-b"),
        ("{{ ['a', 'b'] | join('/') }}", "a/b"),
        ("{{ 'a' ~ 1 ~ 'b' }}", "a1b"),
        ("{{ '-'.encode().join(['a'.encode(), 'b'.encode()]) }}", "b'a-b'"),
    ],
)
def test_join_in_templates(source: str, text: str) -> None:
    assert _render(source) == text


@pytest.mark.parametrize(
    "source",
    [
        "{{ '-'.join([s, s]) }}",
        "{{ [s, s] | join('-') }}",
        "{{ s ~ '-' ~ s }}",
    ],
)
def test_join_in_templates_is_counted(source: str) -> None:
    message = _refusal(source, s="x" * (MAX_VALUE // 2))
    assert message == _too_big("join", MAX_VALUE + 1)


# ------------------------------------------------------------------- replace

HALF = "a" * (MAX_VALUE // 2)


@pytest.mark.parametrize(
    ("count", "length"),
    [(0, MAX_VALUE // 2), (1, MAX_VALUE // 2 + 2), (2, MAX_VALUE // 2 + 4)],
)
def test_replace_counts_only_the_replacements_it_makes(count: int, length: int) -> None:
    # all of them would triple the text; a count keeps it under the cap
    assert len(bounded_replace(HALF, "a", "bbb", count)) == length


@pytest.mark.parametrize("count", [None, -1, -5])
def test_replace_without_a_count_counts_every_replacement(count: int | None) -> None:
    with pytest.raises(RenderLimitError) as caught:
        bounded_replace(HALF, "a", "bbb", count)
    assert str(caught.value) == _too_big("replace", 3 * (MAX_VALUE // 2))


def test_replace_that_shrinks_is_never_refused() -> None:
    text = "ab" * (MAX_VALUE // 2)
    assert bounded_replace(text, "ab", "") == ""
    assert bounded_replace(text, "ab", "c", 1) == "c" + text[2:]


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{{ 'aaa'.replace('a', 'bc') }}", "bcbcbc"),
        ("{{ 'aaa'.replace('a', 'b', 1) }}", "baa"),
        ("{{ 'aaa'.replace('a', 'b', -1) }}", "bbb"),
        ("{{ 'a1a'.replace(1, 2) }}", "a2a"),
        ("{{ 'aaa' | replace('a', 'b', 2) }}", "bba"),
        ("{{ 'abcb'.find('b', 2) }}", "3"),
        ("{{ 'a,b,c'.split(',', 1) }}", "['a', 'b,c']"),
        ("{{ 'abcb'.count('b') }}", "2"),
        ("{{ 'abc'.startswith('a') }}", "True"),
        ("{{ 'a-b'.partition('-') }}", "('a', '-', 'b')"),
        ("{{ 'abcb'.encode().count('b'.encode()) }}", "2"),
        ("{{ 'aXa'.encode().replace('a'.encode(), 'b'.encode()) }}", "b'bXb'"),
        ("{{ 'ab'.encode().translate(none, 'a'.encode()) }}", "b'b'"),
        ("{{ [1, 2, 1].count(1) }}", "2"),
        ("{{ [1, 2].index(2) }}", "1"),
    ],
)
def test_other_methods_are_left_alone(source: str, text: str) -> None:
    assert _render(source) == text


def test_replace_with_four_arguments_is_pythons_error() -> None:
    with pytest.raises(TypeError, match=r"replace expected at most 3 arguments, got 4"):
        _render("{{ 'aa'.replace('a', 'b', 1, 2) }}")


@pytest.mark.parametrize(
    "source",
    ["{{ s.replace('', 'yyy') }}", "{{ s.replace('', 'yyy', 2000000) }}", "{{ s | replace('', 'yyy') }}"],
)
def test_replace_in_templates_is_counted(source: str) -> None:
    length = MAX_VALUE // 2
    hits = length + 1 if "2000000" not in source else 2000000
    assert _refusal(source, s="x" * length) == _too_big("replace", length + 3 * hits)


# ------------------------------------------------ widths of methods and filters


@pytest.mark.parametrize("method", ["center", "ljust", "rjust", "zfill"])
def test_padding_methods_take_widths_up_to_the_cap(method: str) -> None:
    assert _render(f"{{{{ 'x'.{method}({MAX_WIDTH}) | length }}}}") == str(MAX_WIDTH)
    assert _render(f"{{{{ 'x'.encode().{method}({MAX_WIDTH}) | length }}}}") == str(MAX_WIDTH)
    for width in (MAX_WIDTH + 1, -MAX_WIDTH - 1):
        message = _refusal(f"{{{{ 'x'.{method}({width}) }}}}")
        assert message == f"{method}() with a width of {width} (limit {MAX_WIDTH})"


def test_padding_methods_still_pad() -> None:
    assert _render("{{ 'x'.center(5, '*') }}|{{ 'x'.ljust(3, '.') }}|{{ '7'.zfill(3) }}") == "**x**|x..|007"
    assert _render("{{ 'x'.center(true) }}|{{ 'x'.rjust(-3) }}") == "x|x"


def test_expandtabs_counts_every_tab_at_its_width() -> None:
    tabs = MAX_VALUE // MAX_WIDTH  # 64 tabs of the widest width is the cap itself
    assert _render("{{ s.expandtabs(w) | length }}", w=MAX_WIDTH, s="\t" * tabs) == str(MAX_VALUE)
    message = _refusal("{{ s.expandtabs(w) }}", w=MAX_WIDTH, s="\t" * (tabs + 1))
    assert message == _too_big("expandtabs", (tabs + 1) * MAX_WIDTH)
    message = _refusal("{{ s.expandtabs(w) }}", w=MAX_WIDTH, s=b"\t" * (tabs + 1))
    assert message == _too_big("expandtabs", (tabs + 1) * MAX_WIDTH)
    message = _refusal("{{ s.expandtabs(w) }}", w=MAX_WIDTH + 1, s="")
    assert message == f"expandtabs() with a width of {MAX_WIDTH + 1} (limit {MAX_WIDTH})"


def test_expandtabs_without_a_width_counts_eight_per_tab() -> None:
    tabs = MAX_VALUE // 8
    assert _render("{{ s.expandtabs() | length }}", s="\t" * tabs) == str(MAX_VALUE)
    assert _refusal("{{ s.expandtabs() }}", s=b"\t" * (tabs + 1)) == _too_big("expandtabs", MAX_VALUE + 8)


def test_expandtabs_with_a_width_that_is_not_a_number_counts_eight_and_lets_python_say_so() -> None:
    tabs = MAX_VALUE // 8
    with pytest.raises(TypeError, match="cannot be interpreted as an integer"):
        _render("{{ s.expandtabs(w) }}", s="\t" * tabs, w=1.5)
    message = _refusal("{{ s.expandtabs(w) }}", s="\t" * (tabs + 1), w="3")
    assert message == _too_big("expandtabs", MAX_VALUE + 8)


def test_expandtabs_still_expands() -> None:
    assert _render("{{ 'a\tb'.expandtabs(4) }}|{{ 'a\tb'.expandtabs() }}") == "a   b|a       b"
    assert _render("{{ 'a\tb'.encode().expandtabs(3) }}") == "b'a  b'"


# ------------------------------------------------------------------- translate


def test_translate_counts_the_longest_replacement() -> None:
    quarter = MAX_VALUE // 4
    assert _render("{{ s.translate({97: 'bbbb', 98: 'c'}) | length }}", s="a" * quarter) == str(MAX_VALUE)
    message = _refusal("{{ s.translate({98: 'c', 97: 'bbbb', 99: 7}) }}", s="b" * (quarter + 1))
    assert message == _too_big("translate", 4 * (quarter + 1))
    # no replacement longer than one character: the text can only keep its length
    assert _render("{{ s.translate({97: 98, 99: None}) | length }}", s="a" * MAX_VALUE) == str(MAX_VALUE)
    assert _render("{{ s.translate({97: ''}) | length }}", s="a" * MAX_VALUE) == "0"
    assert _render("{{ s.translate({}) | length }}", s="a" * MAX_VALUE) == str(MAX_VALUE)


def test_translate_of_other_tables_is_pythons() -> None:
    assert _render("{{ 'ab'.translate('XYZ' * 40) }}") == "ab".translate("XYZ" * 40)
    # a string table maps each character to one character: any length of text
    assert _render("{{ s.translate('XYZ' * 40) | length }}", s="a" * MAX_VALUE) == str(MAX_VALUE)


# ------------------------------------------------------------------ filters


@pytest.mark.parametrize("name", ["title", "wordcount", "striptags", "urlize"])
def test_slow_filters_take_up_to_the_cap(name: str) -> None:
    _render(f"{{{{ s | {name} | string | length }}}}", s="a" * MAX_SLOW_TEXT)
    message = _refusal(f"{{{{ s | {name} }}}}", s="a" * (MAX_SLOW_TEXT + 1))
    assert message == f"{name} of {MAX_SLOW_TEXT + 1} characters (limit {MAX_SLOW_TEXT})"


@pytest.mark.parametrize("name", ["sort", "unique", "list", "max"])
def test_per_item_filters_take_up_to_the_cap(name: str) -> None:
    _render(f"{{{{ items | {name} | string | length }}}}", items=list(range(MAX_ITEMS)))
    message = _refusal(f"{{{{ items | {name} }}}}", items=list(range(MAX_ITEMS + 1)))
    assert message == f"{name} of {MAX_ITEMS + 1} items (limit {MAX_ITEMS})"


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{{ s | length }}", str(2 * MAX_SLOW_TEXT)),  # not a slow filter: any length
        ("{{ s | upper | length }}", str(2 * MAX_SLOW_TEXT)),
        ("{{ items | length }}", str(2 * MAX_ITEMS)),  # not a per-item filter
        ("{{ items | first }}", "0"),
        ("{{ items | title }}", "[0, 1, 2"),  # a slow filter of a list: counted as text, not items
        ("{{ -5 | abs }}", "5"),  # a value without a length
        ("{{ 'ab' | default(99999999) }}", "ab"),  # not a width filter
        ("{{ 3.25 | round(99999999) }}", "3.25"),
    ],
)
def test_other_filters_are_left_alone(source: str, text: str) -> None:
    got = _render(source, s="a" * (2 * MAX_SLOW_TEXT), items=list(range(2 * MAX_ITEMS)))
    assert got[: len(text)] == text


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' | center(w) }}",
        "{{ 'x' | center(width=w) }}",
        "{{ 'x' | truncate(w) }}",
        "{{ [1] | batch(w) | list }}",
        "{{ 'x' | indent(w) }}",
    ],
)
def test_width_filters_refuse_huge_widths(source: str) -> None:
    name = source.split("| ")[1].split("(", maxsplit=1)[0]
    assert _render(source.replace(" }}", " | length }}"), w=MAX_WIDTH) != ""
    assert (
        _refusal(source, w=MAX_WIDTH + 1) == f"{name}() with a width of {MAX_WIDTH + 1} (limit {MAX_WIDTH})"
    )


# 32,767 newlines and one other character: the most an indent may be given
LINES = "\n" * (MAX_SLOW_TEXT - 1) + "x"


@pytest.mark.parametrize(
    "source",
    [
        "{{ s | indent(w) | length }}",
        "{{ s | indent(width=w) | length }}",
        "{{ s | indent(w, true) | length }}",
    ],
)
def test_indent_counts_what_it_inserts_on_every_line(source: str) -> None:
    # 32,768 characters and 32,768 lines of 127 more: the cap exactly
    assert int(_render(source, s=LINES, w="y" * 127)) > len(LINES)
    message = _refusal(source, s=LINES, w="y" * 128)
    assert message == _too_big("indent", MAX_SLOW_TEXT + MAX_SLOW_TEXT * 128)


def test_indent_by_a_number_or_of_a_list_is_not_counted() -> None:
    assert _render("{{ 'a\nb' | indent(2) }}|{{ 'a\nb' | indent }}") == "a\n  b|a\n    b"
    assert _render("{{ 'a\nb' | indent('--') }}|{{ 'a\nb' | indent(width='-') }}") == "a\n--b|a\n-b"


# "abcd" wrapped at one character: 4 characters and 5 wrap strings of 838,860 at most
WRAP = "y" * ((MAX_VALUE + 1) // 5 - 1)


@pytest.mark.parametrize(
    "call",
    [
        "wordwrap(1, false, w)",
        "wordwrap(1, wrapstring=w)",
        "wordwrap(width=1, wrapstring=w)",
        "wordwrap(1, true, w, true)",
    ],
)
def test_wordwrap_counts_what_it_inserts(call: str) -> None:
    assert 4 + 5 * len(WRAP) == MAX_VALUE
    assert int(_render("{{ 'abcd' | " + call + " | length }}", w=WRAP)) >= 4
    message = _refusal("{{ 'abcde' | " + call + " }}", w=WRAP)
    assert message == _too_big("wordwrap", 5 + 6 * len(WRAP))


def test_wordwrap_counts_at_its_default_width_of_79() -> None:
    text = "a" * MAX_SLOW_TEXT
    lines = MAX_SLOW_TEXT // 79 + 1  # 415
    fits = (MAX_VALUE - MAX_SLOW_TEXT) // lines
    assert int(_render("{{ s | wordwrap(wrapstring=w) | length }}", s=text, w="y" * fits)) > MAX_SLOW_TEXT
    message = _refusal("{{ s | wordwrap(wrapstring=w) }}", s=text, w="y" * (fits + 1))
    assert message == _too_big("wordwrap", MAX_SLOW_TEXT + lines * (fits + 1))


@pytest.mark.parametrize(
    ("call", "text"),
    [
        ("wordwrap(3)", "aaa\nbbb"),
        ("wordwrap(3, true)", "aaa\nbbb"),
        ("wordwrap(3, wrapstring='|')", "aaa|bbb"),
        ("wordwrap(3, false, '|')", "aaa|bbb"),
        ("wordwrap", "aaa bbb"),
    ],
)
def test_wordwrap_still_wraps(call: str, text: str) -> None:
    assert _render("{{ 'aaa bbb' | " + call + " }}") == text


def test_wordwrap_at_width_zero_is_textwraps_error() -> None:
    with pytest.raises(ValueError, match=r"invalid width 0 \(must be > 0\)"):
        _render("{{ 'ab' | wordwrap(0, wrapstring='-') }}")


# ------------------------------------------------------------------- str.format


def test_format_counts_every_field() -> None:
    assert _render("{{ '{}{}'.format(s, s) | length }}", s="x" * (MAX_VALUE // 2)) == str(MAX_VALUE)
    message = _refusal("{{ '{}{}{}'.format(s, s, 'z') }}", s="x" * (MAX_VALUE // 2))
    assert message == _too_big("format()", MAX_VALUE + 1)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ '{:99999999}'.format(1) }}", "99999999"),
        ("{{ '{:>99999999}'.format(1) }}", "99999999"),
        ("{{ '{:.99999999f}'.format(1) }}", "99999999"),
        ("{{ '{:" + str(MAX_WIDTH + 1) + "}'.format(1) }}", str(MAX_WIDTH + 1)),
        ("{{ '{:0" + str(MAX_WIDTH + 1) + ".1f}'.format(1) }}", f"0{MAX_WIDTH + 1}"),
        ("{{ '{:5." + str(MAX_WIDTH + 1) + "}'.format(1.0) }}", str(MAX_WIDTH + 1)),
        ("{{ '{:0000000000000001}'.format(1) }}", "000000000000"),  # twelve digits shown
    ],
)
def test_format_refuses_each_huge_width(source: str, message: str) -> None:
    assert _refusal(source) == f"format() with a nested or huge width ({message}; limit {MAX_WIDTH})"


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{{ '{:" + str(MAX_WIDTH) + "}'.format(1) | length }}", str(MAX_WIDTH)),
        ("{{ '{:>6}|{:<3}|{:^5}'.format('ab', 'c', 'd') }}", "    ab|c  |  d  "),
        ("{{ '{:05.1f}|{:,}|{:x}'.format(2.25, 12345, 255) }}", "002.2|12,345|ff"),
        ("{{ '{0.imag}|{0.real}'.format(3) }}", "0|3"),
        ("{{ '{a}-{b}'.format_map({'a': 1, 'b': 2}) }}", "1-2"),
    ],
)
def test_format_still_formats(source: str, text: str) -> None:
    assert _render(source) == text


def test_a_format_spec_of_64_characters_is_allowed() -> None:
    spec = "%%" * 32
    assert _render("{{ ('{:' ~ spec ~ '}').format(now()) }}", spec=spec) == "%" * 32


# ------------------------------------------------------------------- printf %


@pytest.mark.parametrize(
    ("fmt", "args"),
    [
        ("*%s", 1),
        ("%s*", 1),
        ("a%sb%sc", ("x", "y")),
        ("%s", [1, 2]),
        ("%d%%", 5),
        ("100%%", ()),
        ("%%%s%%", "x"),
        ("%5s|%-5s|%05d|%+d|% d|%#x|%#o", ("a", "b", 3, 4, 5, 255, 8)),
        ("%.2s|%.3f|%5.1f|%.0e", ("abc", 1.0, 2.25, 12345.0)),
        ("%(a)s|%(a)r|%(b)05.1f", {"a": "q", "b": 2.5}),
        ("%(a)s %(a)s", {"a": 1}),
        ("%(x(y))s", {"x(y)": 1}),
        ("%(a)s%%%(b)s", {"a": 1, "b": 2}),
        ("%ld|%hd|%Ld", (1, 2, 3)),
        ("%s%(a)s", {"a": 1}),
        ("%c%c", (65, "b")),
        ("%s", ((1, 2),)),
        ("%r", "x"),
        ("", ()),
        ("plain", {"a": 1}),
    ],
)
def test_percent_gives_what_percent_gives(fmt: str, args: Any) -> None:
    assert bounded_percent(fmt, args) == fmt % args


@pytest.mark.parametrize(
    ("fmt", "args"),
    [
        ("%5", 1),
        ("%12", 1),
        ("%-", 1),
        ("%.", 1),
        ("%.5", 1),
        ("%l", 1),
        ("%(a)", {"a": 1}),
        ("%(a)5", {"a": 1}),
        ("%(a", {"a": 1}),
        ("%(a)s", [1]),
        ("%(a)s", (1,)),
        ("%(a)s", 5),
        ("%s %s", (1,)),
        ("%s", (1, 2)),
        ("%s", ()),
        ("%d", "x"),
        ("%z", 1),
        ("%s %s", [1, 2]),
        ("%-5%", (1,)),
        ("%-5%", ()),
        ("%(a)s%s", {"a": 1}),
    ],
)
def test_percent_fails_as_percent_fails(fmt: str, args: Any) -> None:
    with pytest.raises(Exception) as expected:
        fmt % args
    with pytest.raises(type(expected.value)) as caught:
        bounded_percent(fmt, args)
    assert str(caught.value) == str(expected.value)


@pytest.mark.parametrize(
    ("fmt", "args", "message"),
    [
        ("%.*f", (1, 1.0), "'%' format with a '*' (nested) width or precision is not allowed"),
        ("%(a)*d", {"a": 1}, "'%' format with a '*' (nested) width or precision is not allowed"),
        ("%(a)99999999d", {"a": 1}, f"'%' format with a nested or huge width (99999999; limit {MAX_WIDTH})"),
        ("%-099999999d", (1,), f"'%' format with a nested or huge width (99999999; limit {MAX_WIDTH})"),
        (
            f"%.{MAX_WIDTH + 1}d",
            (1,),
            f"'%' format with a nested or huge width ({MAX_WIDTH + 1}; limit {MAX_WIDTH})",
        ),
        (
            "%.0000000000001d",
            (1,),
            f"'%' format with a nested or huge width (000000000000; limit {MAX_WIDTH})",
        ),
        ("x%s", "y" * MAX_VALUE, _too_big("'%' format", MAX_VALUE + 1)),
        ("%sx", "y" * MAX_VALUE, _too_big("'%' format", MAX_VALUE + 1)),
        ("%s%%", "y" * MAX_VALUE, _too_big("'%' format", MAX_VALUE + 1)),
        ("%(a)s%(a)s", {"a": "y" * (MAX_VALUE // 2 + 1)}, _too_big("'%' format", MAX_VALUE + 2)),
    ],
)
def test_percent_refusals(fmt: str, args: Any, message: str) -> None:
    with pytest.raises(RenderLimitError) as caught:
        bounded_percent(fmt, args)
    assert str(caught.value) == message


def test_percent_builds_exactly_the_cap() -> None:
    assert len(bounded_percent("%s", "y" * MAX_VALUE)) == MAX_VALUE
    assert len(bounded_percent("x%s%%", "y" * (MAX_VALUE - 2))) == MAX_VALUE
    assert len(bounded_percent("%(a)s%(a)s", {"a": "y" * (MAX_VALUE // 2)})) == MAX_VALUE


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{{ '%s-%s' | format(1, 2) }}", "1-2"),
        ("{{ '%(a)s' | format(a=1) }}", "1"),
        ("{{ 5 | format }}", "5"),
        ("{{ '%s' | format([1, 2]) }}", "[1, 2]"),
        ("{{ '%s%%' % 5 }}", "5%"),
    ],
)
def test_the_format_filter_and_operator(source: str, text: str) -> None:
    assert _render(source) == text
