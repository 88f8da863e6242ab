"""The first flight of each handshake is made on a worker thread (inspector/server/tls_flights.py);
the loop keeps serving, and every limit still holds while a worker has the session."""

from __future__ import annotations

import http.client
import ssl
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hellobuild import client_hello, sni_ext, versions_ext

from inspector.http.limits import Limits
from inspector.server.connection import Connection
from inspector.server.tls_flights import Flights
from inspector.server.tls_link import HANDSHAKE_BYTES, TLSLink
from inspector.tls.contexts import ServerContexts
from inspector.tls.session import TLSSession
from tests.harness import WAIT, ServerFactory, get


class Holder:
    """Workers hold each session until :attr:`until` says so (polled); :attr:`links` were held."""

    def __init__(self) -> None:
        self.links: list[TLSLink] = []
        self.until: Callable[[TLSLink], bool] = lambda link: True


@pytest.fixture
def hold(monkeypatch: pytest.MonkeyPatch) -> Holder:
    holder = Holder()
    fly = Flights._fly

    def holding(self: Flights, conn: Connection, link: TLSLink) -> None:
        holder.links.append(link)
        end = time.monotonic() + WAIT
        while not holder.until(link) and time.monotonic() < end:
            time.sleep(0.005)
        fly(self, conn, link)

    monkeypatch.setattr(Flights, "_fly", holding)
    return holder


def wait_held(hold: Holder) -> None:
    end = time.monotonic() + WAIT
    while not hold.links and time.monotonic() < end:
        time.sleep(0.005)
    assert hold.links and hold.links[0].busy


def real_hello(name: str) -> bytes:
    """The ClientHello Python's ssl sends for ``name`` (one the server's OpenSSL accepts)."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = ssl.create_default_context().wrap_bio(incoming, outgoing, server_hostname=name)
    with pytest.raises(ssl.SSLWantReadError):
        client.do_handshake()
    return outgoing.read()


def https_get(port: int, ca_file: Path, target: str) -> int:
    context = ssl.create_default_context(cafile=str(ca_file))
    conn = http.client.HTTPSConnection("localhost", port, context=context, timeout=WAIT)
    try:
        conn.request("GET", target)
        return conn.getresponse().status
    finally:
        conn.close()


def test_first_flights_are_made_on_the_handshake_workers(
    start_server: ServerFactory, contexts: ServerContexts, ca_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    flight = TLSSession.flight

    def watched(self: TLSSession) -> None:
        threads.append(threading.current_thread().name)
        flight(self)

    monkeypatch.setattr(TLSSession, "flight", watched)
    https = start_server(tls=contexts)
    assert https_get(https.port, ca_file, "/a") == 200
    assert https_get(https.port, ca_file, "/b") == 200
    records = https.sink.wait(2)
    assert [(r.path, r.scheme, r.error) for r in records] == [("/a", "https", None), ("/b", "https", None)]
    assert len(threads) == 2 and all(name.startswith("tls-handshakes") for name in threads), threads


def test_plain_requests_are_answered_while_a_worker_holds_a_handshake(
    start_server: ServerFactory, contexts: ServerContexts, ca_file: Path, hold: Holder
) -> None:
    release = threading.Event()
    hold.until = lambda link: release.is_set()
    https = start_server(tls=contexts)
    result: list[int] = []
    client = threading.Thread(target=lambda: result.append(https_get(https.port, ca_file, "/slow")))
    client.start()
    wait_held(hold)
    plain = https.connect()
    plain.send(get("/plain"))
    assert plain.response().status == 200  # the loop serves while the handshake is held
    plain.close()
    release.set()
    client.join(WAIT)
    assert result == [200]
    assert sorted(r.path for r in https.sink.wait(2)) == ["/plain", "/slow"]


def test_a_deadline_that_passes_while_a_worker_holds_the_session_fails_the_handshake(
    start_server: ServerFactory, contexts: ServerContexts, hold: Holder
) -> None:
    hold.until = lambda link: link.expired
    https = start_server(Limits(head_timeout=0.3), tls=contexts)
    hello = client_hello([0x1301], [sni_ext(b"held.example"), versions_ext(0x0304)])
    client = https.connect()
    client.send(hello)
    client.wait_closed()
    record = https.sink.wait(1)[0]
    late = f"the handshake was not done 0.3 s after its first byte ({len(hello)} bytes received)"
    assert record.error == f"TLS handshake failed: {late}"
    assert record.raw == hello and record.tls is not None and record.tls.sni == "held.example"
    assert hold.links[0].expired
    https.wait_connections(0)


def test_bytes_sent_while_a_worker_holds_the_session_are_capped(
    start_server: ServerFactory, contexts: ServerContexts, hold: Holder
) -> None:
    hold.until = lambda link: link.received > HANDSHAKE_BYTES
    https = start_server(tls=contexts)
    hello = real_hello("held.example")
    client = https.connect()
    client.send(hello)
    wait_held(hold)
    client.send(b"\x17" * (HANDSHAKE_BYTES + 100_000))  # while the worker has the session
    client.wait_closed()
    record = https.sink.wait(1)[0]
    limit = f"the client sent more than {HANDSHAKE_BYTES} bytes during the handshake"
    assert record.error == f"TLS handshake failed: {limit}"
    assert len(hold.links[0].pending) <= HANDSHAKE_BYTES + 1
    https.wait_connections(0)


def test_a_client_that_leaves_while_a_worker_holds_the_session_is_a_row(
    start_server: ServerFactory, contexts: ServerContexts, hold: Holder
) -> None:
    hold.until = lambda link: link.ended
    https = start_server(tls=contexts)
    hello = client_hello([0x1301], [sni_ext(b"held.example"), versions_ext(0x0304)])
    client = https.connect()
    client.send(hello)
    wait_held(hold)
    client.close()  # while the worker has the session
    record = https.sink.wait(1)[0]
    assert record.error is not None and record.error.startswith("TLS handshake failed: ")
    assert record.raw == hello
    https.wait_connections(0)
