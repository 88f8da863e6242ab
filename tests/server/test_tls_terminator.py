"""The server loop's TLS terminator (inspector/server/tls_link.py), called as the loop calls it.

The loop's calls (take, ready, timed_out) are made here directly on connections over socket
pairs, so each step is deterministic: a leaf is made on the terminator's worker only when the
test lets it (a ServerContexts whose ``prepare`` waits for a gate), deadlines use the ``now``
argument, and a first flight's connection stays busy until :meth:`TLSTerminator.ready` takes it
back. The end-to-end paths (real clients on real sockets) are in tests/tls/test_server_https.py;
one real-socket test here checks the leaf a client without SNI gets on 127.0.0.1 and ::1.
"""

from __future__ import annotations

import itertools
import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from inspector.http.limits import InFlight
from inspector.http.parser import RequestParser
from inspector.http.record import CaptureRecord
from inspector.server.connection import Connection
from inspector.server.tls_flights import Flights
from inspector.server.tls_link import HANDSHAKE_BYTES, RAW_CAP, TLSLink, TLSTerminator
from inspector.tls.ca import LocalCA, load_or_create
from inspector.tls.contexts import ServerContexts
from inspector.tls.session import State, TLSSession
from tests.harness import WAIT, ServerFactory

#: A handshake record whose message is not a ClientHello (type 2): the hello reader refuses it.
NOT_A_HELLO = b"\x16\x03\x01\x00\x04\x02\x00\x00\x00"


@pytest.fixture(scope="module")
def local_ca(tmp_path_factory: pytest.TempPathFactory) -> LocalCA:
    return load_or_create(tmp_path_factory.mktemp("tls") / "ca")


class HeldContexts(ServerContexts):
    """Leaves made only once ``release`` is set; records each name asked for and on which thread."""

    def __init__(self, ca: LocalCA, fail: str | None = None) -> None:
        super().__init__(ca)
        self.release = threading.Event()
        self.fail = fail
        self.calls: list[str] = []
        self.threads: list[str] = []
        self.finished: list[str] = []

    def prepare(self, name: str) -> None:
        self.calls.append(name)
        self.threads.append(threading.current_thread().name)
        self.release.wait(3.0)
        if self.fail is not None:
            raise RuntimeError(self.fail)
        super().prepare(name)
        self.finished.append(name)


def late(received: int) -> str:
    """A record's error for a handshake not done by its deadline (head_timeout 5 s)."""
    why = f"the handshake was not done 5 s after its first byte ({received} bytes received)"
    return f"TLS handshake failed: {why}"


