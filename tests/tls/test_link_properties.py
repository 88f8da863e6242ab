"""The server's TLS link (inspector/server/tls_link.py) with the HTTP parser behind it: the
client's bytes split at any points give the same records, answered or failed."""

from __future__ import annotations

import functools
import itertools
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tlspump import client_context

from inspector.http.limits import InFlight
from inspector.http.parser import RequestParser, RequestReceived
from inspector.http.record import CaptureRecord
from inspector.server.connection import Connection
from inspector.server.tls_link import RAW_CAP, TLSTerminator
from inspector.tls.contexts import ServerContexts

REQUESTS = (
    b"POST /hook?x=1 HTTP/1.1\r\nHost: split.example\r\nContent-Length: 3000\r\n\r\n" + b"y" * 3000,
    b"GET /next HTTP/1.1\r\nHost: split.example\r\n\r\n",
)
NAME = "split.example"


def cutter(cuts: list[int]):  # type: ignore[no-untyped-def]
    def cut(data: bytes) -> list[bytes]:
        points = sorted({c % (len(data) + 1) for c in cuts})
        return [data[a:b] for a, b in itertools.pairwise([0, *points, len(data)]) if b > a]

    return cut


def exchange(
    contexts: ServerContexts, client: ssl.SSLContext, cuts: list[int]
) -> tuple[list[CaptureRecord], bytes]:
    """Every record the link and parser make from one client connection, bytes cut at ``cuts``;
    and every byte the client sent."""
    cut = cutter(cuts)
    records: list[CaptureRecord] = []
    wire = bytearray()
    ids: Iterator[int] = itertools.count(1)
    budget = InFlight(1 << 30)
    woken = threading.Event()
    link = TLSTerminator(contexts, budget, woken.set, records.append, ids.__next__, head_timeout=10.0)
    here, there = socket.socketpair()  # the Connection's socket; the test moves the bytes itself
    try:
        parser = RequestParser(client="127.0.0.1:5000", server="127.0.0.1:8090", next_id=ids.__next__)
        conn = Connection(here, parser)
        conn.sniff = True
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = client.wrap_bio(incoming, outgoing, server_hostname=NAME)

        def to_server() -> None:
            data = outgoing.read()
            wire.extend(data)
            for piece in cut(data):
                plaintext = link.take(conn, piece, 0.0)
                while conn.tls is not None and conn.tls.busy:  # a worker makes the first flight
                    assert woken.wait(10)
                    woken.clear()
                    assert link.ready() in ([], [conn])
                if plaintext:
                    events = parser.receive_data(plaintext, 0.0)
                    records.extend(e.record for e in events if isinstance(e, RequestReceived))
            incoming.write(bytes(conn.out))
            conn.out.clear()

        for _ in range(6):
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                to_server()
            except ssl.SSLError:
                break
        to_server()
        if conn.tls is not None and conn.tls.session.failure is None:
            for request in REQUESTS:
                tls.write(request)
                to_server()
    finally:
        link.close()
        here.close()
        there.close()
    return records, bytes(wire)


def comparable(records: list[CaptureRecord]) -> list[dict[str, object]]:
    """The records less what differs between two connections (time; a ClientHello's random bytes)."""
    out = []
    for record in records:
        line = record.to_json()
        del line["received_at"]
        if record.error:
            del line["raw_b64"]
        out.append(line)
    return out


@functools.cache
def distrusting_client() -> ssl.SSLContext:
    return client_context(None)


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(cuts=st.lists(st.integers(0, 4000), max_size=8))
def test_any_split_same_records(contexts: ServerContexts, ca_file: Path, cuts: list[int]) -> None:
    contexts.prepare(NAME)  # made off the loop in the server; here before the test
    client = client_context(str(ca_file), alpn=["h2", "http/1.1"])
    records, _ = exchange(contexts, client, cuts)
    assert comparable(records) == comparable(exchange(contexts, client, [])[0])
    assert [r.raw for r in records] == list(REQUESTS)
    assert {(r.scheme, r.tls.sni if r.tls else None) for r in records} == {("https", NAME)}


@SETTINGS
@given(cuts=st.lists(st.integers(0, 600), max_size=8))
def test_any_split_same_failure_row(contexts: ServerContexts, cuts: list[int]) -> None:
    contexts.prepare(NAME)
    (record,), wire = exchange(contexts, distrusting_client(), cuts)
    assert comparable([record]) == comparable(exchange(contexts, distrusting_client(), [])[0])
    assert record.error is not None
    assert record.error.startswith("TLS handshake failed: the client does not trust the local CA")
    assert record.raw == wire[:RAW_CAP] and record.tls is not None and record.tls.sni == NAME
