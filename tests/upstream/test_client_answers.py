"""The upstream client on its own (``client.perform`` with a real pool against real upstreams on
127.0.0.1): what each kind of answer gives back, and what each broken one fails with."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import trustme
from conftest import UpstreamFactory
from fakeupstream import RESET_ON_CLOSE, WAIT, Received, Reply, capture, one_connection, read_head, response

from inspector.upstream import client
from inspector.upstream.client import Answer, perform
from inspector.upstream.connections import Cancelled, ConnectionPool, Interrupt, UpstreamFailure
from inspector.upstream.outgoing import OutgoingRequest, build_request
from inspector.upstream.target import parse_target

GET = b"GET /x HTTP/1.1\r\nHost: client.example\r\n\r\n"


@pytest.fixture
def pool() -> Iterator[ConnectionPool]:
    made = ConnectionPool(max_idle=4)
    yield made
    made.close()


def call(
    pool: ConnectionPool,
    url: str,
    raw: bytes = GET,
    *,
    max_body: int = 1_000_000,
    deadline: float | None = None,
    interrupt: Interrupt | None = None,
) -> Answer:
    target = parse_target(url)
    return perform(
        pool,
        target,
        build_request(capture(raw), target),
        deadline=time.monotonic() + WAIT if deadline is None else deadline,
        max_body=max_body,
        interrupt=interrupt or Interrupt(),
    )


def fails(pool: ConnectionPool, url: str, raw: bytes = GET, *, max_body: int = 1_000_000) -> UpstreamFailure:
    with pytest.raises(UpstreamFailure) as caught:
        call(pool, url, raw, max_body=max_body)
    return caught.value


def answering(*pieces: bytes, close: bool = False) -> Callable[[Received], Reply]:
    return lambda received: Reply(list(pieces), close=close)


def silent_on(turn: int) -> Callable[[Received], Reply]:
    """Closes without answering the ``turn``-th request; answers the others ``n<their number>``."""
    count = [0]

    def handler(received: Received) -> Reply:
        count[0] += 1
        return Reply([], close=True) if count[0] == turn else Reply([response(200, b"n%d" % count[0])])

    return handler


def test_a_body_read_to_close_in_many_reads_arrives_whole(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    body = bytes(range(256)) * 600  # 153,600 bytes: several reads
    upstream = start_upstream(answering(b"HTTP/1.1 200 OK\r\n\r\n" + body, close=True))
    answer = call(pool, upstream.url())
    assert (answer.status, answer.body) == (200, body)


def test_a_chunked_body_bigger_than_one_read_arrives_whole(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    body = b"0123456789" * 10_000
    chunked = (
        b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:70_000], body[70_000:]))
        + b"0\r\n\r\n"
    )
    upstream = start_upstream(answering(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked))
    assert call(pool, upstream.url()).body == body


def test_a_body_of_exactly_the_limit_is_read_and_one_byte_more_is_not(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    exact = start_upstream(answering(b"HTTP/1.1 200 OK\r\n\r\n" + b"a" * 10, close=True))
    assert call(pool, exact.url(), max_body=10).body == b"a" * 10
    over = start_upstream(answering(b"HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\n" + b"a" * 11, close=True))
    failure = fails(pool, over.url(), max_body=10)
    assert (failure.status, failure.detail, failure.body_size) == (
        502,
        "answer body over the 10-byte limit",
        11,
    )
    assert (failure.upstream_status, failure.upstream_headers) == (200, (("X-A", "1"),))


def test_a_body_over_a_large_limit_counts_one_byte_past_it(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    """Read in pieces of 64 KiB, the body stops one byte past the limit, not a whole read past it."""
    upstream = start_upstream(answering(b"HTTP/1.1 200 OK\r\n\r\n" + b"b" * 150_000, close=True))
    failure = fails(pool, upstream.url(), max_body=100_000)
    assert (failure.upstream_status, failure.body_size) == (200, 100_001)


def test_a_declared_length_over_the_limit_keeps_status_and_headers(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(answering(response(201, b"x" * 50, ("X-Why", "big"))))
    failure = fails(pool, upstream.url(), max_body=10)
    assert (failure.upstream_status, failure.body_size) == (201, 50)
    assert failure.upstream_headers == (("X-Why", "big"), ("Content-Length", "50"))


def test_a_body_cut_short_keeps_status_headers_and_how_much_came(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(
        answering(b"HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 10\r\n\r\nabc", close=True)
    )
    failure = fails(pool, upstream.url())
    assert failure.detail == "closed the connection in the middle of its answer's body (3 bytes received)"
    assert (failure.status, failure.upstream_status, failure.body_size) == (502, 200, 3)
    assert failure.upstream_headers == (("X-A", "1"), ("Content-Length", "10"))
    assert str(failure) == failure.detail


def test_a_chunk_cut_short_after_a_whole_read_counts_every_byte(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    upstream = start_upstream(answering(head + b"%x\r\n" % 100_000 + b"c" * 80_000, close=True))
    failure = fails(pool, upstream.url())
    assert failure.upstream_status == 200
    assert failure.body_size == 65_536
    assert failure.detail.endswith(f"({failure.body_size} bytes received)")


def test_a_chunk_size_line_too_long_is_a_body_cut_short(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
    upstream = start_upstream(answering(head + b"3\r\nabc\r\n" + b"1" * 70_000 + b"\r\n", close=True))
    failure = fails(pool, upstream.url())
    assert (failure.status, failure.upstream_status) == (502, 200)
    assert failure.detail.startswith("closed the connection in the middle of its answer's body (")
    assert failure.upstream_headers == (("Transfer-Encoding", "chunked"), ("X-A", "1"))


def test_an_invalid_answer_is_named_in_at_most_300_characters(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(answering(b"Y" * 1000 + b"\r\n\r\n", close=True))
    failure = fails(pool, upstream.url())
    assert failure.detail.startswith("sent an invalid answer: BadStatusLine YYY")
    assert len(failure.detail) == 300


def test_switching_protocols_unasked_is_a_502(pool: ConnectionPool, start_upstream: UpstreamFactory) -> None:
    upstream = start_upstream(
        answering(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", close=True)
    )
    failure = fails(pool, upstream.url())
    assert (failure.status, failure.detail, failure.body_size) == (
        502,
        "switched protocols (101) though no upgrade was asked for",
        0,
    )


def test_header_values_keep_latin1_bytes_raw_and_show_utf8(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    answer = b"HTTP/1.1 200 OK\r\nX-Name: caf\xc3\xa9\r\nX-Bad: \xff\r\nContent-Length: 0\r\n\r\n"
    upstream = start_upstream(answering(answer))
    got = call(pool, upstream.url())
    assert got.headers[:2] == (("X-Name", "café"), ("X-Bad", "\ufffd"))
    assert got.raw_headers[:2] == (("X-Name", "caf\xc3\xa9"), ("X-Bad", "\xff"))


def test_a_reused_connection_closed_before_answering_is_retried_once_on_a_new_one(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    """The second request finds its kept-alive connection closed without an answer; it goes
    again on a new connection, which answers; the pool then keeps that one."""
    upstream = start_upstream(silent_on(2))
    assert call(pool, upstream.url()).body == b"n1"
    answer = call(pool, upstream.url())
    assert (answer.body, upstream.connections, pool.opened) == (b"n3", 2, 2)
    assert answer.connected_at is not None
    assert pool.idle_count == 1


def test_a_new_connection_closed_before_answering_is_not_retried(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(answering(close=True))
    failure = fails(pool, upstream.url())
    assert (failure.status, failure.detail) == (502, "closed the connection without answering")
    assert (upstream.connections, pool.opened, pool.idle_count) == (1, 1, 0)


def test_a_post_on_a_reused_connection_closed_without_answer_is_not_sent_twice(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(silent_on(2))
    call(pool, upstream.url())
    post = b"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi"
    failure = fails(pool, upstream.url(), post)
    assert failure.detail == "closed the connection without answering"
    assert (len(upstream.received), upstream.connections) == (2, 1)


def test_an_answer_that_asks_to_close_is_not_kept(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(answering(response(200, b"ok", ("Connection", "close"))))
    call(pool, upstream.url())
    assert pool.idle_count == 0
    upstream.wait_client_closes(1)


def test_a_reset_while_reading_the_body_is_a_body_cut_short(pool: ConnectionPool) -> None:
    """The upstream sends a head and part of its body, then resets the connection (SO_LINGER 0)."""

    def serve(conn: socket.socket) -> None:
        read_head(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET_ON_CLOSE)

    with one_connection(serve) as port:
        failure = fails(pool, f"http://127.0.0.1:{port}/")
    assert failure.detail.startswith("closed the connection in the middle of its answer's body")
    assert failure.upstream_status == 200


def test_a_reset_before_any_answer_names_the_failure(pool: ConnectionPool) -> None:
    """An upstream that resets the connection on the request: no answer, a 502 naming the reset."""

    def serve(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET_ON_CLOSE)

    with one_connection(serve) as port:
        failure = fails(pool, f"http://127.0.0.1:{port}/")
    assert failure.status == 502
    assert failure.detail in (
        "closed the connection without answering",
        "connection failed: connection reset by peer",
    )


def bounded(work: Callable[[], object], interrupt: Interrupt) -> BaseException | object:
    """What ``work`` returned or raised, in another thread; the test fails (and the call is
    interrupted) when it has not ended within the generous bound."""
    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(WAIT)
    if worker.is_alive():
        interrupt.fire()
        worker.join(WAIT)
        pytest.fail("the call did not end by its deadline")
    return outcome[0]


def test_an_upstream_that_never_answers_times_out_at_the_deadline(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream(lambda received: Reply(hold=True))
    interrupt = Interrupt()
    deadline = time.monotonic() + 0.3
    outcome = bounded(lambda: call(pool, upstream.url(), deadline=deadline, interrupt=interrupt), interrupt)
    assert isinstance(outcome, TimeoutError)
    upstream.wait_client_closes(1)


def big_post() -> OutgoingRequest:
    """A POST whose 64 MiB body is far more than the socket buffers hold."""
    body = bytes(64 * 1024 * 1024)
    return OutgoingRequest(
        method="POST",
        target="/",
        headers=((b"Host", b"h"), (b"Content-Length", str(len(body)).encode())),
        body=body,
    )


def test_an_upstream_that_never_reads_the_body_times_out_at_the_deadline(pool: ConnectionPool) -> None:
    """The request body is far bigger than the socket buffers and the upstream never reads:
    the send waits only until the deadline."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        request = big_post()
        target = parse_target(f"http://127.0.0.1:{port}/")
        interrupt = Interrupt()
        deadline = time.monotonic() + 0.3

        def send() -> Answer:
            return perform(pool, target, request, deadline=deadline, max_body=10, interrupt=interrupt)

        outcome = bounded(send, interrupt)
    assert isinstance(outcome, TimeoutError)


