"""Size and time limits, each with the answer it gives (DESIGN.md, "HTTP behaviour").

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
#: (slowloris) is cut like a silent one. Answers 408.
HEAD_TIMEOUT = 10.0
#: A body that sends nothing for this long answers 408.
BODY_TIMEOUT = 30.0
#: A keep-alive connection idle between requests is closed after this long.
IDLE_TIMEOUT = 15.0
#: Open connections at once; the next one gets 503 and is closed.
MAX_CONNECTIONS = 1000
#: Bytes of a rejected request kept in its record's raw bytes.
MAX_RAW_CAPTURE = MAX_HEAD + 64 * 1024


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
    idle_timeout: float = IDLE_TIMEOUT
    max_connections: int = MAX_CONNECTIONS
    max_raw_capture: int = MAX_RAW_CAPTURE
