"""inspector.filter_query: which fields hold the free text (the cells the table
highlights), term edges (status 100, several method terms, header values holding
`:`), and the listener and quick filters at their borders. Qt-free."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pytest

from inspector.filter_query import (
    Field,
    FilterQuery,
    Quick,
    accepts,
    listener_matches,
    parse_filter,
    quick_matches,
    reasons,
    record_text_fields,
    terms_hold,
    text_fields,
)
from inspector.http.record import CaptureRecord, Pairs

Factory = Callable[..., CaptureRecord]


def fields_of(
    needle: str,
    *,
    method: str = "GET",
    target: str = "/",
    path: str = "/",
    query: Pairs = (),
    headers: Pairs = (),
    trailers: Pairs = (),
    error: str | None = None,
    body: bytes | None = b"",
    every: bool | None = None,
) -> frozenset[Field]:
    """:func:`text_fields` of a request with these fields (``every`` None: left to its default)."""
    pairs = (query, headers, trailers)
    find = partial(text_fields, needle, method=method, target=target, path=path, pair_lists=pairs)
    return find(error=error, body=body) if every is None else find(error=error, body=body, every=every)


# -- text_fields: each field alone, then first-found versus every ---------------


@pytest.mark.parametrize("every", [False, True])
def test_each_field_alone_is_named(every: bool) -> None:
    assert fields_of("pos", method="POST", every=every) == {Field.METHOD}
    assert fields_of("who=jack", target="/x?who=jack", path="/x", every=every) == {Field.PATH}
    assert fields_of("/p", target="*", path="/p", every=every) == {Field.PATH}
    assert fields_of("jack", query=(("who", "jack"),), every=every) == {Field.QUERY}
    assert fields_of("who", query=(("who", "jack"),), every=every) == {Field.QUERY}
    assert fields_of("sig", headers=(("X-Sig", "1"),), every=every) == {Field.HEADERS}
    assert fields_of("abc", headers=(("X-Sig", "ABC"),), every=every) == {Field.HEADERS}
    in_trailer = fields_of("check", headers=(("a", "b"),), trailers=(("X-Check", "1"),), every=every)
    assert in_trailer == {Field.HEADERS}
    assert fields_of("ok", trailers=(("t", "OK"),), every=every) == {Field.HEADERS}
    assert fields_of("invalid", error="Invalid request line", every=every) == {Field.STATUS}
    assert fields_of("needle", body=b'{"Needle": 1}', every=every) == {Field.BODY}
    assert fields_of("nowhere", error="bad", body=b"body", every=every) == frozenset()
    assert fields_of("body", body=None, every=every) == frozenset()  # a body not at hand is not read


def jack_in(*fields: str, every: bool | None = None) -> frozenset[Field]:
    """:func:`fields_of` "jack" in a request holding it in each of ``fields``."""
    return fields_of(
        "jack",
        method="JACK" if "method" in fields else "GET",
        target="/jack?who=jack" if "target" in fields else "/",
        path="/jack" if "target" in fields else "/",
        query=(("who", "jack"),) if "query" in fields else (),
        headers=(("X-User", "jack"),) if "headers" in fields else (),
        error="jack failed" if "error" in fields else None,
        body=b"hello jack" if "body" in fields else b"",
        every=every,
    )


def test_the_first_field_found_by_default_every_one_on_request() -> None:
    everywhere = ("method", "target", "query", "headers", "error", "body")
    assert jack_in(*everywhere) == {Field.METHOD}
    assert jack_in(*everywhere, every=False) == {Field.METHOD}
    assert jack_in(*everywhere, every=True) == {
        Field.METHOD,
        Field.PATH,
        Field.QUERY,
        Field.HEADERS,
        Field.STATUS,
        Field.BODY,
    }
    # without the earlier fields, the next one is the first found
    assert jack_in(*everywhere[1:]) == {Field.PATH}
    assert jack_in(*everywhere[2:]) == {Field.QUERY}
    assert jack_in(*everywhere[3:]) == {Field.HEADERS}
    assert jack_in(*everywhere[4:]) == {Field.STATUS}
    assert jack_in(*everywhere[5:]) == {Field.BODY}
    assert jack_in("method", "body", every=True) == {Field.METHOD, Field.BODY}
    assert jack_in("target", "error", every=True) == {Field.PATH, Field.STATUS}


def test_a_body_that_is_not_utf8_is_searched_with_replacement() -> None:
    body = b"\xff\xfe caf\xc3 needle \x80"
    assert fields_of("needle", body=body) == {Field.BODY}
    assert fields_of("\ufffd", body=body) == {Field.BODY}  # each bad byte reads as U+FFFD
    assert fields_of("absent", body=body) == frozenset()


# -- record_text_fields and accepts: a whole record ---------------------------------


def test_record_text_fields_reads_every_field_of_the_record(record_factory: Factory) -> None:
    record = record_factory(
        error="jack timed out",
        body=b"hello jack",
        trailers=(("X-Done", "jack"),),
        headers=(("X-User", "Jack"),),
        query=(("who", "jack"),),
        method="POST",
        target="/jack?who=jack",
        path="/jack",
    )
    assert record_text_fields("jack", record) == {Field.PATH}
    assert record_text_fields("jack", record, every=False) == {Field.PATH}
    assert record_text_fields("jack", record, every=True) == {
        Field.PATH,
        Field.QUERY,
        Field.HEADERS,
        Field.STATUS,
        Field.BODY,
    }
    assert record_text_fields("timed out", record) == {Field.STATUS}
    assert record_text_fields("done", record) == {Field.HEADERS}  # a trailer
    assert record_text_fields("hello", record, every=True) == {Field.BODY}


def test_free_text_keeps_a_request_by_any_one_field(record_factory: Factory) -> None:
    plain: dict[str, object] = {
        "method": "GET",
        "target": "/",
        "path": "/",
        "query": (),
        "headers": (),
        "body": b"",
    }
    by_error = record_factory(**(plain | {"error": "invalid request line"}))
    by_header = record_factory(**(plain | {"headers": (("X-Trace", "t-1"),)}))
    by_trailer = record_factory(**(plain | {"headers": (("A", "b"),), "trailers": (("X-Check", "sum"),)}))
    by_target = record_factory(**(plain | {"target": "/x?who=jack", "path": "/x"}))
    records = [by_error, by_header, by_trailer, by_target]
    assert [accepts(parse_filter("INVALID"), r) for r in records] == [True, False, False, False]
    assert [accepts(parse_filter("x-trace"), r) for r in records] == [False, True, False, False]
    assert [accepts(parse_filter("sum"), r) for r in records] == [False, False, True, False]
    assert [accepts(parse_filter("who=jack"), r) for r in records] == [False, False, False, True]


# -- reasons: the cells highlighted -------------------------------------------------


def why(
    text: str,
    *,
    method: str = "GET",
    target: str = "/",
    path: str = "/",
    error: str | None = None,
    headers: Pairs | None = (),
    body: bytes | None = b"",
) -> frozenset[Field]:
    return reasons(
        parse_filter(text),
        method=method,
        target=target,
        path=path,
        query_pairs=(),
        headers=headers,
        trailers=(),
        error=error,
        body=body,
    )


def test_reasons_name_terms_and_text_together() -> None:
    assert why("listener:8090") == {Field.LISTENER}
    assert why("method:post") == {Field.METHOD}
    assert why("pos", method="POST") == {Field.METHOD}
    assert why("invalid", error="invalid request line") == {Field.STATUS}
    assert why("who=jack", target="/x?who=jack", path="/x") == {Field.PATH}
    assert why("listener:8090 who=jack", target="/x?who=jack", path="/x") == {Field.LISTENER, Field.PATH}
    assert why("method:post hello", body=b"hello") == {Field.METHOD, Field.BODY}
    assert why("header:x-a failed", error="failed") == {Field.HEADERS, Field.STATUS}
    assert why("status:4xx nowhere", body=None) == {Field.STATUS, Field.BODY}


# -- terms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status:100", FilterQuery(statuses=((100, 100),))),
        ("status:100-199", FilterQuery(statuses=((100, 199),))),
        ("status:101", FilterQuery(statuses=((101, 101),))),
        ("status:599", FilterQuery(statuses=((599, 599),))),
        ("status:099-100", FilterQuery(text="status:099-100")),
        ("status:599-600", FilterQuery(text="status:599-600")),
        ("method:get method:post", FilterQuery(methods=frozenset({"GET", "POST"}))),
        ("method:get method:put,delete", FilterQuery(methods=frozenset({"GET", "PUT", "DELETE"}))),
        ("header:a:b:c", FilterQuery(headers=(("a", "b:c"),))),
        ("header:x-at:12:30", FilterQuery(headers=(("x-at", "12:30"),))),
        ("header:a:b=c", FilterQuery(headers=(("a", "b=c"),))),
        ("header:a=", FilterQuery(headers=(("a", None),))),
        ("header::v", FilterQuery(text="header::v")),
        ("header:=a:b", FilterQuery(text="header:=a:b")),
        ("header::a=b", FilterQuery(text="header::a=b")),
        # a kind without a value is free text
        ("status method header listener", FilterQuery(text="status method header listener")),
        ("status: method: header: listener:", FilterQuery(text="status: method: header: listener:")),
    ],
)
def test_term_edges(text: str, expected: FilterQuery) -> None:
    assert parse_filter(text) == expected


def test_several_method_terms_are_alternatives(record_factory: Factory) -> None:
    query = parse_filter("method:get method:post")
    kept = [accepts(query, record_factory(method=m)) for m in ("GET", "POST", "PUT")]
    assert kept == [True, True, False]


def test_status_100_keeps_an_informational_answer() -> None:
    query = parse_filter("status:100-199")
    kept = [terms_hold(query, method="GET", status=s, error=None, headers=()) for s in (99, 100, 199, 200)]
    assert kept == [False, True, True, False]


def test_quick_status_filters_keep_their_whole_range() -> None:
    for choice, low in ((Quick.S2XX, 200), (Quick.S3XX, 300), (Quick.S4XX, 400), (Quick.S5XX, 500)):
        kept = [quick_matches(frozenset({choice}), s, None) for s in (low - 1, low, low + 99, low + 100)]
        assert kept == [False, True, True, False], choice


def test_a_request_taken_by_no_listener_matches_no_listener_term() -> None:
    # terms_hold without a server: a request no listener took (a replay read from a file)
    for text in ("listener:xxxx", "listener:8090", "listener::"):
        assert not terms_hold(parse_filter(text), method="GET", status=200, error=None, headers=())
    assert terms_hold(parse_filter("status:2xx"), method="GET", status=200, error=None, headers=())


def test_empty_names_and_ports_match_no_listener(record_factory: Factory) -> None:
    assert parse_filter("listener::") == FilterQuery(listeners=(":",))
    for server in ("", "127.0.0.1:8090"):
        assert not accepts(parse_filter("listener::"), record_factory(server=server))
        assert not listener_matches((":",), server)
        assert not listener_matches(("",), server)
    assert listener_matches(("",), "") is False
    assert listener_matches((":8090",), "127.0.0.1:8090")
