"""Query-string and request-target decoding."""

from __future__ import annotations

import pytest

from inspector.http.query import decode_query, split_target


@pytest.mark.parametrize(
    ("query", "pairs"),
    [
        ("", ()),
        ("name=jack&age=18", (("name", "jack"), ("age", "18"))),
        ("a=1+2", (("a", "1 2"),)),
        ("a=1%2B2", (("a", "1+2"),)),
        ("q=%C3%A9t%C3%A9", (("q", "\u00e9t\u00e9"),)),
        ("q=%FF", (("q", "\ufffd"),)),
        ("q=%E2%82", (("q", "\ufffd"),)),  # truncated UTF-8 sequence
        ("q=%zz", (("q", "%zz"),)),  # not an escape: kept as sent
        ("a=&b", (("a", ""), ("b", ""))),
        ("a=1&a=2&a=1", (("a", "1"), ("a", "2"), ("a", "1"))),
        ("a&&b", (("a", ""), ("b", ""))),
        ("=v", (("", "v"),)),
        ("a=b=c", (("a", "b=c"),)),
        ("%61%3D=%26", (("a=", "&"),)),
        ("k%20ey+x=v", (("k ey x", "v"),)),
    ],
)
def test_decode_query(query: str, pairs: tuple[tuple[str, str], ...]) -> None:
    assert decode_query(query) == pairs


@pytest.mark.parametrize(
    ("method", "target", "path", "query"),
    [
        ("GET", "/index.html?name=jack", "/index.html", "name=jack"),
        ("GET", "/", "/", ""),
        ("GET", "/a?", "/a", ""),
        ("GET", "/a?b?c", "/a", "b?c"),
        ("GET", "/a%2Fb", "/a%2Fb", ""),
        ("GET", "http://example.com/p?q=1", "/p", "q=1"),
        ("GET", "http://example.com", "/", ""),
        ("GET", "http://example.com?q=1", "/", "q=1"),
        ("OPTIONS", "*", "*", ""),
        ("CONNECT", "example.com:443", "example.com:443", ""),
        ("GET", "http://example.com?a=1?b", "/", "a=1?b"),
        ("GET", "http://example.com?a/b", "/", "a/b"),
        ("GET", "http://example.com/p?a=1/b?c", "/p", "a=1/b?c"),
        ("GET", "http:///x", "/x", ""),
        ("GET", "http://?x", "/", "x"),
        ("GET", "http:///?x", "/", "x"),
        # A CONNECT target is never split, not even one the parser refuses.
        ("CONNECT", "/x?y", "/x?y", ""),
        ("CONNECT", "http://h/p?q", "http://h/p?q", ""),
        ("GET", "/a://b?c", "/a://b", "c"),  # origin-form: "://" in the path is no scheme
        ("GET", "http://h/a://b", "/a://b", ""),
        ("GET", "a://x/p", "/p", ""),
        ("GET", "://x/p", "://x/p", ""),  # no scheme before "://"
    ],
)
def test_split_target(method: str, target: str, path: str, query: str) -> None:
    assert split_target(method, target) == (path, query)
