"""Forward rules: a rule with ``forward`` relays the request to an upstream.

Strategy (docs/ARCHITECTURE.md, "Answers"): the responder, on the server's
loop thread, hands the record to a :class:`~inspector.upstream.Forwarder` and
returns a :class:`~inspector.http.deferred.Deferred` at once; a forwarder
worker resolves it with the upstream's answer (or a 502/503/504 naming the
upstream), which carries the record's ``upstream`` part. When the server gives
the request up (the client hung up, the listener stopped) the handle's cancel
reaches the :class:`~inspector.upstream.ForwardCall`: the worker's socket is
shut, and the handle keeps how far the call got for the record.

The forwarder (its worker threads and kept-alive upstream connections) is
started on the first forwarded request and lives until :meth:`Forwarding.close`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from inspector.http.deferred import Deferred
from inspector.http.record import CaptureRecord
from inspector.http.response import Response
from inspector.upstream import ForwardCall, Forwarder, ForwardResult, UpstreamTarget


def described(target: UpstreamTarget) -> Response:
    """What a preview of a forward rule shows: where requests go (nothing is sent)."""
    text = f"This rule forwards the request to {target.url} and answers with what comes back.\n"
    return Response(
        status=200,
        headers=(("Content-Type", "text/plain; charset=utf-8"),),
        body=text.encode("utf-8"),
    )


class Forwarding:
    """The responder's forwarder, started on first use; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._forwarder: Forwarder | None = None

    def forward(
        self, record: CaptureRecord, target: UpstreamTarget, rule: str, folder: Path | None = None
    ) -> Deferred:
        """Send ``record`` upstream; returns at once with the handle the answer resolves.
        ``folder`` (the rules file's) is where a relative CA file path points."""
        target = target.in_folder(folder)
        forwarder = self._forwarder
        if forwarder is None:
            with self._lock:
                forwarder = self._forwarder
                if forwarder is None:
                    forwarder = self._forwarder = Forwarder()
        calls: list[ForwardCall] = []

        def cancelled(reason: str) -> None:
            # runs on the loop thread after forward() returned, so the call exists
            for call in calls:
                deferred.upstream = call.cancel(reason) or call.exchange

        def done(result: ForwardResult) -> None:
            deferred.resolve(result.response)

        deferred = Deferred(on_cancel=cancelled)
        calls.append(forwarder.submit(record, target, done, rule=rule))
        return deferred

    def close(self) -> None:
        """Stop the forwarder: calls in flight answer 503; threads and connections end.
        A later forward starts a new one."""
        with self._lock:
            forwarder, self._forwarder = self._forwarder, None
        if forwarder is not None:
            forwarder.close()
