"""inspector.filter_query: reading the filter box, and which requests it keeps."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector.filter_query import (
    MAX_FILTER_TEXT,
    Field,
    FilterQuery,
    Quick,
    accepts,
    parse_filter,
    reasons,
)
from inspector.http.record import CaptureRecord, SentResponse

Factory = Callable[..., CaptureRecord]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status:404", FilterQuery(statuses=((404, 404),))),
        ("STATUS:4xx", FilterQuery(statuses=((400, 499),))),
        ("status:500-599", FilterQuery(statuses=((500, 599),))),
        ("status:404,5XX", FilterQuery(statuses=((404, 404), (500, 599)))),
        ("method:post,Get", FilterQuery(methods=frozenset({"POST", "GET"}))),
        ("method:M-SEARCH", FilterQuery(methods=frozenset({"M-SEARCH"}))),
        ("header:X-Sig", FilterQuery(headers=(("x-sig", None),))),
        ("header:content-type=JSON", FilterQuery(headers=(("content-type", "json"),))),
        ("header:content-type:json", FilterQuery(headers=(("content-type", "json"),))),
        ("header:a=b=c", FilterQuery(headers=(("a", "b=c"),))),
        ("  /api  status:404   jack ", FilterQuery(text="/api jack", statuses=((404, 404),))),
        # not terms: free text, exactly as typed (spaces inside kept)
        ("foo:bar", FilterQuery(text="foo:bar")),
        ("status:abc", FilterQuery(text="status:abc")),
        ("status:600", FilterQuery(text="status:600")),
        ("status:499-400", FilterQuery(text="status:499-400")),
        ("status:", FilterQuery(text="status:")),
        ("method:GE T", FilterQuery(text="T", methods=frozenset({"GE"}))),
        ("status:099", FilterQuery(text="status:099")),
        ("method:(x)", FilterQuery(text="method:(x)")),
        ("header:=v", FilterQuery(text="header:=v")),
        ("  two  spaces ", FilterQuery(text="two  spaces")),
        ("http://host:80/x", FilterQuery(text="http://host:80/x")),
        ("listener:8091", FilterQuery(listeners=("8091",))),
        ("Listener:[::1]:8091,127.0.0.1", FilterQuery(listeners=("[::1]:8091", "127.0.0.1"))),
        ("listener:a,,b", FilterQuery(text="listener:a,,b")),
    ],
)
def test_parse(text: str, expected: FilterQuery) -> None:
    assert parse_filter(text) == expected


def test_quick_filters_ride_along() -> None:
    query = parse_filter("x", [Quick.ERRORS, Quick.S4XX])
    assert query.quick == {Quick.ERRORS, Quick.S4XX}
    assert query.with_quick(()).quick == frozenset() and not query.with_quick(()).has_terms
    assert FilterQuery().is_empty() and not query.is_empty()


@given(st.text(max_size=300))
def test_any_text_parses(text: str) -> None:
    query = parse_filter(text)
    assert all(100 <= low <= high <= 599 for low, high in query.statuses)
    assert len(query.text) <= len(text)


def test_long_text_is_read_up_to_the_cap() -> None:
    query = parse_filter("status:404 " * 100_000)
    assert len(query.statuses) <= MAX_FILTER_TEXT // len("status:404 ") + 1


def answered(factory: Factory, record_id: int, status: int | None, **overrides: object) -> CaptureRecord:
    response = None if status is None else SentResponse(status=status, reason="")
    return factory(id=record_id, response=response, **overrides)


@pytest.fixture
def records(record_factory: Factory) -> list[CaptureRecord]:
    return [
        answered(record_factory, 1, 200, method="GET", headers=(("X-Sig", "abc123"),)),
        answered(record_factory, 2, 404, method="POST", body=b'{"needle": 1}'),
        answered(record_factory, 3, 500, method="PUT", headers=(("Content-Type", "application/json"),)),
        answered(record_factory, 4, 400, method="", error="invalid request line"),
        answered(record_factory, 5, None, method="GET"),  # not answered yet
        record_factory(
            id=6, method="get", response=SentResponse(status=500, reason="", error="template failed")
        ),
        answered(record_factory, 7, 302, method="DELETE", headers=(("x-sig", "zzz"), ("X-Other", "1"))),
    ]


@pytest.mark.parametrize(
    ("text", "quick", "kept"),
    [
        ("", [], [1, 2, 3, 4, 5, 6, 7]),
        ("status:404", [], [2]),
        ("status:5xx", [], [3, 6]),
        ("status:404 status:302", [], [2, 7]),  # one kind: alternatives
        ("method:get", [], [1, 5, 6]),
        ("method:post,put", [], [2, 3]),
        ("header:x-sig", [], [1, 7]),
        ("header:x-sig=ABC", [], [1]),
        ("header:x-sig header:x-other", [], [7]),  # headers: all must hold
        ("header:x-sig status:3xx", [], [7]),  # kinds: all must hold
        ("needle status:404", [], [2]),
        ("needle status:200", [], []),
        ("", [Quick.ERRORS], [4, 6]),
        ("", [Quick.PENDING], [5]),
        ("", [Quick.S4XX, Quick.S2XX], [1, 2, 4]),
        ("method:get", [Quick.ERRORS], [6]),
        ("status:400", [Quick.S2XX], []),
    ],
)
def test_which_requests_are_kept(
    records: list[CaptureRecord], text: str, quick: list[Quick], kept: list[int]
) -> None:
    query = parse_filter(text, quick)
    assert [r.id for r in records if accepts(query, r)] == kept


def test_reasons_name_the_fields(record_factory: Factory) -> None:
    record = record_factory(
        method="POST",
        target="/jack?who=jack",
        path="/jack",
        query=(("who", "jack"),),
        headers=(("X-User", "Jack"),),
        body=b"hello jack",
    )

    def why(text: str, *, body: bytes | None = record.body, headers: object = record.headers) -> set[Field]:
        return set(
            reasons(
                parse_filter(text),
                method=record.method,
                target=record.target,
                path=record.path,
                query_pairs=record.query,
                headers=headers,  # type: ignore[arg-type]
                trailers=(),
                error=None,
                body=body,
            )
        )

    assert why("jack") == {Field.PATH, Field.QUERY, Field.HEADERS, Field.BODY}
    assert why("hello") == {Field.BODY}
    assert why("hello", body=None) == {Field.BODY}  # a stored row: the match is in what is not read
    assert why("nowhere", body=None, headers=None) == {Field.HEADERS, Field.BODY}
    assert why("method:POST header:x-user status:2xx") == {Field.METHOD, Field.HEADERS, Field.STATUS}


@pytest.mark.parametrize(
    ("wanted", "server", "kept"),
    [
        ("127.0.0.1:8090", "127.0.0.1:8090", True),
        ("127.0.0.1", "127.0.0.1:8090", True),
        ("8090", "127.0.0.1:8090", True),
        (":8090", "127.0.0.1:8090", True),
        ("8090", "127.0.0.1:18090", False),  # a port is matched whole
        ("127.0.0.1:8091", "127.0.0.1:8090", False),
        ("[::1]:8091", "[::1]:8091", True),
        ("[::1]", "[::1]:8091", True),
        ("::1", "[::1]:8091", True),
        ("::1", "127.0.0.1:8091", False),
        ("8091", "", False),  # a record without a listener (a replay read from a file)
    ],
)
def test_listener_terms(record_factory: Factory, wanted: str, server: str, kept: bool) -> None:
    record = record_factory(server=server)
    assert accepts(parse_filter(f"listener:{wanted}"), record) is kept
    assert accepts(parse_filter(f"listener:nothing,{wanted}"), record) is kept  # alternatives
