"""The request that goes upstream, built from a capture record (RFC 9110 §7.6, RFC 9112).

Strategy: a forwarder is a gateway, so it sends what the client sent with only
the changes a hop requires, and writes the head itself as bytes (see
docs/ARCHITECTURE.md, "Answers"):

- method as received; target = the upstream URL's path + the request's path,
  then the URL's query and the request's query joined with ``&``; characters
  go out exactly as the client encoded them.
- header fields in received order, case and number. Header values are taken
  from the raw head, byte for byte, so a value that is not UTF-8 is not
  replaced on the way.
- removed: hop-by-hop fields (``Connection`` and every field it lists,
  ``Keep-Alive``, ``TE``, ``Trailer``, ``Transfer-Encoding``, ``Upgrade``,
  ``Proxy-*``) and ``Expect: 100-continue``: the loop already answered the
  client's 100 (or the client sent the body anyway) and holds the whole body,
  so it goes out with the head and there is nothing to wait for.
- the body is the de-chunked body with ``Content-Length`` set to its length,
  in the place where the client's ``Content-Length`` or ``Transfer-Encoding``
  was (RFC 9112 §6.2); a chunked request's trailer fields are dropped, since a
  Content-Length body has nowhere to carry them.
- ``Host`` becomes the upstream's, in its place, unless ``keep_host``.
- ``X-Forwarded-For``: the client's address appended to the last one the
  client sent (a list field, so ``a`` + ``b`` + ours means ``a, b, ours``), or
  added. ``X-Forwarded-Proto`` (the client's scheme) and ``X-Forwarded-Host``
  (the client's ``Host``) are added unless the client sent them: an earlier
  proxy knew the original better than we do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from inspector.http.query import split_target
from inspector.http.record import CaptureRecord, Pairs
from inspector.upstream.target import UpstreamTarget

#: RFC 9110 §7.6.1 and RFC 9112 §7: fields that describe one hop, never forwarded.
HOP_BY_HOP: Final = frozenset({"connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade"})

RawPairs = tuple[tuple[bytes, bytes], ...]


class NotForwardable(Exception):
    """The request cannot be forwarded; ``status`` is the answer to give instead."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def connection_tokens(headers: Pairs) -> frozenset[str]:
    """Field names that a ``Connection`` header lists (lower case), RFC 9110 §7.6.1."""
    listed: set[str] = set()
    for name, value in headers:
        if name.lower() == "connection":
            listed.update(token.strip().lower() for token in value.split(","))
    listed.discard("")
    return frozenset(listed)


def is_hop_by_hop(lower: str, listed: frozenset[str]) -> bool:
    """Whether a field (its lower-cased name) describes only one hop."""
    return lower in HOP_BY_HOP or lower.startswith("proxy-") or lower in listed


def end_to_end(headers: Pairs) -> Pairs:
    """``headers`` without hop-by-hop fields, order, case and duplicates kept."""
    listed = connection_tokens(headers)
    return tuple(pair for pair in headers if not is_hop_by_hop(pair[0].lower(), listed))


@dataclass(frozen=True, slots=True, kw_only=True)
class OutgoingRequest:
    """One request as it goes upstream."""

    method: str
    #: the request-target sent (origin-form)
    target: str
    headers: RawPairs
    body: bytes = b""

    def head(self) -> bytes:
        """Request line and header section, ending with the blank line."""
        lines = [f"{self.method} {self.target} HTTP/1.1".encode("ascii")]
        lines.extend(name + b": " + value for name, value in self.headers)
        return b"\r\n".join(lines) + b"\r\n\r\n"

    def header_pairs(self) -> Pairs:
        """The headers as text, for the record (invalid UTF-8 shown as U+FFFD)."""
        return tuple(
            (name.decode("latin-1"), value.decode("utf-8", "replace")) for name, value in self.headers
        )


