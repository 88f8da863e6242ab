"""Replay's exchange without Qt, against real sockets on 127.0.0.1: refused ports,
address lists, connections that never complete, TLS, servers that answer oddly or
never, the idle timeout and cancel.

Every server here gives up on its own after :data:`HOLD` seconds, so a client that
blocks where it should not is freed (and fails) instead of hanging the run.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme

from inspector import replay
from inspector.replay import (
    ReplayCall,
    ReplayCancelled,
    ReplayError,
    ReplayRequest,
    ReplayResponse,
    build_request,
)

#: generous bound for anything the test waits for (never a threshold asserted on)
WAIT = 10.0
#: how long a server keeps a connection it does not answer
HOLD = 5.0

Handler = Callable[[socket.socket, "Server"], None]


class Server:
    """One listener on 127.0.0.1 whose connections are handled by ``handler`` in a thread."""

    def __init__(
        self, handler: Handler, *, tls: ssl.SSLContext | None = None, rcvbuf: int | None = None
    ) -> None:
        self._listener = socket.socket()
        if rcvbuf is not None:
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self.port: int = self._listener.getsockname()[1]
        self.where = f"127.0.0.1:{self.port}"
        self.stop = threading.Event()
        self.connections = 0
        self.received = b""
        self._handler = handler
        self._tls = tls
        self._threads: list[threading.Thread] = []
        self._socks: list[socket.socket] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    def url(self, path: str = "/") -> str:
        return f"{'https' if self._tls else 'http'}://{self.where}{path}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            self._socks.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            with conn:
                if self._tls is None:
                    self._handler(conn, self)
                    return
                with self._tls.wrap_socket(conn, server_side=True) as secure:
                    self._handler(secure, self)
        except (OSError, ValueError):
            pass

    def read_head(self, conn: socket.socket) -> bytes:
        while b"\r\n\r\n" not in self.received:
            data = conn.recv(65536)
            if not data:
                break
            self.received += data
        return self.received

    def hold(self, conn: socket.socket) -> None:
        """Keep ``conn`` open, reading nothing, until the client closes it, the test
        ends or :data:`HOLD` passes."""
        ends = time.monotonic() + HOLD
        while not self.stop.is_set() and time.monotonic() < ends:
            readable, _, _ = select.select([conn], [], [], 0.05)
            if readable and not conn.recv(1, socket.MSG_PEEK):
                return

    def close(self) -> None:
        self.stop.set()
        for sock in [self._listener, *self._socks]:  # shutdown wakes accept() and recv() (Linux)
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for thread in [self._accepter, *self._threads]:
            thread.join(WAIT)
            assert not thread.is_alive()


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def start(handler: Handler, **options: Any) -> Server:
        server = Server(handler, **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def answer(data: bytes) -> Handler:
    """A handler that reads the request head, sends ``data`` and closes."""

    def handle(conn: socket.socket, server: Server) -> None:
        server.read_head(conn)
        conn.sendall(data)

    return handle


def answer_and_hold(data: bytes) -> Handler:
    """A handler that reads the request head, sends ``data`` and keeps the connection."""

    def handle(conn: socket.socket, server: Server) -> None:
        server.read_head(conn)
        conn.sendall(data)
        server.hold(conn)

    return handle


def never_answer(conn: socket.socket, server: Server) -> None:
    server.hold(conn)


def failure(call: ReplayCall) -> str:
    with pytest.raises(ReplayError) as info:
        call.run()
    assert type(info.value) is ReplayError
    return str(info.value)


def get(url: str, **options: Any) -> ReplayCall:
    return ReplayCall(ReplayRequest(method="GET", url=url), **options)


def closed_port() -> tuple[socket.socket, int]:
    """A TCP port on 127.0.0.1 that is bound but not listening (refuses connections)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock, sock.getsockname()[1]


# -- connecting ---------------------------------------------------------------------------


def test_a_refused_port_is_one_line() -> None:
    sock, port = closed_port()
    with sock:
        assert (
            failure(get(f"http://127.0.0.1:{port}/")) == f"cannot reach 127.0.0.1:{port}: Connection refused"
        )


