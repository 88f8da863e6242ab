"""visible(), tooltip() and friends: hostile text shown safely."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector.text import ELLIPSIS, human_size, is_hidden, tooltip, visible, visible_bytes

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
    assert not any(is_hidden(ch) for ch in out)
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


#: four query values that all read "admin" when shown raw (issue: invisible characters)
LOOKALIKES = [
    "admin",
    "ad\u00admin",  # soft hyphen
    "admin\U000e0061\U000e007f",  # tag characters
    "a\u2062dmin",  # invisible times
    "admin\ufe0f",  # variation selector
    "\u3164admin",  # Hangul filler
    "ad\u034fmin",  # combining grapheme joiner
    "admin\u180e",  # Mongolian vowel separator
]


def test_lookalikes_read_differently() -> None:
    shown = [visible(text) for text in LOOKALIKES]
    assert len(set(shown)) == len(LOOKALIKES)
    assert shown[:4] == ["admin", "ad\\xadmin", "admin\\U000e0061\\U000e007f", "a\\u2062dmin"]
    assert [visible(text, keep_newlines=True) for text in LOOKALIKES] == shown
    assert visible_bytes("admin\U000e0041".encode()) == "admin\\U000e0041"


@pytest.mark.parametrize(
    "code",
    [
        *range(0xE0000, 0xE0080),  # tags, assigned or not
        *range(0x2061, 0x2065),
        0x034F,
        0x00AD,
        0x115F,
        0x1160,
        0x3164,
        0xFFA0,
        0x180E,
        *range(0xFE00, 0xFE10),
        *range(0x180B, 0x180E),
        0xE0100,
        0xE01EF,
        0x16FE4,  # Khitan small script filler
        0x17B4,
    ],
)
def test_named_invisible_characters_are_escaped(code: int) -> None:
    if code < 0x100:
        escaped = f"\\x{code:02x}"
    elif code <= 0xFFFF:
        escaped = f"\\u{code:04x}"
    else:
        escaped = f"\\U{code:08x}"
    assert visible(f"x{chr(code)}y", None) == f"x{escaped}y"
    assert tooltip(chr(code)).count(escaped) == 1


def test_every_format_character_is_escaped() -> None:
    """Derived from the Unicode database, not a list: every Cf, Zl and Zp
    code point, and every one of plane 14."""
    import unicodedata

    codes = [
        c
        for c in range(0x110000)
        if unicodedata.category(chr(c)) in ("Cf", "Zl", "Zp") or c >> 16 == 14
    ]
    assert len(codes) > 65_000
    text = "".join(map(chr, codes))
    out = visible(text, None)
    assert not any(ch in out for ch in text)
    assert out.count("\\") == len(codes)


def test_visible_text_is_left_alone() -> None:
    text = "ünïcødé ✓ 日本 émoji 😀 Ελληνικά עברית"
    assert visible(text, None) == text
    assert visible("a\u00a0b", None) == "a\u00a0b"  # a no-break space is a visible space
