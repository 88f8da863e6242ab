"""Pausing a request so that a person answers it (docs/ARCHITECTURE.md, "Answers").

A rule with ``pause`` holds each request it matches. On the loop thread the
responder renders the answer the rule would send (counting the request, so an
answer list's steps go on as usual) and hands a :class:`PausedRequest` to its
:class:`PauseHandler` (the window) instead of answering; the server parks the
connection on the request's :class:`~inspector.http.deferred.Deferred`.
Whoever holds the paused request answers it once, from any thread: an edited
answer (:func:`edited_answer`), the rule's own answer, a fault, or, at the idle
limit, :meth:`PausedRequest.expire`. A client that hangs up (or a listener
that stops) cancels the deferred answer, and the handler is told ``gone``.

Without a handler (headless mode, the testing layer) a pause rule answers at once.
Nothing here knows Qt; the window's side is ``inspector/ui/pauses.py``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from inspector.http.deferred import Deferred
from inspector.http.record import CaptureRecord
from inspector.http.response import FAULTS, FRAMING_HEADERS, Response, field_value_problem, is_token
from inspector.responses.answers import DEFAULT_TRICKLE_RATE, status_problem

if TYPE_CHECKING:
    from inspector.responses.model import Rule

#: header lines an edited answer may have (a rule's answer has far fewer)
MAX_EDITED_HEADERS = 200


def pauses_ignored(rules: Iterable[Rule]) -> str | None:
    """Headless mode's one line about the enabled ``pause`` rules it answers at
    once (None: there are none)."""
    names = [rule.name for rule in rules if rule.pause and rule.enabled]
    if not names:
        return None
    shown = ", ".join(repr(name) for name in names[:5])
    if len(names) > 5:
        shown += f" and {len(names) - 5} more"
    return f"note: pauses are ignored in headless mode (they need the window): {shown} answer at once"


class PauseHandler(Protocol):
    """Where paused requests go. Both methods are called on the server's loop
    thread: keep them short and thread-safe (post to another thread)."""

    def paused(self, request: PausedRequest) -> None:
        """A request is held; answer it through ``request`` (once)."""

    def gone(self, request_id: int, reason: str) -> None:
        """Request ``request_id`` can no longer be answered (``reason``: the client
        hung up, the listener stopped); its record says so."""


@dataclass(frozen=True, slots=True, eq=False)
class PausedRequest:
    """One held request and the answer its rule would send.

    Attributes:
        record: the request (no response yet).
        answer: what the rule rendered for it (step and fault included).
        deferred: the server waits on it; resolved once by one of the methods below.
        paused_at: ``time.monotonic()`` when it was held.
    """

    record: CaptureRecord
    answer: Response
    deferred: Deferred
    paused_at: float = field(default_factory=time.monotonic)

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def rule(self) -> str:
        return self.answer.rule or ""

    def waited(self, now: float | None = None) -> float:
        """Seconds the client has waited so far."""
        return max(0.0, (time.monotonic() if now is None else now) - self.paused_at)

    def let_rule_answer(self) -> bool:
        """Send what the rule rendered (its delay and fault too); False when too late."""
        return self.deferred.resolve(self.answer)

    def send(self, response: Response) -> bool:
        """Send ``response`` (built by :func:`edited_answer`); False when too late."""
        return self.deferred.resolve(response)

    def send_fault(self, fault: str, bytes_per_s: int = 0) -> bool:
        """Send the rule's answer with ``fault`` instead of its own; False when too late.

        Raises:
            ValueError: ``fault`` is not one of ``FAULTS``.
        """
        return self.deferred.resolve(with_fault(self.answer, fault, bytes_per_s))

    def expire(self, limit: float) -> bool:
        """End the request unanswered: it waited ``limit`` seconds (the idle limit).
        The connection is closed without an answer and the record says why."""
        return self.deferred.resolve(expired_answer(self.answer, limit))


def expiry_reason(limit: float) -> str:
    """The record's error for a pause nobody answered within ``limit`` seconds."""
    return f"not answered: paused for {limit:g} s without an answer (the idle limit)"


def expired_answer(answer: Response, limit: float) -> Response:
    """The ``close`` fault that ends a pause nobody answered (its error says why).
    A listener that does not act on faults sends it as a 504 with that line."""
    reason = expiry_reason(limit)
    return Response(
        status=504,
        headers=(("Content-Type", "text/plain; charset=utf-8"),),
        body=f"Request Inspector: {reason}\n".encode(),
        rule=answer.rule,
        error=reason,
        fault="close",
        step=answer.step,
        steps=answer.steps,
    )


