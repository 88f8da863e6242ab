"""Calls the size guards stand in for give what Python gives: every conversion of ``%`` (and of
the ``format`` filter) with nothing between the ``%`` and its letter, and ``bytes.join`` over
items that are not bytes, which fails with Python's own message whatever the items' size."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.responses.budget import MAX_VALUE
from inspector.responses.guards import bounded_percent
from tests.responses.sandboxed import render

KINDS = "diouxXeEfFgGcrsa"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("spec", ["", "-", "#", "(v)", "(v)#", "5", ".3"])
def test_each_conversion_gives_what_percent_gives(kind: str, spec: str) -> None:
    value = 77 if kind in "diouxXc" else 255.5 if kind in "eEfFgG" else "Zz"
    fmt = f"<%{spec}{kind}>"
    args: Any = {"v": value} if spec.startswith("(") else (value,)
    assert bounded_percent(fmt, args) == fmt % args


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{{ '%X|%x|%o' % (255, 255, 8) }}", "FF|ff|10"),
        ("{{ '%X' | format(3054) }}", "BEE"),
        ("{{ '%(n)X-%(n)E' | format(n=10) }}", "A-1.000000E+01"),
        ("{{ '%G' % 0.00001 }}", "1E-05"),
    ],
)
def test_a_template_formats_every_conversion(source: str, text: str) -> None:
    assert render(source) == text


BIG = MAX_VALUE // 2


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ '-'.encode().join([1]) }}", "sequence item 0: expected a bytes-like object, int found"),
        (
            "{{ '-'.encode().join(['a'.encode(), none]) }}",
            "sequence item 1: expected a bytes-like object, NoneType found",
        ),
        # items that are not bytes add nothing to the size: Python's error, not the cap's
        (
            "{% set s = 'y' * " + str(BIG) + " %}{{ '-'.encode().join([s, s, s]) }}",
            "sequence item 0: expected a bytes-like object, str found",
        ),
    ],
)  # fmt: skip
def test_joining_what_is_not_bytes_fails_as_python_does(source: str, message: str) -> None:
    with pytest.raises(TypeError) as caught:
        render(source)
    assert str(caught.value) == message
