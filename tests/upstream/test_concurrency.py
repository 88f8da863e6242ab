"""Calls run off the caller's thread on a bounded pool: a slow upstream delays no one else,
a full pool answers 503, deadlines hold for waiting calls, and cancelled calls free their worker.

Ordering is proven with events (a held upstream answers only when the test says
so), never with wall-clock thresholds.
"""

from __future__ import annotations

import gc
import threading
import weakref

from conftest import ForwarderFactory, UpstreamFactory
from fakeupstream import WAIT, Reply, capture, response

from inspector.upstream import ForwardResult, parse_target

GET = b"GET /c HTTP/1.1\r\nHost: h\r\n\r\n"


def test_submit_returns_before_the_upstream_answers(
    start_forwarder: ForwarderFactory, start_upstream: UpstreamFactory
) -> None:
    release = threading.Event()
    upstream = start_upstream(lambda r: Reply([response(200, b"late")], release=release))
    forwarder = start_forwarder()
    done: list[tuple[ForwardResult, str]] = []
    call = forwarder.submit(
        capture(GET),
        parse_target(upstream.url()),
        lambda result: done.append((result, threading.current_thread().name)),
    )
    upstream.wait_requests(1)
    assert not call.done and not done  # the upstream has the request and has not answered
    release.set()
    result = call.result(WAIT)
    assert result is not None and result.response.body == b"late"
    assert done[0][0] is result
    assert done[0][1].startswith("upstream-")  # on a worker, not the caller's thread


def test_a_slow_upstream_does_not_delay_a_fast_one(
    start_forwarder: ForwarderFactory, start_upstream: UpstreamFactory
) -> None:
    release = threading.Event()
    slow = start_upstream(lambda r: Reply([response(200, b"slow")], release=release))
    fast = start_upstream()
    forwarder = start_forwarder(workers=4)
    order: list[str] = []
    slow_calls = [
        forwarder.submit(capture(GET), parse_target(slow.url()), lambda r: order.append("slow"))
        for _ in range(3)
    ]
    slow.wait_requests(3)
    fast_call = forwarder.submit(capture(GET), parse_target(fast.url()), lambda r: order.append("fast"))
    assert fast_call.result(WAIT) is not None
    assert order == ["fast"]  # answered while every slow call still waits on its upstream
    release.set()
    for call in slow_calls:
        assert call.result(WAIT) is not None
    assert order == ["fast", "slow", "slow", "slow"]


def test_one_upstream_cannot_take_every_worker(
    start_forwarder: ForwarderFactory, start_upstream: UpstreamFactory
) -> None:
    """With 4 workers and 3 per upstream, a fourth call to a held upstream waits in
    the queue while another upstream is still served at once."""
    release = threading.Event()
    held = start_upstream(lambda r: Reply([response(200, b"held")], release=release))
    other = start_upstream()
    forwarder = start_forwarder(workers=4, per_upstream=3)
    held_calls = [forwarder.submit(capture(GET), parse_target(held.url())) for _ in range(4)]
    held.wait_requests(3)
    assert forwarder.pool.queued == 1
    other_result = forwarder.submit(capture(GET), parse_target(other.url())).result(WAIT)
    assert other_result is not None and other_result.response.status == 200
    assert len(held.received) == 3 and not any(call.done for call in held_calls)
    release.set()
    assert [call.result(WAIT).response.status for call in held_calls] == [200] * 4  # type: ignore[union-attr]
    assert len(held.wait_requests(4)) == 4


def test_a_full_pool_answers_503_at_once_and_runs_what_it_queued(
    start_forwarder: ForwarderFactory, start_upstream: UpstreamFactory
) -> None:
    release = threading.Event()
    upstream = start_upstream(lambda r: Reply([response(200, b"ok")], release=release))
    forwarder = start_forwarder(workers=1, queue_limit=2)
    target = parse_target(upstream.url())
    accepted = [forwarder.submit(capture(GET), target)]
    upstream.wait_requests(1)  # it runs
    accepted += [forwarder.submit(capture(GET), target) for _ in range(2)]  # these wait
    assert forwarder.pool.queued == 2 and not any(call.done for call in accepted)
    refused_with: list[ForwardResult] = []
    refused = forwarder.submit(capture(GET), target, refused_with.append)
    assert refused.done and refused_with  # settled inside submit, on this thread
    assert refused_with[0].response.status == 503
    assert (
        refused_with[0].response.error
        == f"upstream {upstream.url()}: not forwarded: 2 requests already wait for a worker"
    )
    assert forwarder.pool.threads == 1
    release.set()
    assert [call.result(WAIT).response.status for call in accepted] == [200] * 3  # type: ignore[union-attr]
    assert len(upstream.wait_requests(3)) == 3


