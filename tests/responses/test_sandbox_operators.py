"""The sandbox's operators and tojson at their edges: what a template gets back, what it is
refused (with the message that names why), and the caps checked at the cap itself."""

from __future__ import annotations

import json

import pytest

from inspector.responses import sandbox
from inspector.responses.budget import MAX_VALUE, Budget, RenderLimitError
from tests.responses.sandboxed import render as _render


@pytest.mark.parametrize(
    ("source", "text"),
    [
        ("{{ 1 ** 100000000 }}", "1"),  # a one-bit base never grows: not refused however high
        ("{{ (-1) ** 100000001 }}|{{ (-1) ** 100000000 }}", "-1|1"),
        ("{{ 0 ** 100000000 }}", "0"),
        ("{{ 2 ** 10 }}|{{ 2 ** -1 }}|{{ (-3) ** 3 }}", "1024|0.5|-27"),
        (f"{{{{ (2 ** {MAX_VALUE // 2}) > 0 }}}}", "True"),  # MAX_VALUE bits exactly: allowed
    ],
)
def test_powers_that_stay_small_are_computed(source: str, text: str) -> None:
    assert _render(source) == text


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (f"{{{{ 2 ** {MAX_VALUE // 2 + 1} }}}}", f"'**' would build a {MAX_VALUE + 2}-bit number"),
        (f"{{{{ (-2) ** {MAX_VALUE // 2 + 1} }}}}", f"'**' would build a {MAX_VALUE + 2}-bit number"),
        ("{{ b % 1 }}", "'%' formatting of bytes is not allowed"),
        ("{{ 'x=%d'.encode() % 1 }}", "'%' formatting of bytes is not allowed"),
        ("{{ ba % 1 }}", "'%' formatting of bytes is not allowed"),
    ],
)
def test_operators_refused_say_why(source: str, message: str) -> None:
    with pytest.raises(RenderLimitError) as caught:
        _render(source, b=b"x=%d", ba=bytearray(b"x=%d"))
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (b"a\xffb", "a\ufffdb"),  # undecodable bytes replaced, not an error
        (b"caf\xc3\xa9", "café"),
    ],
)
def test_tojson_writes_bytes_as_text(value: bytes, text: str) -> None:
    assert json.loads(_render("{{ v|tojson }}", v=value)) == text


@pytest.mark.parametrize(
    ("source", "text"),
    [
        (f"{{{{ ('x' * {MAX_VALUE})|length }}}}", str(MAX_VALUE)),  # exactly the cap: allowed
        (f"{{{{ ({MAX_VALUE} * 'x')|length }}}}", str(MAX_VALUE)),
        ("{{ (s * 0)|length }}|{{ (s * -1)|length }}|{{ (0 * s)|length }}", "0|0|0"),
        (f"{{{{ ('x' * {MAX_VALUE - 1} + 'y')|length }}}}", str(MAX_VALUE)),
        ("{{ 2.0 ** 3 }}|{{ 2.5 ** 2 }}|{{ 4 ** 0.5 }}|{{ 1 ** 10000000000.0 }}", "8.0|6.25|2.0|1.0"),
        (
            "{{ 3 * 2 }}|{{ 'ab' * 2 }}|{{ 2 * [1] }}|{{ 'a' + 'b' }}|{{ (1, 2) + (3,) }}",
            "6|abab|[1, 1]|ab|(1, 2, 3)",
        ),
        ("{{ 1 + 2 }}|{{ '%s' % 'x' }}|{{ 7 % 3 }}", "3|x|1"),
    ],
)
def test_operators_within_the_caps_give_what_python_gives(source: str, text: str) -> None:
    assert _render(source, s="x" * (MAX_VALUE + 1)) == text


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            f"{{{{ 'ab' * {MAX_VALUE // 2 + 1} }}}}",
            f"'*' would build a value of {MAX_VALUE + 2} items (limit {MAX_VALUE})",
        ),
        (
            f"{{{{ {MAX_VALUE // 2 + 1} * 'ab' }}}}",
            f"'*' would build a value of {MAX_VALUE + 2} items (limit {MAX_VALUE})",
        ),
        (
            f"{{{{ 'x' * {MAX_VALUE} + 'y' }}}}",
            f"'+' would build a value of {MAX_VALUE + 1} items (limit {MAX_VALUE})",
        ),
        ("{{ n ** 1 }}", f"'**' would build a {MAX_VALUE + 1}-bit number"),  # one bit over, not raised
    ],
)
def test_operators_over_the_caps_name_the_size(source: str, message: str) -> None:
    with pytest.raises(RenderLimitError) as caught:
        _render(source, n=1 << MAX_VALUE)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "source",
    ["{{ 'ab' * 'cd' }}", "{{ s + 1 }}", "{{ 1 + s }}", "{{ [1] + 'a' }}", "{{ 'a' * 1.5 }}"],
)
def test_operators_on_wrong_types_fail_as_python_does(source: str) -> None:
    s = "x" * MAX_VALUE  # at the cap: one more item would be over it, yet Python's error comes first
    expected = {
        "{{ 'ab' * 'cd' }}": lambda: "ab" * "cd",  # type: ignore[operator]
        "{{ s + 1 }}": lambda: s + 1,  # type: ignore[operator]
        "{{ 1 + s }}": lambda: 1 + s,  # type: ignore[operator]
        "{{ [1] + 'a' }}": lambda: [1] + "a",  # type: ignore[operator]
        "{{ 'a' * 1.5 }}": lambda: "a" * 1.5,  # type: ignore[operator]
    }[source]
    with pytest.raises(TypeError) as python:
        expected()
    with pytest.raises(TypeError) as caught:
        _render(source, s=s)
    assert str(caught.value) == str(python.value)


