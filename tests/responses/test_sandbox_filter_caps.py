"""Every capped filter, one by one: slow text filters refuse more than MAX_SLOW_TEXT characters,
per-item filters more than MAX_ITEMS items, width filters and padding methods a width past
MAX_WIDTH (either sign, positional or keyword); each at the cap itself is allowed."""

from __future__ import annotations

import pytest

from inspector.responses.budget import MAX_VALUE, MAX_WIDTH
from inspector.responses.guards import MAX_ITEMS, MAX_SLOW_TEXT
from tests.responses.sandboxed import refusal as _refusal
from tests.responses.sandboxed import render as _render


@pytest.mark.parametrize(
    "call",
    ["urlize", "wordwrap", "title", "pprint", "wordcount", "indent", "striptags", "xmlattr"],
)
def test_slow_text_filters_refuse_long_text(call: str) -> None:
    text = "a " * (MAX_SLOW_TEXT // 2) + "b"
    message = f"{call} of {MAX_SLOW_TEXT + 1} characters (limit {MAX_SLOW_TEXT})"
    assert _refusal(f"{{{{ s|{call} }}}}", s=text) == message


@pytest.mark.parametrize("call", ["urlize", "wordwrap", "title", "wordcount", "indent", "striptags"])
def test_slow_text_filters_take_text_at_the_cap(call: str) -> None:
    assert _render(f"{{{{ s|{call} }}}}", s="a " * (MAX_SLOW_TEXT // 2)) != ""


@pytest.mark.parametrize(
    ("call", "name"),
    [
        ("list", "list"),
        ("sort", "sort"),
        ("unique", "unique"),
        ("dictsort", "dictsort"),
        ("groupby(0)", "groupby"),
        ("sum", "sum"),
        ("min", "min"),
        ("max", "max"),
        ("batch(3)", "batch"),
        ("slice(3)", "slice"),
        ("random", "random"),
        ("items", "items"),
        ("map('string')", "map"),
        ("select('odd')", "select"),
        ("reject('odd')", "reject"),
        ("selectattr('real')", "selectattr"),
        ("rejectattr('real')", "rejectattr"),
    ],
)
def test_per_item_filters_refuse_many_items(call: str, name: str) -> None:
    many = dict.fromkeys(range(MAX_ITEMS + 1), 1)
    assert _refusal(f"{{{{ v|{call} }}}}", v=many) == f"{name} of {MAX_ITEMS + 1} items (limit {MAX_ITEMS})"


@pytest.mark.parametrize(
    ("call", "text"),
    [
        ("list|length", str(MAX_ITEMS)),
        ("sort|first", "0"),
        ("map('string')|list|length", str(MAX_ITEMS)),  # a context filter: its input is still the value
        ("select('odd')|list|length", str(MAX_ITEMS // 2)),
        ("sum", str(MAX_ITEMS * (MAX_ITEMS - 1) // 2)),
    ],
)
def test_per_item_filters_take_items_at_the_cap(call: str, text: str) -> None:
    assert _render(f"{{{{ v|{call} }}}}", v=list(range(MAX_ITEMS))) == text


_OVER = MAX_WIDTH + 1


@pytest.mark.parametrize(
    ("call", "name", "width"),
    [
        (f"center({_OVER})", "center", _OVER),
        (f"center(width={_OVER})", "center", _OVER),
        (f"indent({_OVER})", "indent", _OVER),
        (f"indent(width=-{_OVER})", "indent", -_OVER),
        (f"truncate({_OVER})", "truncate", _OVER),
        (f"truncate(5, true, '...', {_OVER})", "truncate", _OVER),
        (f"wordwrap({_OVER})", "wordwrap", _OVER),
        (f"list|batch({_OVER})", "batch", _OVER),
        (f"list|slice({_OVER})", "slice", _OVER),
    ],
)
def test_width_filters_refuse_a_huge_width(call: str, name: str, width: int) -> None:
    assert _refusal(f"{{{{ 'ab'|{call} }}}}") == f"{name}() with a width of {width} (limit {MAX_WIDTH})"


@pytest.mark.parametrize(
    ("source", "text"),
    [
        (f"{{{{ 'ab'|center({MAX_WIDTH})|length }}}}", str(MAX_WIDTH)),
        (f"{{{{ 'a\nb'|indent({MAX_WIDTH})|length }}}}", str(MAX_WIDTH + 3)),
        (f"{{{{ 'ab'|truncate({MAX_WIDTH}) }}}}", "ab"),
        (f"{{{{ 'ab'|list|batch({MAX_WIDTH})|list }}}}", "[['a', 'b']]"),
        ("{{ 'ab'|center(true) }}", "ab"),  # a bool is no width
        (f"{{{{ 'x'.center({MAX_WIDTH})|length }}}}|{{{{ 'x'.ljust(-{MAX_WIDTH}) }}}}", f"{MAX_WIDTH}|x"),
    ],
)
def test_width_filters_and_methods_take_a_width_at_the_cap(source: str, text: str) -> None:
    assert _render(source) == text


@pytest.mark.parametrize("method", ["center", "ljust", "rjust", "zfill"])
@pytest.mark.parametrize("width", [_OVER, -_OVER])
def test_padding_methods_refuse_a_huge_width(method: str, width: int) -> None:
    message = f"{method}() with a width of {width} (limit {MAX_WIDTH})"
    assert _refusal(f"{{{{ 'x'.{method}({width}) }}}}") == message
    assert _refusal(f"{{{{ 'x'.encode().{method}({width}) }}}}") == message


def test_indent_counts_the_prefix_on_every_line() -> None:
    text = "ab\n" * 1000  # 1,001 lines
    prefix = "p" * ((MAX_VALUE - len(text)) // 1001)
    allowed = len(text) + 1001 * len(prefix)
    assert allowed <= MAX_VALUE
    assert int(_render("{{ s|indent(w, true)|length }}", s=text, w=prefix)) <= allowed
    longer = prefix + "p"
    size = len(text) + 1001 * len(longer)
    assert size > MAX_VALUE
    message = f"indent would build a value of {size} items (limit {MAX_VALUE})"
    assert _refusal("{{ s|indent(w) }}", s=text, w=longer) == message
    assert _refusal("{{ s|indent(width=w) }}", s=text, w=longer) == message
