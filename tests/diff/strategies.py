"""Hypothesis strategies for capture records, shared by the diff tests."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

from inspector.http.record import CaptureRecord, SentResponse, UpstreamExchange

# Small alphabets, so repeated names and equal values happen often.
NAMES = st.sampled_from(["Host", "Accept", "accept", "X-A", "x-A", "Cookie", "X-\u202e", ""])
VALUES = st.sampled_from(["", "1", "2", "a b", "\x00", "é", "*/*"])
PAIRS = st.lists(st.tuples(NAMES, VALUES), max_size=8)
QUERY = st.lists(st.tuples(st.sampled_from(["a", "A", "b", "q"]), VALUES), max_size=6)

JSON_SCALARS = st.none() | st.booleans() | st.integers(-3, 3) | st.sampled_from([0.5, 1.0]) | VALUES
JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["a", "b", "c.d", "0", ""]), inner, max_size=4)
    ),
    max_leaves=12,
)


def _form(pairs: list[tuple[str, str]]) -> bytes:
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs).encode()


BODIES = st.one_of(
    st.just((b"", None)),
    JSON_VALUES.map(lambda doc: (json.dumps(doc).encode(), "application/json")),
    QUERY.map(lambda pairs: (_form(pairs), "application/x-www-form-urlencoded")),
    st.lists(st.sampled_from(["x\n", "y\n", "z", "\r\n"]), max_size=8).map(
        lambda ls: ("".join(ls).encode(), "text/plain")
    ),
    st.binary(max_size=40).map(lambda data: (data, "application/octet-stream")),
)


@st.composite
def responses(draw: st.DrawFn) -> SentResponse | None:
    if draw(st.booleans()):
        return None
    body, content_type = draw(BODIES)
    headers = draw(PAIRS)
    if content_type:
        headers = [("Content-Type", content_type), *headers]
    return SentResponse(
        status=draw(st.sampled_from([200, 204, 404, 500])),
        reason=draw(st.sampled_from(["OK", "Not Found", ""])),
        headers=tuple(headers),
        body=body,
        rule=draw(st.sampled_from([None, "default", "r1"])),
        error=draw(st.sampled_from([None, "template failed"])),
    )


@st.composite
def upstreams(draw: st.DrawFn) -> UpstreamExchange | None:
    """A forwarded request's upstream part: None (not forwarded), an answer or a failure."""
    if draw(st.booleans()):
        return None
    url = draw(st.sampled_from(["http://127.0.0.1:9000/a", "https://127.0.0.1:9443/a"]))
    if draw(st.booleans()):
        return UpstreamExchange(
            url=url, error=draw(st.sampled_from([f"upstream {url}: refused", "timed out"]))
        )
    body, content_type = draw(BODIES)
    headers = draw(PAIRS)
    if content_type:
        headers = [("Content-Type", content_type), *headers]
    return UpstreamExchange(
        url=url,
        status=draw(st.sampled_from([200, 304, 502])),
        reason=draw(st.sampled_from(["OK", ""])),
        headers=tuple(headers),
        body=body,
        body_size=len(body),
        duration_ms=draw(st.sampled_from([1.0, 250.0])),
    )


@st.composite
def records(draw: st.DrawFn, record_id: int = 1) -> CaptureRecord:
    method = draw(st.sampled_from(["GET", "POST", "BREW"]))
    path = draw(st.sampled_from(["/", "/a", "/caf\u00e9"]))
    query = draw(QUERY)
    target = path + ("?" + "&".join(f"{k}={v}" for k, v in query) if query else "")
    body, content_type = draw(BODIES)
    headers = draw(PAIRS)
    if content_type is not None and draw(st.booleans()):
        headers = [*headers, ("Content-Type", content_type)]
    version = draw(st.sampled_from(["1.1", "1.0"]))
    head = f"{method} {target} HTTP/{version}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return CaptureRecord(
        id=record_id,
        received_at=1_700_000_000.0 + record_id,
        client="127.0.0.1:50000",
        server="127.0.0.1:8090",
        scheme=draw(st.sampled_from(["http", "https"])),
        method=method,
        target=target,
        path=path,
        query=tuple(query),
        http_version=version,
        headers=tuple(headers),
        trailers=tuple(draw(st.lists(st.tuples(NAMES, VALUES), max_size=2))),
        body=body,
        body_size=len(body),
        error=draw(st.sampled_from([None, "bad request"])),
        notes=tuple(draw(st.lists(st.sampled_from(["bare LF", "body on GET"]), max_size=2))),
        raw_head=head.encode("utf-8", "surrogateescape"),
        response=draw(responses()),
        upstream=draw(upstreams()),
    )
