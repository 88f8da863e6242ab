"""is_hidden(), escape() and tooltip_lines() called directly, on the characters a
hostile request can carry: exact outputs.

visible() remembers what it decided for each code point in a table, so only a
direct call of is_hidden() and escape() always classifies afresh."""

from __future__ import annotations

from inspector.text import escape, is_hidden, tooltip_lines

#: the invisible letters and marks, each with the part of its name that hides it
INVISIBLE_LETTERS_AND_MARKS = [
    "\ufe0f",  # VARIATION SELECTOR-16 (Mn)
    "\u180b",  # MONGOLIAN FREE VARIATION SELECTOR ONE (Mn)
    "\u3164",  # HANGUL FILLER (Lo)
    "\u115f",  # HANGUL CHOSEONG FILLER (Lo)
    "\U00016fe4",  # KHITAN SMALL SCRIPT FILLER (Mn)
    "\u034f",  # COMBINING GRAPHEME JOINER (Mn)
    "\u17b4",  # KHMER VOWEL INHERENT AQ (Mn)
    "\u17b5",  # KHMER VOWEL INHERENT AA (Mn)
]


def test_invisible_letters_and_marks_are_hidden_one_by_one() -> None:
    shown = [is_hidden(char) for char in INVISIBLE_LETTERS_AND_MARKS]
    assert shown == [True] * len(INVISIBLE_LETTERS_AND_MARKS)


def test_visible_letters_and_marks_are_not_hidden() -> None:
    """Letters and marks that draw something, including ones whose names look
    like the hidden ones' and letters with no name in the database."""
    drawn = [
        "a",
        "\u00e9",  # LATIN SMALL LETTER E WITH ACUTE (Ll)
        "\u0301",  # COMBINING ACUTE ACCENT (Mn)
        "\u05d0",  # HEBREW LETTER ALEF (Lo)
        "\u65e5",  # a CJK ideograph (Lo)
        "\U00017000",  # a Tangut ideograph (Lo): no name in unicodedata
        "\u17b6",  # KHMER VOWEL SIGN AA (Mc), next to the inherent vowels
        "\u2800",  # BRAILLE PATTERN BLANK (So): blank, but not a filler
        "\u00a0",  # NO-BREAK SPACE (Zs)
        "\uffff",  # a noncharacter (Cn)
        "\U00010000",  # LINEAR B SYLLABLE B008 A (Lo)
    ]
    assert [is_hidden(char) for char in drawn] == [False] * len(drawn)


def test_controls_formats_separators_surrogates_and_plane_14_are_hidden() -> None:
    hidden = [
        "\x00",
        "\x1b",
        "\x7f",
        "\x85",
        "\x9f",
        "\u00ad",
        "\u200b",
        "\u200d",
        "\u202e",
        "\u2066",
        "\u2028",
        "\u2029",
        "\ufeff",
        "\ud800",
        "\udcff",
        "\U000e0041",
        "\U000e0100",
        "\U000e0fff",  # unassigned, but in plane 14
    ]
    assert [is_hidden(char) for char in hidden] == [True] * len(hidden)


def test_escape_forms_at_each_boundary() -> None:
    """\\xNN below U+0100, \\uNNNN in the BMP, \\UNNNNNNNN beyond; surrogateescape
    bytes as \\xNN; \\t, \\n, \\r by name."""
    chars = [
        "\t",
        "\n",
        "\r",
        "\x00",
        "\x1b",
        "\xff",
        "\u0100",
        "\u202e",
        "\ud800",
        "\udc7f",
        "\udc80",
        "\udcff",
        "\udd00",
        "\uffff",
        "\U00010000",
        "\U000e0041",
        "\U0010ffff",
    ]
    assert [escape(char) for char in chars] == [
        "\\t",
        "\\n",
        "\\r",
        "\\x00",
        "\\x1b",
        "\\xff",
        "\\u0100",
        "\\u202e",
        "\\ud800",
        "\\udc7f",
        "\\x80",
        "\\xff",
        "\\udd00",
        "\\uffff",
        "\\U00010000",
        "\\U000e0041",
        "\\U0010ffff",
    ]


def _tip(body: str) -> str:
    return f"<qt><p style='white-space:pre-wrap'>{body}</p></qt>"


def test_tooltip_lines_escapes_each_line_and_joins_them() -> None:
    lines = ['GET /a?x=<b>&y="1"', "it's\nhere\u202e", "", "tag\U000e0041"]
    assert tooltip_lines(lines) == _tip(
        'GET /a?x=&lt;b&gt;&amp;y="1"<br>it\'s\\nhere\\u202e<br><br>tag\\U000e0041'
    )
    assert tooltip_lines([]) == _tip("")


def test_tooltip_lines_shares_its_limit_between_the_lines() -> None:
    assert tooltip_lines(["ab", "c", "d"], limit=3) == _tip("ab<br>c<br>…")
    assert tooltip_lines(["abc", "x", "y"], limit=3) == _tip("abc<br>…")
    assert tooltip_lines(["ab", "cd", "ef"], limit=3) == _tip("ab<br>c…<br>…")
    assert tooltip_lines(["abcdef"], limit=3) == _tip("abc…")
    assert tooltip_lines(["a" * 400]) == _tip("a" * 400)


def test_tooltip_lines_caps_many_long_lines() -> None:
    lines = ["x" * 1500] * 5
    assert tooltip_lines(lines) == _tip("<br>".join(["x" * 1500, "x" * 1500, "x" * 1000 + "…", "…"]))
