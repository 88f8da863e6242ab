"""One request to an upstream over a kept-alive connection: stdlib ``socket``, ``ssl`` and
``http.client.HTTPResponse``.

Why this client (docs/ARCHITECTURE.md, "Answers"): the request head must go
out byte for byte as :mod:`inspector.upstream.outgoing` builds it. urllib3
groups duplicate fields (``A, B, A`` is sent ``A, A, B``) and adds
``User-Agent`` and ``Accept-Encoding: identity``; httpx moves ``Host`` first
and adds ``Accept``, ``Accept-Encoding``, ``Connection`` and ``User-Agent``;
``http.client.HTTPConnection`` sends fields as given but encodes the target as
ASCII and ties reuse to a state machine that a deadline and a cancel from
another thread would have to reach into. So the head is written here with one
``send``, and the answer is read by ``http.client.HTTPResponse``, the stdlib's
well-worn parser (status line, 100 Continue, Content-Length, chunked, read to
close, no body for HEAD, 1xx, 204 and 304, 100 fields of 64 KiB at most).
Client CPU per kept-alive request (bench/upstream.py --clients, two runs on a
busy two-core machine): this client 250-340 us, HTTPConnection 215-225 (no
deadline per read, no check before reuse), urllib3 2.8 650-690, httpx 0.28
1200-1450.

- Deadline: every read waits only for the time left before the call's
  deadline, so an upstream trickling one byte a second cannot stretch it.
- Retry: a reused connection that closes before any byte of an answer (a
  keep-alive race with the upstream's idle timeout) is retried once on a new
  one when the method is idempotent (RFC 9110 §9.2.2) or the request was not
  sent whole; a new connection is never retried.
- Redirects are answers like any other: nothing is followed.
"""

from __future__ import annotations

import http.client
import io
import socket
import time
from dataclasses import dataclass
from typing import Final, cast

from inspector.http.record import Pairs
from inspector.upstream.connections import Cancelled, ConnectionPool, Interrupt, UpstreamFailure, left
from inspector.upstream.outgoing import OutgoingRequest
from inspector.upstream.target import UpstreamTarget

#: Most 1xx answers accepted before the final one.
MAX_INFORMATIONAL: Final = 16
_READ_SIZE: Final = 64 * 1024
_SEND_STEP: Final = 256 * 1024
#: RFC 9110 §9.2.2
IDEMPOTENT: Final = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """The upstream's final answer, read whole (monotonic times, None when not applicable)."""

    status: int
    reason: str
    headers: Pairs
    body: bytes
    #: the header fields as Latin-1 text standing for the bytes received
    raw_headers: Pairs = ()
    informational: tuple[int, ...] = ()
    connected_at: float | None = None
    first_byte_at: float | None = None


