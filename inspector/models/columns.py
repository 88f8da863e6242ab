"""The request table's columns: what each cell shows, sorts by and explains.

One home for the columns (their order, titles, custom roles) and for turning a
row (a live :class:`CaptureRecord` or a stored :class:`Summary`) into cell
values. Everything from a request goes through :mod:`inspector.text`, so cells
and tooltips never show raw control, reordering or invisible characters.
"""

from __future__ import annotations

import datetime as _dt
from enum import IntEnum
from typing import Final

from PySide6.QtCore import Qt

from inspector.http.record import CaptureRecord, Pairs, TLSFacts, iso_utc
from inspector.models.history_source import RowData, SortKey
from inspector.replay import replay_of
from inspector.text import human_size, tooltip, tooltip_lines, visible


class Column(IntEnum):
    ID = 0
    TIME = 1
    CLIENT = 2
    METHOD = 3
    PATH = 4
    QUERY = 5
    HEADERS = 6
    BODY_SIZE = 7
    STATUS = 8
    DURATION = 9
    #: last in the model (so older saved header states keep their columns); shown after Client
    LISTENER = 10


class Role(IntEnum):
    #: the underlying value to sort by (int, float or str), never the display text
    SORT = Qt.ItemDataRole.UserRole + 1
    #: the CaptureRecord of the row
    RECORD = Qt.ItemDataRole.UserRole + 2
    #: the full cell text (escaped, not elided), for copying
    COPY = Qt.ItemDataRole.UserRole + 3
    #: what the row's cells come from (a record, or a stored summary): never reads the store
    ROW = Qt.ItemDataRole.UserRole + 5


HEADERS: Final[dict[Column, str]] = {
    Column.ID: "#",
    Column.TIME: "Time",
    Column.CLIENT: "Client",
    Column.METHOD: "Method",
    Column.PATH: "Path",
    Column.QUERY: "Query",
    Column.HEADERS: "Headers",
    Column.BODY_SIZE: "Body",
    Column.STATUS: "Status",
    Column.DURATION: "Duration",
    Column.LISTENER: "Listener",
}

#: what a column header's tooltip says, where its title is not enough
HEADER_TIPS: Final[dict[Column, str]] = {
    Column.HEADERS: "The request's header fields in received order (sorts by their number)",
    Column.BODY_SIZE: "The size of the request body",
    Column.DURATION: "From the request being complete to its answer being sent",
    Column.STATUS: (
        "The status sent, the fault it carried and which answer of the rule's list it was "
        "(step 2/3); ↗ marks a forwarded request, with the upstream call's time; "
        "\"paused\": a request held for you to answer (the bar above the table)"
    ),
    Column.LISTENER: "The listener (address:port) that took the request",
}

#: the roles the table model answers (others get None at once)
ANSWERED_ROLES: Final[frozenset[int]] = frozenset(
    {
        int(Qt.ItemDataRole.DisplayRole),
        int(Qt.ItemDataRole.TextAlignmentRole),
        int(Qt.ItemDataRole.ToolTipRole),
        int(Qt.ItemDataRole.ForegroundRole),
        int(Qt.ItemDataRole.DecorationRole),
        *(int(role) for role in Role),
    }
)

#: the column whose cell carries a lock when the request came over HTTPS
SCHEME_COLUMN: Final = Column.METHOD

#: columns shown right-aligned
NUMERIC: Final = frozenset({Column.ID, Column.BODY_SIZE, Column.DURATION})
#: what a history row shows when the store no longer has it
GONE: Final[dict[int, str]] = {Column.PATH: "(no longer stored)"}
#: separator between query pairs in the Query column
QUERY_SEPARATOR: Final = " & "
#: separator between header fields in the Headers column
HEADER_SEPARATOR: Final = " · "
#: separator between the status, a fault and an answer list's step in the Status column
ANSWER_SEPARATOR: Final = " · "
#: characters of one header value the Headers column shows (the tooltip has them all)
HEADER_VALUE_LIMIT: Final = 40

#: the store field each column sorts by (``HistorySource.sort_keys``)
SORT_FIELDS: Final[dict[int, str]] = {
    Column.ID: "id",
    Column.TIME: "received_at",
    Column.CLIENT: "client",
    Column.METHOD: "method",
    Column.PATH: "path",
    Column.QUERY: "query",
    Column.HEADERS: "header_count",
    Column.BODY_SIZE: "body_size",
    Column.STATUS: "status",
    Column.DURATION: "duration_ms",
    Column.LISTENER: "server",
}
#: the key of a history row the store no longer has (same type as the others)
MISSING_KEY: Final[dict[int, SortKey]] = {
    Column.ID: 0,
    Column.TIME: 0.0,
    Column.CLIENT: "",
    Column.METHOD: "",
    Column.PATH: "",
    Column.QUERY: "",
    Column.HEADERS: 0,
    Column.BODY_SIZE: 0,
    Column.STATUS: -1,
    Column.DURATION: -1.0,
    Column.LISTENER: "",
}
#: columns whose newest rows are the last (ascending) or first (descending)
ARRIVAL_ORDERED: Final = frozenset({Column.ID, Column.TIME})


