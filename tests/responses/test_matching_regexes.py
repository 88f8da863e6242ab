"""User regexes on RE2, word for word: every refusal's one line, and what match and search give."""

from __future__ import annotations

import pytest

from inspector.responses.regex import MAX_PATTERN, LinearRegex, PatternError

RE2_LACKS = "not supported by the linear-time matcher ({}): "
NOT_AVAILABLE = (
    "backreferences, lookaround, atomic groups, possessive quantifiers, \\Z and (?x) are not available"
)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("^/(a", "invalid regular expression: missing ), unterminated subpattern at position 2"),
        ("a**", "invalid regular expression: multiple repeat at position 2"),
        ("[z-a]", "invalid regular expression: bad character range z-a at position 1"),
        # Python reads it, RE2 does not: RE2's own reason, then what it lacks
        (r"(a)\1", RE2_LACKS.format("invalid escape sequence: \\1") + NOT_AVAILABLE),
        ("a{1001}", RE2_LACKS.format("invalid repetition size: {1001}") + NOT_AVAILABLE),
        # too deep for Python's parser to say what is wrong
        ("(" * 600 + "\\1" + ")" * 600, "invalid regular expression: nested too deeply"),
        ("a\ud800", "the pattern holds a lone surrogate character"),
        ("a" * (MAX_PATTERN + 1), f"the pattern is longer than {MAX_PATTERN} characters"),
    ],
)
def test_refusals_word_for_word(pattern: str, message: str) -> None:
    for captures in (True, False):
        with pytest.raises(PatternError) as info:
            LinearRegex(pattern, captures=captures)
        assert str(info.value) == message


def test_the_longest_pattern_is_max_pattern_characters() -> None:
    longest = "a" * MAX_PATTERN
    regex = LinearRegex(longest)
    assert regex.pattern == longest
    assert regex.match(longest) == {}


def test_refusing_a_pattern_prints_nothing(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(PatternError):
        LinearRegex(r"(a)\1")
    assert capfd.readouterr() == ("", "")


@pytest.mark.parametrize(
    ("pattern", "text", "matched", "searched"),
    [
        ("b", "abc", None, {}),  # match anchors at the start, search does not
        ("a", "abc", {}, {}),
        ("c$", "abc", None, {}),
        ("x", "abc", None, None),
        ("(?P<n>b+)", "abbb", None, {"n": "bbb"}),
        ("(?P<n>b)|(?P<m>a)", "ab", {"m": "a"}, {"m": "a"}),  # a group not taking part is left out
        ("(?P<n>z?)a", "a", {"n": ""}, {"n": ""}),  # an empty group that took part stays
        ("(b)(?P<n>c)", "abc", None, {"n": "c"}),  # only named groups
        # text with a lone surrogate (an imported capture) reads it as U+FFFD
        ("a\ufffdb", "a\ud800b", {}, {}),
        ("(?P<s>.)b", "\udcffb", {"s": "\ufffd"}, {"s": "\ufffd"}),
        ("x", "a\ud800", None, None),
    ],
)
def test_match_and_search(
    pattern: str, text: str, matched: dict[str, str] | None, searched: dict[str, str] | None
) -> None:
    regex = LinearRegex(pattern)
    assert regex.match(text) == matched
    assert regex.search(text) == searched
