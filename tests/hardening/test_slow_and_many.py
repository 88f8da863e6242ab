"""Slow clients and many clients over real sockets (the "Hardening" issue, item 2).

tests/server/test_server.py already checks each deadline alone (a head that
stops, a body that stops, an idle keep-alive connection), 503 with five
connections and 200 concurrent clients. Here the hostile clients run at the
same time as a well-behaved one, the slow head keeps *sending* (slowloris), the
stalled body first trickles, and the connection counts are the real defaults:
1,000 served at once, the 1,001st refused with 503.

The well-behaved client's round trips are measured and printed (``-s``) and
attached with ``record_property``; nothing asserts a duration beyond the hang
guard, so a slow CI machine cannot make these fail.
"""

from __future__ import annotations

import resource
import select
import time
from typing import Any

import pytest

from inspector.http.limits import Limits
from tests.harness import WAIT, Latency, RawClient, ServerFactory, get, open_fds

#: pace of the slow clients (one byte each this often)
TRICKLE = 0.2


def report(record_property: Any, name: str, value: object) -> None:
    print(f"\n[hardening] {name}: {value}")
    record_property(name, str(value))


class Trickler:
    """Sends ``data`` one byte per ``TRICKLE`` seconds while watching for an answer."""

    def __init__(self, client: RawClient, data: bytes, start: float) -> None:
        self.client = client
        self.data = data
        self.sent = 0
        self.next_at = start
        self.last_send = start
        self.max_gap = 0.0
        self.answer_at: float | None = None
        self.answer_after_bytes = -1

    @property
    def sending(self) -> bool:
        return self.answer_at is None and self.sent < len(self.data)

    def tick(self, now: float) -> None:
        if not self.sending or now < self.next_at:
            return
        try:
            self.client.send(self.data[self.sent : self.sent + 1])
        except OSError:  # cut: the answer is read below
            self.sent = len(self.data)
            return
        if self.sent:
            self.max_gap = max(self.max_gap, now - self.last_send)
        self.sent += 1
        self.last_send = now
        self.next_at = now + TRICKLE

    def check(self, now: float) -> None:
        if self.answer_at is None and self.client.take_response() is not None:
            self.answer_at = now
            self.answer_after_bytes = self.sent


def test_slow_clients_are_cut_while_a_good_client_is_served(
    start_server: ServerFactory, record_property: Any
) -> None:
    limits = Limits(head_timeout=1.0, body_timeout=1.0, idle_timeout=1.0)
    served = start_server(limits)
    good = served.connect()
    latency = Latency()
    latency.round_trip(good, "/good/first")

    # slowloris: a 230-byte head, one byte every 0.2 s (46 s), never stops on its own
    slow_head = get("/slowloris", b"X-Pad: " + b"a" * 200 + b"\r\n")
    # a body that trickles for 1.6 s (each gap well under body_timeout), then stalls
    body_client = served.connect()
    body_client.send(b"POST /stalled HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n")
    body_bytes = b"0123456789"[:8]
    # idle: one never sends, one goes quiet after a request
    silent = served.connect()
    after_one = served.connect()
    after_one.send(get("/then-idle"))
    assert after_one.response().status == 200

    started = time.monotonic()
    slow = Trickler(served.connect(), slow_head, started)
    body = Trickler(body_client, body_bytes, started)
    watched = {slow.client.sock: slow.client, body.client.sock: body.client}
    watched |= {silent.sock: silent, after_one.sock: after_one}
    i = 0
    while slow.answer_at is None or body.answer_at is None or not silent.eof or not after_one.eof:
        now = time.monotonic()
        assert now - started < WAIT, "hang guard: the slow clients were never cut"
        slow.tick(now)
        body.tick(now)
        latency.round_trip(good, f"/good/{i}")
        i += 1
        open_socks = [s for s, c in watched.items() if not c.eof]
        ready, _, _ = select.select(open_socks, [], [], 0.02)  # paces the loop too
        for sock in ready:
            watched[sock].poll(0)
        now = time.monotonic()
        slow.check(now)
        body.check(now)

    # the slow head was cut with 408 while it was still sending
    assert slow.answer_after_bytes < len(slow_head)
    record = served.sink.wait_for(lambda r: (r.error or "").startswith("408 request head"))
    assert record.error is not None and record.error.startswith("408 request head not complete 1 s")
    assert record.response is not None and record.response.status == 408
    assert slow_head.startswith(record.raw)
    assert record.response.headers[-1] == ("Connection", "close")
    slow.client.wait_closed()

    # the stalled body was cut with 408, holding what had arrived
    record = served.sink.wait_for(lambda r: r.path == "/stalled")
    assert record.error is not None and record.error.startswith("408 request body silent")
    assert record.body == body_bytes[: body.answer_after_bytes]
    if body.max_gap < limits.body_timeout:
        # each byte restarted the body clock, so only the final silence cut it
        assert body.answer_after_bytes == len(body_bytes)
    body.client.wait_closed()

    # idle connections closed with nothing written and no record of their own
    assert silent.buffer == b"" and after_one.buffer == b""
    records = served.sink.drain()
    assert [r.path for r in records].count("/then-idle") == 1
    assert len([r for r in records if r.error]) == 2  # the two 408s; closing an idle one records nothing

    # the good client was answered throughout and still is
    latency.round_trip(good, "/good/last")
    assert all(r.error is None for r in served.sink.drain() if r.path.startswith("/good/"))
    report(record_property, "slowloris_cut_after_s", f"{slow.answer_at - started:.2f}")  # type: ignore[operator]
    report(record_property, "slowloris_bytes_sent_before_408", f"{slow.answer_after_bytes}/{len(slow_head)}")
    report(record_property, "stalled_body_cut_after_last_byte_s", f"{body.answer_at - body.last_send:.2f}")  # type: ignore[operator]
    report(record_property, "stalled_body_max_gap_s", f"{body.max_gap:.2f}")
    report(record_property, "good_client_latency_during_slow_clients", latency.summary())