def test_a_deadline_already_passed_is_a_timeout_before_connecting(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    upstream = start_upstream()
    with pytest.raises(TimeoutError):
        call(pool, upstream.url(), deadline=time.monotonic() - 1.0)
    assert (pool.opened, upstream.connections) == (0, 0)


def test_a_retry_goes_on_a_new_connection_not_another_idle_one(
    pool: ConnectionPool, start_upstream: UpstreamFactory
) -> None:
    """Two idle connections; the newest is closed without answer: the retry opens a third."""
    upstream = start_upstream(silent_on(1))
    target = parse_target(upstream.url())
    for conn in [pool.open(target, time.monotonic() + WAIT, Interrupt()) for _ in range(2)]:
        pool.checkin(conn)
    answer = call(pool, upstream.url())
    assert answer.body == b"n2"
    assert answer.connected_at is not None
    assert [received.connection for received in upstream.received] == [2, 3]
    assert (upstream.connections, pool.opened) == (3, 3)


def test_a_tls_record_that_is_not_tls_fails_the_connection(pool: ConnectionPool, tmp_path: Path) -> None:
    """After the handshake the upstream answers in plain text, outside TLS."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def serve() -> None:
            plain, _ = listener.accept()
            with server.wrap_socket(plain, server_side=True) as conn:
                conn.recv(65536)
                socket.socket.sendall(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                try:
                    conn.recv(65536)  # the client's alert
                except ssl.SSLError:
                    pass

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        target = parse_target({"url": f"https://127.0.0.1:{port}/", "verify_tls": False})
        with pytest.raises(UpstreamFailure) as caught:
            perform(
                pool,
                target,
                build_request(capture(GET), target),
                deadline=time.monotonic() + WAIT,
                max_body=100,
                interrupt=Interrupt(),
            )
        thread.join(WAIT)
    assert caught.value.status == 502
    assert caught.value.detail.startswith(
        "connection failed: [ssl: wrong_version_number] wrong version number ("
    )


def test_a_cancel_while_a_body_is_read_to_close_is_not_taken_for_its_end(
    pool: ConnectionPool, start_upstream: UpstreamFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The upstream sends a head and part of a body that ends at close, then waits. A cancel
    shuts the socket down, which reads like the end of the body: the call is Cancelled
    rather than answered with half a body."""
    upstream = start_upstream(answering(b"HTTP/1.1 200 OK\r\n\r\npartial"))
    got_bytes = threading.Event()
    readinto = client._DeadlineReader.readinto

    def noting(self: client._DeadlineReader, buffer: memoryview) -> int:
        count = readinto(self, buffer)
        if count:
            got_bytes.set()
        return count

    monkeypatch.setattr(client._DeadlineReader, "readinto", noting)
    interrupt = Interrupt()
    outcome: list[BaseException | Answer] = []

    def run() -> None:
        try:
            outcome.append(call(pool, upstream.url(), interrupt=interrupt))
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    assert got_bytes.wait(WAIT)
    interrupt.fire()
    worker.join(WAIT)
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], Cancelled), outcome
    assert pool.idle_count == 0
    upstream.wait_client_closes(1)


def test_a_connection_whose_request_was_not_sent_whole_is_not_kept(pool: ConnectionPool) -> None:
    """The upstream answers (keep-alive) before the body is in and closes without reading it:
    the client reads the answer, but a connection the upstream reset is not kept."""

    def refuse(conn: socket.socket) -> None:
        read_head(conn)
        conn.sendall(response(413, b"too big"))

    request = big_post()
    with one_connection(refuse) as port:
        target = parse_target(f"http://127.0.0.1:{port}/")
        answer = perform(
            pool, target, request, deadline=time.monotonic() + WAIT, max_body=100, interrupt=Interrupt()
        )
    assert (answer.status, answer.body) == (413, b"too big")
    assert pool.idle_count == 0
