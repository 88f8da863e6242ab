"""The connection pool and the interrupt on their own: which idle connections are kept, swept,
handed out or closed (a fake clock stands in for the monotonic one), what a cancel does, how a
connection or TLS handshake that cannot be made fails."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from conftest import UpstreamFactory
from fakeupstream import RESET_ON_CLOSE, WAIT, FakeClock, Reply, capture, response

from inspector.upstream import connections
from inspector.upstream.client import perform
from inspector.upstream.connections import (
    Cancelled,
    Connection,
    ConnectionPool,
    Interrupt,
    UpstreamFailure,
    left,
)
from inspector.upstream.outgoing import build_request
from inspector.upstream.target import UpstreamTarget, parse_target

GET = b"GET /x HTTP/1.1\r\nHost: client.example\r\n\r\n"


@pytest.fixture
def pairs() -> Iterator[list[socket.socket]]:
    """Peer ends of connected socket pairs, closed after the test."""
    peers: list[socket.socket] = []
    yield peers
    for peer in peers:
        peer.close()


def connection(key: str, peers: list[socket.socket]) -> Connection:
    ours, theirs = socket.socketpair()
    peers.append(theirs)
    return Connection(key, ours)


def is_closed(conn: Connection) -> bool:
    return conn.sock.fileno() == -1


def test_a_pool_sweeps_other_upstreams_idle_connections_at_most_once_a_second(
    monkeypatch: pytest.MonkeyPatch, pairs: list[socket.socket]
) -> None:
    clock = FakeClock(1000.0)
    monkeypatch.setattr(connections, "time", clock)
    pool = ConnectionPool(max_idle=4, idle_timeout=15.0)
    a, e, b, c, d, f = (connection(key, pairs) for key in "aebcdf")
    pool.checkin(a)  # swept at 1000: next sweep at 1001
    clock.now = 1000.5
    pool.checkin(e)  # no sweep
    clock.now = 1015.0
    pool.checkin(b)  # sweep: a has been idle 15 s, closed; e only 14.5 s
    assert (is_closed(a), is_closed(e)) == (True, False)
    clock.now = 1015.5
    pool.checkin(c)  # no sweep before 1016, though e is now 15 s idle
    assert not is_closed(e)
    clock.now = 1016.0
    pool.checkin(d)  # exactly a second later: sweep
    assert is_closed(e)
    assert not any(is_closed(conn) for conn in (b, c, d))
    clock.now = 1031.5
    pool.checkin(f)  # sweeps b (16.5 s), c (16 s) and d (15.5 s)
    assert [is_closed(conn) for conn in (b, c, d, f)] == [True, True, True, False]
    pool.close()


def test_the_first_checkin_sweeps_even_early_on_the_clock(
    monkeypatch: pytest.MonkeyPatch, pairs: list[socket.socket]
) -> None:
    monkeypatch.setattr(connections, "time", FakeClock(0.5))
    pool = ConnectionPool(max_idle=4, idle_timeout=0.0)
    conn = connection("a", pairs)
    pool.checkin(conn)
    assert is_closed(conn)
    assert pool.idle_count == 0


def test_a_connection_idle_for_the_whole_timeout_is_not_handed_out(
    monkeypatch: pytest.MonkeyPatch, pairs: list[socket.socket]
) -> None:
    clock = FakeClock(1000.0)
    monkeypatch.setattr(connections, "time", clock)
    pool = ConnectionPool(max_idle=4, idle_timeout=15.0)
    young, old = connection("a", pairs), connection("b", pairs)
    pool.checkin(old)
    clock.now = 1000.5
    pool.checkin(young)
    clock.now = 1015.0
    assert pool.checkout("b") is None
    assert is_closed(old)
    assert pool.checkout("a") is young
    young.close()
    pool.close()


def test_a_connection_checked_in_after_close_is_closed(pairs: list[socket.socket]) -> None:
    pool = ConnectionPool(max_idle=4)
    kept = connection("a", pairs)
    pool.checkin(kept)
    pool.close()
    assert is_closed(kept)
    late = connection("a", pairs)
    pool.checkin(late)
    assert is_closed(late)
    assert (pool.idle_count, pool.checkout("a")) == (0, None)


def opening(
    pool: ConnectionPool, target: UpstreamTarget, deadline: float, interrupt: Interrupt
) -> tuple[threading.Thread, list[BaseException | None]]:
    """``pool.open`` started in another thread, and where its outcome (None when it connected) goes."""
    outcome: list[BaseException | None] = []

    def open_it() -> None:
        try:
            pool.open(target, deadline, interrupt).close()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    opener = threading.Thread(target=open_it, daemon=True)
    opener.start()
    return opener, outcome


def test_a_reset_connection_is_not_silent() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        ours = socket.create_connection(listener.getsockname())
        theirs, _ = listener.accept()
    theirs.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET_ON_CLOSE)
    theirs.close()  # a reset
    conn = Connection("a", ours)
    assert not conn.silent()
    conn.close()


def test_an_interrupt_fired_before_attaching_cancels_and_after_detaching_is_harmless() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        early = Interrupt()
        early.fire()
        with pytest.raises(Cancelled):
            early.attach(ours)
        assert early.detach()
        late = Interrupt()
        late.attach(ours)
        assert not late.detach()
        late.fire()  # the socket is no longer ours to shut down
        assert late.detach()
        theirs.sendall(b"still open")
        assert ours.recv(100) == b"still open"


def test_firing_wakes_a_blocked_read() -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        interrupt = Interrupt()
        interrupt.attach(ours)
        got: list[bytes] = []
        reader = threading.Thread(target=lambda: got.append(ours.recv(100)), daemon=True)
        reader.start()
        interrupt.fire()
        reader.join(WAIT)
        assert got == [b""]
        assert interrupt.detach()


def test_no_time_left_is_a_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connections, "time", FakeClock(100.0))
    with pytest.raises(TimeoutError):
        left(100.0)  # the deadline is now
    assert left(100.5) == 0.5
    monkeypatch.undo()
    with pytest.raises(TimeoutError):
        left(time.monotonic() - 0.001)
    assert 0 < left(time.monotonic() + WAIT) <= WAIT


def test_a_failure_keeps_its_detail_and_has_no_body_by_default() -> None:
    failure = UpstreamFailure(504, "took too long")
    assert (str(failure), failure.detail, failure.status, failure.body_size) == ("took too long",) * 2 + (
        504,
        0,
    )
    assert (failure.upstream_status, failure.upstream_headers) == (None, ())


def test_a_tls_handshake_with_a_plain_http_server_fails_naming_the_reason(
    pool_listener: socket.socket,
) -> None:
    """A server that answers the ClientHello with plain HTTP: a 502 naming OpenSSL's reason."""

    def plain() -> None:
        accepted, _ = pool_listener.accept()
        with accepted:
            accepted.recv(65536)
            accepted.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    server = threading.Thread(target=plain, daemon=True)
    server.start()
    pool = ConnectionPool(max_idle=4)
    target = parse_target(
        {"url": f"https://127.0.0.1:{pool_listener.getsockname()[1]}/", "verify_tls": False}
    )
    with pytest.raises(UpstreamFailure) as caught:
        pool.open(target, time.monotonic() + WAIT, Interrupt())
    server.join(WAIT)
    assert (caught.value.status, caught.value.detail) == (502, "TLS handshake failed: WRONG_VERSION_NUMBER")
    pool.close()


