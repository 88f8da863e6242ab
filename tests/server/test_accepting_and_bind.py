"""Accepting when the process is out of descriptors, listener names, the 503 past the limit, binding edges."""

from __future__ import annotations

import errno
import logging
import selectors
import socket
import time
from collections.abc import Iterator

import pytest

from inspector.http.limits import Limits
from inspector.http.record import CaptureRecord
from inspector.server import BindError, Server, bind_listener
from inspector.server.accepting import ACCEPT_PAUSE, Acceptor, peer_name, refuse
from inspector.server.listeners import Listeners
from inspector.server.rounds import Rounds
from tests.harness import Records, ServerFactory, get


class _FlakySocket:
    """A listening socket whose next ``accept()`` calls fail as scripted (None: accept for real)."""

    def __init__(self, real: socket.socket, script: list[OSError | None]) -> None:
        self.real = real
        self.script = script

    def fileno(self) -> int:
        return self.real.fileno()

    def getsockname(self) -> tuple[str, int]:
        name: tuple[str, int] = self.real.getsockname()
        return name

    def accept(self) -> tuple[socket.socket, object]:
        step = self.script.pop(0) if self.script else BlockingIOError()
        if step is not None:
            raise step
        return self.real.accept()

    def close(self) -> None:
        self.real.close()


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    sock = bind_listener("127.0.0.1", 0)
    yield sock
    sock.close()


def _emfile() -> OSError:
    return OSError(errno.EMFILE, "Too many open files")


def _acceptor(real: socket.socket, script: list[OSError | None]) -> tuple[Acceptor, selectors.BaseSelector]:
    selector = selectors.DefaultSelector()
    flaky = _FlakySocket(real, script)
    return Acceptor(flaky, selector, "the-listener"), selector  # type: ignore[arg-type]


def test_an_unnamed_acceptor_names_itself_after_its_socket(listening: socket.socket) -> None:
    with selectors.DefaultSelector() as selector:
        acceptor = Acceptor(listening, selector)
        assert acceptor.name == peer_name(listening.getsockname())
        assert acceptor.name.startswith("127.0.0.1:")
        assert selector.get_key(listening).events == selectors.EVENT_READ
        acceptor.close()


def test_out_of_descriptors_stops_watching_for_a_while_and_says_so_once(
    listening: socket.socket, caplog: pytest.LogCaptureFixture
) -> None:
    acceptor, selector = _acceptor(listening, [_emfile(), _emfile()])
    caplog.set_level(logging.WARNING, logger="inspector.server.accepting")
    before = time.monotonic()
    assert list(acceptor.accept()) == []
    assert acceptor.paused_until is not None
    assert acceptor.paused_until >= before + ACCEPT_PAUSE
    assert listening.fileno() not in selector.get_map()
    first_due = acceptor.paused_until
    assert list(acceptor.accept()) == []  # failing again while paused: the pause moves on, still one line
    assert acceptor.paused_until >= first_due
    assert listening.fileno() not in selector.get_map()
    said = "cannot accept connections for now: Too many open files"
    assert [r.getMessage() for r in caplog.records] == [said]
    acceptor.resume()
    assert acceptor.paused_until is None
    key = selector.get_key(listening.fileno())
    assert (key.events, key.data) == (selectors.EVENT_READ, None)
    acceptor.resume()  # not paused: nothing to do
    fd = listening.fileno()
    acceptor.close()
    assert fd not in selector.get_map()


def test_an_error_without_strerror_is_logged_as_itself(
    listening: socket.socket, caplog: pytest.LogCaptureFixture
) -> None:
    acceptor, _ = _acceptor(listening, [OSError("no more")])
    caplog.set_level(logging.WARNING, logger="inspector.server.accepting")
    assert list(acceptor.accept()) == []
    assert [r.getMessage() for r in caplog.records] == ["cannot accept connections for now: no more"]


