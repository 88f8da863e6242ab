"""Forwarding: hand a captured request to an upstream off the caller's thread, get back
the client's answer and the record's ``upstream`` field.

Strategy (docs/ARCHITECTURE.md, "Answers"): :meth:`Forwarder.submit` queues
a :class:`ForwardCall` on the worker pool and returns at once; the worker
builds the outgoing request, so the caller's thread (the server loop) does no
more than queue. The call is settled exactly once, by the first of: the
worker's outcome, its deadline (504), a cancel (the client left), or the
forwarder closing (503). Settling calls ``on_done`` with a
:class:`ForwardResult`, from a worker or timer thread, or from the caller's
own thread inside ``submit`` when there is no room to queue it. A cancel
returns the record's ``upstream`` part instead and wakes a worker blocked on
the call's socket; the connection is dropped, the worker goes back to the pool.

Answers: the upstream's status, reason, header fields less hop-by-hop ones,
and body. Failures answer 502 (unreachable, TLS, an invalid or oversized
answer), 504 (nothing within ``timeout_ms``, counted from ``submit``), 503
(no room to queue, or stopped) or 501 (CONNECT), each with one plain-text
line naming the upstream.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Final

from inspector.http.limits import MAX_BODY
from inspector.http.record import CaptureRecord, UpstreamExchange
from inspector.http.response import Response, error_response
from inspector.upstream.client import Answer, perform
from inspector.upstream.connections import IDLE_TIMEOUT, Cancelled, ConnectionPool, Interrupt, UpstreamFailure
from inspector.upstream.outgoing import NotForwardable, OutgoingRequest, build_request, end_to_end
from inspector.upstream.pool import WorkerPool
from inspector.upstream.target import UpstreamTarget

log = logging.getLogger(__name__)

#: Worker threads: upstream calls in flight at once (docs/PERFORMANCE.md,
#: "Forwarding"). Against a fast local upstream two workers already keep both
#: cores busy; against one taking 20 ms per answer throughput grows with the
#: workers up to 32 (24 calls in flight to it) and falls at 64 (GIL
#: contention). An idle worker costs ~15 KiB of resident memory.
WORKERS: Final = 32
#: Calls waiting for a worker before new ones are refused with 503: eight per
#: worker. At the 700-900 calls a second measured here a full queue drains in
#: ~0.3 s; a longer queue would only turn waits into 504s, and it stays far
#: below what the server's 1,000 connections could ask for at once.
QUEUE_LIMIT: Final = 256
_MAX_URL_SHOWN: Final = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class ForwardResult:
    """How a forwarded request ended: the answer for the client and the record's part."""

    response: Response
    upstream: UpstreamExchange


def _ms(start: float, moment: float | None) -> float | None:
    return None if moment is None else (moment - start) * 1000