def test_a_ca_file_is_read_once_per_pool(tmp_path: Path, start_upstream: UpstreamFactory) -> None:
    """The context made from a CA file is kept: the file may go away after first use."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    upstream = start_upstream(lambda received: Reply([response(200, b"ok")], close=True), tls=server)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    target = parse_target({"url": upstream.url("/"), "verify_tls": str(ca_file)})
    request = build_request(capture(GET), target)
    pool = ConnectionPool(max_idle=4)
    for _ in range(2):
        answer = perform(
            pool, target, request, deadline=time.monotonic() + WAIT, max_body=100, interrupt=Interrupt()
        )
        assert answer.body == b"ok"
        ca_file.unlink(missing_ok=True)
    assert pool.opened == 2
    pool.close()


def test_a_tls_handshake_that_never_ends_is_cut_by_cancel(pool_listener: socket.socket) -> None:
    """A server that accepts and never answers the ClientHello: a cancel from another thread
    ends the handshake at once (long before the deadline)."""
    port = pool_listener.getsockname()[1]
    pool = ConnectionPool(max_idle=4)
    target = parse_target({"url": f"https://127.0.0.1:{port}/", "verify_tls": False})
    interrupt = Interrupt()
    opener, outcome = opening(pool, target, time.monotonic() + 6 * WAIT, interrupt)
    accepted, _ = pool_listener.accept()
    with accepted:
        assert accepted.recv(65536)  # the ClientHello: the handshake waits for us
        interrupt.fire()
        opener.join(WAIT)
        alive = opener.is_alive()
    opener.join(WAIT)  # closing our end ended the handshake anyway
    assert not alive, "the cancel did not end the handshake"
    assert len(outcome) == 1 and outcome[0] is not None
    pool.close()


def test_a_tls_handshake_that_never_ends_times_out_at_the_deadline(pool_listener: socket.socket) -> None:
    port = pool_listener.getsockname()[1]
    pool = ConnectionPool(max_idle=4)
    target = parse_target({"url": f"https://127.0.0.1:{port}/", "verify_tls": False})
    opener, outcome = opening(pool, target, time.monotonic() + 0.3, Interrupt())
    accepted, _ = pool_listener.accept()
    with accepted:
        opener.join(WAIT)
        alive = opener.is_alive()
    opener.join(WAIT)
    assert not alive, "the handshake did not end by its deadline"
    assert len(outcome) == 1 and isinstance(outcome[0], TimeoutError)
    pool.close()


@pytest.fixture
def pool_listener() -> Iterator[socket.socket]:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(WAIT)
        yield listener


def test_a_connect_that_is_never_accepted_times_out_at_the_deadline() -> None:
    """A listener whose backlog is full drops new connection attempts: connect waits only
    until the deadline."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    filler = socket.create_connection(listener.getsockname(), timeout=WAIT)  # fills the backlog
    pool = ConnectionPool(max_idle=4)
    target = parse_target(f"http://127.0.0.1:{listener.getsockname()[1]}/")
    opener, outcome = opening(pool, target, time.monotonic() + 0.3, Interrupt())
    opener.join(WAIT)
    alive = opener.is_alive()
    listener.close()  # refuses a connect still waiting
    filler.close()
    opener.join(WAIT)
    assert not alive, "connect did not end by its deadline"
    assert len(outcome) == 1 and isinstance(outcome[0], TimeoutError)
    assert pool.opened == 0
    pool.close()
