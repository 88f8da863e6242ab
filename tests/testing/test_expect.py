"""What wait_for waits for (inspector.testing.expect), checked on records built here.

tests/testing/test_inspector.py waits for requests a real client sent; these
tests give the expectation records of every shape (no method, bodies empty,
long or cut off, charsets) and check each message word for word.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import pytest

from inspector.http.record import CaptureRecord
from inspector.testing import CapturedRequest
from inspector.testing.expect import DIFFERENCES_LIMIT, Expectation, timeout_message

URL = "http://127.0.0.1:8090"
Factory = Callable[..., CaptureRecord]


@pytest.fixture
def make(record_factory: Factory) -> Callable[..., CapturedRequest]:
    def make(**fields: Any) -> CapturedRequest:
        return CapturedRequest.of(record_factory(**fields))

    return make


def describe(*args: Any, **kwargs: Any) -> str:
    return Expectation.build(*args, **kwargs).describe()


def is_paid(record: CapturedRequest) -> bool:
    return False


def test_describe_says_what_is_waited_for() -> None:
    assert describe() == "any method any path"
    assert describe("GET") == "GET any path"
    assert describe(path="/hook") == "any method /hook"
    assert describe("POST", "/hook", header="X-Sig") == "POST /hook with header X-Sig present"
    assert describe("POST", header={"A": ..., "B": "b"}, body_contains="x") == (
        "POST any path with header A present, header B equals 'b', body contains 'x'"
    )
    assert describe(where=is_paid) == "any method any path with where=is_paid"
    # a callable without a __name__ is "predicate"
    assert describe(where=functools.partial(is_paid)) == "any method any path with where=predicate"


def test_regex_flags_i_m_s_are_kept_in_the_order_i_m_s() -> None:
    pattern = re.compile("^b$", re.DOTALL | re.MULTILINE | re.IGNORECASE)
    assert describe(header=("X", pattern)) == "any method any path with header X regex '(?ims)^b$'"
    assert describe(header=("X", re.compile("a", re.I))) == "any method any path with header X regex '(?i)a'"
    assert describe(json={"a": re.compile("a", re.M)}) == "any method any path with json a regex '(?m)a'"
    assert describe(query=("q", re.compile("a", re.S))) == "any method any path with query q regex '(?s)a'"
    assert describe(header=("X", re.compile("a"))) == "any method any path with header X regex 'a'"


def test_a_multiline_regex_matches_per_line_only_when_asked(make: Callable[..., CapturedRequest]) -> None:
    record = make(body=b'{"note": "first\\nsecond"}', headers=(("Content-Type", "application/json"),))
    assert Expectation.build(json={"note": re.compile("^second", re.M)}).matches(record)
    assert not Expectation.build(json={"note": re.compile("^second", re.I)}).matches(record)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"header": ("X", re.compile(b"a"))}, TypeError, "a regex condition needs a str pattern, not bytes"),
        (
            {"header": ("X", re.compile("a", re.X))},
            ValueError,
            "regex 'a': only the flags I, M and S can be used here",
        ),
        ({"header": ""}, TypeError, "header names must be non-empty strings, not ''"),
        ({"query": (5, "a")}, TypeError, "query names must be non-empty strings, not 5"),
        ({"json": {5: "a"}}, TypeError, "json names must be non-empty strings, not 5"),
        (
            {"header": ("X", 5)},
            TypeError,
            "header X: expected text, a compiled regex or ... (present), not int",
        ),
        (
            {"query": ("q", None)},
            TypeError,
            "query q: expected text, a compiled regex or ... (present), not NoneType",
        ),
        (
            {"header": ["X"]},
            TypeError,
            "header=: expected a name, a (name, value) pair or a mapping, not ['X']",
        ),
        ({"body_contains": 5}, TypeError, "body_contains=: expected str or bytes, not int"),
    ],
)
def test_unusable_arguments_are_refused_with_one_line(
    kwargs: dict[str, Any], error: type, message: str
) -> None:
    with pytest.raises(error) as refused:
        Expectation.build(**kwargs)
    assert str(refused.value) == message


def test_json_names_may_be_empty_and_every_regex_flag_of_the_three_is_usable() -> None:
    # "" is the top-level JSON value itself
    assert describe(json={"": ...}) == "any method any path with json  present"
    for flag in (re.I, re.M, re.S, re.I | re.M | re.S):
        Expectation.build(header=("X", re.compile("a", flag)))


def test_differences_name_each_mismatch(make: Callable[..., CapturedRequest]) -> None:
    no_method = make(method="", target="", path="")
    assert Expectation.build("GET").differences(no_method) == ["method is (none), not GET"]
    odd = functools.partial(is_paid)
    assert Expectation.build(where=odd).differences(make()) == ["where=predicate is false"]
    assert Expectation.build(body_contains="x").differences(make(body=b"")) == [
        "body does not contain 'x' (body: empty)"
    ]
    long_body = make(body=b"y" * 81)
    assert Expectation.build(body_contains="x").differences(long_body) == [
        f"body does not contain 'x' (body: 81 bytes, b'{'y' * 80}'…)"
    ]
    exactly = make(body=b"y" * 80)
    assert Expectation.build(body_contains="x").differences(exactly) == [
        f"body does not contain 'x' (body: 80 bytes, b'{'y' * 80}')"
    ]
    # a body the server cut off: its size says more came than was kept
    cut = make(body=b"yy", body_size=5000)
    assert Expectation.build(body_contains=b"x").differences(cut) == [
        "body does not contain b'x' (body: 5,000 bytes, b'yy'…)"
    ]


def test_a_charset_in_quotes_or_starting_with_x_is_used(make: Callable[..., CapturedRequest]) -> None:
    quoted = make(
        body="café".encode("latin-1"), headers=(("Content-Type", 'text/plain; charset="ISO-8859-1"'),)
    )
    assert quoted.text == "café"
    assert Expectation.build(body_contains="café").matches(quoted)
    japanese = make(
        body="日本".encode("shift_jis"), headers=(("Content-Type", "text/plain; charset=X-MAC-JAPANESE"),)
    )
    assert japanese.text == "日本"


def test_where_runs_only_on_requests_that_match_the_rest(make: Callable[..., CapturedRequest]) -> None:
    seen: list[str] = []

    def spy(record: CapturedRequest) -> bool:
        seen.append(record.path)
        return True

    expectation = Expectation.build("POST", "/hook", where=spy)
    assert not expectation.matches(make(method="GET", path="/hook"))
    assert not expectation.matches(make(method="POST", path="/other"))
    assert seen == []
    assert expectation.matches(make(method="POST", path="/hook"))
    assert seen == ["/hook"]


def test_timeout_message_for_one_request_and_the_one_that_came_closest(
    make: Callable[..., CapturedRequest],
) -> None:
    expectation = Expectation.build("POST", "/hook")
    message = timeout_message(expectation, [make(id=4, target="/x", path="/x")], timeout=1.5, url=URL)
    assert message.splitlines() == [
        f"no request POST /hook arrived at {URL} within 1.5 s",
        "1 request arrived (newest last):",
        "  #4 GET /x -> 200",
        "the one that came closest:",
        "  #4 GET /x -> 200: method is GET, not POST; path '/x' does not match '/hook'",
    ]
    two = [make(id=1, target="/a", path="/a"), make(id=2, method="POST", target="/b", path="/b")]
    lines = timeout_message(expectation, two, timeout=0, url=URL, dropped=1).splitlines()
    assert lines[1:4] == [
        "3 requests arrived (newest last):",
        "  (1 earlier not shown)",
        "  #1 GET /a -> 200",
    ]
    assert lines[5] == "closest:"


def test_timeout_message_when_the_listener_stopped(make: Callable[..., CapturedRequest]) -> None:
    message = timeout_message(Expectation.build("GET"), [], timeout=5, url=URL, stopped="boom\x1b")
    assert message == (
        f"the listener at {URL} stopped (boom\\x1b) before a request GET any path arrived\n"
        "no requests arrived at all"
    )


def test_long_descriptions_and_differences_are_cut_at_their_own_limit(
    make: Callable[..., CapturedRequest],
) -> None:
    long = "v" * 400  # each longer than a table cell's limit, shorter than the message's
    expectation = Expectation.build(header={"A": long, "B": long})
    record = make(id=7, headers=(("A", "a"), ("B", "b")))
    lines = timeout_message(expectation, [record], timeout=1, url=URL).splitlines()
    head = lines[0].removeprefix("no request ").removesuffix(f" arrived at {URL} within 1 s")
    assert len(head) == DIFFERENCES_LIMIT + 1
    assert head == expectation.describe()[:DIFFERENCES_LIMIT] + "…"
    prefix = "  #7 GET /index.html?name=jack&age=18 -> 200: "
    assert lines[-1].startswith(prefix)
    differences = "; ".join(expectation.differences(record))
    assert lines[-1].removeprefix(prefix) == differences[:DIFFERENCES_LIMIT] + "…"


def test_json_values_may_be_any_json_value(make: Callable[..., CapturedRequest]) -> None:
    expectation = Expectation.build(json={"amount": 1000, "paid": True, "items": [1]})
    assert expectation.describe() == (
        "any method any path with json amount equals 1000, json paid equals True, json items equals [1]"
    )
    body = b'{"amount": 1000, "paid": true, "items": [1]}'
    assert expectation.matches(make(body=body, headers=(("Content-Type", "application/json"),)))


def test_a_missing_header_or_query_parameter_is_named(make: Callable[..., CapturedRequest]) -> None:
    expectation = Expectation.build(header=("X-Sig", "a"), query="page")
    assert expectation.differences(make()) == ["no header X-Sig", "no query page"]


def test_the_closest_have_the_fewest_differences_the_newest_first(
    make: Callable[..., CapturedRequest],
) -> None:
    expectation = Expectation.build("POST", "/hook")
    records = [
        make(id=1, method="POST", target="/a", path="/a"),
        make(id=2, target="/hook", path="/hook"),
        make(id=3, target="/b", path="/b"),
        make(id=4, method="POST", target="/c", path="/c"),
    ]
    lines = timeout_message(expectation, records, timeout=0, url=URL).split("closest:\n", 1)[1]
    assert [line.split(" ", 3)[2] for line in lines.splitlines()] == ["#4", "#2", "#1"]


@pytest.mark.parametrize(
    ("content_type", "text"),
    [
        ("text/plain;charset=ISO-8859-1", "café"),  # no space after ";"
        ("text/plain; charset=ISO=8859=1", "café"),  # codecs reads "=" as "-"
        ("text/plain; charset=no-such-charset", "caf\ufffd"),  # unknown: UTF-8
        ("text/plain; format=flowed", "caf\ufffd"),
    ],
)
def test_the_charset_parameter(make: Callable[..., CapturedRequest], content_type: str, text: str) -> None:
    record = make(body="café".encode("latin-1"), headers=(("Content-Type", content_type),))
    assert record.text == text


def test_each_difference_says_why(make: Callable[..., CapturedRequest]) -> None:
    def needs_x(record: CapturedRequest) -> object:
        return record.form()["x"]

    expectation = Expectation.build(header=("User-Agent", "curl"), where=is_paid)
    assert expectation.differences(make()) == [
        "header User-Agent equals 'curl': value is 'test'",
        "where=is_paid is false",
    ]
    assert Expectation.build(where=needs_x).differences(make()) == ["where=needs_x raised KeyError: 'x'"]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"json": [1]},
            TypeError,
            r"^json=: expected a mapping of dotted paths to values, e\.g\. \{'event': 'paid'\}$",
        ),
        ({"path": "/{a}/{a}"}, ValueError, r"^path '/\{a\}/\{a\}': .*\ba\b"),
        (
            {"header": ("X", re.compile(r"(a)\1"))},
            ValueError,
            r"^not supported by the linear-time matcher \(invalid escape sequence: \\1\): backreferences",
        ),
    ],
)
def test_arguments_the_matcher_cannot_use(kwargs: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        Expectation.build(**kwargs)