def test_a_working_accept_between_failures_makes_the_next_failure_said_again(
    listening: socket.socket, caplog: pytest.LogCaptureFixture
) -> None:
    acceptor, _ = _acceptor(listening, [_emfile(), None, _emfile()])
    caplog.set_level(logging.WARNING, logger="inspector.server.accepting")
    with socket.create_connection(listening.getsockname()) as client:
        assert list(acceptor.accept()) == []
        acceptor.resume()
        accepted = list(acceptor.accept())
        assert len(accepted) == 1
        sock, client_name, server = accepted[0]
        try:
            assert client_name == peer_name(client.getsockname())
            assert server == "the-listener"
            assert not sock.getblocking()
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        finally:
            sock.close()
    assert len(caplog.records) == 2


def test_listeners_remember_the_earliest_pause() -> None:
    class _Paused:
        def __init__(self, due: float | None) -> None:
            self.paused_until = due

    with selectors.DefaultSelector() as selector:
        listeners = Listeners(selector, lambda: None)
        listeners.paused(_Paused(None))  # type: ignore[arg-type]
        assert listeners.paused_until is None
        listeners.paused(_Paused(5.0))  # type: ignore[arg-type]
        assert listeners.paused_until == 5.0
        listeners.paused(_Paused(None))  # type: ignore[arg-type]
        listeners.paused(_Paused(7.0))  # type: ignore[arg-type]
        assert listeners.paused_until == 5.0
        listeners.paused(_Paused(3.0))  # type: ignore[arg-type]
        assert listeners.paused_until == 3.0


def test_an_acceptor_takes_the_listener_name_as_asked() -> None:
    # "127.1" is 127.0.0.1 to the OS, but its records say the listener as the user wrote it.
    with selectors.DefaultSelector() as selector:
        listeners = Listeners(selector, lambda: None)
        opened = listeners.open("127.1", 0)
        assert opened.name == f"127.1:{opened.port}"
        assert list(listeners.apply()) == []
        assert [a.name for a in listeners.by_fd.values()] == [opened.name]
        listeners.close_all()


def test_the_503_record_past_the_limit_has_its_reason_phrase() -> None:
    left, right = socket.socketpair()
    with right:
        record = refuse(left, 7, "c:1", "s:2", "too many")
        assert right.recv(4096).startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
    assert record.id == 7
    assert record.response is not None
    assert (record.response.status, record.response.reason) == (503, "Service Unavailable")
    assert record.error == "503 too many"


def test_port_65535_is_a_port() -> None:
    try:
        bind_listener("127.0.0.1", 65535).close()
    except BindError as exc:  # taken by someone else: still not "must be between"
        assert "must be between" not in str(exc)
    with pytest.raises(BindError, match="must be between 0 and 65535"):
        bind_listener("127.0.0.1", 65536)


def test_listen_passes_the_ports_to_avoid_to_the_suggestion() -> None:
    server = Server(None, sink=Records())
    try:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            with pytest.raises(BindError) as first:
                server.listen("127.0.0.1", port)
            suggested = first.value.in_use.free_port if first.value.in_use else None
            assert suggested is not None
            with pytest.raises(BindError) as second:
                server.listen("127.0.0.1", port, avoid={suggested})
            assert second.value.in_use is not None
            assert second.value.in_use.free_port != suggested
    finally:
        server.close()


def test_the_503_past_the_limit_takes_a_record_id_of_its_own(start_server: ServerFactory) -> None:
    running = start_server(limits=Limits(max_connections=1))
    held = running.connect()
    running.wait_connections(1)
    extra = running.connect()
    assert extra.response().status == 503
    (refused,) = running.sink.wait(1)
    held.send(get("/held"))
    assert held.response().status == 200
    (served,) = running.sink.wait(2)[1:]
    assert isinstance(refused.id, int) and isinstance(served.id, int)
    assert refused.id != served.id


def test_a_failing_announcement_is_logged_with_the_request_id(caplog: pytest.LogCaptureFixture) -> None:
    class _Waiting:
        def unannounced(self) -> list[CaptureRecord]:
            return [CaptureRecord(id=9, received_at=0.0, client="c", server="s")]

    class _Refusing(Records):
        def started(self, record: CaptureRecord) -> None:
            raise RuntimeError("started broke")

    rounds = Rounds(_Refusing(), {})
    with caplog.at_level(logging.ERROR, logger="inspector.server.rounds"):
        rounds._announce(_Waiting())  # type: ignore[arg-type]
    assert [r.getMessage() for r in caplog.records] == ["announcing request 9 failed"]
