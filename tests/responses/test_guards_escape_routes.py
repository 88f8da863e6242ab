"""Ways around the size guards that templates had: a keyword ``tabsize``, a list or tuple as a
``translate`` table, ``join``/``replace`` on bytes (``'…'.encode()``) and ``replace`` with
``count`` as a keyword (Python 3.13 takes it). Each built a value many times the cap in one call
(terabytes with a 4 MB input); each is now refused before it is built, and the same calls under
the cap still give what Python gives."""

from __future__ import annotations

import pytest

from inspector.responses.budget import MAX_VALUE, RenderLimitError
from tests.responses.sandboxed import render as _render

# sized so that a missed check builds tens of megabytes, never gigabytes
BIG = MAX_VALUE // 2
TABLE = "[" + ", ".join(["s"] * 98) + "]"  # index 97 ('a') maps to s


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "{{ ('\t' * 65).expandtabs(tabsize=65536) | length }}",
            f"expandtabs would build a value of {65 * 65536} items (limit {MAX_VALUE})",
        ),
        (
            "{{ ('\t' * 65).encode().expandtabs(tabsize=65536) | length }}",
            f"expandtabs would build a value of {65 * 65536} items (limit {MAX_VALUE})",
        ),
        (
            "{% set s = 'y' * " + str(BIG) + " %}{{ 'aaa'.translate(" + TABLE + ") | length }}",
            f"translate would build a value of {3 * BIG} items (limit {MAX_VALUE})",
        ),
        (
            "{% set s = 'y' * " + str(BIG) + " %}{{ 'aaa'.translate((" + TABLE[1:-1] + ",)) | length }}",
            f"translate would build a value of {3 * BIG} items (limit {MAX_VALUE})",
        ),
        (
            "{{ ('x' * " + str(BIG) + ").encode().replace(''.encode(), 'yyy'.encode()) | length }}",
            f"replace would build a value of {BIG + (BIG + 1) * 3} items (limit {MAX_VALUE})",
        ),
        (
            "{{ ('y' * " + str(BIG) + ").encode().join([''.encode()] * 4) | length }}",
            f"join would build a value of {3 * BIG} items (limit {MAX_VALUE})",
        ),
        (
            "{% set z = ('z' * " + str(BIG) + ").encode() %}{{ '-'.encode().join([z, z, z]) | length }}",
            f"join would build a value of {2 * BIG + 1} items (limit {MAX_VALUE})",
        ),
        (
            "{{ ('x' * " + str(BIG) + ").replace('', 'yyy', count=-1) | length }}",
            f"replace would build a value of {BIG + (BIG + 1) * 3} items (limit {MAX_VALUE})",
        ),
        (
            "{{ ('x' * "
            + str(BIG)
            + ").encode().replace(''.encode(), 'yyy'.encode(), count="
            + str(BIG)
            + ") | length }}",
            f"replace would build a value of {BIG + BIG * 3} items (limit {MAX_VALUE})",
        ),
    ],
)
def test_no_escape_route_builds_more_than_the_cap(source: str, message: str) -> None:
    with pytest.raises(RenderLimitError) as caught:
        _render(source)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{{ 'a\tb'.expandtabs(tabsize=4) }}", "a   b"),
        ("{{ ('\t' * 64).expandtabs(tabsize=65536) | length }}", str(MAX_VALUE)),
        ("{{ 'abc'.translate(['', 'x'] * 49) }}", "xbc"),
        ("{{ 'abc'.translate(('q',) * 100) }}", "qqq"),
        ("{{ 'abc'.translate('0123456789' * 10) }}", "789"),
        ("{{ 'aXa'.encode().replace('a'.encode(), 'bc'.encode()) }}", "b'bcXbc'"),
        ("{{ 'aaa'.encode().replace('a'.encode(), 'b'.encode(), 2) }}", "b'bba'"),
        ("{{ 'ab'.encode().replace(''.encode(), '-'.encode()) }}", "b'-a-b-'"),
        ("{{ '-'.encode().join(['a'.encode(), 'b'.encode()]) }}", "b'a-b'"),
        ("{{ '-'.encode().join([]) }}", "b''"),
        ("{{ (('-' * 4200).encode().join([''.encode()] * 999)) | length }}", str(4200 * 998)),
        ("{{ 'aaa'.replace('a', 'b', count=2) }}", "bba"),
        ("{{ 'aaa'.encode().replace('a'.encode(), 'b'.encode(), count=1) }}", "b'baa'"),
        ("{% set s = 'y' * " + str(BIG) + " %}{{ 'ab'.translate(" + TABLE + ") | length }}", str(BIG + 1)),
    ],
)
def test_the_same_calls_under_the_cap_give_pythons_answer(source: str, text: str) -> None:
    assert _render(source) == text


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "{{ '-'.encode().join(['a'.encode(), 'b']) }}",
            "sequence item 1: expected a bytes-like object, str found",
        ),
        ("{{ '-'.encode().join(['a', 'b']) }}", "sequence item 0: expected a bytes-like object, str found"),
        ("{{ 'ab'.encode().replace('a', 'b') }}", "a bytes-like object is required, not 'str'"),
    ],
)
def test_bytes_errors_are_pythons(source: str, message: str) -> None:
    with pytest.raises(TypeError) as caught:
        _render(source)
    assert str(caught.value) == message


def test_replace_with_another_keyword_fails_as_python_does() -> None:
    with pytest.raises(TypeError) as expected:
        "aaa".replace("a", "b", old="a")  # type: ignore[call-arg]
    with pytest.raises(TypeError) as caught:
        _render("{{ 'aaa'.replace('a', 'b', old='a') }}")
    assert str(caught.value) == str(expected.value)
