"""The size guards at their edges: each builder stops past the cap, not at it; bytes methods
are guarded as str methods are; filter checks use the filter's own defaults."""

from __future__ import annotations

import pytest

from inspector.responses.budget import MAX_VALUE, MAX_WIDTH, RenderLimitError
from inspector.responses.guards import MAX_SLOW_TEXT, bounded_join, bounded_percent, check_method_call
from tests.responses.sandboxed import refusal as _refusal
from tests.responses.sandboxed import render as _render


def _too_big(what: str, size: int) -> str:
    return f"{what} would build a value of {size} items (limit {MAX_VALUE})"


def test_builders_allow_exactly_the_cap() -> None:
    head = "x" * (MAX_VALUE - 1)
    assert len(bounded_join("", [head, "y"])) == MAX_VALUE
    assert len(bounded_percent("%s%s", (head, "y"))) == MAX_VALUE
    assert len(bounded_percent(head + "%s", "y")) == MAX_VALUE
    assert _render("{{ ('{}{}'.format(s, 'y'))|length }}", s=head) == str(MAX_VALUE)
    with pytest.raises(RenderLimitError) as caught:
        bounded_join("", [head, "yz"])
    assert str(caught.value) == _too_big("join", MAX_VALUE + 1)


def test_wordwrap_as_jinja_does_it() -> None:
    text = "one two three four"
    assert _render("{{ s|wordwrap(9) }}", s=text) == "one two\nthree\nfour"
    assert _render("{{ s|wordwrap(9, wrapstring='|') }}", s=text) == "one two|three|four"
    assert _render("{{ s|wordwrap }}", s=text) == text  # 79 columns by default


# 32,768 characters; with the default width of 79, 415 lines
_WRAPPED = "w " * (MAX_SLOW_TEXT // 2)
_WRAP = "-" * 10_100


def test_wordwrap_checks_its_wrapstring_at_the_default_width() -> None:
    size = len(_WRAPPED) + (len(_WRAPPED) // 79 + 1) * len(_WRAP)
    assert size > MAX_VALUE
    message = _too_big("wordwrap", size)
    assert _refusal("{{ s|wordwrap(wrapstring=w)|length }}", s=_WRAPPED, w=_WRAP) == message
    assert _refusal("{{ s|wordwrap(79, true, w)|length }}", s=_WRAPPED, w=_WRAP) == message
    # wider lines, fewer wraps: under the cap, allowed
    wide = _render("{{ s|wordwrap(width=400, wrapstring=w)|length }}", s=_WRAPPED, w=_WRAP)
    assert int(wide) > len(_WRAPPED)


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{{ b.expandtabs(4) }}", "b'a   b'"),
        ("{{ b.expandtabs() }}", "b'a       b'"),
        ("{{ 'a\tb'.encode().expandtabs(2)|length }}", "3"),
    ],
)
def test_bytes_expandtabs_gives_what_python_gives(source: str, text: str) -> None:
    assert _render(source, b=b"a\tb") == text


def test_bytes_expandtabs_is_capped_like_str() -> None:
    tabs = MAX_VALUE // MAX_WIDTH + 1
    message = _too_big("expandtabs", tabs * MAX_WIDTH)
    assert _refusal(f"{{{{ b.expandtabs({MAX_WIDTH})|length }}}}", b=b"\t" * tabs) == message
    assert _refusal(f"{{{{ s.expandtabs({MAX_WIDTH})|length }}}}", s="\t" * tabs) == message
    assert _render(f"{{{{ b.expandtabs({MAX_WIDTH})|length }}}}", b=b"\t" * (tabs - 1)) == str(
        (tabs - 1) * MAX_WIDTH
    )


class _Nameless:
    """A callable carrying a string as ``__self__`` but no ``__name__``."""

    __self__ = "text"

    def __call__(self) -> str:
        return "called"


def test_a_nameless_callable_is_left_to_the_sandbox() -> None:
    assert check_method_call(_Nameless(), (), {}) is None
    assert _render("{{ f() }}", f=_Nameless()) == "called"


@pytest.mark.parametrize(
    "table",
    [
        {97: 98},  # code points and None only: one character for one at most
        {97: None},
        list(range(128)),  # not a mapping, so not read ahead: one for one
    ],
)
def test_translate_without_longer_strings_allows_text_up_to_the_cap(table: object) -> None:
    length = MAX_VALUE // 2 + 1
    translated = _render("{{ s.translate(t)|length }}", s="a" * length, t=table)
    assert translated == str(0 if table == {97: None} else length)
    assert _render("{{ s.translate(t)|length }}", s="a" * MAX_VALUE, t=table) in {"0", str(MAX_VALUE)}