class ForwardCall:
    """One forwarded request, from :meth:`Forwarder.submit` until it is settled."""

    def __init__(
        self,
        forwarder: Forwarder,
        record: CaptureRecord,
        target: UpstreamTarget,
        on_done: Callable[[ForwardResult], object] | None,
        rule: str | None,
    ) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + target.timeout_ms / 1000
        self.target = target
        self._forwarder = forwarder
        self._record: CaptureRecord | None = record
        #: built by the worker, so the caller's thread (the server loop) does not
        self._request: OutgoingRequest | None = None
        self._on_done = on_done
        self._rule = rule
        self._interrupt = Interrupt()
        self._lock = threading.Lock()
        self._settled = threading.Event()
        self._result: ForwardResult | UpstreamExchange | None = None
        self._ran = False

    @property
    def key(self) -> Hashable:
        return self.target.connection_key

    @property
    def done(self) -> bool:
        """Settled: answered, failed, expired or cancelled."""
        return self._result is not None

    def result(self, timeout: float | None = None) -> ForwardResult | None:
        """Wait for the result; None when cancelled or still running after ``timeout``."""
        self._settled.wait(timeout)
        return self._result if isinstance(self._result, ForwardResult) else None

    @property
    def exchange(self) -> UpstreamExchange | None:
        """The record's ``upstream`` part once settled (also after a cancel), else None."""
        outcome = self._result
        return outcome.upstream if isinstance(outcome, ForwardResult) else outcome

    def cancel(self, reason: str = "the client closed the connection") -> UpstreamExchange | None:
        """The request is given up (``reason``: the client left, the listener
        stopped): abandon the call. Returns the record's ``upstream`` part, or
        None when the call was settled already (``on_done`` has the result)."""
        exchange = self._exchange(error=f"cancelled: {reason}")
        if not self._settle(exchange):
            return None
        self._forwarder._pool.withdraw(self)
        self._interrupt.fire()
        return exchange

    # -- the pool's side (Job) -------------------------------------------------

    def run(self) -> None:
        record, self._record = self._record, None
        if record is None or self.done:
            return
        self._ran = True
        forwarder = self._forwarder
        try:
            request = self._request = build_request(record, self.target)
            answer = perform(
                forwarder.connections,
                self.target,
                request,
                deadline=self.deadline,
                max_body=forwarder.max_body,
                interrupt=self._interrupt,
            )
        except Cancelled:
            return
        except NotForwardable as refusal:
            self._fail(refusal.status, refusal.reason)
        except TimeoutError:
            self._fail(504, f"no answer within {self.target.timeout_ms} ms")
        except UpstreamFailure as failure:
            self._fail(failure.status, failure.detail, failure)
        except Exception as exc:  # a bug must not leave the client waiting for its deadline
            log.exception("forwarding failed")
            self._fail(502, f"forwarding failed: {type(exc).__name__}: {exc}"[:300])
        else:
            self._succeed(request, answer)

    def expire(self) -> None:
        waited = "" if self._ran else " (no worker was free)"
        if self._fail(504, f"no answer within {self.target.timeout_ms} ms{waited}"):
            self._interrupt.fire()

    def drop(self) -> None:
        if self._fail(503, "not forwarded: the forwarder stopped"):
            self._interrupt.fire()

    # -- settling ---------------------------------------------------------------

    def _settle(self, outcome: ForwardResult | UpstreamExchange) -> bool:
        with self._lock:
            if self._result is not None:
                return False
            self._result = outcome
        self._record = self._request = None  # the body is not needed any more
        if isinstance(outcome, ForwardResult) and self._on_done is not None:
            try:
                self._on_done(outcome)
            except Exception:
                log.exception("the forward callback failed")
        self._settled.set()  # after on_done, so whoever waits sees what it did
        return True

    def _exchange(self, **fields: object) -> UpstreamExchange:
        request = self._request
        url = self.target.url if request is None else self.target.origin + request.target
        return UpstreamExchange(
            url=url,
            duration_ms=(time.monotonic() - self.started) * 1000,
            request_headers=() if request is None else request.header_pairs(),
            **fields,  # type: ignore[arg-type]
        )

    def _fail(self, status: int, detail: str, failure: UpstreamFailure | None = None) -> bool:
        reason = f"upstream {self.target.url[:_MAX_URL_SHOWN]}: {detail}"
        extra: dict[str, object] = {}
        if failure is not None:
            extra = {
                "status": failure.upstream_status,
                "headers": failure.upstream_headers,
                "body_size": failure.body_size,
            }
        exchange = self._exchange(error=reason, **extra)
        response = dataclasses.replace(
            error_response(status, reason), rule=self._rule, error=reason, upstream=exchange
        )
        return self._settle(ForwardResult(response=response, upstream=exchange))

    def _succeed(self, request: OutgoingRequest, answer: Answer) -> None:
        exchange = self._exchange(
            status=answer.status,
            reason=answer.reason,
            headers=answer.headers,
            body=answer.body,
            body_size=len(answer.body),
            informational=answer.informational,
            connect_ms=_ms(self.started, answer.connected_at),
            first_byte_ms=_ms(self.started, answer.first_byte_at),
        )
        response = Response(
            status=answer.status,
            reason=answer.reason,
            headers=end_to_end(answer.raw_headers),
            body=answer.body,
            rule=self._rule,
            length=_relayed_length(request.method, answer),
            raw_headers=True,
            upstream=exchange,
        )
        self._settle(ForwardResult(response=response, upstream=exchange))


def _relayed_length(method: str, answer: Answer) -> int | None:
    """The upstream's Content-Length where no body comes with it (HEAD, 304), else None."""
    if method != "HEAD" and answer.status != 304:
        return None
    for name, value in answer.raw_headers:
        if name.lower() == "content-length":
            text = value.strip()
            return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None
    return None


class Forwarder:
    """Sends requests upstream on a bounded pool of workers, reusing connections.

    Args:
        workers: upstream calls in flight at once.
        queue_limit: calls waiting for a worker before new ones get 503.
        per_upstream: calls in flight to one upstream at once (default: three
            quarters of ``workers``, so other upstreams always find one free).
        max_body: the largest answer body relayed; a larger one answers 502.
        idle_timeout: seconds an idle kept-alive upstream connection is kept.
    """

    def __init__(
        self,
        *,
        workers: int = WORKERS,
        queue_limit: int = QUEUE_LIMIT,
        per_upstream: int | None = None,
        max_body: int = MAX_BODY,
        idle_timeout: float = IDLE_TIMEOUT,
    ) -> None:
        self._pool = WorkerPool(workers=workers, queue_limit=queue_limit, per_key=per_upstream)
        self.connections = ConnectionPool(max_idle=workers, idle_timeout=idle_timeout)
        self.max_body = max_body

    @property
    def pool(self) -> WorkerPool:
        return self._pool

    def submit(
        self,
        record: CaptureRecord,
        target: UpstreamTarget,
        on_done: Callable[[ForwardResult], object] | None = None,
        *,
        rule: str | None = None,
    ) -> ForwardCall:
        """Forward ``record`` to ``target``; returns at once.

        ``on_done`` gets the result exactly once unless the call is cancelled
        first, from a worker or timer thread, or from this one before
        ``submit`` returns when there is no room to queue the call. The
        outgoing request is built by the worker: the caller only queues.
        """
        call = ForwardCall(self, record, target, on_done, rule)
        if not self._pool.submit(call):
            if self._pool.closed:
                call._fail(503, "not forwarded: the forwarder stopped")
            else:
                call._fail(503, f"not forwarded: {self._pool.queue_limit} requests already wait for a worker")
        return call

    def close(self, timeout: float = 2.0) -> bool:
        """Stop: unfinished calls answer 503, workers end, kept connections close."""
        ended = self._pool.close(timeout)
        self.connections.close()
        return ended

    def __enter__(self) -> Forwarder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