def test_a_waiting_call_gets_504_by_its_deadline_even_with_no_worker_free(
    start_forwarder: ForwarderFactory, start_upstream: UpstreamFactory
) -> None:
    release = threading.Event()
    upstream = start_upstream(lambda r: Reply([response(200, b"ok")], release=release))
    forwarder = start_forwarder(workers=1)
    running = forwarder.submit(capture(GET), parse_target(upstream.url()))
    upstream.wait_requests(1)
    waiting = forwarder.submit(capture(GET), parse_target({"url": upstream.url(), "timeout_ms": 100}))
    result = waiting.result(WAIT)
    assert result is not None and not running.done  # expired while the only worker was still busy
    assert result.response.status == 504
    assert result.response.error == f"upstream {upstream.url()}: no answer within 100 ms (no worker was free)"
    release.set()
    assert running.result(WAIT) is not None
    assert len(upstream.wait_requests(1)) == 1  # the expired call was never sent


def test_cancelling_a_running_call_frees_its_worker_and_drops_the_connection(
    start_forwarder: ForwarderFactory, start_upstream: UpstreamFactory
) -> None:
    hung = start_upstream(lambda r: Reply(hold=True))
    fast = start_upstream()
    forwarder = start_forwarder(workers=1)
    called: list[ForwardResult] = []
    call = forwarder.submit(capture(GET), parse_target(hung.url()), called.append)
    hung.wait_requests(1)
    exchange = call.cancel()
    assert exchange is not None
    assert exchange.error == "cancelled: the client closed the connection"
    assert exchange.url == f"{hung.url()}/c"
    hung.wait_client_closes(1)  # the worker let go of the upstream connection
    # the single worker is free again: the next call is served
    after = forwarder.submit(capture(GET), parse_target(fast.url())).result(WAIT)
    assert after is not None and after.response.status == 200
    assert not called and call.result(0) is None
    assert call.cancel() is None  # settled once
    assert forwarder.connections.idle_count == 1  # only the fast upstream's connection is kept


def test_cancelling_a_waiting_call_means_it_is_never_sent(
    start_forwarder: ForwarderFactory, start_upstream: UpstreamFactory
) -> None:
    release = threading.Event()
    upstream = start_upstream(lambda r: Reply([response(200, b"ok")], release=release))
    forwarder = start_forwarder(workers=1)
    first = forwarder.submit(capture(GET), parse_target(upstream.url()))
    upstream.wait_requests(1)
    second = forwarder.submit(capture(GET), parse_target(upstream.url()))
    assert forwarder.pool.queued == 1
    assert second.cancel() is not None
    assert forwarder.pool.queued == 0
    release.set()
    assert first.result(WAIT) is not None
    third = forwarder.submit(capture(GET), parse_target(upstream.url())).result(WAIT)
    assert third is not None
    assert len(upstream.wait_requests(2)) == 2  # the first and the third: never the second


def test_closing_answers_what_is_left_with_503_and_ends_every_thread(
    start_forwarder: ForwarderFactory, start_upstream: UpstreamFactory
) -> None:
    hung = start_upstream(lambda r: Reply(hold=True))
    forwarder = start_forwarder(workers=1)
    running = forwarder.submit(capture(GET), parse_target(hung.url()))
    hung.wait_requests(1)
    waiting = forwarder.submit(capture(GET), parse_target(hung.url()))
    assert forwarder.close(timeout=WAIT)
    results = [running.result(0), waiting.result(0)]
    assert [r.response.status for r in results if r] == [503, 503]
    stopped = f"upstream {hung.url()}: not forwarded: the forwarder stopped"
    assert [r.response.error for r in results if r] == [stopped, stopped]
    assert not [t for t in threading.enumerate() if t.name.startswith("upstream-")]
    late = forwarder.submit(capture(GET), parse_target(hung.url())).result(0)
    assert (
        late is not None
        and late.response.error == f"upstream {hung.url()}: not forwarded: the forwarder stopped"
    )


def test_a_finished_call_and_its_answer_are_not_kept_by_the_pool(
    start_forwarder: ForwarderFactory, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(lambda r: Reply([response(200, b"x" * 100_000)]))
    forwarder = start_forwarder()
    call = forwarder.submit(capture(GET), parse_target(upstream.url()))
    assert call.result(WAIT) is not None
    gone = weakref.ref(call)
    del call
    gc.collect()
    assert gone() is None  # its deadline (30 s away) is still in the heap, without it