class _Shown:
    def __str__(self) -> str:
        return "shown"


@pytest.mark.parametrize(
    ("value", "decoded"),
    [
        ({"b"}, ["b"]),
        (frozenset({"f"}), ["f"]),
        ((1, "t"), [1, "t"]),
        (_Shown(), "shown"),  # anything else: its text
    ],
)
def test_tojson_writes_other_values_plainly(value: object, decoded: object) -> None:
    assert json.loads(_render("{{ v|tojson }}", v=value)) == decoded


@pytest.mark.parametrize(
    ("indent", "spaces"),
    [(2, 2), (16, 16), (17, 16), (99, 16), (0, 0), (-4, 0)],
)
def test_tojson_indent_is_kept_between_0_and_16(indent: int, spaces: int) -> None:
    text = _render(f"{{{{ v|tojson(indent={indent}) }}}}", v={"k": 1})
    assert text == "{\n" + " " * spaces + '"k": 1\n}'


def test_tojson_stops_past_the_cap_not_at_it() -> None:
    exact = "x" * (MAX_VALUE - 2)  # with its two quotes: MAX_VALUE characters
    with Budget():
        assert len(sandbox.tojson(exact)) == MAX_VALUE
        with pytest.raises(RenderLimitError) as caught:
            sandbox.tojson(exact + "y")
    assert str(caught.value) == f"tojson would build a value of {MAX_VALUE + 1} items (limit {MAX_VALUE})"


def test_tojson_reads_the_clock_every_256_chunks() -> None:
    # a list of n numbers is n + 1 chunks ("[1", ", 1", ..., "]")
    with Budget(-1.0):
        assert sandbox.tojson([1] * 254) == "[" + ", ".join(["1"] * 254) + "]"
        with pytest.raises(RenderLimitError, match="rendering took longer"):
            sandbox.tojson([1] * 255)


def _error_of(source: str, **variables: object) -> BaseException:
    with Budget(), pytest.raises(Exception) as caught:
        _render(source, **variables)
    return caught.value


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("a\n\n{{ 1 // z }}", 3),
        ("{{ 'a' }}\nb\n{{ 'a' ~ (1 // z) }}\n", 3),  # inside a ~ concatenation
        ("{{ 'a' }}\n{{ 'a' ~ 'b' }}\n{{ [1]|join }}\n{{ 1 // z }}", 4),
        ("{% for i in [1] %}\n\n{{ 'x'.center(99999999) }}{% endfor %}", 3),  # raised in the guards
    ],
)
def test_a_render_error_names_its_template_line(source: str, line: int) -> None:
    assert sandbox.error_line(_error_of(source, z=0)) == line


def test_an_error_outside_a_template_has_no_line() -> None:
    try:
        int("x")
    except ValueError as exc:
        assert sandbox.error_line(exc) is None
    assert sandbox.error_line(ValueError()) is None