def raise_fd_limit(needed: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        pytest.skip(f"RLIMIT_NOFILE hard limit {hard} < {needed} needed")
    if soft != resource.RLIM_INFINITY and soft < needed:
        resource.setrlimit(
            resource.RLIMIT_NOFILE,
            (needed if hard == resource.RLIM_INFINITY else min(hard, needed * 2), hard),
        )


def test_thousand_connections_then_503_then_recovery(
    start_server: ServerFactory, record_property: Any
) -> None:
    limit = Limits().max_connections
    assert limit == 1000  # the default this test is about
    # each connection costs two descriptors here (client and server side), plus slack
    raise_fd_limit(2 * (limit + 20) + open_fds() + 64)
    fds_before = open_fds()
    served = start_server()
    latency = Latency()
    good = served.connect()
    latency.round_trip(good, "/good/0")

    started = time.monotonic()
    flood: list[RawClient] = []
    for i in range(limit - 1):
        flood.append(served.connect())
        if i % 25 == 24:
            latency.round_trip(good, f"/good/connect-{i}")
    served.wait_connections(limit)
    connected_s = time.monotonic() - started
    for i, client in enumerate(flood):
        client.send(get(f"/flood/{i}"))
        if i % 25 == 24:
            latency.round_trip(good, f"/good/request-{i}")
    for client in flood:
        assert client.response().status == 200
    served_s = time.monotonic() - started
    latency.round_trip(good, "/good/after-flood")
    records = served.sink.drain()
    assert len({r.path for r in records if r.path.startswith("/flood/")}) == limit - 1
    assert served.server.connection_count == limit  # keep-alive: all still open

    # one more: 503 with Connection: close, closed, and recorded
    extra = served.connect()
    response = extra.response()
    assert response.status == 503
    assert response.header("Connection") == "close"
    assert f"more than {limit} open connections".encode() in response.body
    extra.wait_closed()
    record = served.sink.wait_for(lambda r: (r.error or "").startswith("503"))
    assert record.response is not None and record.response.status == 503
    assert record.client.startswith("127.0.0.1:")
    latency.round_trip(good, "/good/after-503")

    # ten leave; ten newcomers are served
    for client in flood[:10]:
        client.close()
    served.wait_connections(limit - 10)
    for i in range(10):
        newcomer = served.connect()
        newcomer.send(get(f"/newcomer/{i}"))
        assert newcomer.response().status == 200
    latency.round_trip(good, "/good/last")
    assert served.server.connection_count == limit

    served.close_clients()
    served.stop()
    fds_after = open_fds()
    assert fds_after <= fds_before, f"descriptors leaked: {fds_before} before, {fds_after} after"
    report(record_property, "connect_1000_s", f"{connected_s:.2f}")
    report(record_property, "serve_1000_s", f"{served_s:.2f}")
    report(record_property, "good_client_latency_under_1000_connections", latency.summary())
    report(record_property, "fds_before_after", f"{fds_before} -> {fds_after}")
