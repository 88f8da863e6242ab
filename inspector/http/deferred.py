"""An answer that is not ready yet (docs/ARCHITECTURE.md, "Answers").

A responder returns a ready :class:`~inspector.http.response.Response` on the
fast path. When the answer comes later (a delay, a request paused in the
window, an upstream call on a worker thread) it returns a :class:`Deferred`
instead and keeps a reference to it; whoever has the answer calls
:meth:`Deferred.resolve` from any thread. The server parks the connection on
it: the request waits, later pipelined requests wait behind it, other
connections are served as usual.

If the request can no longer be answered (the client hung up, the listener
stopped), the server cancels the handle: :attr:`Deferred.cancelled` becomes
true, ``on_cancel`` runs once with the reason, and a later ``resolve`` returns
False. A forwarded request's owner sets :attr:`Deferred.upstream` there (how
far the upstream call got), and the server records it with the request. No
socket and no loop here: the server attaches a notifier that wakes its loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from inspector.http.record import UpstreamExchange
    from inspector.http.response import Response

_PENDING, _RESOLVED, _CANCELLED = 0, 1, 2


class Deferred:
    """A handle for one answer, resolved once, from any thread.

    Args:
        on_cancel: called once with the reason if the request is given up
            before :meth:`resolve` (on the server's loop thread: keep it short
            and thread-safe, e.g. set an event or post to another thread).
    """

    __slots__ = ("_lock", "_notify", "_on_cancel", "_reason", "_response", "_state", "upstream")

    def __init__(self, on_cancel: Callable[[str], object] | None = None) -> None:
        self._lock = threading.Lock()
        self._state = _PENDING
        self._response: Response | None = None
        self._reason = ""
        self._on_cancel = on_cancel
        self._notify: Callable[[Deferred], object] | None = None
        #: set by ``on_cancel`` of a forwarded request: its upstream part, for the record
        self.upstream: UpstreamExchange | None = None

    def resolve(self, response: Response) -> bool:
        """Hand over the answer. Safe from any thread.

        A ``response`` with ``fault`` set (one of ``FAULTS``) is performed as
        a rule's fault is, after its ``delay_ms`` (docs/ARCHITECTURE.md, "Answers").

        Returns:
            True when it will be sent; False when the request was cancelled
            or the handle was already resolved.
        """
        with self._lock:
            if self._state != _PENDING:
                return False
            self._state = _RESOLVED
            self._response = response
            notify = self._notify
        if notify is not None:
            notify(self)
        return True

    @property
    def cancelled(self) -> bool:
        """True once the request was given up; :attr:`cancel_reason` says why."""
        return self._state == _CANCELLED

    @property
    def cancel_reason(self) -> str:
        return self._reason

    @property
    def response(self) -> Response | None:
        """The answer once resolved, else None."""
        return self._response

    # -- the server's side -------------------------------------------------

    def attach(self, notify: Callable[[Deferred], object]) -> Response | None:
        """Ask to be told (``notify(self)``) on resolution; the answer if it came already."""
        with self._lock:
            if self._state == _PENDING:
                self._notify = notify
                return None
            return self._response

    def cancel(self, reason: str) -> bool:
        """Give the request up; True when it was still waiting (``on_cancel`` ran)."""
        with self._lock:
            if self._state != _PENDING:
                return False
            self._state = _CANCELLED
            self._reason = reason
            callback, self._on_cancel, self._notify = self._on_cancel, None, None
        if callback is not None:
            callback(reason)
        return True
