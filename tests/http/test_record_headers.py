"""Header look-ups on a captured record ignore case, as HTTP does (RFC 9110 §5.1).

Clients write header names in any case (curl sends ``Content-Type``, HTTP/2
gateways ``content-type``, some scripts ``CONTENT-TYPE``); the body view, CORS
answers and rule matching ask the record by one spelling and must find them all.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from inspector.http.record import CaptureRecord

Records = Callable[..., CaptureRecord]

SPELLINGS = ["content-type", "Content-Type", "CONTENT-TYPE", "cOnTeNt-TyPe"]


@pytest.mark.parametrize("sent", SPELLINGS)
@pytest.mark.parametrize("asked", SPELLINGS)
def test_a_header_is_found_whatever_case_it_was_sent_and_asked_in(
    record_factory: Records, sent: str, asked: str
) -> None:
    record = record_factory(headers=(("Host", "example"), (sent, "application/json")))

    assert record.header(asked) == "application/json"
    assert record.header_values(asked) == ["application/json"]


def test_repeated_headers_in_mixed_case_are_all_found_in_received_order(record_factory: Records) -> None:
    record = record_factory(
        headers=(("X-Tag", "one"), ("Host", "example"), ("x-tag", "two"), ("X-TAG", "three"))
    )

    assert record.header_values("x-Tag") == ["one", "two", "three"]
    assert record.header("x-tag") == "one"


def test_a_missing_header_gives_the_default_and_no_values(record_factory: Records) -> None:
    record = record_factory(headers=(("Host", "example"),))

    assert record.header("Accept") is None
    assert record.header("Accept", "*/*") == "*/*"
    assert record.header_values("Accept") == []
    assert record.header("host", "unused") == "example"


def test_a_header_name_is_matched_whole_not_as_a_prefix(record_factory: Records) -> None:
    record = record_factory(headers=(("X-Token-Id", "abc"), ("X-Token", "secret")))

    assert record.header("x-token") == "secret"
    assert record.header_values("X-TOKEN") == ["secret"]
