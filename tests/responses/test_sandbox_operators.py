"""The sandbox's operators and tojson at their edges: what a template gets back, what it is
refused (with the message that names why), and the caps checked at the cap itself."""

from __future__ import annotations

import json

import pytest

from inspector.responses import sandbox
from inspector.responses.budget import MAX_VALUE, Budget, RenderLimitError


def _render(source: str, **variables: object) -> str:
    with Budget():
        return sandbox.render(sandbox.compile_template(source), variables)


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
