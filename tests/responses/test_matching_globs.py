"""Globs read word for word: their tokens, their regular expression, what they match on either
engine, and the one-line refusals. test_glob.py checks the engines against the glob's own regex
reading; these tables pin that reading itself."""

from __future__ import annotations

import re

import pytest

from inspector.responses.glob import compile_glob, is_segment_confined, to_regex, tokenize
from inspector.responses.regex import MAX_PATTERN, PatternError

TOKENS = [
    ("", []),
    ("/index.html", [("lit", "/index.html")]),
    ("**", [("any", "")]),
    ("/**", [("rest", "")]),
    ("a/**", [("lit", "a"), ("rest", "")]),
    ("/a/**", [("lit", "/a"), ("rest", "")]),
    ("/**/x", [("rest", ""), ("lit", "/x")]),
    ("/a/**/", [("lit", "/a"), ("rest", ""), ("lit", "/")]),
    ("/**x", [("lit", "/"), ("any", ""), ("lit", "x")]),
    ("x**", [("lit", "x"), ("any", "")]),
    ("x**/", [("lit", "x"), ("any", ""), ("lit", "/")]),
    ("/a**/b", [("lit", "/a"), ("any", ""), ("lit", "/b")]),
    ("***", [("any", ""), ("star", "")]),
    ("*/**", [("star", ""), ("rest", "")]),
    ("{a}/**", [("capture", "a"), ("rest", "")]),
    ("/**/**", [("rest", ""), ("rest", "")]),
    ("/*.png", [("lit", "/"), ("star", ""), ("lit", ".png")]),
    ("/u/{id}/p", [("lit", "/u/"), ("capture", "id"), ("lit", "/p")]),
    ("/{a}{b_2}", [("lit", "/"), ("capture", "a"), ("capture", "b_2")]),
    ("/{_}x", [("lit", "/"), ("capture", "_"), ("lit", "x")]),
    ("}{a}}", [("lit", "}"), ("capture", "a"), ("lit", "}")]),
]


@pytest.mark.parametrize(("pattern", "tokens"), TOKENS)
def test_tokens(pattern: str, tokens: list[tuple[str, str]]) -> None:
    assert [(t.kind, t.text) for t in tokenize(pattern)] == tokens


REGEXES = [
    ("/a", "/a"),
    ("/*", "/[^/]*"),
    ("/{id}", "/(?P<id>[^/]+)"),
    ("/**x", "/.*x"),
    ("/a/**", "/a(?:/.*)?"),
    ("/a.b", r"/a\.b"),
    ("\\.^$|?+()[]}", r"\\\.\^\$\|\?\+\(\)\[\]\}"),
    ("/é-X_~%", "/é-X_~%"),  # only the characters with a meaning are escaped
]


@pytest.mark.parametrize(("pattern", "regex"), REGEXES)
def test_regex_reading(pattern: str, regex: str) -> None:
    assert to_regex(tokenize(pattern)) == regex


MATCHES = [
    # pattern, path, captures (None: no match); the first group runs on Python's re
    ("/a.b", "/a.b", {}),
    ("/a.b", "/axb", None),
    ("/a+", "/aa", None),
    ("/a?", "/a", None),
    ("/(a)", "/(a)", {}),
    ("/[ab]", "/a", None),
    ("/a|b", "/b", None),
    ("/$x^", "/$x^", {}),
    ("/X\\d", "/X\\d", {}),
    ("/X\\d", "/X1", None),
    ("/}", "/}", {}),
    ("/*", "/a\nb", {}),
    ("/{id}", "/a\nb", {"id": "a\nb"}),
    ("/api/**", "/api/a\nb", {}),
    ("/api/**", "/api\n", None),
    ("/a", "/a\n", None),  # the end is the end of the path, not before a final newline
    ("/{id}", "/7\n", {"id": "7\n"}),
    ("", "", {}),
    ("", "/", None),
    # ...and these on RE2
    ("/**/x", "/a\nb/x", {}),
    ("/**/x", "/x\n", None),
    ("/{a}-{b}", "/1\n-2", {"a": "1\n", "b": "2"}),
    ("/{a}-{b}", "/1-2\n", {"a": "1", "b": "2\n"}),
    ("/*-*", "/a-b/c", None),
    ("/a.*-*", "/axb-c", None),
    ("/a.*-*", "/a.b-c", {}),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), MATCHES)
def test_what_globs_match(pattern: str, path: str, expected: dict[str, str] | None) -> None:
    assert compile_glob(pattern).match(path) == expected


@pytest.mark.parametrize(("pattern", "path", "expected"), MATCHES)
def test_either_engine_gives_the_same_answer(
    pattern: str, path: str, expected: dict[str, str] | None
) -> None:
    """The table covers both engines; each answer is the plain ``re`` reading's."""
    found = re.compile(to_regex(tokenize(pattern)) + r"\Z", re.DOTALL).match(path)
    assert (None if found is None else found.groupdict()) == expected


@pytest.mark.parametrize(
    ("pattern", "confined"),
    [("*/a", True), ("{a}.json", True), ("*", True), ("{a}/*", True), ("*{a}", False), ("*/**", True)],
)
def test_a_glob_may_start_with_a_wildcard_and_stay_on_re(pattern: str, confined: bool) -> None:
    assert is_segment_confined(tokenize(pattern)) is confined


def test_the_table_covers_both_engines() -> None:
    confined = {is_segment_confined(tokenize(pattern)) for pattern, _, _ in MATCHES}
    assert confined == {True, False}


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("/a{", "'{' at column 3 does not start a {name} capture"),
        ("{", "'{' at column 1 does not start a {name} capture"),
        ("{}", "'{' at column 1 does not start a {name} capture"),
        ("/x/{1a}", "'{' at column 4 does not start a {name} capture"),
        ("/{a-b}", "'{' at column 2 does not start a {name} capture"),
        ("/{a b}", "'{' at column 2 does not start a {name} capture"),
        ("/{a}/{", "'{' at column 6 does not start a {name} capture"),
        ("/{a}/{a}", "capture {a} is used twice"),
        ("/{id}/*/{id}", "capture {id} is used twice"),
    ],
)
def test_bad_globs_say_where_in_one_line(pattern: str, message: str) -> None:
    with pytest.raises(PatternError) as info:
        compile_glob(pattern)
    assert str(info.value) == message


def test_the_longest_glob_is_max_pattern_characters() -> None:
    longest = "/" + "a" * (MAX_PATTERN - 1)
    assert compile_glob(longest).match(longest) == {}
    with pytest.raises(PatternError) as info:
        compile_glob(longest + "a")
    assert str(info.value) == f"the pattern is longer than {MAX_PATTERN} characters"
