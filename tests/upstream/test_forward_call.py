"""One forwarded call from submit to its settling: the exact 502/503/504 lines, the
record's upstream part (reason, duration), callbacks that fail, waiting with a timeout,
and the Content-Length relayed where no body comes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import ForwarderFactory, UpstreamFactory
from fakeupstream import WAIT, FakeClock, Reply, capture, response

from inspector.upstream import ForwardResult, parse_target
from inspector.upstream import forwarder as forwarder_module
from inspector.upstream import pool as pool_module
from inspector.upstream.client import Answer
from inspector.upstream.forwarder import Forwarder, _ms, _relayed_length

GET = b"GET /c HTTP/1.1\r\nHost: h\r\n\r\n"


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.ERROR):
        yield caplog


def logged(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str, bool]]:
    return [(r.name, r.getMessage(), r.exc_info is not None) for r in caplog.records]


def test_a_stopped_forwarder_answers_503_at_once(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream()
    assert forwarder.close(timeout=WAIT)
    url = upstream.url()
    result = forwarder.submit(capture(GET), parse_target(url)).result(0.0)
    assert result is not None
    line = f"upstream {url}: not forwarded: the forwarder stopped"
    assert (result.response.status, result.response.body) == (503, (line + "\n").encode())
    assert result.upstream.error == line
    assert not upstream.received


def test_close_waits_2_s_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    forwarder = Forwarder(workers=1)
    timeouts: list[float] = []
    close = forwarder.pool.close

    def recorded(timeout: float = -1.0) -> bool:
        timeouts.append(timeout)
        return close(timeout)

    monkeypatch.setattr(forwarder.pool, "close", recorded)
    assert forwarder.close() is True
    assert timeouts == [2.0]


def test_the_upstream_reason_phrase_is_recorded(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(lambda r: Reply([response(201, b"made", reason="Made It")]))
    result = forwarder.submit(capture(GET), parse_target(upstream.url())).result(WAIT)
    assert result is not None
    assert (result.response.status, result.response.reason) == (201, "Made It")
    assert (result.upstream.status, result.upstream.reason) == (201, "Made It")


def test_the_duration_is_counted_from_submit(
    forwarder: Forwarder, start_upstream: UpstreamFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FakeClock(time.monotonic())
    monkeypatch.setattr(forwarder_module, "time", clock)
    release = threading.Event()
    upstream = start_upstream(lambda r: Reply([response(200, b"ok")], release=release))
    call = forwarder.submit(capture(GET), parse_target(upstream.url()))
    upstream.wait_requests(1)
    clock.now += 0.25
    release.set()
    result = call.result(WAIT)
    assert result is not None and result.upstream.duration_ms == 250.0


def test_moments_are_milliseconds_after_the_start() -> None:
    assert _ms(10.0, 10.25) == 250.0
    assert _ms(10.0, None) is None


def test_a_failing_callback_is_logged_and_the_call_still_settles(
    forwarder: Forwarder, start_upstream: UpstreamFactory, errors: pytest.LogCaptureFixture
) -> None:
    upstream = start_upstream()

    def broken(result: ForwardResult) -> None:
        raise RuntimeError("callback broke")

    result = forwarder.submit(capture(GET), parse_target(upstream.url()), broken).result(WAIT)
    assert result is not None and result.response.status == 200
    assert logged(errors) == [(forwarder_module.__name__, "the forward callback failed", True)]


def test_result_waits_no_longer_than_its_timeout(
    forwarder: Forwarder, start_upstream: UpstreamFactory
) -> None:
    release = threading.Event()
    upstream = start_upstream(lambda r: Reply([response(200, b"late")], release=release))
    call = forwarder.submit(capture(GET), parse_target(upstream.url()))
    upstream.wait_requests(1)
    got: list[ForwardResult | None] = []
    waiter = threading.Thread(target=lambda: got.append(call.result(0.0)))
    waiter.start()
    try:
        waiter.join(WAIT)
        assert got == [None] and not call.done
    finally:
        release.set()
        waiter.join(WAIT)
    assert call.result(WAIT) is not None


def test_a_silent_upstream_answers_504_from_the_worker(
    start_forwarder: ForwarderFactory,
    start_upstream: UpstreamFactory,
    monkeypatch: pytest.MonkeyPatch,
    errors: pytest.LogCaptureFixture,
) -> None:
    """The pool's timer is frozen (its clock never reaches the deadline), so the 504
    comes from the worker's own timeout, not from the deadline timer."""
    monkeypatch.setattr(pool_module, "time", FakeClock(time.monotonic()))
    upstream = start_upstream(lambda r: Reply(hold=True))
    forwarder = start_forwarder()
    url = upstream.url()
    result = forwarder.submit(capture(GET), parse_target({"url": url, "timeout_ms": 200})).result(WAIT)
    assert result is not None
    line = f"upstream {url}: no answer within 200 ms"
    assert (result.response.status, result.response.body) == (504, (line + "\n").encode())
    assert not logged(errors)


def test_an_unexpected_error_answers_502_naming_it(
    forwarder: Forwarder,
    start_upstream: UpstreamFactory,
    monkeypatch: pytest.MonkeyPatch,
    errors: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Answer:
        raise KeyError("x" * 400)

    monkeypatch.setattr(forwarder_module, "perform", broken)
    upstream = start_upstream()
    url = upstream.url()
    result = forwarder.submit(capture(GET), parse_target(url)).result(WAIT)
    assert result is not None
    detail = f"forwarding failed: KeyError: {'x' * 400!r}"[:300]
    line = f"upstream {url}: {detail}"
    assert (result.response.status, result.response.body) == (502, (line + "\n").encode())
    assert result.upstream.error == line
    assert logged(errors) == [(forwarder_module.__name__, "forwarding failed", True)]


def answer(status: int, content_length: str) -> Answer:
    headers = (("Content-Length", content_length),)
    return Answer(status=status, reason="R", headers=headers, body=b"", raw_headers=headers)


def test_the_content_length_of_a_bodiless_answer_is_relayed_when_it_is_a_number() -> None:
    assert _relayed_length("HEAD", answer(200, " 42 ")) == 42
    assert _relayed_length("GET", answer(304, "7")) == 7
    assert _relayed_length("GET", answer(200, "7")) is None  # the body itself is relayed
    assert _relayed_length("HEAD", answer(200, "9" * 18)) == int("9" * 18)
    spellings = ("9" * 19, "", "4x", "abc", "-1", "+1", "\u0664\u0662", "1.5")
    assert [_relayed_length("HEAD", answer(200, text)) for text in spellings] == [None] * len(spellings)
