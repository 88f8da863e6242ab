"""The record's upstream field survives its JSON form."""

from __future__ import annotations

import dataclasses

from inspector.http.record import UpstreamExchange


def test_round_trip_keeps_every_field() -> None:
    exchange = UpstreamExchange(
        url="http://127.0.0.1:9000/base/x?y=1",
        status=201,
        reason="Created",
        headers=(("Set-Cookie", "a=1"), ("set-cookie", "b=2")),
        body=b"\x00\xffbinary",
        body_size=8,
        duration_ms=12.3456,
        request_headers=(("Host", "127.0.0.1:9000"),),
        informational=(103,),
        connect_ms=1.5,
        first_byte_ms=10.25,
    )
    data = exchange.to_json()
    assert set(data) >= {"url", "status", "headers", "body_b64", "body_size", "duration_ms", "error"}
    assert UpstreamExchange.from_json(data) == dataclasses.replace(exchange, duration_ms=12.346)


def test_a_failure_without_answer_round_trips() -> None:
    failed = UpstreamExchange(url="http://h/", error="upstream http://h/: unreachable: connection refused")
    data = failed.to_json()
    assert (data["status"], data["body_b64"], data["connect_ms"]) == (None, "", None)
    assert UpstreamExchange.from_json(data) == failed
    assert UpstreamExchange.from_json({"url": "http://h/"}) == UpstreamExchange(url="http://h/")