def client_hello(sni: str | None) -> bytes:
    """A real client's (Python's ssl) first flight: its ClientHello records."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = context.wrap_bio(incoming, outgoing, server_hostname=sni)
    with pytest.raises(ssl.SSLWantReadError):
        client.do_handshake()
    return outgoing.read()


class Rig:
    """A terminator, what it recorded, and connections over socket pairs."""

    def __init__(self, contexts: ServerContexts, head_timeout: float = 5.0) -> None:
        self.records: list[CaptureRecord] = []
        self.woken = threading.Event()
        self.contexts = contexts
        ids = itertools.count(1)
        self.budget = InFlight(1 << 24)
        emit, wake = self.records.append, self.woken.set
        self.term = TLSTerminator(
            contexts, self.budget, wake, emit, lambda: next(ids), head_timeout=head_timeout
        )
        self.sockets: list[socket.socket] = []
        self.contexts_ca = Path()

    def conn(self, server: str = "127.0.0.1:8443", client: str = "127.0.0.1:50000") -> Connection:
        ours, theirs = socket.socketpair()
        self.sockets += [ours, theirs]
        conn = Connection(ours, RequestParser(client=client, server=server, next_id=lambda: 0))
        conn.sniff = True
        return conn

    def ready(self, count: int) -> list[Connection]:
        """What :meth:`TLSTerminator.ready` hands back, waiting (woken) until ``count`` came."""
        out: list[Connection] = []
        while len(out) < count:
            assert self.woken.wait(WAIT), f"{len(out)} of {count} connections came back"
            self.woken.clear()
            out += self.term.ready()
        return out

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()
        self.term.close()


@pytest.fixture
def held(local_ca: LocalCA) -> Iterator[Rig]:
    rig = Rig(HeldContexts(local_ca))
    yield rig
    rig.contexts.release.set()  # type: ignore[attr-defined]
    rig.close()


@pytest.fixture
def rig(local_ca: LocalCA) -> Iterator[Rig]:
    contexts = ServerContexts(local_ca)
    contexts.prepare("ready.test")  # made before: its handshakes go straight to their first flight
    made = Rig(contexts)
    made.contexts_ca = Path(local_ca.cert_path)
    yield made
    made.close()


def held_contexts(rig: Rig) -> HeldContexts:
    assert isinstance(rig.contexts, HeldContexts)
    return rig.contexts


# -- which connections are TLS ------------------------------------------------


def test_the_first_bytes_decide_and_only_once(rig: Rig) -> None:
    plain = rig.conn()
    assert rig.term.take(plain, b"GET / HTTP/1.1\r\n", 0.0) == b"GET / HTTP/1.1\r\n"
    assert (plain.tls, plain.sniff) == (None, False)
    later = b"\x16 later bytes are plain HTTP too"
    assert rig.term.take(plain, later, 0.0) == later
    silent = rig.conn()
    assert rig.term.take(silent, b"", 0.0) == b"" and silent.tls is None
    unsniffed = rig.conn()
    unsniffed.sniff = False
    assert rig.term.take(unsniffed, NOT_A_HELLO, 0.0) == NOT_A_HELLO and unsniffed.tls is None
    assert rig.records == []


# -- leaves for new names, made off the loop ------------------------------------


@pytest.mark.parametrize(
    ("server", "name"), [("127.0.0.1:8443", "127.0.0.1"), ("[::1]:8443", "::1"), ("[::1]:1", "::1")]
)
def test_a_client_without_sni_waits_for_the_leaf_of_the_local_address(
    held: Rig, server: str, name: str
) -> None:
    conn = held.conn(server=server)
    hello = client_hello(None)
    assert held.term.take(conn, hello, 0.0) is None
    link = conn.tls
    assert link is not None and link.session.needed_name == name
    assert conn.out == b"" and not link.busy  # nothing for the client until the leaf exists
    held_contexts(held).release.set()
    assert held.ready(1) == [conn]
    contexts = held_contexts(held)
    assert contexts.calls == [name] and contexts.finished == [name]
    assert contexts.threads == ["tls-contexts_0"]  # the terminator's one worker, not the loop
    assert link.busy  # then its first flight is made on another worker
    assert held.ready(1) == [conn] and not link.busy
    assert conn.out.startswith(b"\x16\x03\x03")  # the ServerHello...
    assert held.budget.held == len(conn.out)
    assert held.records == []


def test_connections_waiting_on_one_name_all_go_on_when_it_is_made(held: Rig) -> None:
    first, second = held.conn(), held.conn(client="127.0.0.1:50001")
    assert held.term.take(first, client_hello("same.test"), 0.0) is None
    assert held.term.take(second, client_hello("same.test"), 0.0) is None
    # more bytes on a waiting connection (a ChangeCipherSpec record) ask for the same name again
    assert held.term.take(first, b"\x14\x03\x03\x00\x01\x01", 0.0) is None
    contexts = held_contexts(held)
    contexts.release.set()
    back = held.ready(2)
    assert back == [first, second]  # each once, in the order they asked
    assert contexts.calls == ["same.test"]  # one leaf for both
    assert sorted(held.ready(2), key=[first, second].index) == [first, second]  # their first flights
    assert all(conn.out.startswith(b"\x16\x03\x03") for conn in (first, second))
    assert held.records == []


def test_a_connection_closed_while_it_waited_for_its_leaf_is_left_out(held: Rig) -> None:
    first, second = held.conn(), held.conn(client="127.0.0.1:50001")
    held.term.take(first, client_hello("same.test"), 0.0)
    held.term.take(second, client_hello("same.test"), 0.0)
    first.sock.close()
    held_contexts(held).release.set()
    assert held.ready(1) == [second]  # the one after it still goes on
    assert held.records == []


def test_one_worker_makes_the_leaves_one_at_a_time(held: Rig) -> None:
    conns = [held.conn(client=f"127.0.0.1:{50000 + n}") for n in range(3)]
    for n, conn in enumerate(conns):
        held.term.take(conn, client_hello(f"n{n}.test"), 0.0)
    contexts = held_contexts(held)
    contexts.release.set()
    seen: list[Connection] = []
    while not set(conns) <= set(seen):  # each comes back for its leaf, then for its flight
        seen += held.ready(1)
    assert contexts.calls == ["n0.test", "n1.test", "n2.test"]
    assert set(contexts.threads) == {"tls-contexts_0"}


def test_a_leaf_that_cannot_be_made_fails_its_handshakes_with_the_reason(
    local_ca: LocalCA, caplog: pytest.LogCaptureFixture
) -> None:
    contexts = HeldContexts(local_ca, fail="the disk is full")
    contexts.release.set()
    rig = Rig(contexts)
    try:
        conn = rig.conn(client="127.0.0.1:40000", server="127.0.0.1:8443")
        with caplog.at_level(logging.ERROR, logger="inspector.server.tls_link"):
            rig.term.take(conn, client_hello("broken.test"), 0.0)
            assert rig.ready(1) == [conn]
        (record,) = rig.records
        assert record.error == (
            "TLS handshake failed: could not make a certificate for broken.test: the disk is full"
        )
        assert (record.client, record.server, record.scheme) == ("127.0.0.1:40000", "127.0.0.1:8443", "https")
        assert record.tls is not None and record.tls.sni == "broken.test"
        assert conn.closing and conn.error_close
        messages = [(r.name, r.getMessage()) for r in caplog.records]
        assert ("inspector.server.tls_link", "making the TLS context for broken.test failed") in messages
    finally:
        rig.close()


def test_close_cancels_leaves_not_started_and_does_not_wait(held: Rig) -> None:
    first, second = held.conn(), held.conn(client="127.0.0.1:50001")
    held.term.take(first, client_hello("first.test"), 0.0)
    held.term.take(second, client_hello("second.test"), 0.0)
    contexts = held_contexts(held)
    workers = [t for t in threading.enumerate() if t.name.startswith("tls-contexts")]
    held.term.close()
    assert contexts.finished == []  # close came back while the first leaf was still being made
    contexts.release.set()
    for worker in workers:
        worker.join(WAIT)
    assert contexts.calls == ["first.test"]  # the second was never started


# -- failed handshakes are records ------------------------------------------------


def test_a_failed_handshake_is_one_record_with_what_the_client_sent(rig: Rig) -> None:
    conn = rig.conn(client="[::1]:40000", server="[::1]:8443")
    before = time.time()
    assert rig.term.take(conn, NOT_A_HELLO, 0.0) is None
    (record,) = rig.records
    assert record.id == 1
    assert before <= record.received_at <= time.time()  # when its first byte came
    assert (record.client, record.server, record.scheme) == ("[::1]:40000", "[::1]:8443", "https")
    assert record.error is not None and record.error.startswith("TLS handshake failed")
    assert (record.raw_head, record.notes) == (NOT_A_HELLO, ())
    assert record.tls is not None
    assert conn.closing and conn.error_close
    # whatever comes after, and the client's end, add no second record
    assert rig.term.take(conn, b"\x16\x03\x01\x00\x01\x00", 0.0) is None
    assert rig.term.take(conn, b"", 0.0) is None
    assert not rig.term.timed_out(conn, 1e12)
    assert len(rig.records) == 1


TRUNCATED = ("raw bytes truncated",)


@pytest.mark.parametrize(("extra", "notes"), [(0, ()), (1, TRUNCATED), (500, TRUNCATED)])
def test_a_failed_handshake_keeps_its_first_raw_cap_bytes(
    rig: Rig, extra: int, notes: tuple[str, ...]
) -> None:
    sent = NOT_A_HELLO + bytes(RAW_CAP - len(NOT_A_HELLO) + extra)
    conn = rig.conn()
    assert rig.term.take(conn, sent, 0.0) is None
    (record,) = rig.records
    assert (record.raw_head, record.notes) == (sent[:RAW_CAP], notes)


def test_a_link_keeps_the_first_raw_cap_bytes_however_they_come(rig: Rig) -> None:
    link = TLSLink(TLSSession(rig.contexts, local_address="127.0.0.1"), 0.0)
    link.keep(b"a" * (RAW_CAP - 2))
    link.keep(b"b")
    link.keep(b"cd")  # one byte of room left: it is kept
    link.keep(b"e")
    assert bytes(link.raw) == b"a" * (RAW_CAP - 2) + b"bc"
    assert link.received == RAW_CAP + 2


def test_a_handshake_may_take_handshake_bytes_and_not_one_more(held: Rig) -> None:
    conn = held.conn()
    hello = client_hello("big.test")
    held.term.take(conn, hello, 0.0)
    held.term.take(conn, bytes(HANDSHAKE_BYTES - len(hello)), 0.0)  # while it waits for its leaf
    assert held.records == [] and conn.tls is not None and conn.tls.handshaking
    held.term.take(conn, b"\x00", 0.0)
    (record,) = held.records
    too_many = f"the client sent more than {HANDSHAKE_BYTES} bytes during the handshake"
    assert record.error == f"TLS handshake failed: {too_many}"


def test_after_the_handshake_the_parser_gets_the_plaintext_and_the_end(rig: Rig) -> None:
    context = ssl.create_default_context(cafile=str(rig.contexts_ca))
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = context.wrap_bio(incoming, outgoing, server_hostname="ready.test")
    with pytest.raises(ssl.SSLWantReadError):
        client.do_handshake()
    conn = rig.conn()
    assert rig.term.take(conn, outgoing.read(), 0.0) is None
    assert rig.ready(1) == [conn]
    incoming.write(bytes(conn.out))
    conn.out.clear()
    client.do_handshake()
    assert rig.term.take(conn, outgoing.read(), 0.0) is None  # the client's Finished: nothing to parse
    assert conn.parser.scheme == "https"
    assert conn.parser.tls is not None and conn.parser.tls.sni == "ready.test"
    client.write(b"GET / HTTP/1.1\r\nHost: ready.test\r\n\r\n")
    assert rig.term.take(conn, outgoing.read(), 0.0) == b"GET / HTTP/1.1\r\nHost: ready.test\r\n\r\n"
    assert rig.term.take(conn, b"", 0.0) == b""  # the end reaches the parser
    assert rig.records == []


# -- the handshake deadline ---------------------------------------------------------


def test_a_handshake_fails_at_its_deadline_measured_from_its_first_byte(held: Rig) -> None:
    conn = held.conn(client="127.0.0.1:40000")
    hello = client_hello("late.test")
    held.term.take(conn, hello, 100.0)
    assert not held.term.timed_out(held.conn(), 1e12)  # not TLS: no handshake to time out
    assert not held.term.timed_out(conn, 104.999)
    assert held.term.timed_out(conn, 105.0)
    (record,) = held.records
    assert record.error == late(len(hello))
    assert record.client == "127.0.0.1:40000" and conn.closing
    assert not held.term.timed_out(conn, 200.0)  # once
    held_contexts(held).release.set()
    assert held.woken.wait(WAIT)
    assert held.term.ready() == []  # the leaf came, but the handshake was over
    assert len(held.records) == 1


def test_a_deadline_that_passes_during_the_first_flight_fails_it_after(rig: Rig) -> None:
    conn = rig.conn()
    hello = client_hello("ready.test")
    rig.term.take(conn, hello, 100.0)
    link = conn.tls
    assert link is not None and link.busy
    assert not rig.term.timed_out(conn, 105.0)  # the worker has the session: failed when it is back
    assert link.expired and rig.records == []
    assert rig.ready(1) == [conn]
    (record,) = rig.records
    assert record.error == late(len(hello))


# -- bytes that come while a worker makes the first flight ---------------------------


def test_bytes_that_come_during_the_first_flight_are_fed_after_it_in_order(rig: Rig) -> None:
    conn = rig.conn()
    rig.term.take(conn, client_hello("ready.test"), 0.0)
    link = conn.tls
    assert link is not None and link.busy
    # a record with no valid content type, in two pieces: only both together make the whole header
    assert rig.term.take(conn, b"\xff\xff", 0.0) is None
    assert rig.term.take(conn, b"\xff\x00\x01\x00", 0.0) is None
    assert rig.records == []
    assert rig.ready(1) == [conn]
    (record,) = rig.records
    assert record.error == "TLS handshake failed: not TLS after 0x16: the record version is wrong"
    assert link.session.state is State.FAILED and conn.out.startswith(b"\x16\x03\x03")


def test_a_client_that_ends_during_the_first_flight_fails_after_it(rig: Rig) -> None:
    conn = rig.conn()
    rig.term.take(conn, client_hello("ready.test"), 0.0)
    assert rig.term.take(conn, b"", 0.0) is None
    link = conn.tls
    assert link is not None and link.ended
    assert rig.ready(1) == [conn]
    (record,) = rig.records
    assert record.error == "TLS handshake failed: the client closed the connection during the handshake"


def test_too_many_bytes_during_the_first_flight_fail_the_handshake(rig: Rig) -> None:
    conn = rig.conn()
    hello = client_hello("ready.test")
    rig.term.take(conn, hello, 0.0)
    link = conn.tls
    assert link is not None
    for _ in range(3):
        rig.term.take(conn, bytes(HANDSHAKE_BYTES // 2), 0.0)
    assert len(link.pending) == HANDSHAKE_BYTES + 1  # kept: one more than allowed, enough to fail
    assert rig.ready(1) == [conn]
    (record,) = rig.records
    too_many = f"the client sent more than {HANDSHAKE_BYTES} bytes during the handshake"
    assert record.error == f"TLS handshake failed: {too_many}"
    assert record.raw_head == (hello + bytes(RAW_CAP))[:RAW_CAP] and record.notes == ("raw bytes truncated",)


def test_handshake_bytes_during_the_first_flight_are_still_allowed(rig: Rig) -> None:
    conn = rig.conn()
    hello = client_hello("ready.test")
    rig.term.take(conn, hello, 0.0)
    rig.term.take(conn, bytes(HANDSHAKE_BYTES - len(hello)), 0.0)  # exactly the cap: fed after the flight
    assert rig.ready(1) == [conn]
    (record,) = rig.records  # those zeros are no TLS record, but not too many bytes
    assert record.error is not None and "more than" not in record.error


def test_a_connection_closed_during_its_first_flight_is_not_handed_back(rig: Rig) -> None:
    conn = rig.conn()
    rig.term.take(conn, client_hello("ready.test"), 0.0)
    conn.sock.close()
    assert rig.woken.wait(WAIT)
    assert rig.term.ready() == []
    assert rig.records == []


# -- a real client on a real socket ---------------------------------------------------


@pytest.mark.parametrize(
    ("host", "san"), [("127.0.0.1", ("IP Address", "127.0.0.1")), ("::1", ("IP Address", "0:0:0:0:0:0:0:1"))]
)
def test_a_real_client_without_sni_gets_the_leaf_of_the_address_it_reached(
    start_server: ServerFactory, local_ca: LocalCA, host: str, san: tuple[str, str]
) -> None:
    running = start_server(host=host, tls=ServerContexts(local_ca))
    context = ssl.create_default_context(cafile=str(Path(local_ca.cert_path)))
    context.check_hostname = False  # no name to check: the client sends no SNI
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.create_connection((host, running.port), timeout=WAIT) as raw:
        assert raw.family == family
        with context.wrap_socket(raw, server_hostname=None) as tls:
            cert = tls.getpeercert()
            tls.sendall(b"GET /no-sni HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := tls.recv(65536):
                answer += chunk
    assert cert is not None and san in cert["subjectAltName"]
    assert answer.startswith(b"HTTP/1.1 200")
    (record,) = running.sink.wait(1)
    assert record.scheme == "https" and record.tls is not None and record.tls.sni is None
    assert record.server.endswith(f":{running.port}") and record.error is None


# -- first flights on their own workers (inspector/server/tls_flights.py) -------------------


class HeldSession:
    """A session whose first flight waits for ``release``; records the thread it ran on."""

    def __init__(self, release: threading.Event, fail: bool = False) -> None:
        self.release = release
        self.fail = fail
        self.threads: list[str] = []
        self.done = False

    def flight(self) -> None:
        self.threads.append(threading.current_thread().name)
        self.release.wait(3.0)
        if self.fail:
            raise RuntimeError("a bug")
        self.done = True


def flight_conn(session: HeldSession, expired: bool = False) -> Any:
    link = SimpleNamespace(busy=False, expired=expired, session=session)
    return SimpleNamespace(tls=link)


def take_all(flights: Flights, woken: threading.Event, count: int) -> list[Any]:
    out: list[Any] = []
    while len(out) < count:
        assert woken.wait(WAIT)
        woken.clear()
        out += flights.take()
    return out


def test_two_workers_make_first_flights_and_hand_the_connections_back() -> None:
    woken, release = threading.Event(), threading.Event()
    flights = Flights(woken.set)
    try:
        sessions = [HeldSession(release) for _ in range(3)]
        conns = [flight_conn(session) for session in sessions]
        for conn in conns:
            flights.submit(conn, conn.tls)
            assert conn.tls.busy
        release.set()
        back = take_all(flights, woken, 3)
        assert sorted(back, key=conns.index) == conns
        assert all(session.done and not conn.tls.busy for session, conn in zip(sessions, conns, strict=True))
        threads = {name for session in sessions for name in session.threads}
        assert threads == {"tls-handshakes_0", "tls-handshakes_1"}  # the first two ran at once
    finally:
        flights.close()


def test_a_flight_that_raises_is_logged_and_its_connection_still_comes_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    woken, release = threading.Event(), threading.Event()
    release.set()
    flights = Flights(woken.set)
    try:
        session = HeldSession(release, fail=True)
        conn = flight_conn(session)
        with caplog.at_level(logging.ERROR, logger="inspector.server.tls_flights"):
            flights.submit(conn, conn.tls)
            assert take_all(flights, woken, 1) == [conn]
        assert not conn.tls.busy and not session.done
        messages = [(r.name, r.getMessage()) for r in caplog.records]
        assert messages == [("inspector.server.tls_flights", "a TLS handshake's first flight failed")]
    finally:
        flights.close()


def test_a_flight_whose_deadline_passed_is_not_made() -> None:
    woken, release = threading.Event(), threading.Event()
    release.set()
    flights = Flights(woken.set)
    try:
        session = HeldSession(release)
        conn = flight_conn(session, expired=True)
        flights.submit(conn, conn.tls)
        assert take_all(flights, woken, 1) == [conn]
        assert session.threads == [] and not conn.tls.busy
        gone = flight_conn(HeldSession(release))
        flights.submit(gone, gone.tls)
        gone.tls = None  # the connection closed meanwhile: nothing to clear
        assert take_all(flights, woken, 1) == [gone]
    finally:
        flights.close()


def test_closing_the_flights_does_not_wait_and_cancels_those_not_started() -> None:
    woken, release = threading.Event(), threading.Event()
    flights = Flights(woken.set)
    sessions = [HeldSession(release) for _ in range(3)]
    for session in sessions:
        conn = flight_conn(session)
        flights.submit(conn, conn.tls)
    workers = [t for t in threading.enumerate() if t.name.startswith("tls-handshakes")]
    flights.close()
    assert not any(session.done for session in sessions)  # close came back while two were running
    release.set()
    for worker in workers:
        worker.join(WAIT)
    assert [bool(session.threads) for session in sessions] == [True, True, False]