def local_time(timestamp: float) -> str:
    """HH:MM:SS.mmm in local time."""
    moment = _dt.datetime.fromtimestamp(timestamp)
    return moment.strftime("%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def local_datetime(timestamp: float) -> str:
    """YYYY-MM-DD HH:MM:SS.mmm in local time, with the UTC offset."""
    moment = _dt.datetime.fromtimestamp(timestamp).astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S.") + f"{moment.microsecond // 1000:03d} {moment:%z}"


def query_text(row: RowData) -> str:
    """The query pairs as ``name=value & name=value`` (unescaped, not elided)."""
    return QUERY_SEPARATOR.join(f"{name}={value}" for name, value in row.query)


def status_of(row: RowData) -> int | None:
    if not isinstance(row, CaptureRecord):
        return row.status
    return None if row.response is None else row.response.status


def duration_of(row: RowData) -> float | None:
    if not isinstance(row, CaptureRecord):
        return row.duration_ms
    return None if row.response is None else row.response.duration_ms


def error_of(row: RowData) -> str | None:
    """The request's error, else the response's (a template that failed)."""
    if not isinstance(row, CaptureRecord):
        return row.error
    return row.error or (row.response.error if row.response is not None else None)


def header_count_of(row: RowData) -> int:
    return len(row.headers) if isinstance(row, CaptureRecord) else row.header_count


def headers_of(row: RowData) -> Pairs:
    """The row's header fields (a live record's or a stored summary's)."""
    return row.headers


def headers_line(headers: Pairs, limit: int | None) -> str:
    """``Host: … · User-Agent: … · Accept: …``, escaped: each value cut at
    :data:`HEADER_VALUE_LIMIT` and the line at ``limit`` characters (None: the
    whole line, every value in full). Stops reading once the line is long enough."""
    if limit is None:
        return visible(HEADER_SEPARATOR.join(f"{name}: {value}" for name, value in headers), None)
    parts: list[str] = []
    size = 0
    for name, value in headers:
        cut = value[:HEADER_VALUE_LIMIT] + ("…" if len(value) > HEADER_VALUE_LIMIT else "")
        parts.append(f"{name}: {cut}")
        size += len(parts[-1]) + len(HEADER_SEPARATOR)
        if size > limit:
            break
    return visible(HEADER_SEPARATOR.join(parts), limit)


def replayed_from(row: RowData) -> int | None:
    """The request this one says it replays (its replay header), if any."""
    return replay_of(row.headers)


def answer_text(row: RowData) -> str:
    """Which answer of a rule's list this was and the fault it carried:
    ``step 2/3``, ``reset · step 2/3``, ``reset`` ("" for neither, or a stored summary)."""
    response = row.response if isinstance(row, CaptureRecord) else None
    if response is None:
        return ""
    parts = [] if response.fault is None else [response.fault]
    if response.step is not None:
        parts.append(f"step {response.step}/{response.steps}" if response.steps else f"step {response.step}")
    return ANSWER_SEPARATOR.join(parts)


def status_text(row: RowData) -> str:
    """What the Status column shows: the status sent, and the error if any; the
    step of an answer list and a fault after it (``503 · step 1/3``)."""
    code = status_of(row)
    status = "" if not code else str(code)  # 0: a fault sent no status line (the answer names it)
    answer = answer_text(row)
    label = ANSWER_SEPARATOR.join(part for part in (status, answer) if part)
    error = error_of(row)
    if error:
        # the listener's errors may already start with the status ("400 invalid …")
        if not status or error.startswith(status):
            return f"{answer}{ANSWER_SEPARATOR}{error}" if answer else error
        return f"{label} {error}"
    upstream = row.upstream if isinstance(row, CaptureRecord) else None
    if upstream is not None and status:
        return f"{label} ↗ {upstream.duration_ms:.0f} ms"
    return label or "—"


def waiting_text(row: RowData, now: float, paused: bool = False) -> str:
    """What the Status column shows while the request waits for its answer:
    ``waiting 3 s`` since it arrived (``now`` and ``received_at`` in POSIX seconds);
    ``paused 3 s`` while it waits for a person to answer it (the row has an icon too)."""
    seconds = max(0, int(now - row.received_at))
    return f"paused {seconds} s" if paused else f"waiting {seconds} s"


def answer_tip(row: RowData) -> str | None:
    """Which answer of which rule's list it was, and its fault (escaped), else None."""
    response = row.response if isinstance(row, CaptureRecord) else None
    if response is None or (response.step is None and response.fault is None):
        return None
    lines = []
    if response.step is not None:
        of = f" of {response.steps}" if response.steps else ""
        whose = f"rule {response.rule!r}" if response.rule else "the rule"
        lines.append(f"Answer {response.step}{of} of {whose}")
    if response.fault is not None:
        lines.append(f"Fault: {response.fault}")
    return tooltip_lines(lines)


def upstream_tip(row: RowData) -> str | None:
    """Where a forwarded request went and how it went (escaped rich text), else None."""
    upstream = row.upstream if isinstance(row, CaptureRecord) else None
    if upstream is None:
        return None
    answer = "no answer" if upstream.status is None else f"answered {upstream.status}"
    return tooltip_lines(
        (f"Forwarded to {upstream.url}", f"The upstream {answer} in {upstream.duration_ms:.1f} ms")
    )


def tls_line(tls: TLSFacts | None) -> str:
    """``HTTPS · TLSv1.3 · TLS_AES_128_GCM_SHA256 · SNI example.com`` (not escaped).

    A failed handshake has no version: the line says what the ClientHello asked for.
    """
    parts = ["HTTPS"]
    if tls is not None:
        parts += [tls.version or "handshake not done", *([tls.cipher] if tls.cipher else [])]
        parts.append(f"SNI {tls.sni}" if tls.sni is not None else "no SNI")
    return " · ".join(parts)


def scheme_tip(row: RowData) -> str:
    """The tooltip of the lock's cell (escaped rich text): the method, then how TLS went.

    A stored summary has no ``tls``: its line just says HTTPS.
    """
    tls = row.tls if isinstance(row, CaptureRecord) else None
    return tooltip_lines((row.method or "(no request line)", tls_line(tls)))


def cell_value(row: RowData, column: int) -> SortKey:
    """The underlying value of a cell (sorting and the raw source of display)."""
    match column:
        case Column.ID:
            return row.id
        case Column.TIME:
            return row.received_at
        case Column.CLIENT:
            return row.client
        case Column.LISTENER:
            return row.server
        case Column.METHOD:
            return row.method
        case Column.PATH:
            return row.path or row.target
        case Column.QUERY:
            return query_text(row)
        case Column.HEADERS:
            return header_count_of(row)
        case Column.BODY_SIZE:
            return row.body_size
        case Column.STATUS:
            status = status_of(row)
            return -1 if status is None else status
        case Column.DURATION:
            duration = duration_of(row)
            return -1.0 if duration is None else duration
    return ""


def display(row: RowData, column: int, limit: int | None) -> str:
    """The text of a cell: escaped, and elided to ``limit`` characters (None: whole)."""
    match column:
        case Column.ID:
            return str(row.id) if replayed_from(row) is None else f"{row.id} ↻"
        case Column.TIME:
            return local_time(row.received_at)
        case Column.HEADERS:
            return headers_line(headers_of(row), limit)
        case Column.BODY_SIZE:
            text = human_size(row.body_size)
            truncated = isinstance(row, CaptureRecord) and row.body_truncated
            return text + " (truncated)" if truncated else text
        case Column.STATUS:
            return visible(status_text(row), limit)
        case Column.DURATION:
            duration = duration_of(row)
            return "—" if duration is None else f"{duration:.2f} ms"
    return visible(str(cell_value(row, column)), limit)


def tooltip_of(row: RowData, column: int) -> str | None:
    """The tooltip of a cell (escaped rich text), or None."""
    error = error_of(row)
    if error and column in (Column.ID, Column.STATUS):
        return tooltip(f"Error: {error}")
    match column:
        case Column.STATUS:
            return upstream_tip(row) or answer_tip(row)
        case Column.ID:
            source = replayed_from(row)
            return None if source is None else tooltip(f"A replay of #{source}")
        case Column.TIME:
            return tooltip_lines((local_datetime(row.received_at), iso_utc(row.received_at)))
        case Column.PATH:
            return tooltip(row.target)
        case Column.QUERY if row.query:
            return tooltip_lines(f"{n}={v}" for n, v in row.query)
        case Column.HEADERS:
            count = header_count_of(row)
            title = f"{count} header field{'s' if count != 1 else ''}"
            return tooltip_lines((title, *(f"{n}: {v}" for n, v in headers_of(row))))
        case Column.METHOD | Column.CLIENT | Column.LISTENER:
            return tooltip(str(cell_value(row, column)))
        case Column.BODY_SIZE if isinstance(row, CaptureRecord) and row.body_truncated:
            return tooltip("The body exceeded the capture limit and was cut off.")
    return None


def summary_differs(record: CaptureRecord) -> bool:
    """Whether a stored summary of ``record`` would show different cells: the
    summary has no ``body_truncated``, ``upstream``, step or fault, and its
    ``error`` is the request's only."""
    response = record.response
    if record.body_truncated or record.upstream is not None or answer_text(record):
        return True
    return not record.error and response is not None and bool(response.error)