def with_fault(answer: Response, fault: str | None, bytes_per_s: int = 0) -> Response:
    """``answer`` carrying ``fault`` (None: none), without its delay (a person
    already held it); ``trickle`` goes at ``bytes_per_s`` (default: the rules' rate).

    Raises:
        ValueError: ``fault`` is not one of ``FAULTS``.
    """
    if fault is not None and fault not in FAULTS:
        raise ValueError(f"{fault!r} is not one of {', '.join(FAULTS)}")
    rate = max(1, bytes_per_s or DEFAULT_TRICKLE_RATE) if fault == "trickle" else 0
    return dataclasses.replace(answer, fault=fault, bytes_per_s=rate, delay_ms=0)


def edited_answer(
    answer: Response,
    *,
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    fault: str | None = None,
    bytes_per_s: int = 0,
) -> Response:
    """The rule's ``answer`` as a person edited it: their status, headers and body,
    the rule's name and step kept (for the record), sent at once.

    Raises:
        ValueError: one line saying what cannot be sent (status, a header, the fault).
    """
    why = status_problem(status)
    if why is not None:
        raise ValueError(f"status: {why}")
    pairs = tuple(headers)
    for name, value in pairs:
        problem = header_problem(name, value)
        if problem is not None:
            raise ValueError(problem)
    edited = dataclasses.replace(
        answer, status=status, reason="", headers=pairs, body=body, error=None, length=None, raw_headers=False
    )
    return with_fault(edited, fault, bytes_per_s)


def header_problem(name: str, value: str) -> str | None:
    """Why ``name: value`` cannot be sent, or None."""
    if not is_token(name):
        return f"{name!r} is not a header name"
    if name.lower() in FRAMING_HEADERS:
        return f"{name} is computed by the listener; remove it"
    why = field_value_problem(value)
    return None if why is None else f"{name}: {why}"


def headers_text(headers: Iterable[tuple[str, str]]) -> str:
    """Header pairs as ``Name: value`` lines, for editing."""
    return "\n".join(f"{name}: {value}" for name, value in headers)


def parse_headers(text: str) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """``Name: value`` lines (blank lines skipped) as pairs, and the first problem
    (with its line number) or None. Linear in the text."""
    pairs: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        if not colon:
            return tuple(pairs), f"headers line {number}: 'Name: value' expected"
        name, value = name.strip(), value.strip()
        problem = header_problem(name, value)
        if problem is not None:
            return tuple(pairs), f"headers line {number}: {problem}"
        pairs.append((name, value))
        if len(pairs) > MAX_EDITED_HEADERS:
            return tuple(pairs), f"headers: more than {MAX_EDITED_HEADERS} lines"
    return tuple(pairs), None


def hold(record: CaptureRecord, answer: Response, handler: PauseHandler) -> Deferred:
    """Hold ``record`` for ``handler`` with the rule's ``answer``; the server waits
    on the returned handle (loop thread)."""
    request_id = record.id

    def on_cancel(reason: str) -> None:
        handler.gone(request_id, reason)

    deferred = Deferred(on_cancel=on_cancel)
    handler.paused(PausedRequest(record, answer, deferred))
    return deferred


class PauseBoard:
    """The requests held now, by id, in arrival order (one thread: the window's).

    Args:
        limit: seconds a pause may wait before it ends unanswered (the idle limit).
    """

    def __init__(self, limit: float) -> None:
        self.limit = limit
        self._held: dict[int, PausedRequest] = {}

    def __len__(self) -> int:
        return len(self._held)

    def __contains__(self, request_id: object) -> bool:
        return request_id in self._held

    def get(self, request_id: int) -> PausedRequest | None:
        return self._held.get(request_id)

    def ids(self) -> frozenset[int]:
        return frozenset(self._held)

    def oldest(self) -> PausedRequest | None:
        return next(iter(self._held.values()), None)

    def add(self, request: PausedRequest) -> None:
        self._held[request.id] = request

    def remove(self, request_id: int) -> PausedRequest | None:
        return self._held.pop(request_id, None)

    def left(self, request: PausedRequest, now: float | None = None) -> float:
        """Seconds before ``request`` ends unanswered."""
        return max(0.0, self.limit - request.waited(now))

    def expire(self, now: float | None = None) -> list[PausedRequest]:
        """End (and drop) every pause that has waited the limit; returns them."""
        now = time.monotonic() if now is None else now
        due = [p for p in self._held.values() if p.waited(now) >= self.limit]
        for request in due:
            del self._held[request.id]
            request.expire(self.limit)
        return due
