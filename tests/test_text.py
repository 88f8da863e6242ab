"""visible(), tooltip() and friends: hostile text shown safely."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector.text import ELLIPSIS, human_size, tooltip, visible, visible_bytes

DANGEROUS = (
    [chr(c) for c in range(0x20)]
    + ["\x7f"]
    + [chr(c) for c in range(0x80, 0xA0)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u2028", "\u2029", "\ufeff"]
)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain text", "plain text"),
        ("esc\x1b[31m", "esc\\x1b[31m"),
        ("a\tb\r\nc", "a\\tb\\r\\nc"),
        ("nul\x00", "nul\\x00"),
        ("del\x7f", "del\\x7f"),
        ("c1\x85\x9b", "c1\\x85\\x9b"),
        ("abc\u202edef", "abc\\u202edef"),
        ("\u2066iso\u2069", "\\u2066iso\\u2069"),
        ("mark\u200e\u200f", "mark\\u200e\\u200f"),
        ("bad\udcff", "bad\\xff"),
        ("ünïcødé ✓ 日本", "ünïcødé ✓ 日本"),
        ("<b>x</b>", "<b>x</b>"),
    ],
)
def test_visible_escapes(text: str, shown: str) -> None:
    assert visible(text, None) == shown


@pytest.mark.parametrize("char", DANGEROUS)
def test_no_dangerous_character_survives(char: str) -> None:
    assert char not in visible(f"x{char}y", None)


@given(st.text())
def test_visible_output_is_safe(text: str) -> None:
    out = visible(text, None)
    assert not any(ch in out for ch in DANGEROUS)
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in out)
    out.encode("utf-8")  # no lone surrogates left


def test_visible_elides_long_values() -> None:
    assert visible("a" * 1000, 300) == "a" * 300 + ELLIPSIS
    assert visible("a" * 300, 300) == "a" * 300


def test_visible_keeps_newlines_when_asked() -> None:
    assert visible("a\r\nb\tc", None, keep_newlines=True) == "a\\r\nb\tc"


def test_visible_bytes_shows_invalid_utf8_as_hex() -> None:
    assert visible_bytes(b"ok \xff\xfe \xe2\x9c\x93", None) == "ok \\xff\\xfe ✓"


def test_tooltip_escapes_markup() -> None:
    tip = tooltip("<img src=x onerror=alert(1)> & <b>bold</b>")
    assert "<img" not in tip and "<b>" not in tip
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in tip
    assert tip.startswith("<qt>")  # forced rich text: Qt never guesses


def test_human_size() -> None:
    assert human_size(0) == "0 B"
    assert human_size(1023) == "1023 B"
    assert human_size(1536) == "1.5 KiB"
    assert human_size(3 * 1024 * 1024) == "3.0 MiB"


def test_text_module_is_qt_free() -> None:
    """inspector.headless imports this module: it must not load Qt."""
    code = "import sys, inspector.text; print(any(m.startswith('PySide6') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