class _DeadlineReader(io.RawIOBase):
    """Socket reads that each wait only for the time left before the deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline
        self.first_byte_at: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        self._sock.settimeout(left(self._deadline))
        count = self._sock.recv_into(buffer)
        if count and self.first_byte_at is None:
            self.first_byte_at = time.monotonic()
        return count


class _Source:
    """What ``HTTPResponse`` takes as its socket: it only calls ``makefile``. Every
    response on one exchange (1xx ones, then the final one) reads the same buffer."""

    __slots__ = ("file",)

    def __init__(self, file: io.BufferedReader[_DeadlineReader]) -> None:
        self.file = file

    def makefile(self, mode: str) -> io.BufferedReader[_DeadlineReader]:
        return self.file


class _NoAnswer(Exception):
    """The connection ended before any byte of an answer."""

    def __init__(self, sent: bool) -> None:
        super().__init__("closed the connection without answering")
        self.sent = sent


def _send(sock: socket.socket, request: OutgoingRequest, deadline: float) -> None:
    head = request.head()
    pieces = [head + request.body] if len(request.body) <= _READ_SIZE else [head, request.body]
    for piece in pieces:
        view = memoryview(piece)
        while view:
            sock.settimeout(left(deadline))
            view = view[sock.send(view[:_SEND_STEP]) :]


def _unfolded(pairs: list[tuple[str, str]]) -> Pairs:
    """Header fields as http.client decoded them (Latin-1: one character per byte), folds unfolded."""
    return tuple((name, value.replace("\r\n", "")) for name, value in pairs)


def _text_pairs(raw: Pairs) -> Pairs:
    """Latin-1 header fields -> UTF-8 text (invalid bytes as U+FFFD)."""
    return tuple((name, value.encode("latin-1", "replace").decode("utf-8", "replace")) for name, value in raw)


def _read_answer(
    sock: socket.socket,
    method: str,
    *,
    deadline: float,
    max_body: int,
    sent: bool,
    connected_at: float | None,
) -> tuple[Answer, bool]:
    """The final answer, and whether the connection may be reused."""
    reader = _DeadlineReader(sock, deadline)
    file = io.BufferedReader(reader, _READ_SIZE)
    informational: list[int] = []
    while True:
        response = http.client.HTTPResponse(cast(socket.socket, _Source(file)), method=method)
        try:
            response.begin()
        except (http.client.RemoteDisconnected, ConnectionError, http.client.IncompleteRead):
            if reader.first_byte_at is None:
                raise _NoAnswer(sent) from None
            raise UpstreamFailure(502, "closed the connection in the middle of its answer's head") from None
        except http.client.HTTPException as exc:
            raise UpstreamFailure(502, f"sent an invalid answer: {type(exc).__name__} {exc}"[:300]) from None
        if response.status >= 200:
            break
        if response.status == 101:
            raise UpstreamFailure(502, "switched protocols (101) though no upgrade was asked for")
        informational.append(response.status)
        response.fp = None  # type: ignore[assignment]  # the next answer reads on from the same buffer
        if len(informational) > MAX_INFORMATIONAL:
            raise UpstreamFailure(502, f"sent more than {MAX_INFORMATIONAL} informational (1xx) answers")
    raw_headers = _unfolded(response.getheaders())
    headers = _text_pairs(raw_headers)
    too_big = UpstreamFailure(
        502,
        f"answer body over the {max_body}-byte limit",
        upstream_status=response.status,
        upstream_headers=headers,
    )
    if response.length is not None and response.length > max_body:
        too_big.body_size = response.length
        raise too_big
    chunks: list[bytes] = []
    got = 0
    cut_short = False
    try:
        if response.length:  # within the limit: read into one buffer of that size, no join
            chunks.append(response.read())
            got = len(chunks[0])
        while chunk := response.read(min(_READ_SIZE, max_body + 1 - got)):
            got += len(chunk)
            if got > max_body:
                too_big.body_size = got
                raise too_big
            chunks.append(chunk)
    except http.client.IncompleteRead as exc:  # a broken chunk
        got += len(exc.partial)
        cut_short = True
    except (http.client.HTTPException, ConnectionError):  # a chunk line too long, a reset
        cut_short = True
    if cut_short or response.length:  # a Content-Length body ended early
        raise UpstreamFailure(
            502,
            f"closed the connection in the middle of its answer's body ({got} bytes received)",
            upstream_status=response.status,
            upstream_headers=headers,
            body_size=got,
        )
    answer = Answer(
        status=response.status,
        reason=response.reason,
        headers=headers,
        raw_headers=raw_headers,
        body=b"".join(chunks),  # one piece: that very bytes object, not a copy
        informational=tuple(informational),
        connected_at=connected_at,
        first_byte_at=reader.first_byte_at,
    )
    return answer, not response.will_close


def perform(
    pool: ConnectionPool,
    target: UpstreamTarget,
    request: OutgoingRequest,
    *,
    deadline: float,
    max_body: int,
    interrupt: Interrupt,
) -> Answer:
    """Send ``request`` to ``target`` and read the whole answer (blocking).

    Raises:
        TimeoutError: the deadline passed.
        UpstreamFailure: unreachable, TLS, invalid or oversized answer.
        Cancelled: ``interrupt`` fired.
    """
    key = target.connection_key
    for attempt in range(2):
        conn = pool.checkout(key) if attempt == 0 else None
        connected_at = None
        if conn is None:
            conn = pool.open(target, deadline, interrupt)
            connected_at = time.monotonic()
        keep = False
        try:
            interrupt.attach(conn.sock)
            sent = False
            try:
                _send(conn.sock, request, deadline)
                sent = True
            except (BrokenPipeError, ConnectionResetError):
                pass  # it may have answered before closing (a 413, say): read on
            answer, reusable = _read_answer(
                conn.sock,
                request.method,
                deadline=deadline,
                max_body=max_body,
                sent=sent,
                connected_at=connected_at,
            )
            keep = reusable and sent
        except _NoAnswer as exc:
            if connected_at is None and (request.method in IDEMPOTENT or not exc.sent):
                continue  # a reused connection the upstream had just closed: once more, on a new one
            raise UpstreamFailure(502, str(exc)) from None
        except OSError as exc:
            if isinstance(exc, TimeoutError):
                raise
            raise UpstreamFailure(502, f"connection failed: {(exc.strerror or str(exc)).lower()}") from None
        finally:
            cancelled = interrupt.detach()
            if keep and not cancelled:
                pool.checkin(conn)
            else:
                conn.close()
        if cancelled:
            raise Cancelled
        return answer
    raise AssertionError("unreachable")  # pragma: no cover
