"""bytes.join, bytes.replace, replace(count=...) and expandtabs(tabsize=...) are capped like
their str forms: one call in a template cannot build a value past MAX_VALUE (before, each built
gigabytes)."""

from __future__ import annotations

import pytest

from inspector.responses.budget import MAX_VALUE, MAX_WIDTH, RenderLimitError
from tests.responses.sandboxed import render as _render


def _too_big(what: str, size: int) -> str:
    return f"{what} would build a value of {size} items (limit {MAX_VALUE})"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        # 1,000 items joined by a 4,200-byte separator: one byte short of 4.2 MB
        ("{{ sep.encode().join([''.encode()] * 1000)|length }}", _too_big("join", 4200 * 999)),
        (
            "{{ b.replace(''.encode(), ('x' * 1000).encode())|length }}",
            _too_big("replace", 5000 + 5001 * 1000),
        ),
        (
            "{{ b.replace(''.encode(), ('x' * 1000).encode(), 5000)|length }}",
            _too_big("replace", 5000 * 1001),
        ),
        (  # count as a keyword (Python 3.13 takes it) is bounded too
            "{{ b.replace(''.encode(), ('x' * 1000).encode(), count=5000)|length }}",
            _too_big("replace", 5000 * 1001),
        ),
        (
            "{{ ('a' * 5000).replace('', 'x' * 1000, count=-1)|length }}",
            _too_big("replace", 5000 + 5001 * 1000),
        ),
        (
            f"{{{{ s.expandtabs(tabsize={MAX_WIDTH})|length }}}}",
            _too_big("expandtabs", (MAX_VALUE // MAX_WIDTH + 1) * MAX_WIDTH),
        ),
        (
            f"{{{{ s.encode().expandtabs(tabsize={MAX_WIDTH})|length }}}}",
            _too_big("expandtabs", (MAX_VALUE // MAX_WIDTH + 1) * MAX_WIDTH),
        ),
    ],
)
def test_bytes_methods_cannot_build_past_the_cap(source: str, message: str) -> None:
    with pytest.raises(RenderLimitError) as caught:
        _render(source, sep="-" * 4200, b=b"a" * 5000, s="\t" * (MAX_VALUE // MAX_WIDTH + 1))
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{{ '-'.encode().join(['a'.encode(), 'b'.encode()]) }}", "b'a-b'"),
        ("{{ '-'.encode().join([]) }}|{{ '-'.encode().join(['a'.encode()]) }}", "b''|b'a'"),
        ("{{ 'aaa'.encode().replace('a'.encode(), 'bc'.encode()) }}", "b'bcbcbc'"),
        ("{{ 'aaa'.encode().replace('a'.encode(), 'b'.encode(), 2) }}", "b'bba'"),
        ("{{ 'aaa'.replace('a', 'b', count=2) }}", "bba"),
        ("{{ 'aaa'.encode().replace('a'.encode(), 'b'.encode(), count=1) }}", "b'baa'"),
        ("{{ 'a\tb'.expandtabs(tabsize=4) }}|{{ 'a\tb'.encode().expandtabs(tabsize=2) }}", "a   b|b'a b'"),
        ("{{ (sep.encode().join([''.encode()] * 999))|length }}", str(4200 * 998)),
    ],
)
def test_bytes_methods_within_the_cap_give_what_python_gives(source: str, text: str) -> None:
    assert _render(source, sep="-" * 4200) == text


@pytest.mark.parametrize(
    ("source", "python"),
    [
        ("{{ '-'.encode().join(['a', 'b']) }}", lambda: b"-".join(["a", "b"])),  # type: ignore[list-item]
        ("{{ 'a'.encode().replace('a', 'b') }}", lambda: b"a".replace("a", "b")),  # type: ignore[arg-type]
        ("{{ 'aaa'.replace('a', 'b', old='a') }}", lambda: "aaa".replace("a", "b", old="a")),  # type: ignore[call-arg]
    ],
)
def test_wrong_arguments_fail_as_python_does(source: str, python: object) -> None:
    assert callable(python)
    with pytest.raises(TypeError) as expected:
        python()
    with pytest.raises(TypeError) as caught:
        _render(source)
    assert str(caught.value) == str(expected.value)