def test_an_address_that_fails_at_once_is_one_line() -> None:
    # a TCP connection to the broadcast address fails in connect() itself: no packet leaves
    assert failure(get("http://255.255.255.255:9/")) == (
        f"cannot reach 255.255.255.255:9: {os.strerror(errno.ENETUNREACH)}"
    )


def test_only_tcp_is_tried() -> None:
    """A refused TCP port with a UDP socket on the same number: refused, nothing sent by UDP."""
    for _ in range(20):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        tcp = socket.socket()
        try:
            tcp.bind(("127.0.0.1", port))
            break
        except OSError:
            udp.close()
            tcp.close()
    else:
        pytest.fail("no port free for both UDP and TCP")
    with udp, tcp:
        assert failure(get(f"http://127.0.0.1:{port}/", timeout=2.0)) == (
            f"cannot reach 127.0.0.1:{port}: Connection refused"
        )
        udp.setblocking(False)
        with pytest.raises(BlockingIOError):
            udp.recv(65536)


def fake_resolver(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[tuple[str, int]]]) -> list[str]:
    """``socket.getaddrinfo`` answering the names in ``answers`` (IPv4, TCP); the names asked are listed."""
    asked: list[str] = []

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        asked.append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", address) for address in answers[host]]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def test_each_address_is_tried_in_turn(serve: Callable[..., Server], monkeypatch: pytest.MonkeyPatch) -> None:
    server = serve(answer(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
    sock, refused = closed_port()
    with sock:
        asked = fake_resolver(
            monkeypatch,
            {"replay.test": [("127.0.0.1", refused), ("127.0.0.1", refused), ("127.0.0.1", server.port)]},
        )
        response = get(f"http://replay.test:{server.port}/x", timeout=WAIT).run()
    assert (response.status, response.body) == (200, b"ok")
    assert asked == ["replay.test"]
    assert server.connections == 1
    assert server.received.startswith(f"GET /x HTTP/1.1\r\nHost: replay.test:{server.port}\r\n".encode())


def test_the_last_address_error_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    first, one = closed_port()
    with first:
        fake_resolver(monkeypatch, {"replay.test": [("127.0.0.1", one), ("255.255.255.255", 9)]})
        assert (
            failure(get("http://replay.test:8/"))
            == f"cannot reach replay.test:8: {os.strerror(errno.ENETUNREACH)}"
        )


def test_a_name_without_addresses_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_resolver(monkeypatch, {"replay.test": []})
    assert failure(get("http://replay.test/")) == "cannot reach replay.test:80: no address for replay.test"


class FullListener:
    """A listener whose accept queue is full: a further connection attempt is never
    answered (its SYN is dropped) until :data:`HOLD` passes and the listener closes."""

    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(0)
        self.port: int = self._listener.getsockname()[1]
        self._fillers = [socket.socket() for _ in range(2)]
        for filler in self._fillers:
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", self.port))
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._release, daemon=True)
        self._thread.start()

    def _release(self) -> None:
        self._done.wait(HOLD)
        self._listener.close()
        for filler in self._fillers:
            filler.close()

    def close(self) -> None:
        self._done.set()
        self._thread.join(WAIT)


@pytest.fixture
def full_listener() -> Iterator[FullListener]:
    listener = FullListener()
    yield listener
    listener.close()


def test_a_connection_that_never_completes_ends_at_the_idle_timeout(full_listener: FullListener) -> None:
    port = full_listener.port
    assert (
        failure(get(f"http://127.0.0.1:{port}/", timeout=0.2))
        == f"no response from 127.0.0.1:{port} within 0.2 s"
    )


def test_cancel_ends_a_connection_that_never_completes(full_listener: FullListener) -> None:
    call = get(f"http://127.0.0.1:{full_listener.port}/", timeout=60.0)
    outcome = run_in_thread(call)
    call.cancel()
    assert call.cancelled
    error = outcome.result()
    assert isinstance(error, ReplayCancelled) and str(error) == "replay cancelled"


# -- TLS ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tls:
    server: ssl.SSLContext
    ca_file: str


@pytest.fixture
def tls(tmp_path: Path) -> Tls:
    """A server context whose certificate (for 127.0.0.1) a throwaway CA issued, and that CA's file."""
    authority = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    context.set_alpn_protocols(["http/1.1"])
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    return Tls(context, str(tmp_path / "ca.pem"))


def test_https_with_the_given_ca(serve: Callable[..., Server], tls: Tls) -> None:
    server = serve(answer(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret"), tls=tls.server)
    call = ReplayCall(ReplayRequest(method="GET", url=server.url("/s?x")), cafile=tls.ca_file, timeout=WAIT)
    response = call.run()
    assert (response.status, response.body) == (200, b"secret")
    assert server.received == f"GET /s?x HTTP/1.1\r\nHost: {server.where}\r\n\r\n".encode()


def test_https_without_the_ca_is_not_trusted(serve: Callable[..., Server], tls: Tls) -> None:
    server = serve(answer(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), tls=tls.server)
    assert failure(get(server.url(), timeout=WAIT)) == (
        f"the certificate of {server.where} is not trusted: unable to get local issuer certificate"
    )


def test_https_to_a_plain_server_is_a_tls_failure(serve: Callable[..., Server]) -> None:
    def handle(conn: socket.socket, server: Server) -> None:
        conn.recv(65536)  # the TLS hello
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

    server = serve(handle)
    url = f"https://{server.where}/"
    assert failure(get(url, timeout=WAIT)) == f"TLS with {server.where} failed: WRONG_VERSION_NUMBER"


def test_a_handshake_never_answered_ends_at_the_idle_timeout(serve: Callable[..., Server]) -> None:
    server = serve(never_answer)
    url = f"https://{server.where}/"
    assert failure(get(url, timeout=0.3)) == f"no response from {server.where} within 0.3 s"


# -- the response -------------------------------------------------------------------------


def test_the_response_is_what_the_server_said(serve: Callable[..., Server]) -> None:
    server = serve(
        answer(
            b"HTTP/1.1 201 Made It\r\nX-One: 1\r\nx-two: two words\r\nX-One: 3\r\n"
            b"Content-Length: 4\r\n\r\nbody"
        )
    )
    request = ReplayRequest(
        method="POST", url=server.url("/p"), headers=(("X-Case", "Kept"),), body=b"\x00\xff"
    )
    response = ReplayCall(request, timeout=WAIT).run()
    assert response.status == 201
    assert response.reason == "Made It"
    assert response.http_version == "1.1"
    assert response.headers == (
        ("X-One", "1"),
        ("x-two", "two words"),
        ("X-One", "3"),
        ("Content-Length", "4"),
    )
    assert response.body == b"body"
    assert response.body_truncated is False
    assert response.sent == build_request(request)
    assert server.received == response.sent


def test_an_http_1_0_response_until_close(serve: Callable[..., Server]) -> None:
    server = serve(answer(b"HTTP/1.0 200 OK\r\n\r\nall of it"))
    response = get(server.url(), timeout=WAIT).run()
    assert (response.http_version, response.body, response.body_truncated) == ("1.0", b"all of it", False)


def test_a_head_response_has_no_body_whatever_its_length(serve: Callable[..., Server]) -> None:
    server = serve(answer_and_hold(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"))
    response = ReplayCall(ReplayRequest(method=" head ", url=server.url()), timeout=2.0).run()
    assert (response.status, response.body, response.body_truncated) == (200, b"", False)
    assert response.headers == (("Content-Length", "5"),)
    assert server.received.startswith(b"head / HTTP/1.1\r\n")


def test_a_long_body_is_cut_at_the_cap(serve: Callable[..., Server]) -> None:
    cap = replay.MAX_RESPONSE_BODY
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {2 * cap}\r\n\r\n".encode()
    server = serve(answer_and_hold(head + b"x" * (cap + 1000)))  # the rest never comes
    response = get(server.url(), timeout=2.0).run()
    assert len(response.body) == cap and response.body_truncated is True


def test_a_server_that_closes_without_answering(serve: Callable[..., Server]) -> None:
    server = serve(answer(b""))
    assert failure(get(server.url(), timeout=WAIT)) == (
        f"invalid response from {server.where}: "
        "RemoteDisconnected Remote end closed connection without response"
    )


def test_a_server_that_never_answers_ends_at_the_idle_timeout(serve: Callable[..., Server]) -> None:
    server = serve(never_answer)
    assert failure(get(server.url(), timeout=0.25)) == f"no response from {server.where} within 0.25 s"


def trickle(conn: socket.socket, server: Server) -> None:
    """Answers a body of a million bytes one byte at a time, never idle long enough to time out."""
    server.read_head(conn)
    ends = time.monotonic() + HOLD
    with contextlib.suppress(OSError):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
        while time.monotonic() < ends and not server.stop.wait(0.02):
            conn.sendall(b"x")


def test_an_answer_that_never_ends_is_cut_off_at_the_deadline(serve: Callable[..., Server]) -> None:
    server = serve(trickle)
    message = failure(get(server.url(), timeout=WAIT, deadline=0.3))
    assert message == f"the exchange with {server.where} did not end within 0.3 s and was cut off"


def test_the_elapsed_time_is_from_before_connecting_to_after_the_answer(
    serve: Callable[..., Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = serve(answer(b"HTTP/1.1 204 No Content\r\n\r\n"))
    readings = iter([100.0, 100.25])

    class Clock:
        monotonic = staticmethod(time.monotonic)

        @staticmethod
        def perf_counter() -> float:
            return next(readings)

    monkeypatch.setattr(replay, "time", Clock)
    assert get(server.url(), timeout=WAIT).run().elapsed_ms == 250.0


# -- sending a large body -----------------------------------------------------------------

#: more than the client's send buffer and the server's receive buffer hold
BIG = 16 * 1024 * 1024


def test_a_body_a_server_never_reads_ends_at_the_idle_timeout(serve: Callable[..., Server]) -> None:
    server = serve(never_answer, rcvbuf=4096)
    call = ReplayCall(ReplayRequest(method="PUT", url=server.url(), body=b"b" * BIG), timeout=0.3)
    assert failure(call) == f"no response from {server.where} within 0.3 s"


def read_all_after_a_pause(conn: socket.socket, server: Server) -> None:
    """Read nothing for a while (the client's sends time out), then the whole request, then answer."""
    server.stop.wait(0.5)
    head = server.read_head(conn)
    want = head.index(b"\r\n\r\n") + 4 + BIG
    while len(server.received) < want:
        data = conn.recv(1 << 20)
        if not data:
            return
        server.received += data
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nall")


def test_a_large_body_is_sent_whole_to_a_slow_reader(serve: Callable[..., Server]) -> None:
    server = serve(read_all_after_a_pause)
    body = os.urandom(1024) * (BIG // 1024)
    request = ReplayRequest(method="PUT", url=server.url(), body=body)
    response = ReplayCall(request, timeout=WAIT).run()
    assert (response.status, response.body) == (200, b"all")
    assert server.received == build_request(request)


# -- cancel -------------------------------------------------------------------------------


class Outcome:
    def __init__(self, thread: threading.Thread, box: list[ReplayResponse | BaseException]) -> None:
        self._thread = thread
        self._box = box

    def result(self) -> ReplayResponse | BaseException:
        self._thread.join(WAIT)
        assert not self._thread.is_alive(), "the replay did not end"
        return self._box[0]


def run_in_thread(call: ReplayCall) -> Outcome:
    box: list[ReplayResponse | BaseException] = []

    def work() -> None:
        try:
            box.append(call.run())
        except BaseException as exc:
            box.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return Outcome(thread, box)


def test_cancel_before_running() -> None:
    sock, port = closed_port()
    with sock:
        call = get(f"http://127.0.0.1:{port}/")
        call.cancel()
        with pytest.raises(ReplayCancelled, match=r"^replay cancelled$"):
            call.run()


def test_cancel_ends_a_wait_for_the_answer_long_before_any_timeout(serve: Callable[..., Server]) -> None:
    asked = threading.Event()

    def handle(conn: socket.socket, server: Server) -> None:
        server.read_head(conn)
        asked.set()
        server.hold(conn)

    server = serve(handle)
    call = get(server.url(), timeout=60.0, deadline=120.0)
    outcome = run_in_thread(call)
    assert asked.wait(WAIT)
    call.cancel()
    error = outcome.result()
    assert isinstance(error, ReplayCancelled) and str(error) == "replay cancelled"
