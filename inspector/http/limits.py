"""Size and time limits, each with the answer it gives (docs/ARCHITECTURE.md, "Limits and deadlines").

Every limit is a named default with the reason for its number, in the manner of
h11's ``DEFAULT_MAX_INCOMPLETE_EVENT_SIZE``. All are configurable through
:class:`Limits`; tests use small values to probe each boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Request line: 8 KiB, as nginx (large_client_header_buffers 8k) and Apache
#: (LimitRequestLine 8190). Longer answers 414.
MAX_REQUEST_LINE = 8 * 1024
#: Whole head (request line and header fields): 64 KiB, more than any browser
#: sends (Chrome caps its own at 256 KiB but real heads stay under 16 KiB).
#: Larger answers 431.
MAX_HEAD = 64 * 1024
#: Header fields: 100, Apache's LimitRequestFields. More answers 431.
MAX_HEADER_FIELDS = 100
#: Body: 10 MiB after de-chunking. Larger answers 413, before reading when
#: Content-Length says so, as soon as a chunked body crosses it.
MAX_BODY = 10 * 1024 * 1024
#: One chunk-size line with its extensions. Longer answers 400.
MAX_CHUNK_LINE = 4 * 1024
#: The head must be complete this long after its first byte: an absolute
#: deadline, not reset per byte, so a client trickling one byte a second
#: (slowloris) is cut like a silent one. Empty lines before a request line
#: count: the clock starts with the first byte after the previous message.
#: Answers 408; a connection that sent only empty lines is closed quietly.
HEAD_TIMEOUT = 10.0
#: A body that sends nothing for this long answers 408.
BODY_TIMEOUT = 30.0
#: A whole request (head and body) must be complete this long after its first
#: byte, however steadily it trickles: Node's ``requestTimeout`` (300 s).
#: Answers 408.
REQUEST_TIMEOUT = 300.0
#: A keep-alive connection idle between requests is closed after this long,
#: counted from the last answer sent (bytes that arrive start the head clock).
IDLE_TIMEOUT = 15.0
#: Answers waiting to be sent that the client does not take for this long
#: (no byte accepted by the socket) close the connection, recorded. nginx's
#: ``send_timeout`` works the same way (between two writes; 60 s by default).
SEND_TIMEOUT = 30.0
#: Open connections at once; the next one gets 503 and is closed.
MAX_CONNECTIONS = 1000
#: Complete requests read ahead of the one being answered. nginx reads the next
#: pipelined request only when the current one is done; a few let pipelining
#: clients go fast while a delayed answer cannot make a connection buffer
#: requests without bound.
MAX_PIPELINED = 4
#: Bytes held for requests and answers in flight across all connections:
#: buffered input, bodies being received (a Content-Length body counts in full
#: once announced, a chunk twice: it is kept as body and as raw bytes),
#: requests waiting for their answer, answers waiting to be sent. Past it a
#: new body (or chunk) is refused with 503. The 1,000 connections could
#: otherwise hold 1,000 chunked bodies of 10 MiB, ~20 MiB each.
MEMORY_BUDGET = 256 * 1024 * 1024
#: Bytes of a rejected request kept in its record's raw bytes.
MAX_RAW_CAPTURE = MAX_HEAD + 64 * 1024
#: Bytes of a rejected request's body kept in its record (noted as truncated):
#: a refused 10 MiB upload must not stay in memory, the store and the window.
MAX_REJECTED_BODY = 64 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """The limits one listener enforces."""

    max_request_line: int = MAX_REQUEST_LINE
    max_head: int = MAX_HEAD
    max_header_fields: int = MAX_HEADER_FIELDS
    max_body: int = MAX_BODY
    max_chunk_line: int = MAX_CHUNK_LINE
    head_timeout: float = HEAD_TIMEOUT
    body_timeout: float = BODY_TIMEOUT
    request_timeout: float = REQUEST_TIMEOUT
    idle_timeout: float = IDLE_TIMEOUT
    send_timeout: float = SEND_TIMEOUT
    max_connections: int = MAX_CONNECTIONS
    max_pipelined: int = MAX_PIPELINED
    memory_budget: int = MEMORY_BUDGET
    max_raw_capture: int = MAX_RAW_CAPTURE
    max_rejected_body: int = MAX_REJECTED_BODY


class InFlight:
    """The bytes held for requests and answers in flight, against the memory budget.

    One per listening loop, shared by its connections' parsers (which count
    what they buffer and have been promised) and the loop (requests waiting for
    an answer, answers waiting to be sent). Used on the loop thread only.
    """

    __slots__ = ("held", "limit")

    def __init__(self, limit: int) -> None:
        self.held = 0
        self.limit = limit

    def admits(self, size: int) -> bool:
        """True when ``size`` more bytes fit in the budget."""
        return self.held + size <= self.limit

    def refusal(self) -> str:
        """The one-line reason a body is refused."""
        return (
            f"the listener holds {_size(self.held)} of requests and answers in flight "
            f"(memory budget {_size(self.limit)}); try again later"
        )


def _size(count: int) -> str:
    for unit, scale in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if count >= scale:
            return f"{count / scale:.0f} {unit}"
    return f"{count} bytes"
