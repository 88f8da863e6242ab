"""Path matching with percent-encoding, through both of a Matcher's ways in (match, explain)."""

from __future__ import annotations

from typing import Any

import pytest

from inspector.responses import Rule
from inspector.responses.matching import Matcher
from tests.responses.conftest import make_record

PERCENT = [
    # pattern, path as sent, the captures (None: no match)
    ("/users/{name}", "/users/%FF", {"name": "\ufffd"}),  # not UTF-8: replaced, no error
    ("/users/{name}", "/users/a%C3", {"name": "a\ufffd"}),
    ("/users/{name}", "/users/a%2Fb%FF", {"name": "a/b\ufffd"}),
    ("/users/{name}", "/users/%zz", {"name": "%zz"}),  # not an escape: kept as sent
    ("/a/*", "/a%2Fb%FF", {}),  # matched only once decoded, bad bytes and all
    ("/a/{x}", "/a%2Fb%FF", {"x": "b\ufffd"}),
    ("/café", "/caf%C3%A9", {}),
    ("/café", "/caf%E9", None),  # Latin-1 escapes are not UTF-8
    ("/a b", "/a%20b", {}),
    ("/a%20b", "/a%20b", {}),  # matched as sent first
    ("/a/b", "/a%2Fb", {}),
    ("/a/b", "/a/c", None),
    ("/a/b", "/a%2Fc", None),
    ("^/u/(?P<n>.+)$", "/u/a%20b", {"n": "a%20b"}),  # regex groups stay as matched
    ("^/u/(?P<n>[a-z ]+)$", "/u/a%20b", {"n": "a b"}),  # ...unless only the decoded path matched
    ("^/café$", "/caf%C3%A9", {}),
    ("^/x$", "/x%FF", None),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), PERCENT)
def test_percent_encoded_paths(pattern: str, path: str, expected: Any) -> None:
    matcher = Matcher(Rule(name="r", path=pattern))
    record = make_record(target=path)
    assert matcher.match_path(path) == expected
    assert matcher.match(record) == expected
    result = matcher.explain(record)
    assert result.matched is (expected is not None)
    assert result.params == (expected if expected is not None else {})
