"""Glob path patterns: the same answers as the plain regex reading, in time linear in the path."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.responses.glob import compile_glob, is_segment_confined, to_regex, tokenize

#: what a glob is made of: wildcards, captures, slashes and a few literal characters
PIECES = st.sampled_from(["*", "**", "/", "/**", "{a}", "{b}", "a", "b", "-", ".", "%", "é"])
PATH_CHARS = st.sampled_from(["/", "a", "b", "-", ".", "%", "é", "\n"])


def reference(pattern: str, path: str) -> dict[str, str] | None:
    """The backtracking reading of the same expression (safe on short paths only)."""
    found = re.compile(to_regex(tokenize(pattern)) + r"\Z", re.DOTALL).match(path)
    return None if found is None else found.groupdict()


def glob_patterns() -> st.SearchStrategy[str]:
    def unique_captures(pieces: list[str]) -> str:
        seen: set[str] = set()
        kept = []
        for piece in pieces:
            if piece.startswith("{"):
                if piece in seen:
                    continue
                seen.add(piece)
            kept.append(piece)
        return "".join(kept)

    return st.lists(PIECES, max_size=8).map(unique_captures)


@settings(max_examples=800, deadline=None)
@given(glob_patterns(), st.text(PATH_CHARS, max_size=14))
def test_every_glob_answers_as_its_regex_reading(pattern: str, path: str) -> None:
    assert compile_glob(pattern).match(path) == reference(pattern, path)


@settings(max_examples=150, deadline=None)
@given(glob_patterns(), st.text(PATH_CHARS, min_size=1, max_size=6))
def test_matching_finishes_on_long_repetitive_paths(pattern: str, unit: str) -> None:
    # 8 KiB is the longest request line; the old regex took minutes on such paths
    compile_glob(pattern).match((unit * 8192)[:8192])


ADVERSARIAL = [
    # pattern, path, expected captures (None: no match); each took 17 s to hours before
    ("/*-*-*-*.png", "/" + "-" * 8000, None),
    ("/*-*-*-*.png", "/" + "-" * 8000 + ".png", {}),
    ("/*-*-*-*.png", "/" + "a-" * 4000 + "x.pnx", None),
    ("/**/**/**/x", "/" * 8000, None),
    ("/**/**/**/x", "/a" * 4000 + "/y", None),
    ("/**/**/**/x", "/a" * 4000 + "/x", {}),
    ("/{a}-{b}-{c}.png", "/" + "-" * 8000, None),
    ("/{a}-{b}.png", "/x" + "-" * 8000 + "y.png", {"a": "x" + "-" * 7999, "b": "y"}),
    ("/**/a*b*c*d/**", "/" + "ab" * 4000, None),
    ("**x**y**z", "x" * 8000, None),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), ADVERSARIAL)
def test_hostile_paths_get_the_right_answer(
    pattern: str, path: str, expected: dict[str, str] | None
) -> None:
    assert not is_segment_confined(tokenize(pattern))  # runs on the automaton, by construction
    assert compile_glob(pattern).match(path) == expected


@pytest.mark.parametrize(
    ("pattern", "confined"),
    [
        ("/index.html", True),
        ("/users/{id}", True),
        ("/users/{id}/posts/*", True),
        ("/api/**", True),
        ("/*.html", True),
        ("/files/**.txt", False),
        ("/a*b/c", True),
        ("/a*b*c", False),
        ("/{a}-{b}", False),
        ("/**/x", False),
        ("**", True),
        ("/static/*x**", True),
    ],
)
def test_only_segment_confined_globs_run_on_backtracking_re(pattern: str, confined: bool) -> None:
    assert is_segment_confined(tokenize(pattern)) is confined


@settings(max_examples=300, deadline=None)
@given(glob_patterns())
def test_confined_globs_never_have_two_wildcards_in_one_segment(pattern: str) -> None:
    # the premise of the linearity proof in glob.py, checked on the token stream
    tokens = tokenize(pattern)
    if not is_segment_confined(tokens):
        return
    kinds = [t.kind for t in tokens]
    assert all(kind not in ("any", "rest") for kind in kinds[:-1])
    open_wildcard = False
    for token in tokens:
        if token.kind in ("star", "capture"):
            assert not open_wildcard
            open_wildcard = True
        elif token.kind == "lit" and "/" in token.text:
            open_wildcard = False