def raw_values(record: CaptureRecord) -> list[bytes]:
    """Each header's value as received, byte for byte, in ``record.headers`` order.

    Taken from the raw head, which the parser checked; when the raw head does
    not line up with the decoded fields (a record built elsewhere), the
    decoded values are encoded back as UTF-8.
    """
    lines = record.raw_head.split(b"\n")
    start = 0
    while start < len(lines) and not lines[start].strip(b"\r"):
        start += 1  # blank lines before the request line
    fields = lines[start + 1 : start + 1 + len(record.headers)]
    values: list[bytes] = []
    for line, (name, _value) in zip(fields, record.headers, strict=False):
        raw_name, colon, value = line.rstrip(b"\r").partition(b":")
        if not colon or raw_name.decode("latin-1") != name:
            break
        values.append(value.strip(b" \t"))
    if len(values) == len(record.headers):
        return values
    return [value.encode("utf-8") for _name, value in record.headers]


def _client_address(client: str) -> bytes:
    host = client.rsplit(":", 1)[0] if client.count(":") == 1 or client.startswith("[") else client
    return host.strip("[]").encode("ascii", "replace")


def upstream_target(record: CaptureRecord, target: UpstreamTarget) -> str:
    """The request-target sent upstream: base path + request path, base query & request query.

    Raises:
        NotForwardable: a CONNECT request (there is no path to forward).
    """
    if record.method == "CONNECT":
        raise NotForwardable(501, "CONNECT is not forwarded: a forward rule relays HTTP requests")
    if record.target == "*":  # OPTIONS * asks about the server itself
        return target.base_path or "*"
    path, query = split_target(record.method, record.target)
    joined = target.base_path + path
    queries = [q for q in (target.base_query, query) if q]
    if queries or "?" in record.target:
        joined += "?" + "&".join(queries)
    return joined


def build_request(record: CaptureRecord, target: UpstreamTarget) -> OutgoingRequest:
    """The request to send upstream for ``record`` (see the module notes).

    Raises:
        NotForwardable: CONNECT, a rejected request, or a body that was not
            received whole.
    """
    if record.error is not None:
        raise NotForwardable(502, f"not forwarded: the request was not received whole ({record.error})")
    if record.body_truncated:
        raise NotForwardable(502, "not forwarded: the request body was truncated")
    request_target = upstream_target(record, target)
    length = str(len(record.body)).encode("ascii")
    listed = connection_tokens(record.headers)
    out: list[tuple[bytes, bytes]] = []
    host_done = length_done = has_proto = has_forwarded_host = False
    client_host: bytes | None = None
    last_xff: int | None = None
    for (name, value), raw in zip(record.headers, raw_values(record), strict=True):
        lower = name.lower()
        bname = name.encode("latin-1")
        if lower in ("content-length", "transfer-encoding"):
            if not length_done:
                out.append((b"Content-Length" if lower == "transfer-encoding" else bname, length))
                length_done = True
            continue
        if lower == "host":
            if not host_done:
                client_host = raw
                out.append((bname, raw if target.keep_host else target.authority.encode("ascii")))
                host_done = True
            continue
        if is_hop_by_hop(lower, listed) or (lower == "expect" and value.strip().lower() == "100-continue"):
            continue
        if lower == "x-forwarded-for":
            last_xff = len(out)
        has_proto = has_proto or lower == "x-forwarded-proto"
        has_forwarded_host = has_forwarded_host or lower == "x-forwarded-host"
        out.append((bname, raw))
    if not host_done:
        out.insert(0, (b"Host", target.authority.encode("ascii")))
        last_xff = None if last_xff is None else last_xff + 1
    address = _client_address(record.client)
    if last_xff is None:
        out.append((b"X-Forwarded-For", address))
    else:
        xff_name, xff_value = out[last_xff]
        out[last_xff] = (xff_name, xff_value + b", " + address if xff_value else address)
    if not has_proto:
        out.append((b"X-Forwarded-Proto", record.scheme.encode("ascii")))
    if client_host and not has_forwarded_host:
        out.append((b"X-Forwarded-Host", client_host))
    if not length_done and record.body:
        out.append((b"Content-Length", length))
    return OutgoingRequest(method=record.method, target=request_target, headers=tuple(out), body=record.body)
