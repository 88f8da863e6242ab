"""Hostile text at the limits: bytes cut at the cell limit, tooltips at theirs, sizes at each unit.

Also the escape tables themselves, built once when :mod:`inspector.text` is imported:
a copy of the module loaded afresh must escape the same characters (the tests in
test_text.py use the copy every other test imported).
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

import inspector.text
from inspector.text import CELL_LIMIT, ELLIPSIS, TOOLTIP_LIMIT, human_size, tooltip, visible_bytes


def fresh_text_module() -> ModuleType:
    """A second copy of inspector.text (same name, not in sys.modules), its tables built anew."""
    spec = importlib.util.spec_from_file_location("inspector.text", inspector.text.__file__)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


INVISIBLE = [
    *range(0x00, 0x20),
    0x7F,
    *range(0x80, 0xA0),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    *range(0x200B, 0x2010),
    0x061C,
    0x2028,
    0x2029,
    0x2060,
    0xFEFF,
    0xD800,
    0xDBFF,
    0xDC00,
    0xDC7F,
    0xDD00,
    0xDFFF,
]
NAMED = {0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"}


def shown_as(code: int) -> str:
    if code in NAMED:
        return NAMED[code]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def test_a_freshly_imported_module_escapes_every_invisible_character_one_way() -> None:
    fresh = fresh_text_module()
    for code in INVISIBLE:
        assert fresh.visible(f"a{chr(code)}b", None) == f"a{shown_as(code)}b", hex(code)
    multiline = [code for code in INVISIBLE if code not in (0x09, 0x0A)]
    for code in multiline:
        assert fresh.visible(chr(code), None, keep_newlines=True) == shown_as(code), hex(code)
    assert fresh.visible("a\n\tb", None, keep_newlines=True) == "a\n\tb"
    # bytes that are not UTF-8 come back as they were sent
    assert fresh.visible("\udc80\udcff", None) == "\\x80\\xff"
    assert fresh.visible("plain ünïcødé ✓", None) == "plain ünïcødé ✓"
    # visible characters just past escaped ranges: no-break spaces, a private-use character
    assert fresh.visible("a\xa0b\u202fc\ue000", None) == "a\xa0b\u202fc\ue000"


def test_bytes_up_to_the_cell_limit_are_shown_whole() -> None:
    assert visible_bytes(b"a" * CELL_LIMIT) == "a" * CELL_LIMIT
    assert visible_bytes(b"a" * (CELL_LIMIT + 1)) == "a" * CELL_LIMIT + ELLIPSIS


def test_long_bytes_are_cut_escaped_and_marked() -> None:
    assert visible_bytes(b"a" * (CELL_LIMIT * 4), CELL_LIMIT * 2) == "a" * (CELL_LIMIT * 2) + ELLIPSIS
    data = b"\xff\n" + b"a" * 500
    assert visible_bytes(data, 10) == "\\xff\\n" + "a" * 8 + ELLIPSIS
    assert visible_bytes(data, 10, keep_newlines=True) == "\\xff\n" + "a" * 8 + ELLIPSIS


def test_short_bytes_keep_newlines_only_when_asked_and_are_never_cut_when_unlimited() -> None:
    assert visible_bytes(b"a\nb\xfe") == "a\\nb\\xfe"
    assert visible_bytes(b"a\nb\xfe", keep_newlines=True) == "a\nb\\xfe"
    long = b"\xfe" + b"b" * (CELL_LIMIT * 2)
    assert visible_bytes(long, None) == "\\xfe" + "b" * (CELL_LIMIT * 2)
    assert visible_bytes(long, None, keep_newlines=True) == "\\xfe" + "b" * (CELL_LIMIT * 2)


def test_a_tooltip_shows_up_to_its_own_limit() -> None:
    longer = "c" * (TOOLTIP_LIMIT + 10)
    assert ("c" * TOOLTIP_LIMIT + ELLIPSIS + "</p>") in tooltip(longer)
    assert ("c" * (TOOLTIP_LIMIT + 1)) not in tooltip(longer)
    assert ("c" * 20 + ELLIPSIS) in tooltip("c" * 30, 20)


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (1023 * 1024, "1023.0 KiB"),
        (1024 * 1024, "1.0 MiB"),
        (1049088, "1.0 MiB"),  # 1024.5 KiB
        (5 * 1024**3, "5.0 GiB"),
        (2048 * 1024**3, "2048.0 GiB"),
    ],
)
def test_sizes_change_unit_at_1024(size: int, shown: str) -> None:
    assert human_size(size) == shown
