"""``str.format`` and ``str.format_map`` in templates: both are sandboxed (no unsafe attribute
through a field), width-checked and size-checked, and otherwise give what Python gives."""

from __future__ import annotations

import pytest
from jinja2.exceptions import SecurityError

from inspector.responses.budget import MAX_VALUE, MAX_WIDTH, RenderLimitError
from tests.responses.sandboxed import render as _render


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{{ '{a}-{b:>3}'.format_map({'a': 1, 'b': 'x'}) }}", "1-  x"),
        ("{{ '{a}'.format_map(m) }}", "from a view"),
        ("{{ '{0}-{n}'.format(1, n=2) }}", "1-2"),
        ("{{ '{0.real}|{0.imag}'.format(3) }}", "3|0"),  # safe attributes through a field
        ("{{ '{a.real}'.format_map({'a': 4}) }}", "4"),
        ("{{ '{}'.format }}", "<function str.format at"),  # a method left uncalled shows as one
        ("{{ '{}'.format_map }}", "<function str.format_map at"),
    ],
)
def test_formats_give_what_python_gives(source: str, text: str) -> None:
    assert _render(source, m={"a": "from a view"}).startswith(text)


@pytest.mark.parametrize(
    ("source", "owner"),
    [
        ("{{ '{0.__class__}'.format('') }}", "str"),
        ("{{ '{0.__class__}'.format(1) }}", "int"),
        ("{{ '{a.__class__}'.format_map({'a': ''}) }}", "str"),
        ("{{ '{a.__class__.__mro__}'.format_map(m) }}", "str"),
    ],
)
def test_formats_refuse_unsafe_attributes(source: str, owner: str) -> None:
    with pytest.raises(SecurityError) as caught:
        _render(source, m={"a": ""})
    assert str(caught.value) == f"access to attribute '__class__' of a {owner} is not allowed"


@pytest.mark.parametrize(
    "source",
    [
        "{{ '{a}'.format_map() }}",
        "{{ '{a}'.format_map({'a': 1}, {'a': 2}) }}",
        "{{ '{a}'.format_map({'a': 1}, b=2) }}",
        "{{ '{a}'.format_map(a=1) }}",
    ],
)
def test_format_map_takes_exactly_one_mapping(source: str) -> None:
    with pytest.raises(TypeError) as caught:
        _render(source)
    assert str(caught.value) == "format_map() takes exactly one argument"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            f"{{{{ '{{a:>{MAX_WIDTH + 1}}}'.format_map({{'a': 1}}) }}}}",
            f"format() with a nested or huge width ({MAX_WIDTH + 1}; limit {MAX_WIDTH})",
        ),
        (
            "{{ '{a}{a}'.format_map({'a': s}) }}",
            f"format() would build a value of {MAX_VALUE + 2} items (limit {MAX_VALUE})",
        ),
        (
            "{{ '{0}{0}'.format(s) }}",
            f"format() would build a value of {MAX_VALUE + 2} items (limit {MAX_VALUE})",
        ),
    ],
)
def test_formats_refuse_past_the_caps(source: str, message: str) -> None:
    with pytest.raises(RenderLimitError) as caught:
        _render(source, s="x" * (MAX_VALUE // 2 + 1))
    assert str(caught.value) == message
