"""What the client is told about an upstream's answer at the edges: a head cut short, header
bytes that are not UTF-8, the upstream's own reason phrase, which rule answered, how long the
first byte took."""

from __future__ import annotations

import threading

import pytest
from conftest import UpstreamFactory
from fakeupstream import Received, Reply, forward, response

from inspector.upstream import Forwarder, client

GET = b"GET /x HTTP/1.1\r\nHost: client.example\r\n\r\n"


def test_an_upstream_that_closes_after_an_informational_answer_is_a_502(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(lambda r: Reply([b"HTTP/1.1 100 Continue\r\n\r\n"], close=True))
    result = forward(forwarder, GET, upstream.url(), rule="to backend")
    assert result.response.status == 502
    assert result.response.rule == "to backend"
    assert result.response.error is not None
    assert result.response.error.endswith("closed the connection in the middle of its answer's head")


def test_header_bytes_that_are_not_utf8_are_shown_replaced(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    answer = b"HTTP/1.1 200 OK\r\nX-Name: caf\xe9\r\nContent-Length: 2\r\n\r\nok"
    upstream = start_upstream(lambda r: Reply([answer]))
    result = forward(forwarder, GET, upstream.url())
    assert ("X-Name", "caf\ufffd") in result.upstream.headers


def test_the_upstreams_reason_phrase_reaches_the_client(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(lambda r: Reply([response(201, b"made", reason="Made It")]))
    result = forward(forwarder, GET, upstream.url())
    assert (result.response.status, result.response.reason) == (201, "Made It")


def test_the_first_byte_is_timed_in_milliseconds_from_the_request(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    """The upstream answers 50 ms after the request reached it (a timer, not a sleep), so
    at least that much passed between sending the request and the answer's first byte."""
    timers: list[threading.Timer] = []

    def handler(received: Received) -> Reply:
        release = threading.Event()
        timers.append(threading.Timer(0.05, release.set))
        timers[-1].start()
        return Reply([response(200, b"late")], release=release)

    upstream = start_upstream(handler)
    result = forward(forwarder, GET, upstream.url())
    for timer in timers:
        timer.join()
    timing = result.upstream
    assert timing.connect_ms is not None and timing.first_byte_ms is not None
    assert timing.first_byte_ms >= 49.9
    assert timing.connect_ms <= timing.first_byte_ms <= timing.duration_ms


def test_an_answer_that_is_not_http_is_a_502_naming_what_was_wrong(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(lambda r: Reply([b"SSH-2.0-OpenSSH_9.6\r\n\r\n"], close=True))
    result = forward(forwarder, GET, upstream.url())
    assert result.response.status == 502
    assert result.response.error is not None
    assert "sent an invalid answer: BadStatusLine" in result.response.error


def test_informational_answers_up_to_the_limit_then_a_502(
    forwarder: Forwarder, start_upstream: UpstreamFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client, "MAX_INFORMATIONAL", 2)
    early = b"HTTP/1.1 103 Early Hints\r\n\r\n"
    at_limit = start_upstream(lambda r: Reply([early * 2 + response(200, b"ok")]))
    assert forward(forwarder, GET, at_limit.url()).response.status == 200
    over = start_upstream(lambda r: Reply([early * 3 + response(200, b"ok")]))
    result = forward(forwarder, GET, over.url())
    assert (result.response.status, result.response.error) == (
        502,
        f"upstream {over.url()}: sent more than 2 informational (1xx) answers",
    )


def test_a_folded_header_value_is_shown_on_one_line(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    """Obsolete line folding (RFC 9112 §5.2): the continuation joins the value, its CRLF removed."""
    answer = b"HTTP/1.1 200 OK\r\nX-Fold: a\r\n  b\r\nContent-Length: 2\r\n\r\nok"
    upstream = start_upstream(lambda r: Reply([answer]))
    assert ("X-Fold", "a  b") in forward(forwarder, GET, upstream.url()).upstream.headers
